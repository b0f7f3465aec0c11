"""The pages of connection requests, through CKAN's app as logged-in users."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
from ckan.tests import factories

from ckanext.vgsamverkan.model import Connection
from tests.browser import as_user, token
from tests.factories import call, participant_org

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()



@pytest.fixture
def admin():
    return factories.User()


@pytest.fixture
def org(coordinator, admin):
    return participant_org(admin, coordinator)


def test_request_form_and_page(app, org, admin):
    url = "/samverkan/anslutning/ny"
    page = app.get(f"{url}?organization_id={org['name']}", extra_environ=as_user(admin)).body
    assert f'<option value="{org["name"]}" selected>' in page
    for field in ("information_sets", "proposed_solution", "technical_contact", "description"):
        assert f'for="field-{field}"' in page
    empty = app.post(url, data={"organization_id": org["name"], "_csrf_token": token(app, url, admin)},
                     extra_environ=as_user(admin))
    assert 'id="information_sets-error"' in empty.body and model.Session.query(Connection).count() == 0
    response = app.post(url, data={"organization_id": org["name"], "information_sets": "Kartor <WMS>",
                                   "technical_contact": "Karta Kartsson", "_csrf_token": token(app, url, admin)},
                        extra_environ=as_user(admin), follow_redirects=False)
    c = model.Session.query(Connection).one()
    assert response.headers["Location"].endswith(f"/samverkan/anslutning/{c.id}")
    body = app.get(f"/samverkan/anslutning/{c.id}", extra_environ=as_user(admin)).body
    assert "Kartor &lt;WMS&gt;" in body


def test_the_quote_is_shown_clearly_and_accepted_by_the_admin(app, org, admin, coordinator):
    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="A",
             technical_contact="B")
    url = f"/samverkan/anslutning/{c['id']}"
    app.post(f"{url}/investigate", data={"investigator": "Ivar", "_csrf_token": token(app, url, coordinator)},
             extra_environ=as_user(coordinator))
    quote = {"solution": "Skörd", "effort_hours": "24,5", "price": "18500", "valid_until": FUTURE}
    asked = app.post(f"{url}/quote", data={**quote, "_csrf_token": token(app, url, coordinator)},
                     extra_environ=as_user(coordinator)).body  # sending a quote binds: asked first (issue 39)
    assert "18\u00a0500,00 kr exkl. moms" in asked and call("vgsamverkan_connection_show", coordinator,
                                                            id=c["id"])["state"] == "investigating"
    app.post(f"{url}/quote", data={**quote, "confirmed": "yes", "_csrf_token": token(app, url, coordinator)},
             extra_environ=as_user(coordinator))
    page = app.get(url, extra_environ=as_user(admin)).body
    assert 'id="vgs-quote-price">18\u00a0500,00 kr<' in page
    assert 'id="vgs-quote-hours">24,5<' in page and FUTURE in page
    assert f"{url}/accept" in page and f"{url}/decline" in page
    assert f"{url}/accept" not in app.get(url, extra_environ=as_user(coordinator)).body
    english = app.get(f"/en{url}", extra_environ=as_user(admin)).body
    assert "SEK 18,500.00" in english
    # the dialog's text (with JavaScript) names the amount
    assert 'data-vgs-confirm="Ni accepterar offerten: 18\u00a0500,00 kr exkl. moms.' in page
    # without JavaScript the first post is answered by a page that asks, naming the
    # amount; nothing has changed yet
    asked = app.post(f"{url}/accept", data={"_csrf_token": token(app, url, admin)}, extra_environ=as_user(admin))
    assert asked.status_code == 200
    assert 'id="vgs-consequence">Ni accepterar offerten: 18\u00a0500,00 kr exkl. moms.' in asked.body
    assert f'href="{url}" id="vgs-confirm-no"' in asked.body
    assert call("vgsamverkan_connection_show", coordinator, id=c["id"])["state"] == "quoted"
    assert [e["action"] for e in call("vgsamverkan_event_list", coordinator, object_type="connection",
                                      object_id=c["id"])["results"]][-1] == "quote"
    # its "yes" sends the same again, confirmed
    app.post(f"{url}/accept", data={"_csrf_token": token(app, url, admin), "confirmed": "yes"},
             extra_environ=as_user(admin))
    assert call("vgsamverkan_connection_show", coordinator, id=c["id"])["state"] == "accepted"


def test_the_quote_form_keeps_what_was_typed_with_the_errors_by_field(app, org, admin, coordinator):
    """Issue 21: a refused quote comes back with the values typed, each error at its field
    and all of them in the summary, in the form's order; nothing is written."""
    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="A",
             technical_contact="B")
    call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="Ivar")
    url = f"/samverkan/anslutning/{c['id']}"
    page = app.post(f"{url}/quote", data={"solution": "Nattlig skörd av DCAT", "effort_hours": "tjugo",
                                          "price": "18500", "valid_until": "",
                                          "_csrf_token": token(app, url, coordinator)},
                    extra_environ=as_user(coordinator)).body
    assert "Nattlig skörd av DCAT</textarea>" in page
    assert 'id="field-quote-price" name="price" value="18500"' in page
    assert 'id="field-quote-effort_hours" name="effort_hours" value="tjugo"' in page
    assert 'id="quote-effort_hours-error"' in page and 'id="quote-valid_until-error"' in page
    summary = page[page.index('id="error-summary"'):]
    summary = summary[:summary.index("</ul>")]
    assert summary.index("#field-quote-effort_hours") < summary.index("#field-quote-valid_until")
    assert call("vgsamverkan_connection_show", coordinator, id=c["id"])["state"] == "investigating"


def test_only_admins_and_the_coordinator_see_it(app, org, admin, coordinator):
    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="A",
             technical_contact="B")
    url = f"/samverkan/anslutning/{c['id']}"
    assert app.get(url, extra_environ=as_user(coordinator)).status_code == 200
    assert app.get(url, extra_environ=as_user(factories.User())).status_code == 403
    assert app.get(url, follow_redirects=False).status_code == 302


def test_queue_and_organisation_page(app, org, admin, coordinator):
    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="A",
             technical_contact="B")
    queue = app.get("/ckan-admin/samverkan", extra_environ=as_user(coordinator)).body
    assert 'id="vgs-connection-queue"' in queue and f"/samverkan/anslutning/{c['id']}" in queue
    org_page = app.get(f"/organization/{org['name']}", extra_environ=as_user(admin)).body
    assert f"/samverkan/anslutning/ny?organization_id={org['name']}" in org_page
    stranger = app.get(f"/organization/{org['name']}", extra_environ=as_user(factories.User())).body
    assert "/samverkan/anslutning/ny" not in stranger
    mine = app.get("/samverkan/mina-arenden", extra_environ=as_user(admin)).body
    assert f"/samverkan/anslutning/{c['id']}" in mine
