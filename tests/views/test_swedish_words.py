"""English words on Swedish pages (issue 39), each found in the browser review: the rights'
history said "Reminder sent: the rights expire on …" (written by the daily job in its own
language), the population page "Källa: SCB (shipped with ckanext-vgsamverkan)", and CKAN's
own words ("Username or Email", the Markdown hint, a dataset's state "active")."""
from __future__ import annotations

import datetime as dt

import pytest

from ckan.tests import factories

from ckanext.vgsamverkan import expiry
from tests.browser import as_user
from tests.factories import call, participant_org, request_rights

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.mark.ckan_config("ckanext.vgsamverkan.expiry_reminder_days", "14")
def test_the_reminder_in_the_history_is_in_the_readers_language(app, coordinator):
    admin, editor = factories.User(), factories.User()
    org = participant_org(admin, coordinator)
    right = request_rights(editor, org)
    expires = (dt.date.today() + dt.timedelta(days=5)).isoformat()
    call("vgsamverkan_publisher_approve", coordinator, id=right["id"], expires=expires)
    expiry.run()
    url = f"/samverkan/behorighet/{right['id']}"
    swedish = app.get(url, extra_environ=as_user(editor)).body
    english = app.get(f"/en{url}", extra_environ=as_user(editor)).body
    assert "Reminder sent" not in swedish
    assert f"Behörigheten upphör {expires}" in swedish and f"The rights expire on {expires}" in english


def test_the_shipped_populations_source_in_swedish(app, coordinator):
    page = app.get("/ckan-admin/samverkan/befolkning?year=2023", extra_environ=as_user(coordinator)).body
    assert "shipped with" not in page and "SCB (levererad med ckanext-vgsamverkan)" in page


def test_ckans_own_words_on_the_log_in_page_and_the_dataset_form(app):
    login = app.get("/user/login").body
    assert "Användarnamn eller e-postadress" in login and "Username or Email" not in login
    user = factories.User()
    factories.Organization(users=[{"name": user["name"], "capacity": "admin"}])
    form = app.get("/dataset/new", extra_environ=as_user(user)).body
    assert "Markdown-formatering" in form and "You can use" not in form


def test_a_refused_population_file_is_named_by_its_label(app, coordinator):
    """The summary said "file: Rad 1 …" (the field's name, not its label)."""
    import io

    from tests.browser import token

    url = "/ckan-admin/samverkan/befolkning"
    page = app.post(f"{url}/import", extra_environ=as_user(coordinator), content_type="multipart/form-data",
                    data={"_csrf_token": token(app, url, coordinator), "step": "preview", "year": "2025",
                          "source": "SCB", "file": (io.BytesIO(b"Kommun;Yta\n1480 G;447\n"), "yta.csv")}).body
    summary = page[page.index('id="error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    assert "Fil: Rad 1" in summary and "file:" not in summary


def test_ckans_error_page_in_the_pages_language(app, coordinator):
    """CKAN's error page said "404 Not Found" and Werkzeug's English text on a Swedish page;
    a page's own refusal keeps its words."""
    missing = app.get("/inget-har")
    assert missing.status_code == 404
    assert "404 Hittades inte" in missing.body and "Det finns ingen sida på den här adressen" in missing.body
    assert "Not Found" not in missing.body and "requested URL" not in missing.body
    english = app.get("/en/inget-har").body
    assert "404 Not found" in english and "There is no page at this address" in english
    refused = app.get("/samverkan/deltagande/finns-inte", extra_environ=as_user(coordinator))
    assert refused.status_code == 404 and "Ansökan finns inte" in refused.body


def test_an_unknown_kind_in_the_workplaces_filter_shows_every_kind_and_says_so(app, coordinator):
    """``?kind=bogus`` showed "Alla" in the filter and no section at all (issue 39)."""
    page = app.get("/ckan-admin/samverkan?kind=bogus", extra_environ=as_user(coordinator))
    assert page.status_code == 200
    assert "Det finns inget slag av ärende “bogus”: alla slag visas." in page.body
    assert "Begäranden om anslutning" in page.body and "Ansökningar om deltagande" in page.body


def test_a_datasets_and_a_resources_page_in_swedish(app):
    """CKAN 2.11's follow button said "Follow" in English, and a resource's page listed its
    fields by their names in the code ("Has views False", "Package id", "State active")."""
    user = factories.User()
    org = factories.Organization(users=[{"name": user["name"], "capacity": "admin"}])
    ds = factories.Dataset(owner_org=org["id"])
    res = factories.Resource(package_id=ds["id"], url="https://example.org/a.csv", format="CSV")
    page = app.get(f"/dataset/{ds['name']}", extra_environ=as_user(user)).body
    assert "Följ" in page and "> Follow<" not in page
    resource = app.get(f"/dataset/{ds['name']}/resource/{res['id']}", extra_environ=as_user(user)).body
    facts = resource.split('id="vgs-resource-facts"')[1].split("</table>")[0]
    assert "Mer information" not in facts and "Skapad" in facts
    for word in ("Has views", "Package id", "Position", "active"):
        assert word not in facts, word
