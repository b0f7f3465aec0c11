"""GDPR: the contact data of closed requests is anonymised after the retention
(``ckan vgsamverkan gdpr purge``), and nothing else changes: the requests and their
decisions, history and comments stay, open and running ones keep their contact data, a
closed fee month exports byte for byte the same."""
from __future__ import annotations

import base64
import datetime as dt

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.cli.cli import ckan
from ckan.tests import factories

from ckanext.vgsamverkan.model import Calloff, Connection, Event, Participation
from tests.factories import apply_existing, call, org_with_admin, participant_org, requested_on

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

LONG_AGO = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=800)


def _age(cls, object_id: str) -> None:
    """As if the request's last change were 800 days ago (its history says otherwise)."""
    model.Session.execute(sa.update(cls).where(cls.id == object_id).values(modified=LONG_AGO))
    model.Session.commit()


@pytest.fixture
def world(coordinator):
    admin = factories.User()
    org = participant_org(admin, coordinator, effective_from="2025-01-01", municipality_code="1480",
                          contact_name="Anna Kontakt", contact_email="anna@example.org", contact_phone="031-1")
    rejected = apply_existing(admin, org_with_admin(admin), contact_name="Rolf Nej", contact_email="rolf@example.org",
                              contact_phone="031-2")
    call("vgsamverkan_participation_reject", coordinator, id=rejected["id"], reason="Saknar avtal")
    call("vgsamverkan_comment_create", admin, object_type="participation", object_id=rejected["id"], text="Synd")
    recent = apply_existing(admin, org_with_admin(admin), contact_email="ny@example.org")
    call("vgsamverkan_participation_withdraw", admin, id=recent["id"])
    declined = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="A",
                    technical_contact="Tekla, tekla@example.org")
    call("vgsamverkan_connection_investigate", coordinator, id=declined["id"], investigator="I")
    call("vgsamverkan_connection_quote", coordinator, id=declined["id"], solution="S", effort_hours="1", price="100",
         valid_until="2099-12-31")
    call("vgsamverkan_connection_decline", admin, id=declined["id"])
    running = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="B",
                   technical_contact="Tor, tor@example.org")
    delivered = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="metadata",
                     description="D", estimated_hours="2", period_start="2025-01-01", period_end="2099-12-31",
                     contact="Cilla, cilla@example.org")
    requested_on(delivered["id"], "2025-01-01")  # time is logged on days long past
    call("vgsamverkan_calloff_assign", coordinator, id=delivered["id"], expert_name="E", fixed_price="5000",
         planned_hours="2")
    call("vgsamverkan_calloff_log_time", coordinator, id=delivered["id"], date="2026-02-05", hours="2")
    call("vgsamverkan_calloff_deliver", coordinator, id=delivered["id"], delivered_date="2026-02-10")
    # a closed month with money of the delivered call-off
    call("vgsamverkan_population_import", coordinator, year=2025, source="T",
         records=[{"municipality_code": "1480", "name": "Göteborg", "population": 600000}])
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="1000")
    call("vgsamverkan_fee_run", coordinator, month="2026-02")
    call("vgsamverkan_fee_close", coordinator, month="2026-02")
    for cls, obj in ((Participation, rejected), (Participation, {"id": org["participation_id"]}),
                     (Connection, declined), (Connection, running), (Calloff, delivered)):
        _age(cls, obj["id"])
    return {"admin": admin, "org": org, "rejected": rejected, "recent": recent, "declined": declined,
            "running": running, "delivered": delivered}


def _export(coordinator) -> bytes:
    exported = call("vgsamverkan_fee_export", coordinator, month="2026-02", format="sie")
    return base64.b64decode(exported["content_base64"])


def test_closed_requests_past_the_retention_lose_their_contact_data_and_nothing_else(world, coordinator):
    sie = _export(coordinator)
    events = model.Session.query(Event).count()
    dry = call("vgsamverkan_gdpr_purge", coordinator, dry_run=True)
    assert dry["anonymised"] == {"participation": [world["rejected"]["id"]], "connection": [world["declined"]["id"]],
                                 "calloff": [world["delivered"]["id"]]}
    assert model.Session.query(Event).count() == events
    assert model.Session.get(Participation, world["rejected"]["id"]).contact_email == "rolf@example.org"

    done = call("vgsamverkan_gdpr_purge", coordinator)
    assert done["count"] == 3 and done["older_than"] == 730
    model.Session.expire_all()
    rejected = model.Session.get(Participation, world["rejected"]["id"])
    assert (rejected.contact_name, rejected.contact_email, rejected.contact_phone) == ("", "", None)
    assert rejected.state == "rejected" and rejected.reason == "Saknar avtal" and rejected.decided_by
    assert model.Session.get(Connection, world["declined"]["id"]).technical_contact == ""
    assert model.Session.get(Calloff, world["delivered"]["id"]).contact is None
    # kept: an approved participation, a running connection request, a recent withdrawal
    kept = model.Session.get(Participation, world["org"]["participation_id"])
    assert kept.contact_email == "anna@example.org" and kept.state == "approved"
    assert model.Session.get(Connection, world["running"]["id"]).technical_contact == "Tor, tor@example.org"
    assert model.Session.get(Participation, world["recent"]["id"]).contact_email == "ny@example.org"
    # recorded, with the history and comments as they were
    history = call("vgsamverkan_event_list", coordinator, object_type="participation",
                   object_id=world["rejected"]["id"])["results"]
    assert [e["action"] for e in history] == ["apply", "reject", "anonymise"]
    assert history[-1]["details"]["fields"] == ["contact_email", "contact_name", "contact_phone"]
    assert history[-1]["from_state"] == history[-1]["to_state"] == "rejected"
    assert call("vgsamverkan_comment_list", coordinator, object_type="participation",
                object_id=world["rejected"]["id"])["results"][0]["text"] == "Synd"
    # the money of a closed month is untouched
    assert _export(coordinator) == sie
    # again: nothing more to do
    assert call("vgsamverkan_gdpr_purge", coordinator)["count"] == 0


def test_a_longer_retention_keeps_them(world, coordinator):
    assert call("vgsamverkan_gdpr_purge", coordinator, older_than=1000)["count"] == 0
    assert call("vgsamverkan_gdpr_purge", coordinator, older_than="799", dry_run="true")["count"] == 3


@pytest.mark.parametrize("bad", [{"older_than": -1}, {"older_than": "två år"}, {"dry_run": "kanske"},
                                 {"older_than": 36501}, {"older_than": 12345678901234567890123},
                                 {"older_than": 10, "extra": 1}])
def test_bad_input(coordinator, bad):
    with pytest.raises(tk.ValidationError) as e:
        call("vgsamverkan_gdpr_purge", coordinator, **bad)
    assert set(e.value.error_dict) <= {"older_than", "dry_run", "extra"}


def test_only_the_coordinator(world):
    with pytest.raises(tk.NotAuthorized):
        call("vgsamverkan_gdpr_purge", world["admin"])
    assert model.Session.get(Participation, world["rejected"]["id"]).contact_email == "rolf@example.org"


def test_cli(cli, world):
    dry = cli.invoke(ckan, ["vgsamverkan", "gdpr", "purge", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "3 closed requests older than 730 days would be anonymised" in dry.output
    done = cli.invoke(ckan, ["vgsamverkan", "gdpr", "purge", "--older-than", "700"])
    assert done.exit_code == 0 and "participation: 1" in done.output and "anonymised." in done.output
    bad = cli.invoke(ckan, ["vgsamverkan", "gdpr", "purge", "--older-than", "-5"])
    assert bad.exit_code == 1 and "older_than" in bad.output


def test_the_page(app, world, coordinator):
    from tests.browser import Browser, as_user, token

    browser = Browser(app)
    url = "/ckan-admin/samverkan/personuppgifter"
    assert browser.get(url, extra_environ=as_user(world["admin"]), status=403)
    page = browser.get(url, extra_environ=as_user(coordinator)).body
    assert 'id="vgs-personal-data"' in page and "Anonymisera kontaktuppgifterna i dessa 3 ärenden" in page
    assert model.Session.get(Participation, world["rejected"]["id"]).contact_email == "rolf@example.org"
    done = browser.post(f"{url}/anonymisera", data={"_csrf_token": token(browser, url, coordinator)},
                        extra_environ=as_user(coordinator))
    assert "Kontaktuppgifterna anonymiserades i 3 avslutade ärenden." in done.body
    assert "Inget att anonymisera nu." in done.body
    model.Session.expire_all()
    assert model.Session.get(Participation, world["rejected"]["id"]).contact_email == ""
