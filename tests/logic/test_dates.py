"""Dates decide rights (issue 19, SPEC 2026-11-29): an organisation takes part on day D
when it has an approved participation with effective date ≤ D and no end date before D.
One predicate (domain/taking_part.py) decides publishing, the public participant list,
publisher requests, connection requests, call-offs and time logs; the daily job records
the first day of an approval dated in the future and the day after a last day.

The clock: to see a day that has not come yet, these tests move the portal's "today"
(``taking_part.today``, the one place every rule reads it) forward with monkeypatch. A
calendar that moves is the one thing that cannot exist in a test run; everything else
is real (database, actions, CKAN's auth, the rq worker and an SMTP server for mail)."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan import expiry
from ckanext.vgsamverkan.domain import taking_part
from ckanext.vgsamverkan.model import Event, Participation
from tests.factories import (
    apply_existing,
    call,
    days_from_today,
    member_role,
    org_with_admin,
    participant_org,
    request_rights,
    requested_on,
)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _today() -> dt.date:
    """Today when the test runs (a constant made at import went stale when a run crossed
    midnight: three tests of test_dates failed so at 00:02)."""
    return dt.date.today()



def _as_if(monkeypatch, day: dt.date) -> None:
    monkeypatch.setattr(taking_part, "today", lambda: day)


def _events(participation_id: str) -> list[tuple]:
    rows = (model.Session.query(Event).filter_by(object_type="participation", object_id=participation_id)
            .order_by(Event.created, Event.id))
    return [(e.action, e.from_state, e.to_state, (e.details or {}).get("date")) for e in rows]


def _publishes(user, org, name) -> bool:
    try:
        call("package_create", user, name=name, owner_org=org["id"])
    except tk.NotAuthorized:
        return False
    return True


def _listed(org) -> dict | None:
    return next((p for p in call("vgsamverkan_participant_list", None)["results"]
                 if p["organization_id"] == org["id"]), None)


def _calloff(admin, org):
    created = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="metadata",
                   description="Hjälp med metadata", estimated_hours="8", period_start="2026-10-01",
                   period_end="2026-12-31", contact="Dora Data, dora@example.org")
    requested_on(created["id"], "2025-01-01")  # time is logged on days long past
    return created


def _connection(admin, org):
    return call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="Bygglov",
                technical_contact="Tekniker Testsson, tekniker@example.org",
                proposed_solution="Skörd av DCAT-AP-SE-katalog")


class TestApprovalDatedInTheFuture:
    @pytest.fixture
    def world(self, coordinator):
        admin, editor = factories.User(), factories.User()
        org = participant_org(admin, coordinator, effective_from=days_from_today(3))
        return {"admin": admin, "editor": editor, "org": org, "coordinator": coordinator}

    def test_grants_nothing_before_its_first_day(self, world):
        org, admin = world["org"], world["admin"]
        assert not taking_part.takes_part(org["id"])
        assert not _publishes(admin, org, "for-tidigt")
        start = days_from_today(3)
        for refused in (lambda: request_rights(world["editor"], org), lambda: _calloff(admin, org),
                        lambda: _connection(admin, org)):
            with pytest.raises(tk.ValidationError) as e:
                refused()
            assert start in str(e.value.error_dict["organization_id"])  # "only from <date>"
        assert _listed(org) is None
        assert call("vgsamverkan_dashboard_show", world["coordinator"])["participants"] == 0
        # the refusal of a dataset says from when, in the page's words
        with pytest.raises(tk.NotAuthorized) as e:
            call("package_create", admin, name="for-tidigt-2", owner_org=org["id"])
        assert start in str(e.value)

    def test_on_its_first_day_everything_opens_and_the_job_records_it(self, world, monkeypatch, mailbox,
                                                                     run_jobs):
        org, admin = world["org"], world["admin"]
        first = _today() + dt.timedelta(days=3)
        assert expiry.run(_today())["began"] == []  # not yet
        _as_if(monkeypatch, first)
        assert _publishes(admin, org, "i-tid")
        assert request_rights(world["editor"], org)["state"] == "pending"
        assert _listed(org)["effective_from"] == first.isoformat()
        run_jobs()
        mailbox.messages.clear()

        assert expiry.run(first)["began"] == [org["participation_id"]]
        assert ("begin", "approved", "approved", first.isoformat()) in _events(org["participation_id"])
        assert expiry.run(first)["began"] == []  # once
        assert [e[0] for e in _events(org["participation_id"])].count("begin") == 1
        run_jobs()
        mails = mailbox.to(model.User.get(admin["id"]).email)
        assert len(mails) == 1 and first.isoformat() in mailbox.body(mails[0])

    def test_an_approval_from_today_begins_at_once(self, coordinator):
        admin = factories.User()
        org = participant_org(admin, coordinator)
        assert taking_part.takes_part(org["id"])
        assert model.Session.get(Participation, org["participation_id"]).began_at is not None
        assert expiry.run(_today())["began"] == []


class TestTerminationDatedInTheFuture:
    @pytest.fixture
    def world(self, coordinator):
        admin, editor = factories.User(), factories.User(email="redaktor@example.org")
        org = participant_org(admin, coordinator, effective_from=days_from_today(-100))
        rights = request_rights(editor, org)
        call("vgsamverkan_publisher_approve", coordinator, id=rights["id"])
        last = _today() + dt.timedelta(days=10)
        ended = call("vgsamverkan_participation_terminate", coordinator, id=org["participation_id"],
                     effective_to=last.isoformat(), comment="Avtalet löper ut")
        return {"admin": admin, "editor": editor, "org": org, "rights": rights, "last": last, "ended": ended,
                "coordinator": coordinator}

    def test_nothing_changes_until_its_last_day(self, world, monkeypatch):
        org, editor = world["org"], world["editor"]
        assert world["ended"]["state"] == "terminated" and world["ended"]["publisher_rights_ended"] == []
        _as_if(monkeypatch, world["last"])  # the last day itself
        assert _publishes(editor, org, "sista-dagen")
        assert member_role(org["id"], editor["id"]) == "editor"
        assert _listed(org)["effective_to"] == world["last"].isoformat()
        assert _calloff(world["admin"], org)["state"] == "requested"
        assert expiry.run(world["last"])["ended"] == []
        assert call("vgsamverkan_publisher_show", world["coordinator"], id=world["rights"]["id"])["state"] == "approved"

    def test_the_day_after_everything_ends_and_the_job_records_it(self, world, monkeypatch, mailbox, run_jobs):
        org, editor, coordinator = world["org"], world["editor"], world["coordinator"]
        after = world["last"] + dt.timedelta(days=1)
        _as_if(monkeypatch, after)
        # the rules follow the date at once, before any job has run
        assert not _publishes(editor, org, "dagen-efter")
        assert _listed(org) is None
        with pytest.raises(tk.ValidationError):
            _calloff(world["admin"], org)
        run_jobs()
        mailbox.messages.clear()

        result = expiry.run(after)
        assert result["ended"] == [org["participation_id"]] and result["failed"] == []
        assert ("end", "terminated", "terminated", world["last"].isoformat()) in _events(org["participation_id"])
        rights = call("vgsamverkan_publisher_show", coordinator, id=world["rights"]["id"])
        assert rights["state"] == "revoked" and rights["ended_at"]
        assert member_role(org["id"], editor["id"]) is None
        assert member_role(org["id"], world["admin"]["id"]) == "admin"  # not given by a publisher decision
        assert expiry.run(after)["ended"] == []  # once
        run_jobs()
        assert len(mailbox.to("redaktor@example.org")) == 1  # the editor: rights ended
        admin_mails = mailbox.to(model.User.get(world["admin"]["id"]).email)
        assert len(admin_mails) == 1 and world["last"].isoformat() in mailbox.body(admin_mails[0])

    def test_a_job_that_missed_days_catches_up(self, world):
        later = world["last"] + dt.timedelta(days=30)
        assert expiry.run(later)["ended"] == [world["org"]["participation_id"]]

    def test_terminated_by_default_today_takes_part_until_tonight(self, coordinator):
        admin, editor = factories.User(), factories.User()
        org = participant_org(admin, coordinator, effective_from=days_from_today(-10))
        rights = request_rights(editor, org)
        call("vgsamverkan_publisher_approve", coordinator, id=rights["id"])
        ended = call("vgsamverkan_participation_terminate", coordinator, id=org["participation_id"])
        assert ended["effective_to"] == _today().isoformat() and ended["publisher_rights_ended"] == []
        assert _publishes(editor, org, "i-kvall")
        assert expiry.run(_today() + dt.timedelta(days=1))["ended"] == [org["participation_id"]]
        assert member_role(org["id"], editor["id"]) is None


class TestTimeAndRejoining:
    def test_time_is_logged_only_on_days_taken_part(self, coordinator):
        admin, expert = factories.User(), factories.User()
        org = participant_org(admin, coordinator, effective_from=days_from_today(-20))
        c = _calloff(admin, org)
        call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="Eva Expert",
             expert_user_id=expert["id"], hourly_rate="1000", planned_hours="8")
        for before in (days_from_today(-21), days_from_today(-30)):
            with pytest.raises(tk.ValidationError) as e:
                call("vgsamverkan_calloff_log_time", coordinator, id=c["id"], date=before, hours="1")
            assert "date" in e.value.error_dict
        assert call("vgsamverkan_calloff_log_time", coordinator, id=c["id"], date=days_from_today(-20),
                    hours="1")["state"] == "in_progress"

    def test_a_new_participation_after_a_future_end_starts_after_it(self, coordinator):
        admin = factories.User()
        org = org_with_admin(admin)
        first = apply_existing(admin, org, org_type="kommunalt_bolag")
        call("vgsamverkan_participation_approve", coordinator, id=first["id"], effective_from=days_from_today(-5))
        call("vgsamverkan_participation_terminate", coordinator, id=first["id"], effective_to=days_from_today(5))
        again = apply_existing(admin, org, org_type="kommunalt_bolag")
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_participation_approve", coordinator, id=again["id"], effective_from=days_from_today(5))
        assert "effective_from" in e.value.error_dict
        call("vgsamverkan_participation_approve", coordinator, id=again["id"], effective_from=days_from_today(6))
        # one day each: the old one up to day 5, the new one from day 6
        assert taking_part.takes_part(org["id"], _today() + dt.timedelta(days=5))
        assert taking_part.takes_part(org["id"], _today() + dt.timedelta(days=6))
        result = expiry.run(_today() + dt.timedelta(days=6))
        assert (result["ended"], result["began"]) == ([first["id"]], [again["id"]])


class TestPortalDay:
    @pytest.mark.parametrize("zone,offset", [("Pacific/Kiritimati", 14), ("Pacific/Pago_Pago", -11)])
    def test_today_is_the_day_in_the_display_time_zone(self, ckan_config, monkeypatch, zone, offset):
        monkeypatch.setitem(ckan_config, "ckan.display_timezone", zone)
        now = dt.datetime.now(dt.timezone.utc) + dt.timedelta(hours=offset)
        assert taking_part.today() in (now.date(), (now - dt.timedelta(minutes=1)).date())

    def test_an_unknown_zone_counts_in_utc(self, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckan.display_timezone", "Mars/Olympus")
        assert taking_part.today() == dt.datetime.now(dt.timezone.utc).date()


class TestPages:
    """The pages say what the dates mean: from when, until when."""

    @pytest.fixture
    def browser(self, app):
        from tests.browser import Browser

        return Browser(app)

    def test_from_and_until_on_the_pages(self, browser, coordinator):
        from tests.browser import as_user

        admin = factories.User()
        soon = participant_org(admin, coordinator, effective_from=days_from_today(3))
        ending = participant_org(factories.User(), coordinator, effective_from=days_from_today(-3))
        call("vgsamverkan_participation_terminate", coordinator, id=ending["participation_id"],
             effective_to=days_from_today(7))
        page = browser.get(f"/samverkan/deltagande/{soon['participation_id']}", extra_environ=as_user(admin)).body
        assert f"Deltar inte ännu: deltar från {days_from_today(3)}" in page
        tab = browser.get(f"/organization/samverkan/{soon['name']}", extra_environ=as_user(admin)).body
        assert f"deltar från {days_from_today(3)}" in tab
        assert "Avropa stöd" not in tab  # no call-off before the first day
        public = browser.get("/samverkan").body
        assert soon["title"] not in public
        assert ending["title"] in public and f"till och med {days_from_today(7)}" in public
