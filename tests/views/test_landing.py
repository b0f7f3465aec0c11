"""Landing where the next step is (issue 39, SPEC 2026-12-07): a new applicant and an
editor whose publishing right ended in ten days both landed on "Mina dataset" ("Du har
inte skapat något dataset"), with nothing about the application or the right. Now: what
waits for the person (tests/logic/test_waiting.py); a coordinator's workplace; without an
organisation, how to take part and their own applications; else their organisation's
page; and, on every page, a warning while a publishing right is within its reminder
period."""
from __future__ import annotations

import re

import pytest

import ckan.model as model
from ckan.tests import factories

from tests.browser import PASSWORD, as_user
from tests.factories import apply_new, call, days_from_today, participant_org, request_rights

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def log_in(app, user) -> tuple[str, str]:
    """Log in through CKAN's own form; where it lands, and that page."""
    client = app.app.test_client()
    obj = model.User.get(user["name"])
    obj.password = PASSWORD
    model.Session.commit()
    page = client.get("/user/login").get_data(as_text=True)
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    response = client.post("/user/login", data={"login": user["name"], "password": PASSWORD, "_csrf_token": csrf},
                           follow_redirects=True)
    return response.request.path, response.get_data(as_text=True)


def test_someone_in_no_organisation_lands_on_how_to_take_part_with_their_applications(app, coordinator):
    applicant = factories.User()
    p = apply_new(applicant, name="ansokande-kommun")
    path, page = log_in(app, applicant)
    assert path == "/samverkan/kom-igang"
    assert 'id="vgs-start-apply-link"' in page and 'href="/samverkan/deltagande/ansok"' in page
    mine = page.split('id="vgs-start-mine-section"')[1]
    assert "Ansokande-Kommun" in mine and f"/samverkan/deltagande/{p['id']}" in mine
    assert "DEL-" in mine  # the case reference, as the receipt names it


def test_the_getting_started_page_is_for_those_logged_in(app):
    response = app.get("/samverkan/kom-igang", follow_redirects=False)
    assert response.status_code == 302 and "/user/login" in response.headers["Location"]


def test_a_member_of_one_organisation_lands_on_its_page(app, coordinator):
    admin, editor = factories.User(), factories.User()
    org = participant_org(admin, coordinator)
    call("vgsamverkan_publisher_approve", coordinator, id=request_rights(editor, org)["id"])
    path, _page = log_in(app, editor)
    assert path == f"/organization/{org['name']}"


def test_a_member_of_several_lands_on_the_list_of_them(app, coordinator):
    admin = factories.User()
    participant_org(admin, coordinator)
    participant_org(admin, coordinator)
    path, _page = log_in(app, admin)
    assert path == "/dashboard/organizations"


def test_a_coordinator_with_nothing_waiting_lands_in_the_workplace(app, coordinator):
    path, _page = log_in(app, {"name": "samordnare"})
    assert path == "/ckan-admin/samverkan"


@pytest.mark.ckan_config("ckanext.vgsamverkan.expiry_reminder_days", "14")
def test_a_right_ending_within_the_reminder_period_is_said_on_every_page(app, coordinator):
    admin, editor, later = factories.User(), factories.User(), factories.User()
    org = participant_org(admin, coordinator)
    right = request_rights(editor, org)
    call("vgsamverkan_publisher_approve", coordinator, id=right["id"], expires=days_from_today(10))
    call("vgsamverkan_publisher_approve", coordinator, id=request_rights(later, org)["id"], expires=days_from_today(30))
    path, page = log_in(app, editor)
    assert path == f"/organization/{org['name']}"
    banner = page.split("vgs-rights-ending")[1].split("</div>")[0]
    assert days_from_today(10) in banner and "10 dagar" in banner and org["title"] in banner
    assert f"/samverkan/behorighet/{right['id']}" in banner
    assert "vgs-rights-ending" in app.get("/dataset/", extra_environ=as_user(editor)).body  # every page
    assert "vgs-rights-ending" not in app.get("/dataset/", extra_environ=as_user(later)).body  # 30 days away
    assert "vgs-rights-ending" not in app.get("/dataset/", extra_environ=as_user(admin)).body  # not theirs
    assert "vgs-rights-ending" not in app.get("/dataset/").body


@pytest.mark.parametrize("path", ["/samverkan/vantar", "/samverkan/mina-arenden?x=1"])
def test_the_log_in_comes_back_to_the_page_as_it_was_asked(app, path):
    """The page to come back to ended in a stray "?" when it had no query (issue 39)."""
    from urllib.parse import parse_qs, urlsplit

    location = app.get(path, follow_redirects=False).headers["Location"]
    assert parse_qs(urlsplit(location).query)["came_from"] == [path], location


def test_an_admin_whose_organisation_applied_is_told_on_its_page(app, coordinator):
    """bertil-bolag landed on his organisation's page, where nothing said that its
    application waited (the newcomer review of issue 39)."""
    admin = factories.User()
    org = factories.Organization(users=[{"name": admin["name"], "capacity": "admin"}])
    p = call("vgsamverkan_participation_apply", admin, organization_id=org["id"], org_type="kommun",
             municipality_code="1401", org_number="212000-1355", contact_name="A", contact_email="a@example.org")
    path, page = log_in(app, admin)
    assert path == f"/organization/{org['name']}"
    notice = page.split('id="vgs-org-pending"')[1].split("</div>")[0]
    assert "väntar på den regionala samordnarens beslut" in notice and f"/samverkan/deltagande/{p['id']}" in notice
    assert 'id="vgs-org-pending"' not in app.get(f"/organization/{org['name']}").body  # not for others


def test_getting_started_names_the_organisations_of_a_member(app, coordinator):
    admin = factories.User()
    org = participant_org(admin, coordinator)
    page = app.get("/samverkan/kom-igang", extra_environ=as_user(admin)).body
    assert "Du hör inte till någon organisation" not in page
    assert f'href="/organization/{org["name"]}"' in page.split('id="vgs-start-organisations"')[1]


def test_the_queues_approval_asks_about_today(app, coordinator):
    """The workplace's approval has no date field: its dialog said "from the day you give"."""
    apply_new(factories.User(), name="dialog-kommun")
    page = app.get("/ckan-admin/samverkan", extra_environ=as_user(coordinator)).body
    form = page[page.index('/approve"'):]
    form = form[:form.index(">")]
    assert f"från {days_from_today(0)}" in form and "den dag du anger" not in form


def test_the_english_front_page_has_english_words(app):
    page = app.get("/en/").body
    assert "Open data from municipalities" in page and "Collaboration" in page


def test_after_a_decision_the_workplace_comes_back_where_it_was(app, coordinator):
    """On a phone the coordinator lost her place: "Sparat." and the workplace's top, its
    filters gone (the newcomer review of issue 39)."""
    import html

    from tests.browser import token

    p = apply_new(factories.User(), name="platsen-kommun", org_type="kommun")
    queue = "/ckan-admin/samverkan?org_type=kommun"
    page = app.get(queue, extra_environ=as_user(coordinator)).body
    form = page[page.index(f"/samverkan/deltagande/{p['id']}/approve"):]
    back = html.unescape(form[form.index('name="next" value="') + 19:].split('"')[0])
    assert back.startswith("/ckan-admin/samverkan?") and "org_type=kommun" in back
    assert back.endswith("#vgs-section-participation")
    done = app.post(f"/samverkan/deltagande/{p['id']}/approve", extra_environ=as_user(coordinator),
                    data={"next": back, "confirmed": "yes", "_csrf_token": token(app, queue, coordinator)},
                    follow_redirects=False)
    assert done.status_code == 302 and done.headers["Location"].endswith(back.split("?", 1)[1])
