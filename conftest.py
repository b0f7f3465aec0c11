"""Root conftest: applies to our tests and to CKAN's own tests when the test command runs
them against our search backend (they live under .venv, below this folder).

CKAN's first database reset of a session drops every table, ours too, and CKAN's tests
do not load our plugins, so ``migrate_db_for`` cannot find them: after every reset, the
alembic branches of activity and of this extension are applied directly (as
``ckan db upgrade -p …`` would).
"""
from __future__ import annotations

import configparser
import inspect
import os
import re

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


# -- CKAN's plugin loading, made cheaper ------------------------------------------------------
# Before each test the plugins' update_config runs again (tests/conftest.py's
# ``with_plugins``). Two parts of it cost most of its time and give the same result each time:
#
# 1. The toolkit's add_template_directory, add_public_directory and add_resource find the
#    calling plugin's folder with ``inspect.stack()``, which reads a line of source for
#    every frame of pytest's deep stack (40-60 ms a call, five calls a load). The toolkit
#    reads only ``.filename`` of the first three frames: for its calls those three are
#    listed, without source. Every other caller of ``inspect.stack`` is served as before.
# 2. The configuration declaration is built again from CKAN's YAML and each plugin's
#    declarations (about 0.1 s), and sealed. It depends on nothing else: when the same
#    plugin objects declare again into the sealed declaration, it is left as it is.

def _stack(context: int = 1):
    import sys

    caller = sys._getframe(1)
    if caller.f_globals.get("__name__") != "ckan.plugins.toolkit":
        return inspect.getouterframes(caller, context)
    frames, frame = [], caller
    while frame is not None and len(frames) < 3:
        frames.append(inspect.FrameInfo(frame, *inspect.getframeinfo(frame, 0)))
        frame = frame.f_back
    return frames


inspect.stack = _stack


def _declaration_kept_while_plugins_stay() -> None:
    from ckan.config.declaration import Declaration

    setup = Declaration.setup
    declared: dict[int, tuple] = {}

    def kept_setup(self):
        import ckan.plugins as p

        # the plugin objects themselves (kept referenced: an id is not reused)
        by = tuple(p.PluginImplementations(p.IConfigDeclaration))
        before = declared.get(id(self))
        if (self._sealed and before is not None and len(before) == len(by)
                and all(a is b for a, b in zip(before, by, strict=False))):
            return
        setup(self)
        declared[id(self)] = by

    Declaration.setup = kept_setup


_declaration_kept_while_plugins_stay()


# -- parallel runs (pytest-xdist) ------------------------------------------------------------
# Each worker has a database, a Redis database and ports of its own, derived from the run's
# (the environment's, else test.ini's): worker gwN uses DB_gwN, Redis db + 2(N+1) (the
# CKAN versions run on 1 and 2, so their workers never meet) and port base + 1000(N+1).
# The controller makes the databases, each a copy of the run's (``ckan db init`` done),
# before any worker starts. Set here, at import, before CKAN reads its configuration.

def _run_setting(env: str, option: str) -> str:
    if os.environ.get(env):
        return os.environ[env]
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(os.path.join(HERE, "test.ini"))
    return parser["app:main"][option]


def worker_number() -> int | None:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return int(worker[2:]) if re.fullmatch(r"gw\d+", worker) else None


def worker_database(url: str, number: int) -> str:
    return f"{url}_gw{number}"


if worker_number() is not None:
    _n = worker_number()
    _redis = _run_setting("CKAN_REDIS_URL", "ckan.redis.url")
    _base, _db = _redis.rsplit("/", 1)
    os.environ["CKAN_SQLALCHEMY_URL"] = worker_database(_run_setting("CKAN_SQLALCHEMY_URL", "sqlalchemy.url"), _n)
    os.environ["CKAN_REDIS_URL"] = f"{_base}/{int(_db or 0) + 2 * (_n + 1)}"
    os.environ["VGS_PORT_BASE"] = str(int(os.environ.get("VGS_PORT_BASE", "5100")) + 1000 * (_n + 1))


def _drop_database(conn, name: str, attempts: int = 10) -> None:
    """DROP DATABASE … WITH (FORCE), again after a moment while it is refused: FORCE ends
    our own sessions, but not PostgreSQL's autovacuum worker, which may be busy in a
    database a previous run left (seen once: "must be a member of the role whose process
    is being terminated"); it is gone within seconds."""
    import time

    import sqlalchemy as sa

    for attempt in range(attempts):
        try:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            return
        except (sa.exc.ProgrammingError, sa.exc.OperationalError):
            if attempt == attempts - 1:
                raise
            time.sleep(1)


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config):
    """The controller of a parallel run: a fresh copy of the run's database per worker."""
    workers = getattr(config.option, "numprocesses", None)
    if worker_number() is not None or not workers:
        return
    import sqlalchemy as sa

    url = _run_setting("CKAN_SQLALCHEMY_URL", "sqlalchemy.url")
    template = sa.engine.make_url(url).database
    count = workers if isinstance(workers, int) else os.cpu_count() or 1
    engine = sa.create_engine(sa.engine.make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            for n in range(count):
                name = sa.engine.make_url(worker_database(url, n)).database
                _drop_database(conn, name)
                conn.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
                # a test database need not wait for the disk at each commit
                conn.execute(sa.text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))
    finally:
        engine.dispose()


def _migrations() -> list[str]:
    import ckanext.activity

    folders = [
        os.path.join(os.path.dirname(ckanext.activity.__file__), "migration", "activity"),
        os.path.join(HERE, "ckanext", "vgsamverkan", "migration", "vgsamverkan"),
    ]
    try:  # in the test venvs, for the tests with harvest sources (tests/search/test_harvest.py)
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
        for table in FEE_TABLES:
            if sa.inspect(conn).has_table(table):
                conn.execute(sa.text(f"DELETE FROM {table}"))


# the list tallies: written by the triggers of the requests' tables only (a TRUNCATE of
# those emptied them; a DELETE counts its rows off, and a count a test set by hand stays)
TRIGGER_TABLES = ("vgsamverkan_tally",)
FEE_TABLES = ("vgsamverkan_invoice", "vgsamverkan_fee_file", "vgsamverkan_fee_line", "vgsamverkan_fee_statement",
              "vgsamverkan_fee_adjustment", "vgsamverkan_fee_month")


class FastReset:
    """The same reset in one transaction, once the full one has run in this process.

    The full reset (above) costs about a second a test: CKAN deletes table by table,
    inspecting each, then alembic is run for three branches and the population is put
    back through the ORM. Once it has run, and as long as every alembic branch is still at
    the version it left, the same end state is a ``DELETE`` of each of exactly the
    tables CKAN's reset empties that has rows (its metadata's tables, as ``delete_all``
    picks them, plus the fee tables), and the shipped population inserted again, in one
    transaction.

    The triggers keep what they keep with CKAN's DELETEs: the tallies and search counts
    of an emptied table are emptied; the closed-month freeze is
    lifted by the same ``SET LOCAL vgsamverkan.purge`` as the full reset's. Tables CKAN's
    reset leaves alone (the alembic versions, ``vgsamverkan_search_state``) are left
    alone. tests/test_harness.py checks that both resets leave the same database.

    A test that moved a branch (the migration tests) or left the schema so that the
    reset fails makes the next reset the full one again.
    """

    tables: list[str] | None = None
    versions: tuple | None = None
    population: list[dict] | None = None

    @classmethod
    def versions_now(cls, conn) -> tuple:
        import sqlalchemy as sa

        names = conn.execute(sa.text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind = 'r' "
            "AND c.relname LIKE '%alembic_version' ORDER BY 1")).scalars().all()
        if not names:
            return ()
        union = " UNION ALL ".join(f"SELECT '{name}', version_num FROM \"{name}\"" for name in names)
        return tuple(sorted(tuple(row) for row in conn.execute(sa.text(union))))

    @classmethod
    def remember(cls) -> None:
        """After a full reset: what the next ones must reproduce."""
        import sqlalchemy as sa

        from ckan import model

        from ckanext.vgsamverkan.labels import SHIPPED_POPULATION_SOURCE
        from ckanext.vgsamverkan.population_file import shipped_rows

        model.Session.remove()
        with model.meta.engine.connect() as conn:
            inspector = sa.inspect(conn)
            tables = [t.name for t in model.repo.metadata.sorted_tables
                      if t.name != "alembic_version" and inspector.has_table(t.name)]
            tables += [t for t in FEE_TABLES if t not in tables and inspector.has_table(t)]
            # kept by triggers alone (no model of CKAN's metadata): emptied with the rest
            tables += [t for t in TRIGGER_TABLES if t not in tables and inspector.has_table(t)]
            cls.tables = tables
            cls.versions = cls.versions_now(conn)
        cls.population = [dict(source=SHIPPED_POPULATION_SOURCE, **row) for row in shipped_rows()]

    @classmethod
    def forget(cls) -> None:
        cls.tables = cls.versions = None

    @classmethod
    def _empty(cls, conn) -> None:
        """Empty the tables of the list, in the caller's transaction, freeze lifted."""
        import sqlalchemy as sa

        # a server of an e2e test still busy with a request holds its locks until it is
        # done: wait for it, but not for ever
        conn.execute(sa.text("SET LOCAL lock_timeout = '120s'"))
        conn.execute(sa.text("SET LOCAL vgsamverkan.purge = 'on'"))
        # only the tables with rows (one query asks them all), each emptied by a DELETE,
        # children before parents: a test leaves a few rows a table, and a DELETE of a few
        # rows costs PostgreSQL far less than a TRUNCATE, which makes new files for the
        # table and its indexes and removes the old ones at the commit (about 2 ms a table
        # and 0.1 s of the server's processor a test; the suite ran a minute longer per
        # version). The row triggers count the deleted rows off what they keep; what they
        # wrote meanwhile (a tally of 0, or one a test set by hand) goes in a second pass,
        # so that every table of the list ends empty, as after a TRUNCATE. A table whose
        # rows a DELETE in this order cannot remove (a foreign key the order does not
        # know) is truncated with the rest, as before.
        def filled() -> list[str]:
            return conn.execute(sa.text(" UNION ALL ".join(
                f"SELECT '{t}' WHERE EXISTS (SELECT FROM \"{t}\")" for t in cls.tables))).scalars().all()

        first = filled()
        if not first:
            return
        try:
            with conn.begin_nested():
                for tables in (first, filled()):
                    for t in reversed(tables):
                        conn.execute(sa.text(f'DELETE FROM "{t}"'))
                left = filled()
                assert not left, f"rows left after the reset: {left}"
        except sa.exc.IntegrityError:
            conn.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in first) + " CASCADE"))

    @classmethod
    def run(cls) -> bool:
        """The fast reset; False (nothing changed) when the full one is needed."""
        import sqlalchemy as sa

        from ckan import model

        from ckanext.vgsamverkan.model import Population

        if not cls.tables or not model.repo.tables_created_and_initialised:
            return False
        model.Session.close_all()
        model.Session.remove()
        try:
            with model.meta.engine.begin() as conn:
                if cls.versions_now(conn) != cls.versions:
                    cls.forget()
                    return False
                cls._empty(conn)
                if Population.__table__.name in cls.tables:
                    conn.execute(Population.__table__.insert(), cls.population)
        except sa.exc.ProgrammingError:  # a table of the list is gone: the full reset decides
            cls.forget()
            return False
        model.Session.remove()
        return True

    # kept by triggers from the rows of other tables: rebuilt by putting those back
    DERIVED = ("vgsamverkan_search_group", "vgsamverkan_search_facet", "vgsamverkan_search_text",
               "vgsamverkan_search_value", "vgsamverkan_search_bits", *TRIGGER_TABLES)

    @classmethod
    def capture(cls) -> dict | None:
        """Every row now in the tables the reset empties (None before a full reset):
        what ``restore`` puts back, for a fixture's data built once (tests/conftest.py
        ``kept``)."""
        import sqlalchemy as sa

        from ckan import model

        if not cls.tables:
            return None
        model.Session.remove()
        with model.meta.engine.connect() as conn:
            rows = {}
            for name in cls.tables:
                if name in cls.DERIVED:
                    continue
                found = [dict(r._mapping) for r in conn.execute(sa.text(f'SELECT * FROM "{name}"'))]
                if found:
                    rows[name] = found
        return {"versions": cls.versions, "rows": rows}

    @classmethod
    def restore(cls, captured: dict) -> bool:
        """The database as captured, in one transaction (False, nothing done, when the
        schema moved since). The tables are filled in dependency order; the triggers
        count what is put back as they counted it then."""
        import sqlalchemy as sa

        from ckan import model

        if not cls.tables or captured["versions"] != cls.versions:
            return False
        model.Session.remove()
        with model.meta.engine.begin() as conn:
            if cls.versions_now(conn) != cls.versions:
                return False
            cls._empty(conn)
            if captured.get("metadata") is None:  # reflected once, with the schema captured
                captured["metadata"] = sa.MetaData()
                for name in captured["rows"]:
                    sa.Table(name, captured["metadata"], autoload_with=conn)
            for name in cls.tables:
                if name in captured["rows"]:
                    conn.execute(captured["metadata"].tables[name].insert(), captured["rows"][name])
        model.Session.remove()
        return True


def full_reset(ckan_reset) -> None:
    """CKAN's reset, with the fee months purged before it and every branch upgraded after;
    the tables that triggers alone keep (not CKAN's to reset) emptied after it."""
    import sqlalchemy as sa

    from ckan import model

    FastReset.forget()
    try:
        purge_fee_months()
    except Exception:  # noqa: BLE001 (no database yet, or tables of another shape: CKAN's reset decides)
        pass
    ckan_reset()
    upgrade_plugin_tables()
    model.Session.remove()
    with model.meta.engine.begin() as conn:
        for table in TRIGGER_TABLES:
            if sa.inspect(conn).has_table(table):
                conn.execute(sa.text(f'DELETE FROM "{table}"'))
    pooled_engine()
    FastReset.remember()


@pytest.fixture(scope="session")  # as CKAN's: its session fixtures (reset_db_once) use it
def reset_db(reset_db):
    def reset() -> None:
        if os.environ.get("VGS_FULL_RESET") or not FastReset.run():
            full_reset(reset_db)

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


_POOLED_ENGINES: dict = {}


def pooled_engine() -> None:
    """CKAN's model bound to an engine with a pool of connections, as the portal's is.

    CKAN's own migration environment (``ckan/migration/env.py``) binds the model to the
    engine it makes for the migration, one without a pool (``NullPool``), and leaves it
    so: after a full reset (which runs it) every statement of the tests opened a new
    connection to PostgreSQL, and every one that indexes or searches loaded the Swedish
    dictionary again (0.2 s; issue 22). One pooled engine per database, made once."""
    import sqlalchemy as sa

    from ckan import model
    from ckan.common import config

    if not isinstance(model.meta.engine.pool, sa.pool.NullPool):
        return
    url = config["sqlalchemy.url"]
    if url not in _POOLED_ENGINES:
        _POOLED_ENGINES[url] = sa.engine_from_config(config)
    model.init_model(_POOLED_ENGINES[url])


@pytest.fixture(autouse=True)
def _pooled_connections():
    try:
        pooled_engine()
    except Exception:  # noqa: BLE001 (no model bound yet: the test's own fixtures set it up)
        pass
    yield


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
