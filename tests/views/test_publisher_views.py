"""The pages of publisher authorisation, through CKAN's app as logged-in users."""
from __future__ import annotations

import pytest

import ckan.model as model
from ckan.tests import factories

from ckanext.vgsamverkan.model import PublisherRequest
from tests.browser import as_user, token
from tests.factories import call, member_role, participant_org, request_rights

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")



@pytest.fixture
def org_admin():
    return factories.User()


@pytest.fixture
def org(coordinator, org_admin):
    return participant_org(org_admin, coordinator)


@pytest.fixture
def publisher():
    return factories.User()


class TestRequestForm:
    def test_anonymous_is_sent_to_log_in(self, app):
        response = app.get("/samverkan/behorighet/ansok", follow_redirects=False)
        assert response.status_code == 302 and "/user/login" in response.headers["Location"]

    def test_lists_participants_and_preselects_from_the_organisation_page(self, app, org, publisher):
        page = app.get(f"/samverkan/behorighet/ansok?organization_id={org['name']}",
                       extra_environ=as_user(publisher)).body
        assert f'<option value="{org["name"]}" selected>' in page
        for field in ("organization_id", "motivation"):
            assert f'<label class="form-label" for="field-{field}">' in page
        assert 'for="role-editor"' in page and 'for="role-admin"' in page

    def test_request_through_the_form(self, app, org, publisher):
        url = "/samverkan/behorighet/ansok"
        response = app.post(url, data={"organization_id": org["name"], "role": "editor",
                                       "motivation": "Jag publicerar <b>trafikdata</b>.",
                                       "_csrf_token": token(app, url, publisher)},
                            extra_environ=as_user(publisher), follow_redirects=False)
        assert response.status_code == 302
        r = model.Session.query(PublisherRequest).one()
        assert response.headers["Location"].endswith(f"/samverkan/behorighet/{r.id}")
        assert (r.role, r.state, r.user_id) == ("editor", "pending", publisher["id"])
        page = app.get(f"/samverkan/behorighet/{r.id}", extra_environ=as_user(publisher)).body
        assert "&lt;b&gt;trafikdata&lt;/b&gt;" in page and "<b>trafikdata" not in page

    def test_errors_tied_to_fields_nothing_written(self, app, org, publisher):
        url = "/samverkan/behorighet/ansok"
        page = app.post(url, data={"organization_id": org["name"], "role": "owner",
                                   "motivation": "Behåll mig", "_csrf_token": token(app, url, publisher)},
                        extra_environ=as_user(publisher))
        assert page.status_code == 200
        assert 'id="role-error"' in page.body and 'id="error-summary"' in page.body
        assert "Behåll mig" in page.body
        assert model.Session.query(PublisherRequest).count() == 0

    def test_without_csrf_token_refused(self, app, org, publisher):
        response = app.post("/samverkan/behorighet/ansok",
                            data={"organization_id": org["name"], "role": "editor"},
                            extra_environ=as_user(publisher))
        assert response.status_code == 400
        assert model.Session.query(PublisherRequest).count() == 0


class TestRequestPage:
    def test_only_parties_see_it(self, app, org, org_admin, coordinator, publisher):
        r = request_rights(publisher, org)
        url = f"/samverkan/behorighet/{r['id']}"
        assert app.get(url, follow_redirects=False).status_code == 302
        for who in (publisher, org_admin, coordinator):
            assert app.get(url, extra_environ=as_user(who)).status_code == 200
        assert app.get(url, extra_environ=as_user(factories.User())).status_code == 403
        assert app.get("/samverkan/behorighet/finns-inte", extra_environ=as_user(coordinator)).status_code == 404

    def test_decide_comment_and_history_through_the_page(self, app, org, coordinator, publisher):
        r = request_rights(publisher, org)
        url = f"/samverkan/behorighet/{r['id']}"
        as_publisher = app.get(url, extra_environ=as_user(publisher)).body
        assert f"{url}/withdraw" in as_publisher and f"{url}/approve" not in as_publisher
        app.post(f"/samverkan/publisher/{r['id']}/kommentar",
                 data={"text": "Vilka dataset?", "_csrf_token": token(app, url, coordinator)},
                 extra_environ=as_user(coordinator))
        response = app.post(f"{url}/approve", data={"expires": "2099-06-30", "comment": "OK",
                                                    "_csrf_token": token(app, url, coordinator)},
                            extra_environ=as_user(coordinator), follow_redirects=False)
        assert response.headers["Location"].endswith(url)
        assert member_role(org["id"], publisher["id"]) == "editor"
        body = app.get(url, extra_environ=as_user(publisher)).body
        assert "Vilka dataset?" in body and "2099-06-30" in body
        assert f"{url}/revoke" not in body  # not the publisher's decision
        assert f"{url}/revoke" in app.get(url, extra_environ=as_user(coordinator)).body

    def test_refused_decision_is_explained_and_nothing_changes(self, app, org, coordinator, publisher):
        r = request_rights(publisher, org)
        url = f"/samverkan/behorighet/{r['id']}"
        page = app.post(f"{url}/approve", data={"expires": "1999-01-01",
                                                "_csrf_token": token(app, url, coordinator)},
                        extra_environ=as_user(coordinator))
        assert page.status_code == 200 and "alert" in page.body
        assert member_role(org["id"], publisher["id"]) is None
        assert call("vgsamverkan_publisher_show", coordinator, id=r["id"])["state"] == "pending"

    def test_others_may_not_decide(self, app, org, publisher):
        r = request_rights(publisher, org)
        url = f"/samverkan/behorighet/{r['id']}"
        response = app.post(f"{url}/approve", data={"_csrf_token": token(app, url, publisher)},
                            extra_environ=as_user(publisher))
        assert response.status_code == 403
        assert member_role(org["id"], publisher["id"]) is None


class TestWhereToFindIt:
    def test_organisation_page_offers_the_request(self, app, org, publisher):
        page = app.get(f"/organization/{org['name']}", extra_environ=as_user(publisher)).body
        assert f"/samverkan/behorighet/ansok?organization_id={org['name']}" in page
        outside = factories.Organization()
        assert "/samverkan/behorighet/ansok" not in app.get(f"/organization/{outside['name']}").body

    def test_dashboard_and_my_requests(self, app, org, publisher):
        r = request_rights(publisher, org)
        dashboard = app.get("/dashboard/datasets", extra_environ=as_user(publisher)).body
        assert "/samverkan/mina-arenden" in dashboard
        mine = app.get("/samverkan/mina-arenden", extra_environ=as_user(publisher)).body
        assert f"/samverkan/behorighet/{r['id']}" in mine and 'id="vgs-my-publisher"' in mine

    def test_coordinator_queue_lists_and_decides(self, app, org, coordinator, publisher):
        r = request_rights(publisher, org)
        queue = "/ckan-admin/samverkan"
        page = app.get(queue, extra_environ=as_user(coordinator)).body
        assert 'id="vgs-publisher-queue"' in page and f"/samverkan/behorighet/{r['id']}" in page
        app.post(f"/samverkan/behorighet/{r['id']}/approve",
                 data={"next": queue, "_csrf_token": token(app, queue, coordinator)},
                 extra_environ=as_user(coordinator))
        assert member_role(org["id"], publisher["id"]) == "editor"
        assert f"/samverkan/behorighet/{r['id']}" not in app.get(queue, extra_environ=as_user(coordinator)).body

    def test_member_page_shows_who_was_authorised_by_whom_until_when(self, app, org, org_admin,
                                                                     coordinator, publisher):
        r = request_rights(publisher, org)
        call("vgsamverkan_publisher_approve", coordinator, id=r["id"], expires="2099-12-31")
        page = app.get(f"/organization/members/{org['name']}", extra_environ=as_user(org_admin)).body
        assert 'id="vgs-authorisations"' in page
        assert "2099-12-31" in page and coordinator["name"] in page
        # not shown to someone who is neither an admin nor the coordinator
        stranger = app.get(f"/organization/members/{org['name']}", extra_environ=as_user(factories.User()))
        assert 'id="vgs-authorisations"' not in stranger.body
