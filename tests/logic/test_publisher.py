"""Publisher authorisation through its actions: requests, decisions, CKAN membership as
the result, refusals of every kind, and expiry with a frozen clock."""
from __future__ import annotations

import pytest
from freezegun import freeze_time

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan.model import Event, PublisherRequest
from tests.conftest import kept_with
from tests.factories import call, member_role, org_with_admin, participant_org, request_rights, terminate_now

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _events(request_id: str) -> list[tuple]:
    rows = (model.Session.query(Event).filter_by(object_type="publisher", object_id=request_id)
            .order_by(Event.created, Event.id))
    return [(e.action, e.from_state, e.to_state) for e in rows]


@pytest.fixture
def org(coordinator):
    """An organisation taking part: built once, put back for each test (tests/conftest.py
    ``kept``)."""
    return kept_with(coordinator, ("test_publisher.org",),
                     lambda: {"org": participant_org(factories.User(), coordinator)})["org"]


@pytest.fixture
def publisher():
    return factories.User()


class TestRequest:
    def test_request_is_pending_kept_as_written_and_logged(self, org, publisher):
        words = "  Jag ansvarar för <b>kommunens</b> öppna data.\nRad två.  "
        r = request_rights(publisher, org, motivation=words)
        assert r["state"] == "pending"
        assert r["user_name"] == publisher["name"] and r["applicant_name"] == publisher["name"]
        assert r["role"] == "editor" and r["organization_name"] == org["name"]
        assert r["motivation"] == words.strip()  # stored as written (only outer spaces trimmed)
        assert _events(r["id"]) == [("request", None, "pending")]
        assert member_role(org["id"], publisher["id"]) is None  # nothing granted yet

    def test_admin_may_ask_for_a_colleague(self, org, publisher):
        # (not "the" admin member: CKAN also makes the organisation's creator, here the
        # site user, a sysadmin, an admin member)
        admin = model.User.get(org["admin_id"])
        r = call("vgsamverkan_publisher_request", admin.name, organization_id=org["name"],
                 role="editor", user_id=publisher["name"])
        assert r["user_id"] == publisher["id"] and r["applicant_id"] == admin.id

    def test_not_for_someone_else_without_being_admin(self, org, publisher):
        other = factories.User()
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_publisher_request", other, organization_id=org["id"], role="editor",
                 user_id=publisher["id"])

    def test_anonymous_refused(self, org):
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_publisher_request", None, organization_id=org["id"], role="editor")

    def test_only_in_participant_organisations(self, coordinator, publisher):
        outsider_org = org_with_admin(factories.User())
        with pytest.raises(tk.ValidationError) as e:
            request_rights(publisher, outsider_org)
        assert "organization_id" in e.value.error_dict
        assert "not approved" in str(e.value.error_dict["organization_id"])

    def test_not_after_termination(self, org, coordinator, publisher):
        terminate_now(coordinator, org["participation_id"])
        with pytest.raises(tk.ValidationError):
            request_rights(publisher, org)

    @pytest.mark.parametrize(
        "data,field",
        [
            ({"role": "owner"}, "role"),
            ({"role": ""}, "role"),
            ({"role": ["editor"]}, "role"),
            ({"organization_id": ""}, "organization_id"),
            ({"motivation": "x" * 5001}, "motivation"),
            ({"user_id": "nobody-at-all"}, "user_id"),
            ({"colour": "blue"}, "colour"),
        ],
    )
    def test_bad_input_is_a_clear_validation_error(self, org, coordinator, data, field):
        payload = {"organization_id": org["id"], "role": "editor", **data}
        before = model.Session.query(PublisherRequest).count()
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_publisher_request", coordinator, **payload)
        assert field in e.value.error_dict
        assert model.Session.query(PublisherRequest).count() == before

    def test_unknown_organisation(self, publisher, coordinator):
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_publisher_request", publisher, organization_id="finns-inte", role="editor")
        assert "organization_id" in e.value.error_dict

    def test_one_active_request_per_user_and_organisation(self, org, publisher):
        request_rights(publisher, org)
        with pytest.raises(tk.ValidationError) as e:
            request_rights(publisher, org, role="admin")
        assert "organization_id" in e.value.error_dict

    def test_not_for_a_role_already_held(self, org, coordinator, publisher):
        r = request_rights(publisher, org)
        call("vgsamverkan_publisher_approve", coordinator, id=r["id"])
        call("vgsamverkan_publisher_revoke", coordinator, id=r["id"])
        admin_id = org["admin_id"]
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_publisher_request", admin_id, organization_id=org["id"], role="editor")
        assert "role" in e.value.error_dict


class TestDecisions:
    def test_approve_makes_a_ckan_member_with_the_role(self, org, coordinator, publisher):
        r = request_rights(publisher, org, role="editor")
        approved = call("vgsamverkan_publisher_approve", coordinator, id=r["id"], comment="Välkommen",
                        expires="2099-12-31")
        assert approved["state"] == "approved"
        assert approved["decided_by"] == coordinator["name"] and approved["decision_comment"] == "Välkommen"
        assert approved["expires"] == "2099-12-31"
        assert approved["motivation"] == r["motivation"]  # the applicant's words stay apart
        assert member_role(org["id"], publisher["id"]) == "editor"
        # CKAN itself now lets the publisher create a dataset in the organisation
        ds = call("package_create", publisher, name="publicerat", owner_org=org["id"])
        assert ds["owner_org"] == org["id"]
        assert _events(r["id"]) == [("request", None, "pending"), ("approve", "pending", "approved")]

    def test_editor_may_become_admin(self, org, coordinator, publisher):
        first = request_rights(publisher, org, role="editor")
        call("vgsamverkan_publisher_approve", coordinator, id=first["id"])
        call("vgsamverkan_publisher_revoke", coordinator, id=first["id"])
        second = request_rights(publisher, org, role="admin")
        call("vgsamverkan_publisher_approve", coordinator, id=second["id"])
        assert member_role(org["id"], publisher["id"]) == "admin"

    def test_reject_needs_a_reason_and_grants_nothing(self, org, coordinator, publisher):
        r = request_rights(publisher, org)
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_publisher_reject", coordinator, id=r["id"], reason="  ")
        assert "reason" in e.value.error_dict
        rejected = call("vgsamverkan_publisher_reject", coordinator, id=r["id"], reason="Okänd användare")
        assert rejected["state"] == "rejected" and rejected["reason"] == "Okänd användare"
        assert rejected["motivation"] == r["motivation"]
        assert member_role(org["id"], publisher["id"]) is None

    def test_withdraw_by_the_user(self, org, publisher):
        r = request_rights(publisher, org)
        assert call("vgsamverkan_publisher_withdraw", publisher, id=r["id"])["state"] == "withdrawn"
        # and asking again is possible
        assert request_rights(publisher, org)["state"] == "pending"

    def test_revoke_removes_the_membership(self, org, coordinator, publisher):
        r = request_rights(publisher, org)
        call("vgsamverkan_publisher_approve", coordinator, id=r["id"])
        revoked = call("vgsamverkan_publisher_revoke", coordinator, id=r["id"], comment="Slutat")
        assert revoked["state"] == "revoked" and revoked["ended_at"]
        assert member_role(org["id"], publisher["id"]) is None
        assert _events(r["id"])[-1] == ("revoke", "approved", "revoked")

    def test_expiry_in_the_past_refused(self, org, coordinator, publisher):
        r = request_rights(publisher, org)
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_publisher_approve", coordinator, id=r["id"], expires="2001-01-01")
        assert "expires" in e.value.error_dict
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_publisher_approve", coordinator, id=r["id"], expires="31/12/2099")
        assert "expires" in e.value.error_dict
        assert call("vgsamverkan_publisher_show", coordinator, id=r["id"])["state"] == "pending"
        assert member_role(org["id"], publisher["id"]) is None

    def test_approval_refused_after_termination_nothing_half_written(self, org, coordinator, publisher):
        r = request_rights(publisher, org)
        terminate_now(coordinator, org["participation_id"])
        with pytest.raises(tk.ValidationError):
            call("vgsamverkan_publisher_approve", coordinator, id=r["id"])
        assert call("vgsamverkan_publisher_show", coordinator, id=r["id"])["state"] == "pending"
        assert member_role(org["id"], publisher["id"]) is None
        assert _events(r["id"]) == [("request", None, "pending")]

    @pytest.mark.parametrize(
        "done,verb,extra",
        [
            ("approve", "approve", {}),
            ("approve", "reject", {"reason": "x"}),
            ("approve", "withdraw", {}),
            ("reject", "approve", {}),
            ("reject", "revoke", {}),
            ("withdraw", "approve", {}),
            ("withdraw", "revoke", {}),
            (None, "revoke", {}),
            ("revoke", "revoke", {}),
            ("revoke", "approve", {}),
        ],
    )
    def test_refused_transitions_name_the_state(self, org, coordinator, publisher, done, verb, extra):
        r = request_rights(publisher, org)
        if done:
            if done == "revoke":
                call("vgsamverkan_publisher_approve", coordinator, id=r["id"])
            call(f"vgsamverkan_publisher_{done}", publisher if done == "withdraw" else coordinator,
                 id=r["id"], **({"reason": "nej"} if done == "reject" else {}))
        state = call("vgsamverkan_publisher_show", coordinator, id=r["id"])["state"]
        events = _events(r["id"])
        actor = publisher if verb == "withdraw" else coordinator
        with pytest.raises(tk.ValidationError) as e:
            call(f"vgsamverkan_publisher_{verb}", actor, id=r["id"], **extra)
        message = str(e.value.error_dict["state"])
        assert tk._(state) in message or state in message
        assert _events(r["id"]) == events  # nothing recorded

    @pytest.mark.parametrize("verb", ["approve", "reject", "revoke"])
    def test_decisions_are_the_coordinators(self, org, coordinator, publisher, verb):
        r = request_rights(publisher, org)
        admin_id = org["admin_id"]
        for who in (publisher, admin_id, factories.User(), None):
            with pytest.raises(tk.NotAuthorized):
                call(f"vgsamverkan_publisher_{verb}", who, id=r["id"], reason="x")

    def test_withdraw_not_by_others(self, org, coordinator, publisher):
        r = request_rights(publisher, org)
        for who in (factories.User(), None):
            with pytest.raises(tk.NotAuthorized):
                call("vgsamverkan_publisher_withdraw", who, id=r["id"])

    def test_missing_request_is_not_found(self, coordinator):
        with pytest.raises(tk.ObjectNotFound):
            call("vgsamverkan_publisher_approve", coordinator, id="00000000-0000-0000-0000-000000000000")


class TestVisibility:
    def test_show_and_list_only_to_parties(self, org, coordinator, publisher):
        r = request_rights(publisher, org)
        other_admin = factories.User()
        other_org = participant_org(other_admin, coordinator)
        request_rights(factories.User(), other_org)
        assert call("vgsamverkan_publisher_show", publisher, id=r["id"])["id"] == r["id"]
        for who in (other_admin, factories.User(), None):
            with pytest.raises(tk.NotAuthorized):
                call("vgsamverkan_publisher_show", who, id=r["id"])
        assert [x["id"] for x in call("vgsamverkan_publisher_list", publisher)["results"]] == [r["id"]]
        assert r["id"] not in [x["id"] for x in call("vgsamverkan_publisher_list", other_admin)["results"]]
        assert call("vgsamverkan_publisher_list", coordinator)["count"] == 2
        assert call("vgsamverkan_publisher_list", coordinator, organization_id=org["name"])["count"] == 1
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_publisher_list", None)

    def test_show_tells_the_decisions_the_caller_may_make(self, org, coordinator, publisher):
        r = request_rights(publisher, org)
        assert call("vgsamverkan_publisher_show", coordinator, id=r["id"])["allowed"] == ["approve", "reject"]
        assert call("vgsamverkan_publisher_show", publisher, id=r["id"])["allowed"] == ["withdraw"]

    def test_comments_and_history_for_parties(self, org, coordinator, publisher):
        r = request_rights(publisher, org)
        call("vgsamverkan_comment_create", coordinator, object_type="publisher", object_id=r["id"],
             text="Vilka dataset gäller det?")
        call("vgsamverkan_comment_create", publisher, object_type="publisher", object_id=r["id"],
             text="Cykelvägar.")
        texts = [c["text"] for c in call("vgsamverkan_comment_list", publisher, object_type="publisher",
                                         object_id=r["id"])["results"]]
        assert texts == ["Vilka dataset gäller det?", "Cykelvägar."]
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_comment_create", factories.User(), object_type="publisher",
                 object_id=r["id"], text="Hej")
        history = call("vgsamverkan_event_list", publisher, object_type="publisher", object_id=r["id"])
        assert [e["action"] for e in history["results"]] == ["request"]

    def test_dashboard_counts_pending_requests(self, org, coordinator, publisher):
        request_rights(publisher, org)
        dashboard = call("vgsamverkan_dashboard_show", coordinator)
        assert dashboard["publisher"]["pending"] == 1
        assert dashboard["waiting"] == dashboard["participation"]["pending"] + 1


class TestExpiry:
    def _approved(self, org, coordinator, user, expires):
        r = request_rights(user, org)
        return call("vgsamverkan_publisher_approve", coordinator, id=r["id"], expires=expires)

    def test_reminder_then_revocation_idempotent(self, org, coordinator, publisher, cli):
        from ckan.cli.cli import ckan

        with freeze_time("2027-03-01"):
            r = self._approved(org, coordinator, publisher, "2027-03-31")
            keep = self._approved(org, coordinator, factories.User(), "2027-06-30")
            unlimited = self._approved(org, coordinator, factories.User(), None)
        with freeze_time("2027-03-10"):  # 21 days before: no reminder yet (14 days)
            result = cli.invoke(ckan, ["vgsamverkan", "expire"])
            assert result.exit_code == 0, result.output
            assert "Reminded 0, revoked 0." in result.output
        with freeze_time("2027-03-20"):
            assert "Reminded 1, revoked 0." in cli.invoke(ckan, ["vgsamverkan", "expire"]).output
            assert "Reminded 0, revoked 0." in cli.invoke(ckan, ["vgsamverkan", "expire"]).output
        with freeze_time("2027-03-31"):  # the last valid day
            assert "revoked 0." in cli.invoke(ckan, ["vgsamverkan", "expire"]).output
            assert member_role(org["id"], publisher["id"]) == "editor"
        with freeze_time("2027-04-01"):
            assert "Reminded 0, revoked 1." in cli.invoke(ckan, ["vgsamverkan", "expire"]).output
            assert "Reminded 0, revoked 0." in cli.invoke(ckan, ["vgsamverkan", "expire"]).output
        model.Session.expire_all()
        assert member_role(org["id"], publisher["id"]) is None
        assert call("vgsamverkan_publisher_show", coordinator, id=r["id"])["state"] == "revoked"
        assert _events(r["id"])[-2:] == [("remind", "approved", "approved"), ("expire", "approved", "revoked")]
        expired_by = model.Session.query(Event).filter_by(object_id=r["id"], action="expire").one()
        site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
        assert expired_by.actor_id == model.User.get(site_user["name"]).id and "2027-03-31" in expired_by.comment
        for other in (keep, unlimited):
            assert call("vgsamverkan_publisher_show", coordinator, id=other["id"])["state"] == "approved"
        # an expired user can apply again
        with freeze_time("2027-04-02"):
            assert request_rights(publisher, org)["state"] == "pending"

    def test_a_bad_day_is_refused(self, cli, clean_db):
        from ckan.cli.cli import ckan

        result = cli.invoke(ckan, ["vgsamverkan", "expire", "--today", "igår"])
        assert result.exit_code == 1 and "YYYY-MM-DD" in result.output


class TestRenewalAndRoleChange:
    """Issue 21: approved rights are renewed before their end, or their role changed
    (editor ⇄ admin), by a request the coordinator decides while the rights stay as they
    are; a revocation removes only the role the workflow granted."""

    def _approved(self, org, coordinator, user, role="editor", expires=None):
        r = request_rights(user, org, role=role)
        return call("vgsamverkan_publisher_approve", coordinator, id=r["id"],
                    **({"expires": expires} if expires else {}))

    def test_a_renewal_keeps_the_rights_until_it_is_approved(self, org, coordinator, publisher):
        first = self._approved(org, coordinator, publisher, expires="2099-01-31")
        renewal = request_rights(publisher, org, role="editor")
        assert renewal["state"] == "pending" and renewal["replaces_id"] == first["id"]
        # meanwhile: nothing changes
        assert call("vgsamverkan_publisher_show", coordinator, id=first["id"])["state"] == "approved"
        assert member_role(org["id"], publisher["id"]) == "editor"
        approved = call("vgsamverkan_publisher_approve", coordinator, id=renewal["id"], expires="2100-01-31")
        assert approved["expires"] == "2100-01-31"
        old = call("vgsamverkan_publisher_show", coordinator, id=first["id"])
        assert old["state"] == "revoked" and old["replaced_by"] == renewal["id"] and old["ended_at"]
        assert _events(first["id"])[-1] == ("replace", "approved", "revoked")
        assert member_role(org["id"], publisher["id"]) == "editor"  # never without the role

    def test_a_renewal_asked_in_time_does_not_lapse_past_the_expiry_date(self, org, coordinator, publisher):
        """Issue 36, part 7: the daily job revoked the rights while the renewal waited."""
        import datetime as dt

        from ckanext.vgsamverkan import expiry

        expires = dt.date.today() + dt.timedelta(days=5)
        first = self._approved(org, coordinator, publisher, expires=expires.isoformat())
        renewal = request_rights(publisher, org, role="editor")
        later = expires + dt.timedelta(days=3)
        assert first["id"] not in expiry.run(today=later)["revoked"]
        assert call("vgsamverkan_publisher_show", coordinator, id=first["id"])["state"] == "approved"
        assert member_role(org["id"], publisher["id"]) == "editor"
        # refused after the expiry date: the next run ends the rights as expired
        call("vgsamverkan_publisher_reject", coordinator, id=renewal["id"], reason="Inte längre")
        assert first["id"] in expiry.run(today=later)["revoked"]
        model.Session.expire_all()  # the job committed in its own transactions
        ended = call("vgsamverkan_publisher_show", coordinator, id=first["id"])
        assert ended["state"] == "revoked", ended
        assert member_role(org["id"], publisher["id"]) is None, ended

    def test_a_role_change_keeps_the_current_role_while_it_is_decided(self, org, coordinator, publisher):
        first = self._approved(org, coordinator, publisher)
        change = request_rights(publisher, org, role="admin")
        assert change["replaces_id"] == first["id"]
        assert member_role(org["id"], publisher["id"]) == "editor"
        call("vgsamverkan_publisher_reject", coordinator, id=change["id"], reason="Inte nu")
        # a rejected change leaves the rights as they were
        assert call("vgsamverkan_publisher_show", coordinator, id=first["id"])["state"] == "approved"
        assert member_role(org["id"], publisher["id"]) == "editor"
        again = request_rights(publisher, org, role="admin")
        call("vgsamverkan_publisher_approve", coordinator, id=again["id"])
        assert member_role(org["id"], publisher["id"]) == "admin"
        # and back to editor the same way
        down = request_rights(publisher, org, role="editor")
        call("vgsamverkan_publisher_approve", coordinator, id=down["id"])
        assert member_role(org["id"], publisher["id"]) == "editor"
        call("vgsamverkan_publisher_revoke", coordinator, id=down["id"])
        assert member_role(org["id"], publisher["id"]) is None  # nothing before the workflow

    def test_a_revocation_gives_back_the_role_held_before(self, coordinator):
        admin, member = factories.User(), factories.User()
        org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"},
                                            {"name": member["name"], "capacity": "member"}])
        from tests.factories import apply_existing

        call("vgsamverkan_participation_approve", coordinator, id=apply_existing(admin, org)["id"])
        first = self._approved(org, coordinator, member)
        assert first["previous_role"] == "member" and member_role(org["id"], member["id"]) == "editor"
        change = request_rights(member, org, role="admin")
        done = call("vgsamverkan_publisher_approve", coordinator, id=change["id"])
        assert done["previous_role"] == "member"  # the role before the workflow, kept through the change
        call("vgsamverkan_publisher_revoke", coordinator, id=change["id"])
        model.Session.expire_all()
        assert member_role(org["id"], member["id"]) == "member"

    def test_refusals(self, org, coordinator, publisher):
        self._approved(org, coordinator, publisher)  # no end date
        with pytest.raises(tk.ValidationError) as e:  # nothing to renew
            request_rights(publisher, org, role="editor")
        assert "role" in e.value.error_dict
        request_rights(publisher, org, role="admin")
        with pytest.raises(tk.ValidationError) as e:  # one pending at a time
            request_rights(publisher, org, role="admin")
        assert "organization_id" in e.value.error_dict
        with pytest.raises(tk.NotAuthorized):  # someone else's rights: not by a stranger
            call("vgsamverkan_publisher_request", factories.User(), organization_id=org["id"], role="admin",
                 user_id=publisher["name"])

    def test_rights_whose_renewal_waits_past_the_expiry_date_are_replaced_by_it(self, org, coordinator, publisher):
        """SPEC 2026-12-07: the holder who asked in time keeps the rights past the expiry
        date until the decision (before, the daily job revoked them meanwhile)."""
        with freeze_time("2027-03-01"):
            first = self._approved(org, coordinator, publisher, expires="2027-03-31")
            renewal = request_rights(publisher, org, role="editor")
        from ckanext.vgsamverkan import expiry

        with freeze_time("2027-04-01"):
            assert first["id"] not in expiry.run()["revoked"]
            model.Session.expire_all()
            assert member_role(org["id"], publisher["id"]) == "editor"
            assert call("vgsamverkan_publisher_show", coordinator, id=first["id"])["state"] == "approved"
            call("vgsamverkan_publisher_approve", coordinator, id=renewal["id"])
            assert member_role(org["id"], publisher["id"]) == "editor"
        assert _events(first["id"])[-1][0] == "replace"

    def test_the_page_offers_renewal_and_role_change(self, app, org, coordinator, publisher):
        from tests.browser import Browser, as_user

        first = self._approved(org, coordinator, publisher, expires="2099-01-31")
        page = Browser(app).get(f"/samverkan/behorighet/{first['id']}", extra_environ=as_user(publisher)).body
        assert 'id="vgs-renew"' in page and "role=editor" in page and "role=admin" in page
        form = Browser(app).get(f"/samverkan/behorighet/ansok?organization_id={org['name']}&user_id="
                                f"{publisher['name']}&role=admin", extra_environ=as_user(publisher)).body
        assert 'id="role-admin" value="admin" checked' in form and 'id="vgs-for-user"' in form
