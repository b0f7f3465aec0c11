"""The list tallies (migration e4c7a1f9d3b5): the coordinator's lists say how many
requests there are from counts kept on write, not by counting. They must equal the
counted rows after anything that writes: actions, SQL by hand (insert, update of state or
organisation, delete, truncate), and CKAN's test reset."""
from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

import ckan.model as model

from tests.factories import call
from tests.logic.test_auth import build_world

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

TABLES = ("vgsamverkan_participation", "vgsamverkan_publisher", "vgsamverkan_connection",
          "vgsamverkan_calloff")
LISTS = {"vgsamverkan_participation": "vgsamverkan_participation_list",
         "vgsamverkan_publisher": "vgsamverkan_publisher_list",
         "vgsamverkan_connection": "vgsamverkan_connection_list",
         "vgsamverkan_calloff": "vgsamverkan_calloff_list"}


def counted(table: str) -> dict[tuple[str, str], int]:
    rows = model.Session.execute(sa.text(
        f"SELECT coalesce(organization_id, ''), state, count(*) FROM {table} GROUP BY 1, 2")).fetchall()
    return {(o, s): n for o, s, n in rows}


def tallied(table: str) -> dict[tuple[str, str], int]:
    rows = model.Session.execute(sa.text(
        "SELECT organization_id, state, n FROM vgsamverkan_tally WHERE tbl = :t AND n <> 0"), {"t": table}).fetchall()
    return {(o, s): n for o, s, n in rows}


def assert_tallies_right() -> None:
    model.Session.remove()
    for table in TABLES:
        assert tallied(table) == counted(table), table
    model.Session.remove()


def sql(statement: str, **params) -> bool:
    """Run ``statement`` in its own transaction; False when a constraint refused it (then
    nothing of it stays, the tallies' changes neither)."""
    model.Session.remove()
    try:
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text(statement), params)
    except sa.exc.IntegrityError:
        return False
    return True


def test_tallies_follow_every_write(world):
    assert_tallies_right()
    assert any(tallied(t) for t in TABLES), "the world has requests"
    orgs = [world["org"]["id"], world["other_org"]["id"], "no-such-org"]
    rng = random.Random(9)
    done = refused = 0
    for table in TABLES:
        states = [s for (_o, s) in counted(table)]
        for _ in range(6):  # updates of state and organisation, one row or many at once
            for ok in (
                sql(f"UPDATE {table} SET state = :s WHERE id IN (SELECT id FROM {table} ORDER BY random() LIMIT 2)",
                    s=rng.choice(states)),
                sql(f"UPDATE {table} SET organization_id = :o "
                    f"WHERE id IN (SELECT id FROM {table} ORDER BY random() LIMIT 1)",
                    o=rng.choice(orgs)),
                sql(f"UPDATE {table} SET modified = now()"),  # no key changes: no tally written
            ):
                done, refused = done + ok, refused + (not ok)
            assert_tallies_right()
        # inserts of copies (some refused by the one-active-request indexes)
        for state in states:
            ok = sql(f"CREATE TEMP TABLE copy AS SELECT * FROM {table} LIMIT 1; "
                     "UPDATE copy SET id = 'copy-' || id, state = :s; "
                     f"INSERT INTO {table} SELECT * FROM copy; DROP TABLE copy", s=state)
            done, refused = done + ok, refused + (not ok)
            assert_tallies_right()
    assert done > 50 and refused > 0, (done, refused)
    # the call-off's time and the requests' events hang on them: delete those first
    sql("DELETE FROM vgsamverkan_calloff_time; DELETE FROM vgsamverkan_connection_quote; "
        "DELETE FROM vgsamverkan_calloff WHERE id IN (SELECT id FROM vgsamverkan_calloff LIMIT 1)")
    assert_tallies_right()
    sql("TRUNCATE vgsamverkan_calloff, vgsamverkan_connection CASCADE")
    assert_tallies_right()
    assert tallied("vgsamverkan_calloff") == {} and tallied("vgsamverkan_participation") != {}


@pytest.fixture
def world(clean_db, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinators", ["samordnare"])
    return build_world("samordnare")


def test_the_coordinators_lists_count_by_tally(world):
    """The count a coordinator gets equals the rows the list gives, for every filter the
    tallies answer, and for those they do not (org_type; an admin's list: counted)."""
    coordinator = world["users"]["coordinator"]
    for table, action in LISTS.items():
        keys = counted(table)
        filters = ([{}] + [{"state": s} for _o, s in keys] + [{"organization_id": o} for o, _s in keys if o]
                   + [{"organization_id": o, "state": s} for o, s in keys if o]
                   + [{"state": "pending", "organization_id": world["org"]["name"]}])
        for f in filters:
            result = call(action, coordinator, limit=1000, **f)
            assert result["count"] == len(result["results"]), (action, f)
        whole = call(action, coordinator, limit=1000)
        assert whole["count"] == sum(keys.values()) > 0, action
    # a filter the tallies cannot answer is counted
    kommun = call("vgsamverkan_participation_list", coordinator, org_type="kommun", limit=1000)
    assert kommun["count"] == len(kommun["results"])
    # an organisation admin's list is counted too (their own and their organisations')
    admin = call("vgsamverkan_participation_list", world["users"]["org_admin"], limit=1000)
    assert admin["count"] == len(admin["results"]) > 0


def test_the_list_count_reads_the_tally(world):
    """The count is the tally's (shown by making them differ on purpose, as nothing in the
    extension would): proof that the coordinator's list does not count its rows."""
    coordinator = world["users"]["coordinator"]
    before = call("vgsamverkan_participation_list", coordinator)["count"]
    sql("UPDATE vgsamverkan_tally SET n = n + 1000 WHERE tbl = 'vgsamverkan_participation' "
        "AND ctid = (SELECT min(ctid) FROM vgsamverkan_tally WHERE tbl = 'vgsamverkan_participation')")
    assert call("vgsamverkan_participation_list", coordinator)["count"] == before + 1000
