"""The test harness itself: the fast per-test reset (conftest.py ``FastReset``) leaves
the same database as CKAN's full reset, and a parallel run's workers each have their own
database, Redis database and ports."""
from __future__ import annotations

import datetime
import os

import pytest
import sqlalchemy as sa

from ckan import model
from ckan.tests import factories, helpers

from tests.factories import apply_existing, call, org_with_admin, participant_org

pytestmark = [pytest.mark.usefixtures("with_plugins"),
              pytest.mark.without_closed_month("resets the database itself, twice")]


def _workload(month: str = "2023-05", tamper: bool = False) -> None:
    """A little of everything: users, organisations, a dataset (search documents and
    counts), requests (tallies), comments and events, mail in the outbox, a fee schedule,
    and a closed month (frozen rows)."""
    coordinator = factories.Sysadmin()
    admin, other = factories.User(), factories.User()
    org = participant_org(admin, coordinator)
    pending = org_with_admin(other)
    apply_existing(other, pending)
    factories.Dataset(owner_org=org["id"], title="Luftkvalitet", tags=[{"name": "miljö"}])
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from=month, total="1000.00",
         base_percent="20", regional_fixed="0")
    call("vgsamverkan_fee_run", coordinator, month=month)
    call("vgsamverkan_fee_close", coordinator, month=month)
    if not tamper:
        return
    # a count set by hand, as tests/logic/test_tally.py sets one to see that a list reads it:
    # the reset empties it all the same (a DELETE of the rows alone would leave 1000)
    model.Session.remove()
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("UPDATE vgsamverkan_tally SET n = n + 1000 WHERE tbl = 'vgsamverkan_participation'"))


def _snapshot() -> dict:
    """Every table's row count (the alembic versions and the population in full)."""
    model.Session.remove()
    with model.meta.engine.connect() as conn:
        tables = conn.execute(sa.text(
            "SELECT relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND relkind = 'r' ORDER BY 1")).scalars().all()
        shot = {t: conn.execute(sa.text(f'SELECT count(*) FROM "{t}"')).scalar() for t in tables}
        # counts kept by triggers: CKAN's DELETE leaves a count of 0 where a TRUNCATE
        # leaves no row; both mean none
        for t in ("vgsamverkan_search_group", "vgsamverkan_search_facet"):
            shot[t] = conn.execute(sa.text(f'SELECT count(*) FROM "{t}" WHERE n <> 0')).scalar()
        shot["vgsamverkan_tally"] = conn.execute(sa.text(
            "SELECT tbl, organization_id, state, n FROM vgsamverkan_tally WHERE n <> 0 ORDER BY 1, 2, 3")).all()
        shot["facets"] = conn.execute(sa.text(
            "SELECT field, value, sum(n) FROM vgsamverkan_search_facet GROUP BY 1, 2 HAVING sum(n) <> 0 "
            "ORDER BY 1, 2")).all()
        for t in tables:
            if t.endswith("alembic_version"):
                shot[t] = conn.execute(sa.text(f'SELECT version_num FROM "{t}" ORDER BY 1')).scalars().all()
        shot["vgsamverkan_population"] = [  # as shipped, but for when the row was written
            tuple(v for v in r if not isinstance(v, datetime.datetime))
            for r in conn.execute(sa.text("SELECT * FROM vgsamverkan_population ORDER BY 1, 2, 3"))]
    return shot


def test_the_fast_reset_leaves_what_the_full_reset_leaves(reset_db):
    import conftest

    reset_db()  # the first may be the full one; from here on the fast one applies
    _workload(tamper=True)
    assert conftest.FastReset.run(), "the fast reset did not apply after a full reset"
    fast = _snapshot()
    _workload(tamper=True)
    conftest.full_reset(helpers.reset_db)
    from tests.conftest import restore_reference_data

    restore_reference_data()
    full = _snapshot()
    assert fast == full
    # and it emptied what the workload filled
    for table in ("user", "group", "package", "vgsamverkan_participation", "vgsamverkan_search_doc",
                  "vgsamverkan_fee_month", "vgsamverkan_fee_line", "vgsamverkan_event", "vgsamverkan_outbox"):
        assert fast[table] == 0, table
    assert fast["vgsamverkan_tally"] == [] and fast["vgsamverkan_search_facet"] == 0
    from ckanext.vgsamverkan.population_file import shipped_rows

    assert len(fast["vgsamverkan_population"]) == len(list(shipped_rows())) > 0


def test_kept_data_comes_back_as_it_was_built(reset_db):
    """tests/conftest.py ``kept``: what FastReset.capture took comes back after other
    writes, every row, with the tallies and search counts counted again."""
    import conftest

    reset_db()
    _workload()
    built = _snapshot()
    captured = conftest.FastReset.capture()
    assert captured is not None and captured["rows"]
    _workload("2023-08")  # more of everything
    assert _snapshot() != built
    assert conftest.FastReset.restore(captured)
    assert _snapshot() == built
    assert built["vgsamverkan_tally"] and built["facets"]  # counted things were compared


def test_a_moved_migration_branch_makes_the_next_reset_the_full_one(reset_db):
    """After a test moved our alembic branch (the migration tests do), the fast reset
    refuses, and the full one puts the branch back at its head."""
    import conftest

    reset_db()
    with model.meta.engine.begin() as conn:
        head = conn.execute(sa.text("SELECT version_num FROM vgsamverkan_alembic_version")).scalar()
        conn.execute(sa.text("UPDATE vgsamverkan_alembic_version SET version_num = 'e4c7a1f9d3b5'"))
    try:
        assert not conftest.FastReset.run()
    finally:
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text("UPDATE vgsamverkan_alembic_version SET version_num = :v"), {"v": head})
    reset_db()
    assert conftest.FastReset.run()


def test_each_worker_has_its_own_database_redis_and_ports():
    """In a parallel run (pytest -n N) the worker's settings are its own; alone, the run's."""
    from ckan.plugins.toolkit import config

    import conftest

    number = conftest.worker_number()
    url = config["sqlalchemy.url"]
    if number is None:
        assert "_gw" not in url
        return
    assert url.endswith(f"_gw{number}")
    assert str(model.meta.engine.url.database).endswith(f"_gw{number}")
    assert int(config["ckan.redis.url"].rsplit("/", 1)[1]) >= 2 * (number + 1) + 1
    assert int(os.environ["VGS_PORT_BASE"]) >= 1000 * (number + 1) + 5100


def test_the_two_versions_halves_make_the_whole_matrix(monkeypatch):
    """tests/halves.py: what CKAN 2.11 sends and what 2.12 sends are disjoint and together
    every variant."""
    import ckan

    from tests.halves import this_versions_half

    items = list(range(25))
    monkeypatch.delenv("VGS_WHOLE_MATRIX", raising=False)
    monkeypatch.setattr(ckan, "__version__", "2.11.6")
    first = this_versions_half(items)
    monkeypatch.setattr(ckan, "__version__", "2.12.0")
    second = this_versions_half(items)
    assert not set(first) & set(second) and sorted(first + second) == items and len(first) == 13
    monkeypatch.setenv("VGS_WHOLE_MATRIX", "1")
    assert this_versions_half(items) == items
