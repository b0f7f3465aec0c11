"""A closed fee month that every other test runs beside, and must leave byte-identical.

Once per session, a month (MONTH) is made the real way in an empty database: two
participants (a municipality and a regional administration), a fee schedule, a run, an
adjustment (which runs it again), and the close. Its saved rows (month, statements, lines,
adjustments, the files kept at the close) and its two exports (CSV and SIE, through the
export) are kept; then the database is emptied.

Every test that uses the database (the ``clean_db`` fixture) then starts with those rows
planted back, verbatim, after the reset, and after the test the month's exports must be
the kept bytes, as must its rows. Whatever a test does (fee runs of other months, new
schedules or population, renamed or deleted organisations, anonymisation, concurrent
clients against a server) must not change a closed month.

The planting is the test harness's own deliberate write into a closed month (with the
same ``SET LOCAL vgsamverkan.purge`` as the reset), never the extension's. A test that
empties the database itself, or takes the fee tables away (migrations below the fee
revision), says so with ``@pytest.mark.without_closed_month(reason)``.
"""
from __future__ import annotations

import sqlalchemy as sa

MONTH = "2024-06"  # uses the population of 2023, shipped; no test uses this month
TABLES = ("vgsamverkan_fee_month", "vgsamverkan_fee_statement", "vgsamverkan_fee_line",
          "vgsamverkan_fee_adjustment", "vgsamverkan_fee_file")

_kept: dict | None = None


def _rows() -> dict[str, list[dict]]:
    from ckan import model

    with model.meta.engine.connect() as conn:
        return {t: [dict(r._mapping) for r in conn.execute(sa.text(f"SELECT * FROM {t} WHERE month = :m ORDER BY 1, 2"),
                                                           {"m": MONTH})]
                for t in TABLES}


def _exports() -> dict[str, bytes]:
    from ckan import model

    from ckanext.vgsamverkan.fees.export import EXPORT_FORMATS, export_month

    model.Session.remove()
    try:
        return {fmt: export_month(MONTH, fmt)[0] for fmt in EXPORT_FORMATS}
    finally:
        model.Session.remove()


def _make(reset) -> dict:
    """The month, the real way; then the database emptied again."""
    from ckan.tests import factories

    from tests.conftest import restore_reference_data
    from tests.factories import apply_existing, call, org_with_admin

    reset()
    restore_reference_data()
    coordinator = factories.Sysadmin(name="vakt-samordnare")
    kommun_admin, region_admin = factories.User(), factories.User()
    kommun = org_with_admin(kommun_admin)
    region = org_with_admin(region_admin)
    for admin, org, data in ((kommun_admin, kommun, {"org_type": "kommun", "municipality_code": "1401"}),
                             (region_admin, region, {"org_type": "regional_forvaltning",
                                                     "municipality_code": None})):
        p = apply_existing(admin, org, **{k: v for k, v in data.items() if v is not None})
        call("vgsamverkan_participation_approve", coordinator, id=p["id"], effective_from="2024-01-01")
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2024-01", total="18500.00",
         base_percent="20", regional_fixed="1500.00")
    call("vgsamverkan_fee_run", coordinator, month=MONTH)
    call("vgsamverkan_fee_adjust", coordinator, month=MONTH, organization_id=kommun["id"],
         amount="-250.50", reason="Kreditering för driftavbrott")
    call("vgsamverkan_fee_close", coordinator, month=MONTH)
    kept = {"rows": _rows(), "exports": _exports()}
    assert all(kept["rows"][t] for t in TABLES), {t: len(r) for t, r in kept["rows"].items()}
    reset()
    restore_reference_data()
    return kept


def plant(reset) -> None:
    """The kept month into the (just reset) database, before a test."""
    global _kept
    from ckan import model

    if _kept is None:
        _kept = _make(reset)
    model.Session.remove()
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("SET LOCAL vgsamverkan.purge = 'on'"))
        for name in TABLES:
            if _kept["rows"][name]:
                conn.execute(_table(name, conn).insert(), _kept["rows"][name])


_tables: dict[str, tuple[tuple, sa.Table]] = {}


def _table(name: str, conn) -> sa.Table:
    """The table as it is now (reflected again only when its columns changed: the
    migration tests take the fee tables down and up)."""
    columns = tuple(conn.execute(sa.text(
        "SELECT attname, atttypid FROM pg_attribute WHERE attrelid = CAST(:t AS regclass) "
        "AND attnum > 0 AND NOT attisdropped ORDER BY attnum"), {"t": name}).all())
    if name not in _tables or _tables[name][0] != columns:
        _tables[name] = (columns, sa.Table(name, sa.MetaData(), autoload_with=conn))
    return _tables[name][1]


def check(test: str) -> None:
    """After a test: the month's rows and exports as kept."""
    assert _kept is not None
    exports = _exports()
    for fmt, content in _kept["exports"].items():
        assert exports[fmt] == content, f"{test} changed the {fmt} export of the closed month {MONTH}"
    assert _rows() == _kept["rows"], f"{test} changed the rows of the closed month {MONTH}"
