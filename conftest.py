"""Root conftest: applies to our tests and to CKAN's own tests when the test command runs
them against our search backend (they live under .venv, below this folder).

CKAN's first database reset of a session drops every table, ours too, and CKAN's tests
do not load our plugins, so ``migrate_db_for`` cannot find them: after every reset, the
alembic branches of activity and of this extension are applied directly (as
``ckan db upgrade -p …`` would).
"""
from __future__ import annotations

import os

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def _migrations() -> list[str]:
    import ckanext.activity

    folders = [
        os.path.join(os.path.dirname(ckanext.activity.__file__), "migration", "activity"),
        os.path.join(HERE, "ckanext", "vgsamverkan", "migration", "vgsamverkan"),
    ]
    try:  # in the test venvs, for the tests with harvest sources (tests/test_harvest.py)
        import ckanext.harvest

        folders.append(os.path.join(os.path.dirname(ckanext.harvest.__file__), "migration", "harvest"))
    except ImportError:
        pass
    return folders


def upgrade_plugin_tables() -> None:
    """Apply the alembic branches of the plugins in test.ini (activity, ours)."""
    from alembic import command
    from alembic.config import Config

    from ckan.plugins.toolkit import config

    for folder in _migrations():
        alembic_config = Config(os.path.join(folder, "alembic.ini"))
        alembic_config.set_main_option("script_location", folder)
        alembic_config.set_main_option("sqlalchemy.url", config["sqlalchemy.url"])
        command.upgrade(alembic_config, "head")


def purge_fee_months() -> None:
    """Closed fee months are frozen by triggers: CKAN's reset (a DELETE per table) would
    be refused. The test database's reset lifts the freeze deliberately, as nothing in
    the extension does (``SET LOCAL vgsamverkan.purge``), and empties the fee tables."""
    import sqlalchemy as sa

    from ckan import model

    model.Session.remove()
    with model.meta.engine.begin() as conn:
        if not sa.inspect(conn).has_table("vgsamverkan_fee_month"):
            return
        conn.execute(sa.text("SET LOCAL vgsamverkan.purge = 'on'"))
        for table in ("vgsamverkan_fee_file", "vgsamverkan_fee_line", "vgsamverkan_fee_statement",
                      "vgsamverkan_fee_adjustment", "vgsamverkan_fee_month"):
            if sa.inspect(conn).has_table(table):
                conn.execute(sa.text(f"DELETE FROM {table}"))


@pytest.fixture
def reset_db(reset_db):
    def reset() -> None:
        try:
            purge_fee_months()
        except Exception:  # no database yet, or tables of another shape: CKAN's reset decides
            pass
        reset_db()
        upgrade_plugin_tables()

    return reset


def pytest_collection_modifyitems(config, items):
    """With VGS_CKAN_CORE_LIST set (scripts/ckan_core_search.sh), deselect exactly the
    CKAN tests that file names as unable to pass here (``--deselect`` matches prefixes,
    which would drop neighbours with longer names)."""
    listing = os.environ.get("VGS_CKAN_CORE_LIST")
    if not listing:
        return
    with open(listing, encoding="utf-8") as f:
        names = {
            line.split(" ", 1)[1].split(" | ")[0].strip()
            for line in f
            if line.startswith("deselect ")
        }
    keep, drop = [], []
    for item in items:
        relative = item.nodeid.split("/ckan/tests/", 1)[-1]
        (drop if relative in names else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(autouse=True)
def _fixed_fake_text():
    """CKAN's own search tests (scripts/ckan_core_search.sh) fill datasets with Faker's
    random words, so a query such as "record" sometimes also matches a third dataset's
    notes (test_name_multiple_results failed once so: upstream flakiness, Solr's text
    field would match too). In that run the words are seeded per test, so that it is
    repeatable; our own tests are untouched."""
    if os.environ.get("VGS_CKAN_CORE_LIST"):
        from ckan.tests import factories

        factories.fake.seed_instance(2026)
    yield
