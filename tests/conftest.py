from __future__ import annotations

import collections
import os
import threading
from email import message_from_bytes, policy

import pytest

# Passwords: CKAN hashes each with passlib's pbkdf2-sha512 at its default rounds (about
# 20 ms), and the factories give most users of most tests a password. In this process the
# suite hashes with 1 000 rounds: the same algorithm, the same verification (a stored hash
# carries its rounds, so the servers' hashes verify here as these verify there).
from ckan.model import user as _ckan_user
from ckan.tests import factories

from tests import factories as vgs_factories

_ckan_user.pbkdf2_sha512 = _ckan_user.pbkdf2_sha512.using(rounds=1000)

_kept_plugins: list[str] | None = None


@pytest.fixture
def with_plugins(ckan_config):
    """CKAN's ``with_plugins`` (the plugins of ``ckan.plugins`` loaded for the test), but
    kept loaded into the next test when it asks for the same ones: CKAN's fixture unloads
    them after each test and loads them again before the next, and each unload and load
    runs every plugin's update_config (2-3 times a test, about 0.1 s each). Here a test
    that asks for the same plugins gets the update once, on the configuration CKAN has
    just restored for it, as a fresh load would give it; a test asking for others gets
    CKAN's load_all; a test that does not ask gets them unloaded (below)."""
    global _kept_plugins
    from ckan import plugins
    from ckan.plugins import core

    wanted = ckan_config["ckan.plugins"]
    wanted = wanted.split() if isinstance(wanted, str) else list(wanted)
    if _kept_plugins == wanted and all(plugins.plugin_loaded(name) for name in wanted):
        core.plugins_update()
    else:
        plugins.load_all()
        _kept_plugins = wanted
    yield


def _portal_kept_while_nothing_changed() -> None:
    """CKAN's ``make_app`` (what its ``app`` fixture and every in-process ``ckan`` command
    call), but the portal made once for as long as neither the configuration nor the loaded
    plugin objects change. CKAN makes it anew each time: every plugin unloaded and loaded
    again (new objects, their update_config twice), the Flask application and its
    blueprints built: about 0.35 s. A call that finds the same configuration (CKAN restores
    it after each test), the same configuration asked for and the same plugins gets what
    that would do to the configuration (the asked one merged in, the plugins' update run:
    0.04 s) and the portal made last time. The same plugins: the same classes under the same
    names (a portal's views are the plugins' functions, not their objects; what the
    plugins register elsewhere is looked up afresh after the update). Where the
    configuration is as the last make left it, making it again would change nothing: that
    counts as the same too. Cookies never pass from one test to the next: each request of
    CKAN's test client is a new Flask client."""
    import copy

    from ckan.cli import cli as ckan_cli
    from ckan.config import middleware

    make_app = middleware.make_app
    kept_portals: dict[bool, dict] = {}

    def loaded() -> list:
        from ckan.plugins import core

        return [(name, type(core.get_plugin(name))) for name in core._PLUGINS]

    def kept_make_app(conf):
        from ckan.common import config
        from ckan.lib import app_globals
        from ckan.plugins import core

        own = conf is config  # the test client's call; a command passes the file's
        asked = None if own else copy.deepcopy(dict(conf))
        now = copy.deepcopy(dict(config))
        last = kept_portals.get(own)
        if (last is not None and last["asked"] == asked and now in (last["before"], last["after"])
                and last["plugins"] == loaded()):
            if not own:
                config.update(conf)
            core.plugins_update()
            app_globals.reset()
            return last["app"]
        app = make_app(conf)
        kept_portals[own] = {"asked": asked, "before": now, "after": copy.deepcopy(dict(config)),
                             "app": app, "plugins": loaded()}
        return app

    middleware.make_app = ckan_cli.make_app = kept_make_app


_portal_kept_while_nothing_changed()


@pytest.fixture(autouse=True)
def _plugins_only_when_asked(request):
    """A test that does not use ``with_plugins`` runs without the plugins, as with CKAN's
    fixture."""
    global _kept_plugins
    if _kept_plugins is not None and "with_plugins" not in request.fixturenames:
        from ckan.plugins import core

        # as CKAN's fixture ends a test: 2.11 keeps its system plugins, 2.12 has none
        getattr(core, "unload_non_system_plugins", core.unload_all)()
        _kept_plugins = None
    yield


@pytest.fixture
def clean_db(reset_db, with_plugins, request):
    """Reset the database (the root conftest's reset_db applies the activity and
    vgsamverkan migrations after it) and put back the reference data; plant the closed
    month of tests/closed_month.py, and check after the test that it is unchanged."""
    from tests import closed_month

    reset_db()
    restore_reference_data()
    guarded = request.node.get_closest_marker("without_closed_month") is None
    if guarded:
        closed_month.plant(reset_db)
    yield
    if guarded:
        closed_month.check(request.node.nodeid)


_kept_data: dict = {}


def kept(key: tuple, build):
    """A fixture's data, built by ``build()`` for the first test that asks (after
    ``clean_db``), and for the next ones put back row by row as it was then, instead of
    built again (building the authorisation world costs about 1.5 s, putting it back
    0.1 s). The tests get a copy of what ``build()`` returned. Every row comes back: the
    closed month too, and the counts kept by triggers are counted again. Built anew when
    the schema moved (a migration test ran) or with VGS_FULL_RESET set."""
    import copy

    import conftest as root

    # the factories' random unique names: those of the data count as taken, as when built
    seen = factories.fake.unique._seen
    entry = _kept_data.get(key)
    if entry is not None and not os.environ.get("VGS_FULL_RESET") and root.FastReset.restore(entry["rows"]):
        seen.clear()
        seen.update({k: set(v) for k, v in entry["names"].items()})  # the same sentinel object
        return copy.deepcopy(entry["result"])
    result = build()
    rows = root.FastReset.capture()
    if rows is not None:
        _kept_data[key] = {"rows": rows, "result": copy.deepcopy(result), "names": {k: set(v) for k, v in seen.items()}}
    return result


def kept_with(coordinator: dict, key: tuple, build) -> dict:
    """``build()``'s data kept between tests (``kept``); the coordinator put back is the
    one of the first build: the test's ``coordinator`` is made that one."""
    result = kept(key, lambda: dict(build(), coordinator=dict(coordinator)))
    coordinator.clear()
    coordinator.update(result.pop("coordinator"))
    return result


def restore_reference_data() -> None:
    """CKAN's later resets delete the rows of every table they know, ours too, but do not
    run our migration again: put back the population the migration ships."""
    import ckan.model as model

    from ckanext.vgsamverkan.labels import SHIPPED_POPULATION_SOURCE
    from ckanext.vgsamverkan.model import Population
    from ckanext.vgsamverkan.population_file import shipped_rows

    if model.Session.query(Population).first() is None:
        for row in shipped_rows():
            model.Session.add(Population(source=SHIPPED_POPULATION_SOURCE, **row))
        model.Session.commit()


def port(offset: int) -> int:
    """A port for this test run (make test runs the CKAN versions on separate bases)."""
    return int(os.environ.get("VGS_PORT_BASE", "5100")) + offset


@pytest.fixture
def coordinator(clean_db, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinators", ["samordnare"])
    return vgs_factories.coordinator_user()


@pytest.fixture
def sysadmin_user(clean_db):
    return factories.Sysadmin()


@pytest.fixture
def applicant(clean_db):
    return factories.User()


class Mailbox:
    """A real SMTP server on localhost (aiosmtpd) that keeps what it receives."""

    def __init__(self, port_: int) -> None:
        from aiosmtpd.controller import Controller

        self.messages: list = []
        self.refuse = False
        self._lock = threading.Lock()
        self.port = port_
        self.controller = Controller(self, hostname="127.0.0.1", port=port_)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return "451 4.3.0 Mailbox temporarily unavailable (test)"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(msg)
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m in self.messages if address in str(m["To"])]

    # a receipt (issue 21) is known by its subject, in either language
    RECEIPT = ("Mottaget: ", "Received: ")

    def receipts(self, address: str) -> list:
        """The receipts sent to ``address``."""
        return [m for m in self.to(address) if str(m["Subject"]).strip().startswith(self.RECEIPT)]

    def news(self, address: str) -> list:
        """The mails to ``address`` that are not receipts (decisions, comments, notices)."""
        return [m for m in self.to(address) if not str(m["Subject"]).strip().startswith(self.RECEIPT)]

    @staticmethod
    def body(msg) -> str:
        return msg.get_body(preferencelist=("plain",)).get_content()


@pytest.fixture
def mailbox(ckan_config, monkeypatch):
    box = Mailbox(port(25))
    box.controller.start()
    monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{box.port}")
    try:
        yield box
    finally:
        box.controller.stop()


@pytest.fixture
def run_jobs(clean_queues):
    """Run CKAN's default queue (where the mail goes: what ``ckan jobs worker`` serves) and
    the queue of earlier versions with CKAN's rq worker class until they are empty, each job
    performed in this process as rq's SimpleWorker does: CKAN's work horse loads the whole
    environment again for every job (``load_environment`` after the fork, 0.4 s a job, 1.2
    to 1.6 s a call here with a receipt beside each mail). The forking worker itself sends
    the mail in tests/mail/test_mail.py (``ckan jobs worker`` and ``ckan vgsamverkan worker``)."""
    import rq
    from rq.registry import FailedJobRegistry, ScheduledJobRegistry

    from ckan.lib import jobs
    from ckan.model import meta

    class InProcessWorker(jobs.Worker):
        def execute_job(self, job, queue):
            meta.Session.remove()  # what CKAN's worker does before its fork
            meta.engine.dispose()
            return rq.SimpleWorker.execute_job(self, job, queue)

        get_heartbeat_ttl = rq.SimpleWorker.get_heartbeat_ttl

    from ckanext.vgsamverkan.mail.outbox import OLD_QUEUE, QUEUE

    for name in (QUEUE, OLD_QUEUE):
        queue = jobs.get_queue(name)
        queue.empty()
        for registry in (ScheduledJobRegistry(queue=queue), FailedJobRegistry(queue=queue)):
            for job_id in registry.get_job_ids():
                registry.remove(job_id, delete_job=True)

    def run() -> None:
        InProcessWorker([QUEUE, OLD_QUEUE]).work(burst=True)

    return run


# The files that take longest, longest first (measured, `--durations=0` summed per file:
# docs/development.md, "Test speed"). make test hands whole files to its workers in collection order
# (`--dist loadfile --no-loadscope-reorder`); with these last, as pytest-xdist orders them
# by default (most tests first), one worker was left alone with the two HTTP matrices for
# the last 70 s while the other cores idled. A name missing here only costs time.
LONGEST_FIRST = ("e2e/test_remote_auth.py", "e2e/test_remote_fuzz.py", "e2e/test_journeys.py",
                 "e2e/test_accessibility.py", "logic/test_auth.py", "search/test_pgsearch.py")


def pytest_collection_modifyitems(config, items):
    """The longest files first, then the others by number of tests, most first (what
    pytest-xdist's own order was); the tests of a file stay in their order."""
    first = {f"tests/{name}": i for i, name in enumerate(LONGEST_FIRST)}
    count = collections.Counter(item.nodeid.split("::")[0] for item in items)

    def rank(item) -> tuple:
        path = item.nodeid.split("::")[0]
        return (first.get(path, len(first)), -count[path], path)

    items.sort(key=rank)
