"""The holes an outside security test found (issue 16), each with the call that used to
get through. The variants of every id of every case are in tests/logic/test_auth.py
(``check_variants_refused``); this file has the findings that are not about one
action's id: membership, name squatting, the end of a participation, search input,
malformed requests, CKAN's member_list and the security headers."""
from __future__ import annotations

import datetime as dt
import json

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchQueryError
from ckan.tests import factories, helpers

from ckanext.vgsamverkan.model import Event, PublisherRequest
from tests.factories import (
    apply_existing,
    apply_new,
    call,
    member_role,
    org_with_admin,
    participant_org,
    request_rights,
    terminate_now,
)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _refused(action: str, user, **data) -> None:
    before = _members()
    with pytest.raises((tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError)):
        call(action, user, **data)
    model.Session.rollback()
    assert _members() == before, f"{action} {data}: a refused call changed the members"


def _members() -> list:
    model.Session.expire_all()
    return sorted((m.group_id, m.table_id, m.table_name, m.capacity, m.state)
                  for m in model.Session.query(model.Member))


class TestPublisherRequestForSomeoneElse:
    def test_a_json_number_is_the_user_it_spells(self, coordinator):
        admin, stranger = factories.User(), factories.User()
        org = participant_org(admin, coordinator)
        digits = factories.User(name="4711")
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_publisher_request", stranger, organization_id=org["id"], role="editor", user_id=4711)
        assert model.Session.query(PublisherRequest).filter_by(user_id=digits["id"]).count() == 0
        # the organisation's admin may, and the number is that user
        r = call("vgsamverkan_publisher_request", admin, organization_id=org["id"], role="editor", user_id=4711)
        assert r["user_id"] == digits["id"]


class TestMembership:
    @pytest.fixture
    def orgs(self, coordinator):
        admin, stranger = factories.User(), factories.User()
        approved = participant_org(admin, coordinator)
        pending = org_with_admin(admin)
        apply_existing(admin, pending)
        terminated = participant_org(admin, coordinator)
        terminate_now(coordinator, terminated["participation_id"])
        outside = org_with_admin(admin)
        return {"admin": admin, "stranger": stranger, "approved": approved, "pending": pending,
                "terminated": terminated, "outside": outside, "coordinator": coordinator}

    @pytest.mark.parametrize("which", ["approved", "pending", "terminated"])
    def test_members_of_an_organisation_with_a_participation_are_the_coordinators(self, orgs, which):
        org, admin, stranger = orgs[which], orgs["admin"], orgs["stranger"]
        for object_type in ("user", "User", "USER", "uSeR"):
            _refused("member_create", admin, id=org["id"], object=stranger["id"], object_type=object_type,
                     capacity="editor")
        _refused("organization_member_create", admin, id=org["id"], username=stranger["name"], role="editor")
        _refused("member_delete", admin, id=org["id"], object=admin["id"], object_type="User")
        _refused("organization_member_delete", admin, id=org["id"], username=admin["name"])
        assert member_role(org["id"], stranger["id"]) is None
        # the coordinator manages them
        call("organization_member_create", orgs["coordinator"], id=org["id"], username=stranger["name"], role="editor")
        assert member_role(org["id"], stranger["id"]) == "editor"

    def test_outside_the_collaboration_ckan_decides(self, orgs):
        call("organization_member_create", orgs["admin"], id=orgs["outside"]["id"], username=orgs["stranger"]["name"],
             role="editor")
        assert member_role(orgs["outside"]["id"], orgs["stranger"]["id"]) == "editor"

    def test_only_users_and_datasets_are_members(self, orgs):
        for object_type in ("group", "Organization", " user", "", 7, ["user"]):
            _refused("member_create", orgs["admin"], id=orgs["outside"]["id"], object=orgs["stranger"]["id"],
                     object_type=object_type, capacity="editor")

    def test_an_organisation_it_cannot_find_is_refused(self, orgs):
        for key in (f" {orgs['approved']['id']}", orgs["approved"]["name"].upper(), ["x"], 5):
            _refused("member_create", orgs["admin"], id=key, object=orgs["stranger"]["id"], object_type="user",
                     capacity="editor")


class TestTerminationEndsPublisherRights:
    def test_rights_end_with_the_participation_and_do_not_come_back(self, coordinator):
        admin, editor, other = factories.User(), factories.User(), factories.User()
        org = participant_org(admin, coordinator)
        rights = request_rights(editor, org)
        call("vgsamverkan_publisher_approve", coordinator, id=rights["id"])
        pending = request_rights(other, org)
        assert member_role(org["id"], editor["id"]) == "editor"

        ended = terminate_now(coordinator, org["participation_id"], comment="Slutar")
        assert ended["publisher_rights_ended"] == [rights["id"]]
        shown = call("vgsamverkan_publisher_show", coordinator, id=rights["id"])
        assert shown["state"] == "revoked" and shown["ended_at"]
        events = model.Session.query(Event).filter_by(object_type="publisher", object_id=rights["id"],
                                                      action="end").all()
        assert len(events) == 1 and events[0].from_state == "approved" and events[0].to_state == "revoked"
        assert member_role(org["id"], editor["id"]) is None
        assert member_role(org["id"], admin["id"]) == "admin"  # not given by a publisher decision
        assert call("vgsamverkan_publisher_show", coordinator, id=pending["id"])["state"] == "pending"

        # the organisation takes part again: the ended rights stay ended
        again = apply_existing(admin, org)
        call("vgsamverkan_participation_approve", coordinator, id=again["id"],
             effective_from=(dt.date.today() + dt.timedelta(days=1)).isoformat())
        assert call("vgsamverkan_publisher_show", coordinator, id=rights["id"])["state"] == "revoked"
        assert member_role(org["id"], editor["id"]) is None

    def test_the_user_is_told(self, coordinator, mailbox, run_jobs):
        admin, editor = factories.User(), factories.User(email="redaktor@example.org")
        org = participant_org(admin, coordinator)
        rights = request_rights(editor, org)
        call("vgsamverkan_publisher_approve", coordinator, id=rights["id"])
        run_jobs()
        mailbox.messages.clear()
        terminate_now(coordinator, org["participation_id"])
        run_jobs()
        mails = mailbox.to("redaktor@example.org")
        assert len(mails) == 1
        assert "upphört" in str(mails[0]["Subject"]).lower() or "ended" in str(mails[0]["Subject"]).lower()
        assert "inte längre" in mailbox.body(mails[0]) or "no longer" in mailbox.body(mails[0])


class TestNameSquatting:
    @pytest.fixture
    def applied(self, clean_db):
        applicant = factories.User()
        return applicant, apply_new(applicant, name="nya-kommunen")

    @pytest.mark.parametrize("action", ["organization_create", "group_create"])
    def test_a_pending_application_reserves_its_name(self, applied, action):
        squatter = factories.User()
        with pytest.raises(tk.ValidationError) as e:
            call(action, squatter, name="nya-kommunen", title="Mitt namn")
        assert "applied for" in str(e.value.error_dict["name"]) or "ansökt" in str(e.value.error_dict["name"])
        assert model.Group.get("nya-kommunen") is None
        # a sysadmin too: only the approval creates it
        with pytest.raises(tk.ValidationError):
            helpers.call_action(action, context={"user": factories.Sysadmin()["name"]}, name="nya-kommunen")

    def test_no_rename_to_it(self, applied):
        owner = factories.User()
        org = org_with_admin(owner)
        with pytest.raises(tk.ValidationError):
            call("organization_patch", owner, id=org["id"], name="nya-kommunen")
        with pytest.raises(tk.ValidationError):
            call("organization_update", owner, id=org["id"], name="nya-kommunen", title="T")
        assert model.Group.get(org["id"]).name == org["name"]
        call("organization_patch", owner, id=org["id"], title="Nytt namn")  # other changes are fine

    def test_the_approval_creates_it_and_then_the_name_is_free_of_the_reservation(self, applied, coordinator):
        applicant, application = applied
        call("vgsamverkan_participation_approve", coordinator, id=application["id"])
        org = model.Group.get("nya-kommunen")
        assert org is not None and member_role(org.id, applicant["id"]) == "admin"

    def test_an_ended_application_frees_the_name(self, applied):
        applicant, application = applied
        call("vgsamverkan_participation_withdraw", applicant, id=application["id"])
        assert call("organization_create", applicant, name="nya-kommunen")["name"] == "nya-kommunen"

    def test_the_form_refuses_a_name_taken(self, clean_db):
        taken = factories.Organization(name="redan-tagen")
        with pytest.raises(tk.ValidationError) as e:
            apply_new(factories.User(), name=taken["name"])
        assert "organization_name" in e.value.error_dict


class TestSearchInput:
    """What the API answers 400 "Search Query Error" (CKAN's api view turns the
    SearchQueryError into it), and the dataset page shows as a query error."""

    @pytest.mark.parametrize("fq", ["metadata_created:[NOW-99999999YEARS TO *]",
                                    "metadata_created:[NOW+999999999999DAYS TO *]",
                                    "metadata_modified:[* TO NOW+99999999999999999999SECONDS]"])
    def test_date_math_out_of_range(self, fq):
        with pytest.raises(SearchQueryError):
            helpers.call_action("package_search", fq=fq)

    @pytest.mark.parametrize("q", ["\x00", "vatten\x00", "\ud800", "a\udfffb"])
    def test_characters_postgresql_cannot_take(self, q):
        with pytest.raises(SearchQueryError):
            helpers.call_action("package_search", q=q)
        with pytest.raises(SearchQueryError):
            helpers.call_action("package_search", fq=f"tags:{q}")

    def test_at_most_1024_clauses(self):
        """1 024 in all (issue 35): the caller's filters plus CKAN's own, exactly at the limit."""
        factories.Dataset(name="ord-1")

        def filters(n):  # n clauses, each filter within the 4 000 characters of an fq
            names = [f"name:ord-{1 if i % 200 == 0 else i + 1}" for i in range(n)]  # each holds ord-1
            return [" OR ".join(names[i:i + 200]) for i in range(0, n, 200)]

        def search(n):
            try:
                return helpers.call_action("package_search", q="name:ord-1", fq_list=filters(n))["count"]
            except SearchQueryError as e:
                assert "1025 clauses" in str(e) and "1024" in str(e), str(e)
                return None

        # CKAN's own filters (state, site, permission labels) count too: a few clauses
        n = next(n for n in range(1023, 1000, -1) if search(n) is not None)
        assert search(n) == 1 and search(n + 1) is None
        with pytest.raises(SearchQueryError):
            helpers.call_action("package_search", q=" ".join(["ord"] * 1025), defType="dismax")


class TestLoneSurrogatesInOurActions:
    @pytest.mark.parametrize("action,data", [
        ("vgsamverkan_participant_list", {"org_type": "\ud800"}),
        ("vgsamverkan_participation_show", {"id": "\ud800"}),
        ("vgsamverkan_population_list", {"municipality_code": "14\udc0080"}),
    ])
    def test_named_in_a_validation_error(self, action, data):
        with pytest.raises(tk.ValidationError) as e:
            helpers.call_action(action, context={"user": factories.User()["name"]}, **data)
        assert list(data) == list(e.value.error_dict)


class TestMemberList:
    def test_private_datasets_are_not_listed_to_those_who_may_not_see_them(self, clean_db):
        admin = factories.User()
        org = org_with_admin(admin)
        public = factories.Dataset(owner_org=org["id"], name="oppen")
        private = factories.Dataset(owner_org=org["id"], name="hemlig", private=True)
        def listed(user):
            context = {"user": user["name"] if user else "", "ignore_auth": False}
            return {m[0] for m in helpers.call_action("member_list", context=context, id=org["id"],
                                                      object_type="package")}
        assert private["id"] in listed(admin) and public["id"] in listed(admin)
        for outsider in (None, factories.User()):
            shown = listed(outsider)
            assert public["id"] in shown and private["id"] not in shown
        # a caller inside the portal that passes ignore_auth gets CKAN's whole answer (issue
        # 36, part 8: CKAN's own tests of member_list call it so)
        whole = {m[0] for m in helpers.call_action("member_list", context={"ignore_auth": True}, id=org["id"],
                                                   object_type="package")}
        assert {public["id"], private["id"]} <= whole


class TestCoreAsCore:
    """Issue 36, part 8: with ``enforce = false`` the extension changes nothing of CKAN's
    own behaviour; CKAN's test_anon_can_create failed with it loaded."""

    @pytest.mark.parametrize("enforce", ["false", "true"])
    def test_anonymous_dataset_creation_where_the_site_allows_it(self, clean_db, ckan_config, monkeypatch, enforce):
        from ckan import authz

        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.enforce", enforce)
        monkeypatch.setitem(ckan_config, "ckan.auth.anon_create_dataset", True)
        monkeypatch.setitem(ckan_config, "ckan.auth.create_unowned_dataset", True)
        result = authz.is_authorized("package_create", {"user": "", "model": model}, {"name": "anon-data"})
        if enforce == "false":
            assert result["success"], result
        else:  # the publishing rule: only in an organisation that takes part
            assert not result["success"]
            assert "authenticated" not in result.get("msg", ""), result
        monkeypatch.setitem(ckan_config, "ckan.auth.anon_create_dataset", False)
        refused = authz.is_authorized("package_create", {"user": "", "model": model}, {"name": "anon-data"})
        assert not refused["success"]

    def test_resource_deletion_still_needs_a_user(self, clean_db):
        from ckan import authz

        result = authz.is_authorized("resource_delete", {"user": "", "model": model}, {"id": "x"})
        assert not result["success"]


class TestRequests:
    """Malformed requests over CKAN's own test client (the Flask app with our
    middleware), for CKAN's actions and pages as for ours."""

    def test_a_deeply_nested_json_body(self, app):
        body = "[" * 5000 + "]" * 5000
        res = app.post("/api/3/action/package_search", data=body, headers={"Content-Type": "application/json"},
                       status=400)
        assert "nästlat" in res.json["error"]["message"]  # the portal speaks Swedish by default
        # an ordinary body still works
        assert app.post("/api/3/action/package_search", json={"q": "vatten"}).json["success"]

    @pytest.mark.parametrize("action", ["package_search", "package_show", "organization_list"])
    def test_a_lone_surrogate_in_json_for_ckans_actions(self, app, action):
        body = '{"q": "\\ud800", "id": "\\udc00"}'
        res = app.post(f"/api/3/action/{action}", data=body, headers={"Content-Type": "application/json"},
                       status=400)
        assert res.json["success"] is False and "surrogatpar" in res.json["error"]["message"]

    @pytest.mark.parametrize("action,field", [("vgsamverkan_participant_list", "org_type"),
                                              ("vgsamverkan_participation_show", "id"),
                                              ("vgsamverkan_population_list", "municipality_code")])
    def test_a_lone_surrogate_in_json_for_ours_names_the_field(self, app, action, field):
        body = '{"%s": "\\ud800"}' % field
        res = app.post(f"/api/3/action/{action}", data=body, headers={"Content-Type": "application/json"},
                       status=409)
        assert list(res.json["error"]) == ["__type", field] or set(res.json["error"]) == {"__type", field}

    @pytest.mark.parametrize("url", ["/dataset/?q=%00", "/organization/samverkan/%00",
                                     "/api/3/action/package_show?id=%00"])
    def test_nul_in_an_address(self, app, url):
        res = app.get(url, status=400)
        assert "NUL" in res.body

    def test_nul_in_an_organisations_search(self, app):
        org = factories.Organization()
        app.get(f"/organization/{org['name']}?q=%00", status=400)

    def test_the_population_page_with_a_bad_year(self, app, coordinator):
        token = factories.APIToken(user=coordinator["name"])["token"]
        for year in ("99999999999999999999", "abc", "1066"):
            res = app.get(f"/ckan-admin/samverkan/befolkning?year={year}", headers={"Authorization": token},
                          status=200)
            assert "fyra siffror" in res.body or "four digits" in res.body
        app.get("/ckan-admin/samverkan/befolkning?year=%00", headers={"Authorization": token}, status=400)

    def test_security_headers_on_every_answer(self, app):
        for url in ("/", "/samverkan", "/api/3/action/status_show", "/finns-inte"):
            res = app.get(url)
            assert res.status_code in (200, 404), url
            assert res.headers["X-Content-Type-Options"] == "nosniff", url
            assert res.headers["X-Frame-Options"] == "SAMEORIGIN", url
            assert "frame-ancestors 'self'" in res.headers["Content-Security-Policy"], url
            assert res.headers["Referrer-Policy"] == "strict-origin-when-cross-origin", url


def test_json_depth_counts_brackets_outside_strings():
    from ckanext.vgsamverkan.guard import json_depth

    assert json_depth(b'{"a": [1, {"b": "[[[[[["}]}') == 3
    assert json_depth(b'"\\"[[["') == 0
    assert json_depth(json.dumps([[[]]]).encode()) == 3
