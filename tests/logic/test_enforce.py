"""The publishing rules (ckanext.vgsamverkan.enforce): through the API with auth
checked, through CKAN's own dataset and member pages, and switched off."""
from __future__ import annotations

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from tests.conftest import kept
from tests.factories import call, coordinator_user, member_role, participant_org, request_rights, terminate_now

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def world(clean_db, ckan_config, monkeypatch):
    """Built once, then put back row by row for each test (tests/conftest.py ``kept``: the
    build costs about 1.2 s a test)."""
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinators", ["samordnare"])
    return kept(("test_enforce.world",), _build_world)


def _build_world() -> dict:
    coordinator = coordinator_user()
    admin, editor, outsider_admin, outsider_editor = (factories.User() for _ in range(4))
    org = participant_org(admin, coordinator)
    r = request_rights(editor, org)
    call("vgsamverkan_publisher_approve", coordinator, id=r["id"])
    # an organisation outside the collaboration, members added the CKAN way
    outside = factories.Organization(users=[{"name": outsider_admin["name"], "capacity": "admin"},
                                            {"name": outsider_editor["name"], "capacity": "editor"}])
    dataset = factories.Dataset(owner_org=org["id"], name="cykelvagar")
    outside_dataset = factories.Dataset(owner_org=outside["id"], name="utanfor")
    return {"admin": admin, "editor": editor, "org": org, "outside": outside,
            "outsider_admin": outsider_admin, "outsider_editor": outsider_editor,
            "dataset": dataset, "outside_dataset": outside_dataset, "coordinator": coordinator}


@pytest.fixture
def enforce_off(ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.enforce", False)


def refused(action: str, user, **data) -> str:
    with pytest.raises(tk.NotAuthorized) as e:
        call(action, user, **data)
    return str(e.value)


class TestDatasets:
    def test_publisher_of_a_participant_publishes(self, world):
        ds = call("package_create", world["editor"], name="nytt", owner_org=world["org"]["id"])
        call("package_patch", world["editor"], id=ds["id"], title="Nytt namn")
        call("resource_create", world["editor"], package_id=ds["id"], url="http://example.org/a.csv")
        call("package_delete", world["editor"], id=ds["id"])

    def test_outside_the_collaboration_nothing_changes(self, world):
        msg = refused("package_create", world["outsider_editor"], name="nej", owner_org=world["outside"]["id"])
        assert "does not take part" in msg and "/samverkan/deltagande/ansok" in msg
        for action, data in [
            ("package_update", {"id": "utanfor", "name": "utanfor", "title": "x"}),
            ("package_patch", {"id": "utanfor", "title": "x"}),
            ("package_delete", {"id": "utanfor"}),
            ("resource_create", {"package_id": "utanfor", "url": "http://example.org/b.csv"}),
            ("bulk_update_private", {"org_id": world["outside"]["id"], "datasets": [world["outside_dataset"]["id"]]}),
        ]:
            assert "does not take part" in refused(action, world["outsider_admin"], **data), action
        shown = call("package_show", world["outsider_editor"], id="utanfor")
        assert shown["title"] == world["outside_dataset"]["title"]

    def test_unowned_datasets_refused(self, world):
        msg = refused("package_create", world["editor"], name="ingen-agare")
        assert "must belong to an organisation" in msg

    def test_after_termination_readable_not_changeable(self, world):
        terminate_now(world["coordinator"], world["org"]["participation_id"])
        for action, data in [
            ("package_create", {"name": "for-sent", "owner_org": world["org"]["id"]}),
            ("package_patch", {"id": "cykelvagar", "title": "x"}),
            ("package_delete", {"id": "cykelvagar"}),
            ("resource_create", {"package_id": "cykelvagar", "url": "http://example.org/c.csv"}),
        ]:
            assert "does not take part" in refused(action, world["editor"], **data), action
        assert call("package_show", None, id="cykelvagar")["name"] == "cykelvagar"
        assert "cykelvagar" in [d["name"] for d in call("package_search", None, q="*:*")["results"]]

    def test_not_moved_out_of_the_collaboration(self, world):
        # the editor is also an editor outside: CKAN would allow the move, the rule does not
        call("organization_member_create", world["outsider_admin"], id=world["outside"]["id"],
             username=world["editor"]["name"], role="editor")
        msg = refused("package_patch", world["editor"], id="cykelvagar", owner_org=world["outside"]["id"])
        assert "does not take part" in msg
        assert model.Package.get("cykelvagar").owner_org == world["org"]["id"]

    def test_the_add_button_question_is_left_to_ckan(self, world):
        # h.check_access('package_create') without data: may this user create at all?
        call("vgsamverkan_participant_list", None)  # (any call: the world is set up)
        from ckan.tests import helpers

        assert helpers.call_auth("package_create", {"user": world["editor"]["name"], "model": model}) is True

    def test_sysadmins_are_not_bound(self, world):
        sysadmin = factories.Sysadmin()
        call("package_patch", sysadmin, id="utanfor", title="Av sysadmin")

    def test_switched_off_ckan_rules_apply(self, world, enforce_off):
        call("package_create", world["outsider_editor"], name="nu-ja", owner_org=world["outside"]["id"])
        call("package_patch", world["outsider_admin"], id="utanfor", title="Ändrad")
        # and CKAN's own refusals stay: a stranger may still not publish anywhere
        with pytest.raises(tk.NotAuthorized):
            call("package_create", factories.User(), name="nej", owner_org=world["org"]["id"])


class TestMembership:
    def test_admin_of_a_participant_may_not_change_members(self, world):
        newcomer = factories.User()
        org_id = world["org"]["id"]
        for action, data in [
            ("organization_member_create", {"id": org_id, "username": newcomer["name"], "role": "editor"}),
            ("organization_member_delete", {"id": org_id, "username": world["editor"]["name"]}),
            ("member_create", {"id": org_id, "object": newcomer["id"], "object_type": "user", "capacity": "editor"}),
            ("member_delete", {"id": org_id, "object": world["editor"]["id"], "object_type": "user"}),
            ("group_member_create", {"id": org_id, "username": newcomer["name"], "role": "editor"}),
            ("organization_update", {"id": org_id, "name": world["org"]["name"], "users": []}),
            ("organization_update", {"id": org_id, "name": world["org"]["name"],
                                     "users": [{"name": world["admin"]["name"], "capacity": "admin"}]}),
            ("user_invite", {"email": "ny@example.org", "group_id": org_id, "role": "editor"}),
        ]:
            msg = refused(action, world["admin"], **data)
            assert "managed by the regional coordinator" in msg, action
            assert f"/samverkan/behorighet/ansok?organization_id={world['org']['name']}" in msg, action
        assert member_role(org_id, world["editor"]["id"]) == "editor"
        assert member_role(org_id, newcomer["id"]) is None

    def test_organisation_edits_that_keep_the_members_are_allowed(self, world):
        call("organization_patch", world["admin"], id=world["org"]["id"], description="Ny beskrivning")
        assert member_role(world["org"]["id"], world["editor"]["id"]) == "editor"
        # an update that names no members keeps them (CKAN would remove them all): the
        # admin's and a sysadmin's alike
        for who, user in (("admin", world["admin"]), ("sysadmin", factories.Sysadmin())):
            call("organization_update", user, id=world["org"]["id"], name=world["org"]["name"],
                 title=f"Ny titel {who}")
            assert member_role(world["org"]["id"], world["editor"]["id"]) == "editor", who
            assert member_role(world["org"]["id"], world["admin"]["id"]) == "admin", who
        assert model.Group.get(world["org"]["id"]).title == "Ny titel sysadmin"

    def test_outside_the_collaboration_an_update_without_members_is_ckans(self, world):
        """CKAN decides there (2.11 removes the members of an update without ``users``,
        2.12 keeps them): the chained action passes the call on untouched."""
        from ckanext.vgsamverkan.logic.action.core import _members_kept

        data = {"id": world["outside"]["id"], "name": world["outside"]["name"], "title": "Utan medlemmar"}
        assert _members_kept({}, data, model.Group.get(world["outside"]["id"])) is data
        inside = {"id": world["org"]["id"], "name": world["org"]["name"]}
        kept = _members_kept({}, inside, model.Group.get(world["org"]["id"]))
        assert {world["admin"]["name"], world["editor"]["name"]} <= {u["name"] for u in kept["users"]}

    def test_the_coordinator_manages_them(self, world):
        newcomer = factories.User()
        call("organization_member_create", world["coordinator"], id=world["org"]["id"],
             username=newcomer["name"], role="member")
        assert member_role(world["org"]["id"], newcomer["id"]) == "member"
        call("organization_member_delete", world["coordinator"], id=world["org"]["id"], username=newcomer["name"])
        assert member_role(world["org"]["id"], newcomer["id"]) is None

    def test_outside_the_collaboration_ckan_rules(self, world):
        newcomer = factories.User()
        call("organization_member_create", world["outsider_admin"], id=world["outside"]["id"],
             username=newcomer["name"], role="editor")
        assert member_role(world["outside"]["id"], newcomer["id"]) == "editor"
        # and the coordinator, not an admin there, gets CKAN's refusal
        with pytest.raises(tk.NotAuthorized):
            call("organization_member_create", world["coordinator"], id=world["outside"]["id"],
                 username=newcomer["name"], role="admin")

    def test_datasets_in_groups_are_not_membership(self, world):
        group = factories.Group(users=[{"name": world["editor"]["name"], "capacity": "admin"}])
        call("member_create", world["editor"], id=group["id"], object="cykelvagar",
             object_type="package", capacity="public")

    def test_switched_off_ckan_rules_apply(self, world, enforce_off):
        newcomer = factories.User()
        call("organization_member_create", world["admin"], id=world["org"]["id"],
             username=newcomer["name"], role="editor")
        assert member_role(world["org"]["id"], newcomer["id"]) == "editor"


class TestCkanPages:
    """CKAN's own dataset and member pages, as a logged-in user with a session cookie."""

    @staticmethod
    def _post(browser, url, user, data):
        from tests.browser import token

        data = dict(data, _csrf_token=token(browser, url, user))
        return browser.post(url, data=data, extra_environ={"user": user}, follow_redirects=False)

    def test_member_pages(self, world, app):
        from tests.browser import Browser

        browser = Browser(app)
        admin, org = world["admin"], world["org"]
        link = f"/samverkan/behorighet/ansok?organization_id={org['name']}"
        page = browser.get(f"/organization/member_new/{org['name']}", extra_environ={"user": admin}).body
        assert link in page
        newcomer = factories.User()
        response = self._post(browser, f"/organization/member_new/{org['name']}", admin,
                              {"username": newcomer["name"], "role": "editor"})
        assert response.status_code == 403
        assert member_role(org["id"], newcomer["id"]) is None
        manage = browser.get(f"/organization/manage_members/{org['name']}", extra_environ={"user": admin}).body
        assert link in manage
        # outside the collaboration CKAN's page is unchanged
        outside = browser.get(f"/organization/member_new/{world['outside']['name']}",
                              extra_environ={"user": world["outsider_admin"]}).body
        assert "/samverkan/behorighet/ansok" not in outside

    def test_the_organisation_edit_page_opens_for_its_admin(self, world, app):
        """Found in issue 36's session: CKAN's edit page asks the update rule with the id
        alone, which the membership rule read as "remove every member": 403 for the
        organisation's own admin."""
        from tests.browser import Browser

        browser = Browser(app)
        admin, org = world["admin"], world["org"]
        url = f"/organization/edit/{org['name']}"
        assert browser.get(url, extra_environ={"user": admin}).status_code == 200
        response = self._post(browser, url, admin, {"name": org["name"], "title": "Ny titel",
                                                    "description": "Beskrivning", "save": ""})
        assert response.status_code == 302, response.body[-800:]
        model.Session.expire_all()
        assert model.Group.get(org["id"]).description == "Beskrivning"
        assert member_role(org["id"], world["editor"]["id"]) == "editor"
        assert member_role(org["id"], admin["id"]) == "admin"
        # nobody else's page opens: an admin of another organisation, the editor, any
        # spelling of the organisation's name or id
        for user, path in ((world["outsider_admin"], org["name"]), (world["editor"], org["name"]),
                           (admin, org["name"].upper()), (admin, f" {org['name']}"), (admin, org["id"].upper()),
                           (admin, world["outside"]["name"])):
            status = browser.get(f"/organization/edit/{path}", extra_environ={"user": user}).status_code
            assert status in (403, 404), (user["name"], path, status)

    def test_dataset_form(self, world, app):
        from tests.browser import Browser

        browser = Browser(app)
        form = {"name": "via-formular", "title": "Via formulär", "save": "continue"}
        response = self._post(browser, "/dataset/new", world["outsider_editor"],
                              dict(form, owner_org=world["outside"]["id"]))
        assert response.status_code == 403
        assert model.Package.get("via-formular") is None
        response = self._post(browser, "/dataset/new", world["editor"], dict(form, owner_org=world["org"]["id"]))
        assert response.status_code == 302
        assert model.Package.get("via-formular") is not None
