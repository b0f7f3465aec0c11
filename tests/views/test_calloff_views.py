"""The pages of expert call-offs, through CKAN's app: the form, the page with its time
log and hours, the time-logging form for the expert and the coordinator, the queue."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
from ckan.tests import factories

from ckanext.vgsamverkan.model import Calloff, CalloffTime
from tests.browser import as_user, token
from tests.factories import call, participant_org, requested_on

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()



@pytest.fixture
def admin():
    return factories.User()


@pytest.fixture
def expert():
    return factories.User()


@pytest.fixture
def org(coordinator, admin):
    return participant_org(admin, coordinator, effective_from="2025-01-01")


def _create(admin, org):
    created = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="metadata",
                   description="Beskriv <våra> data", estimated_hours="16", period_start="2026-10-01",
                   period_end="2026-12-31", contact="Dora Data")
    requested_on(created["id"], "2025-01-01")  # time is logged on days long past
    return created


def test_form_and_page(app, org, admin):
    url = "/samverkan/avrop/ny"
    page = app.get(f"{url}?organization_id={org['name']}", extra_environ=as_user(admin)).body
    assert f'<option value="{org["name"]}" selected>' in page
    assert '<option value="metadata">Metadata och DCAT-AP-SE</option>' in page
    for field in ("competence_area", "description", "estimated_hours", "period_start", "period_end", "contact"):
        assert f'for="field-{field}"' in page
    bad = app.post(url, data={"organization_id": org["name"], "competence_area": "metadata", "description": "D",
                              "estimated_hours": "8", "period_start": "2026-12-01", "period_end": "2026-11-01",
                              "_csrf_token": token(app, url, admin)}, extra_environ=as_user(admin))
    assert 'id="period_end-error"' in bad.body and 'aria-invalid="true"' in bad.body
    assert model.Session.query(Calloff).count() == 0
    response = app.post(url, data={"organization_id": org["name"], "competence_area": "metadata",
                                   "description": "Beskriv <våra> data", "estimated_hours": "16",
                                   "period_start": "2026-10-01", "period_end": "2026-12-31",
                                   "_csrf_token": token(app, url, admin)},
                        extra_environ=as_user(admin), follow_redirects=False)
    c = model.Session.query(Calloff).one()
    assert response.headers["Location"].endswith(f"/samverkan/avrop/{c.id}")
    body = app.get(f"/samverkan/avrop/{c.id}", extra_environ=as_user(admin)).body
    assert "Beskriv &lt;våra&gt; data" in body and "Metadata och DCAT-AP-SE" in body
    assert f"/samverkan/avrop/{c.id}/cancel" in body and f"/samverkan/avrop/{c.id}/assign" not in body


def test_assign_log_time_and_see_the_amount(app, org, admin, coordinator, expert):
    c = _create(admin, org)
    url = f"/samverkan/avrop/{c['id']}"
    page = app.get(url, extra_environ=as_user(coordinator)).body
    assert f"{url}/assign" in page
    app.post(f"{url}/assign", data={"expert_name": "Eva Expert", "expert_user_id": expert["name"],
                                    "hourly_rate": "950", "planned_hours": "12",
                                    "_csrf_token": token(app, url, coordinator)}, extra_environ=as_user(coordinator))
    assert call("vgsamverkan_calloff_show", coordinator, id=c["id"])["state"] == "assigned"
    page = app.get(url, extra_environ=as_user(expert)).body
    assert 'id="vgs-log-time"' in page and f"{url}/deliver" not in page
    app.post(f"{url}/log_time", data={"date": YESTERDAY, "hours": "2,5", "note": "Workshop <ett>",
                                      "_csrf_token": token(app, url, expert)}, extra_environ=as_user(expert))
    # a refusal is a message on the page, and nothing is written
    response = app.post(f"{url}/log_time", data={"date": YESTERDAY, "hours": "1.1",
                                                 "_csrf_token": token(app, url, expert)},
                        extra_environ=as_user(expert))
    assert "kvartstimmar" in response.body or "quarter hours" in response.body
    assert 'id="field-log-hours" name="hours" value="1.1"' in response.body  # kept, with its error
    assert 'id="log-hours-error"' in response.body
    assert model.Session.query(CalloffTime).count() == 1
    page = app.get(url, extra_environ=as_user(admin)).body
    assert 'id="vgs-logged-hours">2,5<' in page and 'id="vgs-planned-hours">12<' in page
    assert 'id="vgs-amount">2\u00a0375,00 kr<' in page
    assert "Workshop &lt;ett&gt;" in page and 'id="vgs-log-time"' not in page
    # a binding act: asked once more, naming the hours and the amount; nothing changes yet
    asked = app.post(f"{url}/deliver", data={"_csrf_token": token(app, url, coordinator)},
                     extra_environ=as_user(coordinator)).body
    assert "2,5 timmar" in asked and "2\u00a0375,00 kr exkl. moms" in asked
    assert call("vgsamverkan_calloff_show", coordinator, id=c["id"])["state"] == "in_progress"
    app.post(f"{url}/deliver", data={"_csrf_token": token(app, url, coordinator), "confirmed": "yes"},
             extra_environ=as_user(coordinator))
    assert call("vgsamverkan_calloff_show", coordinator, id=c["id"])["state"] == "delivered"
    english = app.get(f"/en{url}", extra_environ=as_user(admin)).body
    assert "SEK 2,375.00" in english and "Metadata and DCAT-AP-SE" in english


def test_comments_and_who_sees_it(app, org, admin, coordinator, expert):
    c = _create(admin, org)
    url = f"/samverkan/avrop/{c['id']}"
    assert f"/samverkan/calloff/{c['id']}/kommentar" in app.get(url, extra_environ=as_user(admin)).body
    app.post(f"/samverkan/calloff/{c['id']}/kommentar",
             data={"text": "Kan vi börja i november?", "_csrf_token": token(app, url, admin)},
             extra_environ=as_user(admin))
    assert [x["text"] for x in call("vgsamverkan_comment_list", coordinator, object_type="calloff",
                                    object_id=c["id"])["results"]] == ["Kan vi börja i november?"]
    assert app.get(url, extra_environ=as_user(expert)).status_code == 403  # not yet assigned
    assert app.get(url, follow_redirects=False).status_code == 302
    assert app.get("/samverkan/avrop/finns-inte", extra_environ=as_user(admin)).status_code == 404


def test_queue_lists_new_and_running_with_hours(app, org, admin, coordinator, expert):
    new = _create(admin, org)
    running = _create(admin, org)
    call("vgsamverkan_calloff_assign", coordinator, id=running["id"], expert_name="Eva Expert",
         expert_user_id=expert["id"], fixed_price="12000", planned_hours="10")
    call("vgsamverkan_calloff_log_time", expert, id=running["id"], date=YESTERDAY, hours="3.75")
    queue = app.get("/ckan-admin/samverkan", extra_environ=as_user(coordinator)).body
    assert 'id="vgs-calloff-queue"' in queue
    assert f"/samverkan/avrop/{new['id']}" in queue and f"/samverkan/avrop/{running['id']}" in queue
    assert "3,75 / 10" in queue
    org_page = app.get(f"/organization/{org['name']}", extra_environ=as_user(admin)).body
    assert f"/samverkan/avrop/ny?organization_id={org['name']}" in org_page
    mine = app.get("/samverkan/mina-arenden", extra_environ=as_user(expert)).body
    assert f"/samverkan/avrop/{running['id']}" in mine and f"/samverkan/avrop/{new['id']}" not in mine
    public = app.get("/samverkan").body
    assert 'id="vgs-competence-areas"' in public and "Juridik och licensiering" in public


def test_the_form_refuses_another_organisations_name_with_a_space(app, org):
    """The outside security test's reproduction through the form: a stranger posts the
    participant's name with a trailing space (or other white space around it)."""
    stranger = factories.User()
    url = "/samverkan/avrop/ny"
    for spelled in (f"{org['name']} ", f" {org['id']}", f"{org['name']}\t"):
        response = app.post(url, data={"organization_id": spelled, "competence_area": "metadata",
                                       "description": "D", "estimated_hours": "8", "period_start": "2026-10-01",
                                       "period_end": "2026-12-31", "_csrf_token": token(app, url, stranger)},
                            extra_environ=as_user(stranger))
        # the form again, the refusal in its error summary
        assert 'id="error-summary"' in response.body, spelled
        assert "Organisation: Bara en administratör för organisationen får avropa stöd" in response.body, spelled
    assert model.Session.query(Calloff).count() == 0


def test_a_fixed_price_asks_the_expert_for_no_time(app, org, admin, coordinator, expert):
    """Issue 39: on a fixed-price call-off the expert was asked to "Rapportera tid". The
    page says that the coordinator records the delivery and offers to tell the
    coordinator that the work is done (a comment); hours may still be recorded, not
    charged, without being asked for. An hourly call-off still asks for time."""
    c = _create(admin, org)
    url = f"/samverkan/avrop/{c['id']}"
    call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="Eva Expert",
         expert_user_id=expert["id"], fixed_price="12000", planned_hours="8")
    page = app.get(url, extra_environ=as_user(expert)).body
    assert "Rapportera tid" not in page
    assert 'id="vgs-fixed-done"' in page and "Samordnaren registrerar leveransen" in page
    assert '<details id="vgs-log-time-optional"' in page and "debiteras inte" in page
    waiting = app.get("/samverkan/vantar", extra_environ=as_user(expert)).body
    assert "Berätta för samordnaren när arbetet är klart" in waiting and "Rapportera din tid" not in waiting
    app.post(f"/samverkan/calloff/{c['id']}/kommentar",
             data={"text": "Arbetet är klart.", "_csrf_token": token(app, url, expert)},
             extra_environ=as_user(expert))
    comments = call("vgsamverkan_comment_list", coordinator, object_type="calloff", object_id=c["id"])["results"]
    assert [(x["text"], x["author_id"]) for x in comments] == [("Arbetet är klart.", expert["id"])]
    assert call("vgsamverkan_calloff_show", coordinator, id=c["id"])["state"] == "assigned"  # the coordinator's move
    page = app.get(url, extra_environ=as_user(coordinator)).body
    assert f"{url}/deliver" in page and 'id="vgs-fixed-done"' not in page

    hourly = _create(admin, org)
    call("vgsamverkan_calloff_assign", coordinator, id=hourly["id"], expert_name="Eva Expert",
         expert_user_id=expert["id"], hourly_rate="950", planned_hours="8")
    page = app.get(f"/samverkan/avrop/{hourly['id']}", extra_environ=as_user(expert)).body
    assert "Rapportera tid" in page and 'id="vgs-fixed-done"' not in page
