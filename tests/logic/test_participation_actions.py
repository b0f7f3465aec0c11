"""The participation workflow through its actions: happy paths, refused transitions,
bad input and the rules of uniqueness."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan.model import Event, Participation
from tests.factories import (
    application_data,
    apply_existing,
    apply_new,
    call,
    member_role,
    org_with_admin,
)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _count(cls) -> int:
    return model.Session.query(cls).count()


class TestApply:
    def test_new_organisation_is_pending_and_logged(self, applicant):
        p = apply_new(applicant, name="nya-kommunen")
        assert p["state"] == "pending"
        assert p["organization_id"] is None
        assert p["organization_name"] == "nya-kommunen"
        assert p["applicant_name"] == applicant["name"]
        assert p["org_number"].count("-") == 1
        events = model.Session.query(Event).filter_by(object_id=p["id"]).all()
        assert [(e.action, e.from_state, e.to_state) for e in events] == [("apply", None, "pending")]

    def test_existing_organisation_by_its_admin(self):
        admin = factories.User()
        org = org_with_admin(admin)
        p = apply_existing(admin, org)
        assert p["organization_id"] == org["id"]
        assert p["organization_name"] == org["name"]

    def test_org_number_without_hyphen_is_normalised(self, applicant):
        p = apply_new(applicant, org_number="2120001355")
        assert p["org_number"] == "212000-1355"

    def test_regional_administration_needs_no_municipality(self, applicant):
        p = apply_new(applicant, org_type="regional_forvaltning", municipality_code="")
        assert p["municipality_code"] is None

    @pytest.mark.parametrize(
        "field,value,fragment",
        [
            ("org_number", "212000-1356", "check digit"),
            ("org_number", "21200-1355", "NNNNNN-NNNN"),
            ("org_number", "850101-1234", "third digit"),
            ("org_type", "foretag", "Choose one of"),
            ("municipality_code", "9999", "Unknown municipality"),
            ("municipality_code", "14a1", "four digits"),
            ("contact_email", "inte-en-adress", "mail"),
            ("contact_phone", "ring mig", "telephone"),
            ("contact_name", "", "name of the contact person"),
            ("contact_name", "\u00a0 ", "name of the contact person"),
            ("contact_email", "", "e-mail address"),
            ("org_number", "", "organisationsnummer"),
            ("org_type", "", "type of organisation"),
            ("contact_name", "x" * 201, "at most 200"),
            ("motivation", "x" * 5001, "at most 5000"),
            ("org_type", ["kommun"], "text"),
            ("contact_name", {"a": 1}, "text"),
        ],
    )
    def test_bad_field_is_named_and_nothing_written(self, applicant, field, value, fragment):
        before = (_count(Participation), _count(Event))
        with pytest.raises(tk.ValidationError) as e:
            apply_new(applicant, **{field: value})
        assert field in e.value.error_dict
        assert fragment.lower() in " ".join(map(str, e.value.error_dict[field])).lower()
        assert (_count(Participation), _count(Event)) == before

    def test_municipality_required_for_kommun_and_bolag(self, applicant):
        for org_type in ("kommun", "kommunalt_bolag"):
            with pytest.raises(tk.ValidationError) as e:
                apply_new(applicant, org_type=org_type, municipality_code="")
            assert "municipality_code" in e.value.error_dict

    def test_unknown_keys_are_refused(self, applicant):
        with pytest.raises(tk.ValidationError) as e:
            apply_new(applicant, hacker="1", state="approved")
        assert set(e.value.error_dict) == {"hacker", "state"}
        assert _count(Participation) == 0

    def test_missing_organisation_is_named(self, applicant):
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_participation_apply", applicant, **application_data())
        assert {"organization_title", "organization_name"} <= set(e.value.error_dict)

    def test_both_existing_and_new_is_refused(self):
        admin = factories.User()
        org = org_with_admin(admin)
        with pytest.raises(tk.ValidationError) as e:
            apply_existing(admin, org, organization_name="annat-namn", organization_title="Annat")
        assert "organization_id" in e.value.error_dict

    def test_new_name_taken_by_existing_organisation(self, applicant):
        org = factories.Organization()
        with pytest.raises(tk.ValidationError) as e:
            apply_new(applicant, name=org["name"])
        assert "organization_name" in e.value.error_dict

    def test_bad_url_name(self, applicant):
        with pytest.raises(tk.ValidationError) as e:
            apply_new(applicant, name="Inte OK!")
        assert "organization_name" in e.value.error_dict

    def test_one_active_participation_per_organisation(self):
        admin = factories.User()
        org = org_with_admin(admin)
        apply_existing(admin, org, org_type="kommunalt_bolag")
        with pytest.raises(tk.ValidationError) as e:
            apply_existing(admin, org, org_type="kommunalt_bolag")
        assert "organization_id" in e.value.error_dict

    def test_one_pending_application_per_new_name(self, applicant):
        apply_new(applicant, name="samma-namn", org_type="kommunalt_bolag")
        with pytest.raises(tk.ValidationError) as e:
            apply_new(factories.User(), name="samma-namn", org_type="kommunalt_bolag")
        assert "organization_name" in e.value.error_dict

    def test_one_active_kommun_per_municipality(self, applicant):
        apply_new(applicant, municipality_code="1480")
        with pytest.raises(tk.ValidationError) as e:
            apply_new(factories.User(), municipality_code="1480")
        assert "municipality_code" in e.value.error_dict
        # a municipal company in the same municipality is fine
        apply_new(factories.User(), municipality_code="1480", org_type="kommunalt_bolag")

    def test_after_rejection_one_may_apply_again(self, applicant, coordinator):
        p = apply_new(applicant, municipality_code="1480")
        call("vgsamverkan_participation_reject", coordinator, id=p["id"], reason="Ofullständig")
        again = apply_new(applicant, municipality_code="1480")
        assert again["state"] == "pending"


class TestDecisions:
    def test_approve_new_creates_organisation_with_applicant_as_admin(self, applicant, coordinator):
        p = apply_new(applicant, name="skapas-vid-beslut")
        assert model.Group.get("skapas-vid-beslut") is None
        approved = call("vgsamverkan_participation_approve", coordinator, id=p["id"], comment="Välkomna")
        assert approved["state"] == "approved"
        org = model.Group.get("skapas-vid-beslut")
        assert org is not None and org.is_organization
        assert approved["organization_id"] == org.id
        assert member_role(org.id, applicant["id"]) == "admin"
        assert approved["effective_from"] == dt.date.today().isoformat()
        assert approved["decided_by"] == coordinator["name"]
        assert approved["decision_comment"] == "Välkomna"
        events = model.Session.query(Event).filter_by(object_id=p["id"]).order_by(Event.created).all()
        assert [(e.action, e.from_state, e.to_state, e.comment) for e in events][-1] == (
            "approve", "pending", "approved", "Välkomna")

    def test_approve_with_effective_date_in_the_past(self, applicant, coordinator):
        p = apply_new(applicant)
        approved = call(
            "vgsamverkan_participation_approve", coordinator, id=p["id"], effective_from="2024-03-01"
        )
        assert approved["effective_from"] == "2024-03-01"

    def test_failed_organisation_creation_leaves_nothing_half_written(self, applicant, coordinator):
        p = apply_new(applicant, name="krockar-sen")
        # taken meanwhile: no action lets anyone take a reserved name (test_fail_closed),
        # but a row can still come another way (SQL, a portal from before the reservation)
        model.Session.add(model.Group(name="krockar-sen", title="Krockar", is_organization=True, type="organization"))
        model.Session.commit()
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_participation_approve", coordinator, id=p["id"])
        assert "organization_name" in e.value.error_dict
        model.Session.expire_all()
        assert model.Session.get(Participation, p["id"]).state == "pending"
        assert model.Session.query(Event).filter_by(object_id=p["id"]).count() == 1

    def test_reject_needs_a_reason(self, applicant, coordinator):
        p = apply_new(applicant)
        for reason in (None, "", "   "):
            with pytest.raises(tk.ValidationError) as e:
                data = {"id": p["id"]} | ({} if reason is None else {"reason": reason})
                call("vgsamverkan_participation_reject", coordinator, **data)
            assert "reason" in e.value.error_dict
        rejected = call("vgsamverkan_participation_reject", coordinator, id=p["id"], reason="Saknar underlag")
        assert rejected["state"] == "rejected"
        assert rejected["reason"] == "Saknar underlag"
        assert rejected["motivation"] == "Vi vill publicera öppna data."  # the applicant's words stay

    def test_withdraw_by_applicant(self, applicant):
        p = apply_new(applicant)
        assert call("vgsamverkan_participation_withdraw", applicant, id=p["id"])["state"] == "withdrawn"

    def test_terminate_sets_end_date(self, applicant, coordinator):
        p = apply_new(applicant)
        call("vgsamverkan_participation_approve", coordinator, id=p["id"], effective_from="2025-01-01")
        t = call("vgsamverkan_participation_terminate", coordinator, id=p["id"], effective_to="2026-06-30")
        assert (t["state"], t["effective_to"]) == ("terminated", "2026-06-30")

    def test_terminate_default_today_and_not_before_start(self, applicant, coordinator):
        p = apply_new(applicant)
        call("vgsamverkan_participation_approve", coordinator, id=p["id"], effective_from="2025-01-01")
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_participation_terminate", coordinator, id=p["id"], effective_to="2024-12-01")
        assert "effective_to" in e.value.error_dict
        t = call("vgsamverkan_participation_terminate", coordinator, id=p["id"])
        assert t["effective_to"] == dt.date.today().isoformat()

    def test_new_participation_cannot_overlap_an_ended_one(self, coordinator):
        admin = factories.User()
        org = org_with_admin(admin)
        p = apply_existing(admin, org, org_type="kommunalt_bolag")
        call("vgsamverkan_participation_approve", coordinator, id=p["id"], effective_from="2025-01-01")
        call("vgsamverkan_participation_terminate", coordinator, id=p["id"], effective_to="2025-12-31")
        again = apply_existing(admin, org, org_type="kommunalt_bolag")
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_participation_approve", coordinator, id=again["id"], effective_from="2025-06-01")
        assert "effective_from" in e.value.error_dict
        ok = call("vgsamverkan_participation_approve", coordinator, id=again["id"], effective_from="2026-01-01")
        assert ok["state"] == "approved"

    def test_bad_dates(self, applicant, coordinator):
        p = apply_new(applicant)
        for bad in ("2026-13-01", "igår", 20260101, ["2026-01-01"]):
            with pytest.raises(tk.ValidationError) as e:
                call("vgsamverkan_participation_approve", coordinator, id=p["id"], effective_from=bad)
            assert "effective_from" in e.value.error_dict

    def test_missing_object_is_not_found(self, coordinator):
        with pytest.raises(tk.ObjectNotFound):
            call("vgsamverkan_participation_approve", coordinator, id="finns-inte")
        with pytest.raises(tk.ObjectNotFound):
            call("vgsamverkan_participation_show", coordinator, id="finns-inte")


# Every refused transition: (verb, extra parameters) from each state that does not allow it.
VERBS = {
    "approve": {},
    "reject": {"reason": "Nej"},
    "withdraw": {},
    "terminate": {},
}
ALLOWED = {("pending", "approve"), ("pending", "reject"), ("pending", "withdraw"), ("approved", "terminate")}
STATES = ["pending", "approved", "rejected", "withdrawn", "terminated"]


def _in_state(state, applicant, coordinator):
    p = apply_new(applicant)
    if state == "approved":
        call("vgsamverkan_participation_approve", coordinator, id=p["id"])
    elif state == "rejected":
        call("vgsamverkan_participation_reject", coordinator, id=p["id"], reason="Nej")
    elif state == "withdrawn":
        call("vgsamverkan_participation_withdraw", applicant, id=p["id"])
    elif state == "terminated":
        call("vgsamverkan_participation_approve", coordinator, id=p["id"])
        call("vgsamverkan_participation_terminate", coordinator, id=p["id"])
    return p


@pytest.mark.parametrize(
    "state,verb", [(s, v) for s in STATES for v in VERBS if (s, v) not in ALLOWED]
)
def test_refused_transition_names_current_state_and_changes_nothing(state, verb, applicant, coordinator, ckan_config,
                                                                   monkeypatch):
    monkeypatch.setitem(ckan_config, "ckan.locale_default", "en")
    p = _in_state(state, applicant, coordinator)
    before = model.Session.query(Event).filter_by(object_id=p["id"]).count()
    actor = applicant if verb == "withdraw" else coordinator
    with pytest.raises(tk.ValidationError) as e:
        call(f"vgsamverkan_participation_{verb}", actor, id=p["id"], **VERBS[verb])
    message = " ".join(e.value.error_dict["state"])
    assert state in message
    model.Session.expire_all()
    assert model.Session.get(Participation, p["id"]).state == state
    assert model.Session.query(Event).filter_by(object_id=p["id"]).count() == before


class TestListsAndPublic:
    def test_list_shows_each_caller_only_what_it_may_see(self, applicant, coordinator):
        mine = apply_new(applicant)
        other_user = factories.User()
        theirs = apply_new(other_user)
        admin = factories.User()
        org = org_with_admin(admin)
        org_app = apply_existing(admin, org, org_type="kommunalt_bolag")

        def ids(user, **params):
            result = call("vgsamverkan_participation_list", user, **params)
            assert result["count"] == len(result["results"])
            return {r["id"] for r in result["results"]}

        assert ids(applicant) == {mine["id"]}
        assert ids(other_user) == {theirs["id"]}
        assert ids(admin) == {org_app["id"]}
        assert ids(coordinator) == {mine["id"], theirs["id"], org_app["id"]}
        # another admin of the same organisation sees its application
        second_admin = factories.User()
        helpers_member = {"id": org["id"], "username": second_admin["name"], "role": "admin"}
        from ckan.tests import helpers
        helpers.call_action("organization_member_create", **helpers_member)
        assert ids(second_admin) == {org_app["id"]}

    def test_list_filters_and_paging(self, applicant, coordinator):
        a = apply_new(applicant)
        apply_new(factories.User())
        call("vgsamverkan_participation_approve", coordinator, id=a["id"])
        assert call("vgsamverkan_participation_list", coordinator, state="approved")["count"] == 1
        page = call("vgsamverkan_participation_list", coordinator, limit=1, offset=1)
        assert page["count"] == 2 and len(page["results"]) == 1
        for bad in ({"limit": 0}, {"limit": "många"}, {"offset": -1}, {"limit": 100000}):
            with pytest.raises(tk.ValidationError):
                call("vgsamverkan_participation_list", coordinator, **bad)

    def test_participant_list_is_public_and_has_no_contact_data(self, applicant, coordinator):
        p = apply_new(applicant, municipality_code="1480")
        apply_new(factories.User())  # pending: not a participant
        call("vgsamverkan_participation_approve", coordinator, id=p["id"])
        result = call("vgsamverkan_participant_list", None)
        assert result["count"] == 1
        row = result["results"][0]
        assert row["municipality_name"] == "Göteborg"
        assert not {"contact_email", "contact_name", "contact_phone", "org_number", "motivation"} & set(row)

    def test_dashboard_counts_what_waits(self, applicant, coordinator):
        apply_new(applicant)
        apply_new(factories.User())
        d = call("vgsamverkan_dashboard_show", coordinator)
        assert d["participation"]["pending"] == 2 and d["waiting"] == 2
        assert d["participation"]["oldest_pending"]


class TestCommentsAndEvents:
    def test_comment_thread_and_history(self, applicant, coordinator):
        p = apply_new(applicant)
        call("vgsamverkan_comment_create", coordinator, object_type="participation",
             object_id=p["id"], text="Kan ni komplettera med fakturareferens?")
        call("vgsamverkan_comment_create", applicant, object_type="participation",
             object_id=p["id"], text="Självklart: REF-2")
        comments = call("vgsamverkan_comment_list", applicant, object_type="participation", object_id=p["id"])
        assert [c["text"] for c in comments["results"]] == [
            "Kan ni komplettera med fakturareferens?", "Självklart: REF-2"]
        call("vgsamverkan_participation_approve", coordinator, id=p["id"])
        events = call("vgsamverkan_event_list", applicant, object_type="participation", object_id=p["id"])
        assert [e["action"] for e in events["results"]] == ["apply", "approve"]
        by_org = call("vgsamverkan_event_list", coordinator, organization_id=model.Group.get(p["organization_name"]).id)
        assert [e["action"] for e in by_org["results"]] == ["approve"]

    def test_comment_bad_input(self, applicant):
        p = apply_new(applicant)
        cases = [
            ({"object_type": "participation", "object_id": p["id"], "text": ""}, "text"),
            ({"object_type": "participation", "object_id": p["id"], "text": "x" * 5001}, "text"),
            ({"object_type": "okänd", "object_id": p["id"], "text": "hej"}, "object_type"),
            ({"object_type": "participation", "text": "hej"}, "object_id"),
        ]
        for data, field in cases:
            with pytest.raises(tk.ValidationError) as e:
                call("vgsamverkan_comment_create", applicant, **data)
            assert field in e.value.error_dict
        with pytest.raises(tk.ObjectNotFound):
            call("vgsamverkan_comment_create", applicant, object_type="participation", object_id="nej", text="hej")

    def test_event_list_needs_an_object_or_organisation(self, coordinator):
        with pytest.raises(tk.ValidationError):
            call("vgsamverkan_event_list", coordinator)


class TestPopulation:
    def test_shipped_population(self):
        result = call("vgsamverkan_population_list", None, year=2024, limit=1000)
        goteborg = [r for r in result["results"] if r["municipality_code"] == "1480"]
        assert goteborg[0]["population"] == 608993
        assert {2023, 2024} <= set(result["years"])
        all_codes = {r["municipality_code"] for r in call("vgsamverkan_population_list", None, limit=1000)["results"]}
        assert len(all_codes) == 49
        # a page of 20, as every list (issue 24), with the count of all
        page = call("vgsamverkan_population_list", None, year=2024)
        assert len(page["results"]) == 20 and page["count"] == len(result["results"]) > 20

    def test_import_all_or_nothing(self, coordinator):
        good = [{"municipality_code": "1480", "name": "Göteborg", "population": 612000},
                {"municipality_code": "1401", "name": "Härryda", "population": 40500}]
        result = call("vgsamverkan_population_import", coordinator, year=2025, records=good)
        assert (result["imported"], result["created"], result["updated"]) == (2, 2, 0)
        bad = good + [{"municipality_code": "14", "name": "X", "population": -1}]
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_population_import", coordinator, year=2026, records=bad)
        assert any("Record 3" in m for m in e.value.error_dict["records"])
        assert call("vgsamverkan_population_list", None, year=2026)["count"] == 0
        again = call("vgsamverkan_population_import", coordinator, year=2025,
                     records=[{"municipality_code": "1480", "name": "Göteborg", "population": 612001}])
        assert (again["created"], again["updated"]) == (0, 1)

    def test_import_bad_shapes(self, coordinator):
        for data in ({"year": 2025, "records": "nej"}, {"year": "tjugo", "records": []},
                     {"year": 2025, "records": [["1480", 5]]},
                     {"year": 2025, "records": [{"municipality_code": "1480", "name": "G", "population": 1}] * 2}):
            with pytest.raises(tk.ValidationError):
                call("vgsamverkan_population_import", coordinator, **data)


def test_a_control_character_is_refused_with_its_field_before_anything_else(coordinator):
    user = factories.User()
    with pytest.raises(tk.ValidationError) as e:
        apply_new(user, contact_name="Anna\x00Andersson")
    assert list(e.value.error_dict) == ["contact_name"] and "NUL" in e.value.error_dict["contact_name"][0]
    # even where the auth function would look the id up first
    with pytest.raises(tk.ValidationError) as e:
        call("vgsamverkan_participation_approve", coordinator, id="abc\x00")
    assert list(e.value.error_dict) == ["id"]
    assert model.Session.query(Participation).count() == 0
