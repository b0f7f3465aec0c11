"""Pages through CKAN's test app: Swedish first, English available, CSRF on every form,
errors tied to their fields, and the coordinator's queue."""
from __future__ import annotations

import pytest

import ckan.model as model
from ckan.tests import factories

from ckanext.vgsamverkan.model import Participation
from tests.browser import as_user, token
from tests.factories import application_data, apply_new, call, org_with_admin

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def apply_form(**overrides):
    data = application_data(
        organization_title="Formulärkommunen", organization_name="formularkommunen", **overrides
    )
    data["for"] = "new"
    return data


class TestPublicPage:
    def test_swedish_first_with_participants_and_contact(self, app, applicant, coordinator):
        p = apply_new(applicant, name="synlig-kommun", municipality_code="1480")
        call("vgsamverkan_participation_approve", coordinator, id=p["id"])
        page = app.get("/samverkan")
        assert page.status_code == 200
        assert '<html lang="sv"' in page.body or 'lang="sv"' in page.body
        assert "Regional samverkan för öppna data i Västra Götaland" in page.body
        assert "Prislista" in page.body and "Synlig-Kommun" in page.body
        assert "Göteborg" in page.body
        assert "samordnare@example.org" in page.body and "010-000 00 00" in page.body

    def test_english_available(self, app):
        page = app.get("/en/samverkan")
        assert "Regional collaboration for open data in Västra Götaland" in page.body
        assert "Price list" in page.body

    def test_core_pages_answer_without_solr(self, app, applicant, coordinator):
        p = apply_new(applicant, name="karnsidor")
        call("vgsamverkan_participation_approve", coordinator, id=p["id"])
        admin = factories.Sysadmin()
        for url in ("/", "/dataset/", "/organization/", "/organization/karnsidor", "/group/"):
            assert app.get(url).status_code == 200, url
        # datasets can be created, shown and found (search is served from PostgreSQL)
        dataset = factories.Dataset(owner_org=model.Group.get("karnsidor").id)
        assert app.get(f"/dataset/{dataset['name']}").status_code == 200
        found = app.get("/dataset/", query_string={"q": dataset["title"]})
        assert found.status_code == 200 and dataset["name"] in found.body
        org_page = app.get("/organization/karnsidor")
        assert dataset["name"] in org_page.body
        admin_page = app.get("/ckan-admin/", extra_environ=as_user(admin))
        assert "/ckan-admin/samverkan" in admin_page.body


class TestApplyForm:
    def test_anonymous_is_sent_to_log_in(self, app):
        response = app.get("/samverkan/deltagande/ansok", follow_redirects=False)
        assert response.status_code == 302
        assert "/user/login" in response.headers["Location"]

    def test_form_has_labels_for_every_field(self, app, applicant):
        page = app.get("/samverkan/deltagande/ansok", extra_environ=as_user(applicant)).body
        for name in ("organization_title", "organization_name", "org_type", "municipality_code",
                     "org_number", "contact_name", "contact_email", "contact_phone",
                     "invoice_reference", "motivation"):
            assert f'<label class="form-label" for="field-{name}">' in page, name
            assert f'id="field-{name}"' in page

    def test_apply_through_the_form(self, app, applicant):
        url = "/samverkan/deltagande/ansok"
        data = apply_form(_csrf_token=token(app, url, applicant))
        response = app.post(url, data=data, extra_environ=as_user(applicant), follow_redirects=False)
        assert response.status_code == 302
        p = model.Session.query(Participation).one()
        assert response.headers["Location"].endswith(f"/samverkan/deltagande/{p.id}")
        assert (p.organization_name, p.state, p.language) == ("formularkommunen", "pending", "sv")
        page = app.get(f"/samverkan/deltagande/{p.id}", extra_environ=as_user(applicant))
        assert "väntar på beslut" in page.body and "Formulärkommunen" in page.body

    def test_errors_are_tied_to_their_fields_and_nothing_is_written(self, app, applicant):
        url = "/samverkan/deltagande/ansok"
        data = apply_form(org_number="212000-1356", contact_email="", _csrf_token=token(app, url, applicant))
        page = app.post(url, data=data, extra_environ=as_user(applicant))
        assert page.status_code == 200
        assert 'id="org_number-error"' in page.body
        assert 'aria-describedby="org_number-help org_number-error"' in page.body
        assert 'aria-invalid="true"' in page.body
        assert "kontrollsiffran stämmer inte" in page.body
        assert 'id="error-summary"' in page.body
        # what the user typed is kept
        assert 'value="Formulärkommunen"' in page.body
        assert model.Session.query(Participation).count() == 0

    def test_post_without_csrf_token_is_refused(self, app, applicant):
        response = app.post("/samverkan/deltagande/ansok", data=apply_form(),
                            extra_environ=as_user(applicant))
        assert response.status_code == 400
        assert model.Session.query(Participation).count() == 0

    def test_csrf_holds_after_an_anonymous_visit(self, app, applicant, coordinator):
        """CKAN 2.12.0 exempts a view from CSRF for good once an anonymous request has
        reached it; our forms must still refuse a post without a token."""
        p = apply_new(factories.User())
        app.get("/samverkan/deltagande/ansok")  # anonymous
        app.post(f"/samverkan/deltagande/{p['id']}/approve", data={})  # anonymous
        app.post(f"/samverkan/participation/{p['id']}/kommentar", data={"text": "x"})
        assert app.post("/samverkan/deltagande/ansok", data=apply_form(),
                        extra_environ=as_user(applicant)).status_code == 400
        assert app.post(f"/samverkan/deltagande/{p['id']}/approve", data={},
                        extra_environ=as_user(coordinator)).status_code == 400
        assert app.post(f"/samverkan/participation/{p['id']}/kommentar", data={"text": "x"},
                        extra_environ=as_user(coordinator)).status_code == 400
        model.Session.expire_all()
        assert model.Session.get(Participation, p["id"]).state == "pending"
        assert model.Session.query(Participation).count() == 1

    def test_existing_organisation_choice_for_its_admin(self, app):
        admin = factories.User()
        org = org_with_admin(admin)
        page = app.get("/samverkan/deltagande/ansok", extra_environ=as_user(admin)).body
        assert f'<option value="{org["id"]}"' in page
        url = "/samverkan/deltagande/ansok"
        data = application_data(organization_id=org["id"], org_type="kommunalt_bolag")
        data.update({"for": "existing", "_csrf_token": token(app, url, admin)})
        app.post(url, data=data, extra_environ=as_user(admin))
        assert model.Session.query(Participation).one().organization_id == org["id"]


class TestApplicationPage:
    def test_only_parties_see_it(self, app, applicant, coordinator):
        p = apply_new(applicant)
        url = f"/samverkan/deltagande/{p['id']}"
        assert app.get(url, follow_redirects=False).status_code == 302
        assert app.get(url, extra_environ=as_user(applicant)).status_code == 200
        assert app.get(url, extra_environ=as_user(coordinator)).status_code == 200
        assert app.get(url, extra_environ=as_user(factories.User())).status_code == 403
        assert app.get("/samverkan/deltagande/finns-inte", extra_environ=as_user(coordinator)).status_code == 404

    def test_user_text_is_escaped(self, app, applicant):
        p = apply_new(applicant, motivation="<script>alert('x')</script>")
        call("vgsamverkan_comment_create", applicant, object_type="participation", object_id=p["id"],
             text="<img src=x onerror=alert(1)>")
        body = app.get(f"/samverkan/deltagande/{p['id']}", extra_environ=as_user(applicant)).body
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;" in body

    def test_decisions_are_offered_to_whom_may_make_them(self, app, applicant, coordinator):
        p = apply_new(applicant)
        url = f"/samverkan/deltagande/{p['id']}"
        as_applicant = app.get(url, extra_environ=as_user(applicant)).body
        assert "/withdraw" in as_applicant and "/approve" not in as_applicant
        as_coordinator = app.get(url, extra_environ=as_user(coordinator)).body
        assert "/approve" in as_coordinator and "/reject" in as_coordinator and "/withdraw" not in as_coordinator

    def test_comment_and_withdraw_through_the_page(self, app, applicant):
        p = apply_new(applicant)
        url = f"/samverkan/deltagande/{p['id']}"
        app.post(f"/samverkan/participation/{p['id']}/kommentar",
                 data={"text": "En fråga", "_csrf_token": token(app, url, applicant)},
                 extra_environ=as_user(applicant))
        app.post(f"{url}/withdraw", data={"comment": "Vi väntar", "_csrf_token": token(app, url, applicant)},
                 extra_environ=as_user(applicant))
        body = app.get(url, extra_environ=as_user(applicant)).body
        assert "En fråga" in body and "återkallad" in body and "Vi väntar" in body

    def test_refused_decision_is_explained(self, app, applicant, coordinator):
        p = apply_new(applicant)
        url = f"/samverkan/deltagande/{p['id']}"
        page = app.post(f"{url}/reject", data={"reason": "", "_csrf_token": token(app, url, coordinator)},
                        extra_environ=as_user(coordinator))
        assert "Skäl: Värde saknas" in page.body or "Skäl: Missing value" in page.body
        model.Session.expire_all()
        assert model.Session.get(Participation, p["id"]).state == "pending"


class TestCoordinatorQueue:
    def test_only_coordinators(self, app, applicant):
        assert app.get("/ckan-admin/samverkan", follow_redirects=False).status_code == 302
        assert app.get("/ckan-admin/samverkan", extra_environ=as_user(applicant)).status_code == 403

    def test_queue_lists_pending_with_age_and_decides(self, app, applicant, coordinator):
        p = apply_new(applicant, name="kokommunen")
        other = apply_new(factories.User(), name="andra-kommunen")
        queue_url = "/ckan-admin/samverkan"
        page = app.get(queue_url, extra_environ=as_user(coordinator))
        assert page.status_code == 200
        assert "Kokommunen" in page.body and "Andra-Kommunen" in page.body
        assert 'id="vgs-waiting">2<' in page.body
        response = app.post(
            f"/samverkan/deltagande/{p['id']}/approve",
            data={"comment": "Välkomna", "next": queue_url, "confirmed": "yes",  # asked first (issue 39)
                  "_csrf_token": token(app, queue_url, coordinator)},
            extra_environ=as_user(coordinator), follow_redirects=False,
        )
        assert response.headers["Location"].endswith(queue_url)
        app.post(
            f"/samverkan/deltagande/{other['id']}/reject",
            data={"reason": "Dubblett", "next": queue_url, "_csrf_token": token(app, queue_url, coordinator)},
            extra_environ=as_user(coordinator),
        )
        model.Session.expire_all()
        assert model.Session.get(Participation, p["id"]).state == "approved"
        assert model.Session.get(Participation, other["id"]).state == "rejected"
        assert model.Group.get("kokommunen") is not None
        page = app.get(queue_url, extra_environ=as_user(coordinator))
        assert "Kokommunen" not in page.body
        approved = app.get(queue_url + "?state=approved", extra_environ=as_user(coordinator))
        assert "Kokommunen" in approved.body

    def test_open_redirect_is_not_followed(self, app, applicant, coordinator):
        p = apply_new(applicant)
        url = f"/samverkan/deltagande/{p['id']}"
        response = app.post(f"{url}/approve",
                            data={"next": "https://evil.example/", "confirmed": "yes",
                                  "_csrf_token": token(app, url, coordinator)},
                            extra_environ=as_user(coordinator), follow_redirects=False)
        assert "evil.example" not in response.headers["Location"]

    @pytest.mark.parametrize("next_url", ["/samverkan\r\nSet-Cookie: x=1", "/\\evil.example", "/a b",
                                          "//evil.example/", "/x\u2028y", "/x\ty"])
    def test_a_next_that_is_no_same_site_path_goes_to_the_pages_own_target(self, app, applicant, coordinator,
                                                                          next_url):
        """Issue 36: a line break in ``next`` was a 500 after the decision was saved."""
        p = apply_new(applicant)
        url = f"/samverkan/deltagande/{p['id']}"
        response = app.post(f"{url}/approve", data={"next": next_url, "confirmed": "yes",
                                                    "_csrf_token": token(app, url, coordinator)},
                            extra_environ=as_user(coordinator), follow_redirects=False)
        assert response.status_code == 302, response.status_code
        assert response.headers["Location"].endswith(url)
        assert not any(c.startswith("x=") for c in response.headers.getlist("Set-Cookie"))
        model.Session.expire_all()
        assert model.Session.get(Participation, p["id"]).state == "approved"


def test_ckans_log_in_goes_only_to_a_path_of_this_site(app):
    """Issue 36, part 3: CKAN's log-in follows any "local" next/came_from; a line break in
    one was a 500 after the log-in had succeeded. Now the page's own target."""
    from urllib.parse import urlencode

    from tests.browser import _TOKEN, PASSWORD

    user = factories.User()
    obj = model.User.get(user["name"])
    obj.password = PASSWORD
    model.Session.commit()

    def log_in(args: dict):
        client = app.app.test_client()
        csrf = _TOKEN.search(client.get("/user/login").get_data(as_text=True)).group(1)
        return client.post("/user/login?" + urlencode(args), follow_redirects=False,
                           data={"login": user["name"], "password": PASSWORD, "_csrf_token": csrf})

    for name in ("next", "came_from"):
        for target in ("/dashboard\r\nSet-Cookie: x=1", "https://evil.example/", "//evil.example/",
                       "/\\evil.example", "/x\u2028y"):
            response = log_in({name: target})
            assert response.status_code == 302, (name, target, response.status_code)
            location = response.headers["Location"]
            assert "evil" not in location and "Set-Cookie" not in location and "\u2028" not in location, location
            assert not any(c.startswith("x=") for c in response.headers.getlist("Set-Cookie"))
        # a path of this site is still followed
        assert log_in({name: "/samverkan?a=1"}).headers["Location"].endswith("/samverkan?a=1")


class TestAccounts:
    """Issue 19: a new municipal employee can get an account: /samverkan links to the
    registration where the site allows it (make run and test.ini do), and says whom to ask
    where it does not."""

    def test_samverkan_links_to_registration(self, app):
        page = app.get("/samverkan").body
        assert 'id="vgs-register"' in page and 'href="/user/register"' in page
        assert app.get("/user/register").status_code == 200
        assert 'href="/user/register"' in app.get("/user/login").body  # CKAN's own log-in page

    def test_without_self_registration_it_says_whom_to_ask(self, app, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckan.auth.create_user_via_web", False)
        page = app.get("/samverkan").body
        assert 'id="vgs-register"' not in page
        assert "samordnare@example.org" in page and "skapar du inte konto själv" in page


def test_request_pages_name_people_municipalities_and_the_case_reference(app, coordinator):
    """Issue 21: "Full Name (user)", "Lerum (1441)" and the receipt's case reference on the
    request's page."""
    from ckanext.vgsamverkan.domain import objects

    applicant = factories.User(fullname="Lena Lerum")
    p = apply_new(applicant, org_type="kommun", municipality_code="1441")
    page = app.get(f"/samverkan/deltagande/{p['id']}", extra_environ=as_user(coordinator)).body
    assert "Lerum (1441)" in page
    assert f"Lena Lerum ({applicant['name']})" in page
    assert f'id="vgs-reference">{objects.reference("participation", p["id"])}<' in page


def test_the_application_form_shows_every_error_at_once_in_form_order(app, applicant):
    """Issue 21: before, an empty name, a bad organisationsnummer and a missing municipality
    came back over three submits (schema, then the rules, then the conflicts)."""
    from tests.factories import apply_new

    apply_new(factories.User(), org_type="kommun", municipality_code="1441")  # Lerum is taken
    url = "/samverkan/deltagande/ansok"
    data = apply_form(_csrf_token=token(app, url, applicant), org_number="212000-0000", municipality_code="1441")
    data["organization_title"] = ""
    page = app.post(url, data=data, extra_environ=as_user(applicant)).body
    for field in ("organization_title", "org_number", "municipality_code"):
        assert f'id="{field}-error"' in page, field
    summary = page[page.index('id="error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    order = [summary.index(f"#field-{f}") for f in ("organization_title", "municipality_code", "org_number")]
    assert order == sorted(order)
    assert 'value="Vi vill publicera öppna data."' in page or "Vi vill publicera öppna data.</textarea>" in page
    assert model.Session.query(Participation).count() == 1
