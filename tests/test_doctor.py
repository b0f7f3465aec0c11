"""``ckan vgsamverkan doctor`` (issue 19): on a deployment where everything works it says
so and exits 0; each thing that does not work is a FAIL line in plain words and the exit
is 1: Redis stopped, no worker on the mail queue, the mail server silent, a coordinator
without an account, a municipality without any population, a dataset missing from the
search index, a migration not applied.

Real parts: the test's own redis-server (started and stopped here), an SMTP server
(the mailbox), rq's own worker registry (a worker registered as ``ckan jobs worker``
registers itself), CKAN's migrations and the search index in PostgreSQL."""
from __future__ import annotations

import pytest
import sqlalchemy as sa
from rq import Worker

import ckan.model as model
from ckan.cli.cli import ckan
from ckan.lib import jobs
from ckan.lib.redis import connect_to_redis
from ckan.tests import factories

from ckanext.vgsamverkan import doctor
from ckanext.vgsamverkan.mail import outbox
from tests.conftest import port
from tests.factories import participant_org
from tests.logic.test_faults import OwnRedis, _forget_connections

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def worker():
    """A worker on CKAN's default queue, registered in Redis as ``ckan jobs worker``'s is."""
    w = Worker([jobs.get_queue(outbox.QUEUE)], connection=connect_to_redis())
    w.register_birth()
    try:
        yield w
    finally:
        w.register_death()


@pytest.fixture
def healthy(coordinator, mailbox, worker):
    factories.Dataset(owner_org=participant_org(factories.User(), coordinator)["id"])
    return coordinator


def _levels(findings) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {"ok": [], "warn": [], "fail": []}
    for f in findings:
        out[f.level].append(f.text)
    return out


def test_all_is_well(healthy):
    found = _levels(doctor.run())
    assert found["fail"] == [], found["fail"]
    text = "\n".join(found["ok"])
    for expected in ("The coordinator 'samordnare' has an active account", "answers", "listen to the mail queue",
                     "every migration of vgsamverkan", "every migration of CKAN",
                     "The search index holds every active dataset (1)",
                     "Swedish search with the text configuration 'vgsamverkan_swedish' (simple, swedish_stem, "
                     "vgsamverkan_swedish_hunspell, vgsamverkan_swedish_stop)"):
        assert expected in text, (expected, text)


def test_the_command_prints_each_finding_and_exits_0(healthy, cli, mailbox):
    # CKAN 2.12's runner reads test.ini afresh: the mailbox's port as an operator gives it
    result = cli.invoke(ckan, ["vgsamverkan", "doctor"], env={"CKAN_SMTP_SERVER": f"127.0.0.1:{mailbox.port}"})
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("All is well")
    assert all(line[:4] in ("OK  ", "WARN") for line in result.output.strip().splitlines()[:-1]), result.output


class TestFailures:
    def test_redis_stopped(self, healthy, ckan_config, monkeypatch, cli, mailbox):
        server = OwnRedis(port(64))
        server.start()
        monkeypatch.setitem(ckan_config, "ckan.redis.url", f"redis://127.0.0.1:{server.port}/0")
        _forget_connections()
        try:
            assert any("Redis" in f.text and f.level == "ok" for f in doctor.run())
            server.stop()
            fails = _levels(doctor.run())["fail"]
            assert any(f.startswith(f"Redis (redis://127.0.0.1:{server.port}/0, ckan.redis.url) does not answer")
                       for f in fails), fails
            result = cli.invoke(ckan, ["vgsamverkan", "doctor"],
                                env={"CKAN_REDIS_URL": f"redis://127.0.0.1:{server.port}/0",
                                     "CKAN_SMTP_SERVER": f"127.0.0.1:{mailbox.port}"})
            assert result.exit_code == 1
            assert any(line.startswith("FAIL  Redis") for line in result.output.splitlines()), result.output
        finally:
            server.stop()
            _forget_connections()

    def test_no_worker_on_the_mail_queue(self, coordinator, mailbox):
        fails = _levels(doctor.run())["fail"]
        assert any("No worker listens to the mail queue" in f and "ckan jobs worker" in f for f in fails), fails

    def test_a_silent_mail_server_and_no_address(self, healthy, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "smtp.server", f"127.0.0.1:{port(65)}")  # nothing listens
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinator_email", "")
        fails = _levels(doctor.run())["fail"]
        assert any(f.startswith(f"The mail server 127.0.0.1:{port(65)} (smtp.server) does not answer") for f in fails)
        assert any("coordinator_email is not set" in f for f in fails), fails

    def test_a_coordinator_without_an_account(self, healthy, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinators", ["samordnare", "samordnare-2"])
        fails = _levels(doctor.run())["fail"]
        assert fails == ["The coordinator 'samordnare-2' (ckanext.vgsamverkan.coordinators) has no account: "
                         "create it, or correct the name."]

    def test_population(self, healthy, coordinator):
        """Tanum (1435) has only a figure of 2023 in the shipped table: a warning; a
        municipality without any figure: a failure."""
        participant_org(factories.User(), coordinator, municipality_code="1435", effective_from="2026-01-01")
        found = _levels(doctor.run())
        assert found["fail"] == []
        assert any("Tanum (1435) has no population of" in w and "uses its figure of 2023" in w for w in found["warn"])
        model.Session.execute(sa.text("DELETE FROM vgsamverkan_population WHERE municipality_code = '1435'"))
        model.Session.commit()
        fails = _levels(doctor.run())["fail"]
        assert any(f.startswith("Municipality 1435 takes part but has no population figure at all") for f in fails)

    def test_a_catalogue_without_the_coordinating_organisations_number(self, healthy, ckan_config, monkeypatch):
        assert ("The open data catalogue is published by Regionen (test) "
                "(http://dataportal.se/organisation/SE2329990010).") in _levels(doctor.run())["ok"]
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.catalog_publisher_org_number", "")
        warns = _levels(doctor.run())["warn"]
        assert [w for w in warns if "catalogue" in w] == [
            "The open data catalogue (/catalog.rdf) has no publisher of Sveriges dataportal: set "
            "ckanext.vgsamverkan.catalog_publisher_org_number to the coordinating organisation's "
            "organisationsnummer (docs/catalogue.md)."]

    def test_an_unknown_publisher_type(self, healthy, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.catalog_publisher_type", "Kommun")
        warns = [w for w in _levels(doctor.run())["warn"] if "catalog_publisher_type" in w]
        assert warns and "'Kommun' is not one of RegionalAuthority" in warns[0]

    def test_the_sellers_settings_of_the_e_invoices(self, healthy, ckan_config, monkeypatch):
        assert "E-invoices are issued by Regionen (test) (232999-0010)." in _levels(doctor.run())["ok"]
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.invoice.seller_vat_number", "SE232999001002")
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.invoice.seller_bankgiro", "")
        fails = [f for f in _levels(doctor.run())["fail"] if "invoice" in f]
        assert len(fails) == 2 and all("closing a fee month is refused" in f for f in fails)
        assert "ckanext.vgsamverkan.invoice.seller_vat_number" in fails[0]

    def test_registration_through_cores_api(self, healthy, ckan_config, monkeypatch):
        assert any("Registration tells nobody" in ok for ok in _levels(doctor.run())["ok"])
        monkeypatch.setitem(ckan_config, "ckan.auth.create_user_via_api", "true")
        warns = [w for w in _levels(doctor.run())["warn"] if "create_user_via_api" in w]
        assert warns and "vgsamverkan_user_register" in warns[0]

    def test_uploads(self, healthy, ckan_config, monkeypatch, tmp_path):
        """Issue 39: ``make run`` had links only (``ckan.uploads_enabled =`` empty, as
        ``ckan generate config`` writes it)."""
        monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
        assert f"Files can be uploaded as resources (stored in {tmp_path})." in _levels(doctor.run())["ok"]
        monkeypatch.setitem(ckan_config, "ckan.uploads_enabled", False)
        warns = [w for w in _levels(doctor.run())["warn"] if "uploaded" in w]
        assert warns and "ckan.uploads_enabled = true" in warns[0]
        monkeypatch.setitem(ckan_config, "ckan.uploads_enabled", True)
        monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path / "missing"))
        fails = _levels(doctor.run())["fail"]
        assert fails == [f"ckan.storage_path {tmp_path / 'missing'} is not a directory the portal may write: "
                         "an uploaded file is refused."]

    def test_a_wrong_sie_account(self, healthy, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.sie_revenue_accounts", ["expert=tretton"])
        fails = _levels(doctor.run())["fail"]
        assert fails == ["ckanext.vgsamverkan.sie_revenue_accounts: the account of expert, 'tretton', is not a "
                         "number: the close of a fee month and its SIE export stop until it is corrected."]

    def test_a_dataset_missing_from_the_search_index(self, healthy):
        model.Session.execute(sa.text("DELETE FROM vgsamverkan_search_doc"))
        model.Session.commit()
        fails = _levels(doctor.run())["fail"]
        assert fails == ["1 of 1 active datasets are not in the search index: run 'ckan search-index rebuild'."]

    def test_a_text_search_configuration_not_in_the_database(self, healthy, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.search_text_configuration", "svenska_saknas")
        fails = _levels(doctor.run())["fail"]
        assert fails == ["The search's text configuration 'svenska_saknas' is not in the database: every search "
                         "fails. Run 'ckan db upgrade -p vgsamverkan' (or set "
                         "ckanext.vgsamverkan.search_text_configuration), then 'ckan search-index rebuild'."]

    @pytest.mark.without_closed_month("the migrations go down to e7b3c9d1f5a2 and up")
    def test_swedish_search_without_hunspell_is_a_warning(self, healthy):
        from tests.test_cli_and_migration import without_hunspell

        with without_hunspell():
            found = _levels(doctor.run())
        assert found["fail"] == []
        assert [w for w in found["warn"] if w.startswith("Swedish search without Hunspell")], found["warn"]

    @pytest.mark.without_closed_month("the downgrade takes the columns of b8e4c2a6f9d3 away")
    def test_a_migration_not_applied(self, healthy, cli):
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "a3d7f1c9e5b2"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        try:
            fails = _levels(doctor.run())["fail"]
            assert any(f.startswith("The database lacks migrations of vgsamverkan (at a3d7f1c9e5b2)") and
                       "run 'ckan db upgrade -p vgsamverkan'" in f for f in fails), fails
        finally:
            up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
            assert up.exit_code == 0, up.output
