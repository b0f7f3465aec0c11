"""A participation's master data can change (issue 19, SPEC 2026-11-29):
``vgsamverkan_participation_update`` by the organisation's admin or the coordinator
(the organisationsnummer the coordinator's only), old and new values in the history,
open fee months use the new data when run again, closed months keep theirs; every role
that must be refused, with variants of the id; refused states; bad input writes nothing;
the page keeps what was typed."""
from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan.model import Event, Participation
from tests.browser import Browser, as_user, token
from tests.factories import apply_new, call, org_number, participant_org, terminate_now

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _events(participation_id: str, action: str = "update") -> list[Event]:
    return (model.Session.query(Event)
            .filter_by(object_type="participation", object_id=participation_id, action=action)
            .order_by(Event.created, Event.id).all())


def _row(participation_id: str) -> dict:
    model.Session.expire_all()
    p = model.Session.get(Participation, participation_id)
    return {f: getattr(p, f) for f in ("contact_name", "contact_email", "contact_phone", "invoice_reference",
                                       "org_number", "modified")}


@pytest.fixture
def world(coordinator):
    admin, editor, stranger = factories.User(), factories.User(), factories.User()
    org = participant_org(admin, coordinator, invoice_reference="REF-1")
    call("organization_member_create", coordinator, id=org["id"], username=editor["name"], role="editor")
    return {"admin": admin, "editor": editor, "stranger": stranger, "org": org, "id": org["participation_id"],
            "coordinator": coordinator}


class TestUpdate:
    def test_the_admin_changes_contact_and_invoice_reference(self, world):
        before = _row(world["id"])
        p = call("vgsamverkan_participation_update", world["admin"], id=world["id"], contact_name="Nils Ny",
                 contact_email="nils.ny@example.org", contact_phone="", invoice_reference="REF-2",
                 comment="Ny kontaktperson")
        assert p["changed"] == ["contact_name", "contact_email", "contact_phone", "invoice_reference"]
        assert (p["contact_name"], p["contact_email"], p["contact_phone"], p["invoice_reference"]) == (
            "Nils Ny", "nils.ny@example.org", None, "REF-2")
        [event] = _events(world["id"])
        assert (event.from_state, event.to_state, event.comment) == ("approved", "approved", "Ny kontaktperson")
        assert event.details["changes"] == [
            {"field": "contact_name", "old": before["contact_name"], "new": "Nils Ny"},
            {"field": "contact_email", "old": before["contact_email"], "new": "nils.ny@example.org"},
            {"field": "contact_phone", "old": before["contact_phone"], "new": None},
            {"field": "invoice_reference", "old": "REF-1", "new": "REF-2"},
        ]
        # the history says it in words
        history = call("vgsamverkan_event_list", world["admin"], object_type="participation",
                       object_id=world["id"])["results"]
        assert any("REF-1 → REF-2" in (e.get("summary") or "") for e in history), history

    def test_the_coordinator_changes_the_organisation_number(self, world):
        new = org_number("5566")
        p = call("vgsamverkan_participation_update", world["coordinator"], id=world["id"], org_number=new)
        assert p["org_number"] == new and p["changed"] == ["org_number"]
        assert _events(world["id"])[0].details["changes"][0]["new"] == new

    def test_nothing_changed_writes_nothing(self, world):
        before = _row(world["id"])
        p = call("vgsamverkan_participation_update", world["admin"], id=world["id"], invoice_reference="REF-1",
                 contact_name=before["contact_name"])
        assert p["changed"] == [] and _events(world["id"]) == [] and _row(world["id"]) == before

    def test_the_applicant_of_a_new_organisation_while_pending(self, coordinator):
        applicant = factories.User()
        p = apply_new(applicant)
        assert call("vgsamverkan_participation_update", applicant, id=p["id"],
                    invoice_reference="NY-1")["invoice_reference"] == "NY-1"
        shown = call("vgsamverkan_participation_show", applicant, id=p["id"])
        assert shown["may_update"] is True and shown["may_change_org_number"] is False


class TestRefused:
    @pytest.mark.parametrize("who", ["editor", "stranger", "anonymous"])
    def test_roles_that_may_not(self, world, who):
        user = None if who == "anonymous" else world[who]
        before = _row(world["id"])
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_participation_update", user, id=world["id"], invoice_reference="STULEN")
        assert _row(world["id"]) == before and _events(world["id"]) == []

    def test_the_admin_may_not_give_an_organisation_number(self, world):
        before = _row(world["id"])
        for value in (org_number("5566"), before["org_number"], ""):  # not even the same one
            with pytest.raises(tk.NotAuthorized) as e:
                call("vgsamverkan_participation_update", world["admin"], id=world["id"], org_number=value)
            assert "coordinator" in str(e.value)
        assert _row(world["id"]) == before

    def test_the_applicant_of_an_existing_organisation_who_is_no_admin(self, coordinator):
        admin, other_admin = factories.User(), factories.User()
        org = participant_org(admin, coordinator)
        call("organization_member_create", coordinator, id=org["id"], username=other_admin["name"], role="admin")
        call("organization_member_delete", coordinator, id=org["id"], username=admin["name"])
        with pytest.raises(tk.NotAuthorized):  # the applicant, but no longer its admin
            call("vgsamverkan_participation_update", admin, id=org["participation_id"], invoice_reference="X")
        assert call("vgsamverkan_participation_update", other_admin, id=org["participation_id"],
                    invoice_reference="X")["changed"] == ["invoice_reference"]

    def test_variants_of_the_id_never_reach_another_participation(self, world, coordinator):
        """An admin of one organisation names another's participation in every spelling:
        refused, and neither changes."""
        other_admin = factories.User()
        other = participant_org(other_admin, coordinator)
        pid = other["participation_id"]
        before = _row(pid)
        look_alike = pid[:-1] + ("0" if pid[-1] != "0" else "1")
        for variant in (pid, f" {pid}", f"{pid} ", pid.upper(), f"\t{pid}\n", look_alike, 7, ["x"], {"id": pid}):
            with pytest.raises((tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError)):
                call("vgsamverkan_participation_update", world["admin"], id=variant, invoice_reference="STULEN")
        assert _row(pid) == before and _events(pid) == []

    @pytest.mark.parametrize("state", ["rejected", "withdrawn", "terminated"])
    def test_closed_participations_do_not_change(self, coordinator, state):
        admin = factories.User()
        org = participant_org(admin, coordinator) if state == "terminated" else None
        if state == "terminated":
            pid = org["participation_id"]
            terminate_now(coordinator, pid)
        else:
            pid = apply_new(admin)["id"]
            if state == "rejected":
                call("vgsamverkan_participation_reject", coordinator, id=pid, reason="Nej")
            else:
                call("vgsamverkan_participation_withdraw", admin, id=pid)
        before = _row(pid)
        for user in (admin, coordinator):
            if state == "terminated" or user is coordinator:
                with pytest.raises(tk.ValidationError) as e:
                    call("vgsamverkan_participation_update", user, id=pid, invoice_reference="SENT")
                assert e.value.error_dict["state"] == [
                    "Only a pending or approved participation, or one terminated whose last day has not "
                    f"passed, can be changed; this one is {state}"]
        assert _row(pid) == before and _events(pid) == []

    @pytest.mark.parametrize("last_day", [0, 30])
    def test_terminated_with_a_last_day_to_come_still_changes(self, coordinator, last_day):
        """Issue 36, part 7: it takes part and is billed until its last day, so its contact
        and invoice reference can still be corrected (it was a 409)."""
        from tests.factories import days_from_today

        admin = factories.User()
        org = participant_org(admin, coordinator)
        pid = org["participation_id"]
        call("vgsamverkan_participation_terminate", coordinator, id=pid, effective_to=days_from_today(last_day))
        changed = call("vgsamverkan_participation_update", admin, id=pid, invoice_reference="NY-REF",
                       contact_name="Ny Kontakt")
        assert (changed["state"], changed["invoice_reference"], changed["contact_name"]) == (
            "terminated", "NY-REF", "Ny Kontakt")
        assert call("vgsamverkan_participation_show", admin, id=pid)["may_update"] is True
        [event] = _events(pid)
        assert {c["field"] for c in event.details["changes"]} == {"invoice_reference", "contact_name"}

    @pytest.mark.parametrize("field,value", [
        ("contact_name", ""), ("contact_name", "   "), ("contact_email", "inte-en-adress"),
        ("contact_email", ""), ("contact_phone", "ring mig"), ("org_number", "556677-1234"),
        ("org_number", "19121212-1212"), ("invoice_reference", "x" * 201), ("invoice_reference", ["REF"]),
        ("contact_name", {"a": 1}), ("okänt", "x"),
    ])
    def test_bad_input_names_the_field_and_writes_nothing(self, world, field, value):
        before = _row(world["id"])
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_participation_update", world["coordinator"],
                 **{"id": world["id"], "invoice_reference": "NY", field: value})
        assert field in e.value.error_dict
        assert _row(world["id"]) == before and _events(world["id"]) == []


class TestFees:
    def test_open_months_use_the_new_data_closed_months_keep_theirs(self, coordinator):
        call("vgsamverkan_population_import", coordinator, year=2025, source="Test",
             records=[{"municipality_code": "1480", "name": "Göteborg", "population": 600_000}])
        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="1000.00")
        admin = factories.User()
        org = participant_org(admin, coordinator, effective_from="2026-01-01", org_type="kommun",
                              municipality_code="1480", invoice_reference="GBG-1")
        old_number = call("vgsamverkan_participation_show", coordinator, id=org["participation_id"])["org_number"]
        call("vgsamverkan_fee_run", coordinator, month="2026-09")
        call("vgsamverkan_fee_close", coordinator, month="2026-09")
        call("vgsamverkan_fee_run", coordinator, month="2026-10")
        new_number = org_number("5566")
        call("vgsamverkan_participation_update", admin, id=org["participation_id"], invoice_reference="GBG-2")
        call("vgsamverkan_participation_update", coordinator, id=org["participation_id"], org_number=new_number)

        def statement(month):
            return call("vgsamverkan_fee_statement_show", coordinator, organization_id=org["id"], month=month)

        assert (statement("2026-10")["invoice_reference"], statement("2026-10")["org_number"]) == ("GBG-1", old_number)
        call("vgsamverkan_fee_run", coordinator, month="2026-10")  # run again: the current data
        assert (statement("2026-10")["invoice_reference"], statement("2026-10")["org_number"]) == ("GBG-2", new_number)
        assert (statement("2026-09")["invoice_reference"], statement("2026-09")["org_number"]) == ("GBG-1", old_number)


class TestPrivacy:
    def test_anonymisation_takes_the_old_and_new_contact_data_from_the_history(self, world, coordinator):
        call("vgsamverkan_participation_update", world["admin"], id=world["id"], contact_email="gammal@example.org",
             invoice_reference="REF-2")
        terminate_now(coordinator, world["id"])
        long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=800)
        model.Session.execute(sa.update(Participation).where(Participation.id == world["id"])
                              .values(modified=long_ago))
        model.Session.commit()
        call("vgsamverkan_gdpr_purge", coordinator)
        model.Session.expire_all()
        [event] = _events(world["id"])
        changes = {c["field"]: c for c in event.details["changes"]}
        assert changes["contact_email"]["old"] == "" and changes["contact_email"]["new"] == ""
        assert changes["invoice_reference"] == {"field": "invoice_reference", "old": "REF-1", "new": "REF-2"}
        assert "gammal@example.org" not in str(model.Session.execute(sa.text(
            "SELECT details::text FROM vgsamverkan_event")).fetchall())


class TestPage:
    @pytest.fixture
    def browser(self, app):
        return Browser(app)

    def test_the_form_is_filled_in_and_keeps_what_was_typed(self, browser, world):
        url = f"/samverkan/deltagande/{world['id']}/uppgifter"
        read = browser.get(f"/samverkan/deltagande/{world['id']}", extra_environ=as_user(world["admin"])).body
        assert url in read
        page = browser.get(url, extra_environ=as_user(world["admin"])).body
        assert 'value="REF-1"' in page and 'name="org_number"' not in page
        csrf = token(browser, url, world["admin"])
        bad = browser.post(url, extra_environ=as_user(world["admin"]),
                           data={"_csrf_token": csrf, "contact_name": "Nils Ny", "contact_email": "inte-en-adress",
                                 "contact_phone": "", "invoice_reference": "REF-9", "comment": "Byte"})
        body = bad.get_data(as_text=True)
        assert bad.status_code == 200 and 'value="Nils Ny"' in body and 'value="REF-9"' in body
        assert 'value="inte-en-adress"' in body and "field-contact_email" in body
        assert _events(world["id"]) == []
        good = browser.post(url, extra_environ=as_user(world["admin"]), follow_redirects=False,
                            data={"_csrf_token": csrf, "contact_name": "Nils Ny",
                                  "contact_email": "nils@example.org", "contact_phone": "",
                                  "invoice_reference": "REF-9", "comment": "Byte"})
        assert good.status_code == 302
        assert _row(world["id"])["invoice_reference"] == "REF-9"

    def test_the_coordinator_sees_the_organisation_number_others_are_refused(self, browser, world):
        url = f"/samverkan/deltagande/{world['id']}/uppgifter"
        assert 'name="org_number"' in browser.get(url, extra_environ=as_user(world["coordinator"])).body
        assert browser.get(url, extra_environ=as_user(world["editor"])).status_code == 403
        assert browser.get(url, extra_environ=as_user(world["stranger"])).status_code == 403
        anonymous = browser.get(url, follow_redirects=False)
        assert anonymous.status_code in (302, 403)
