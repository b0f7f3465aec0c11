"""Issue 21 in the pages (CKAN's app, no JavaScript): every binding act is asked about once
more on a page that names its consequence, and nothing changes before "yes"; every
decision form that is refused comes back with the values typed and its errors by field.
The dialog (with JavaScript) is tests/e2e/test_journeys.py."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
from ckan.tests import factories

from ckanext.vgsamverkan.model import FeeAdjustment
from tests.browser import as_user, token
from tests.conftest import kept_with
from tests.factories import apply_new, call, participant_org, request_rights, requested_on

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()



def _quoted(admin, org, coordinator, price: str, sets: str) -> dict:
    """A connection request of ``org``, investigated and quoted at ``price``."""
    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets=sets,
             technical_contact="T")
    call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="Ivar")
    call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="S", effort_hours="2", price=price,
         valid_until=FUTURE)
    return c


@pytest.fixture
def world(coordinator):
    return kept_with(coordinator, ("test_confirm_and_forms.world",), lambda: _world(coordinator))


def _world(coordinator):
    admin = factories.User(fullname="Alva Admin")
    org = participant_org(admin, coordinator, effective_from="2025-01-01")
    publisher = factories.User(fullname="Per Publicist")
    rights = request_rights(publisher, org)
    call("vgsamverkan_publisher_approve", coordinator, id=rights["id"])
    quoted = _quoted(admin, org, coordinator, "18500", "A")
    connected = _quoted(admin, org, coordinator, "900", "C")
    call("vgsamverkan_connection_accept", admin, id=connected["id"])
    call("vgsamverkan_connection_complete", coordinator, id=connected["id"])
    calloff = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="juridik",
                   description="Licenser", estimated_hours="4", period_start="2026-11-01", period_end="2026-12-31")
    requested_on(calloff["id"], "2025-01-01")
    call("vgsamverkan_calloff_assign", coordinator, id=calloff["id"], expert_name="Eva", hourly_rate="1000",
         planned_hours="4")
    call("vgsamverkan_calloff_log_time", coordinator, id=calloff["id"], date=YESTERDAY, hours="1.5")
    fresh = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="juridik",
                 description="Ny", estimated_hours="1", period_start="2026-11-01", period_end="2026-12-31")
    # the acts that bind or charge of issue 39: approve an application, send a quote, mark connected
    pending = apply_new(factories.User(), name="ny-kommun-i-vantan")
    investigating = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="I",
                         technical_contact="T")
    call("vgsamverkan_connection_investigate", coordinator, id=investigating["id"], investigator="Ivar")
    accepted = _quoted(admin, org, coordinator, "6400", "K")
    call("vgsamverkan_connection_accept", admin, id=accepted["id"])
    return {"admin": admin, "org": org, "rights": rights, "fresh_calloff": fresh, "quoted": quoted,
            "connected": connected, "calloff": calloff, "participation": org["participation_id"],
            "pending": pending, "investigating": investigating, "accepted": accepted}


def _state(kind, id_, coordinator):
    return call(f"vgsamverkan_{kind}_show", coordinator, id=id_)["state"]


# (kind, page path, id key in the world, verb, who acts, words the page must name, state after)
BINDING = [
    ("connection", "/samverkan/anslutning/{id}", "quoted", "accept", "admin",
     ["18\u00a0500,00 kr exkl. moms"], "accepted"),
    ("connection", "/samverkan/anslutning/{id}", "quoted", "decline", "admin",
     ["18\u00a0500,00 kr exkl. moms"], "declined"),
    ("connection", "/samverkan/anslutning/{id}", "quoted", "cancel", "coordinator", ["avbryter"], "cancelled"),
    ("connection", "/samverkan/anslutning/{id}", "connected", "disconnect", "coordinator",
     ["avslutar anslutningen"], "disconnected"),
    ("calloff", "/samverkan/avrop/{id}", "calloff", "deliver", "coordinator",
     ["1,5 timmar", "1\u00a0500,00 kr exkl. moms"], "delivered"),
    ("calloff", "/samverkan/avrop/{id}", "fresh_calloff", "cancel", "admin", ["avbryter avropet"], "cancelled"),
    ("publisher", "/samverkan/behorighet/{id}", "rights", "revoke", "coordinator",
     ["Per Publicist ("], "revoked"),
    ("participation", "/samverkan/deltagande/{id}", "participation", "terminate", "coordinator",
     ["med 2099-12-31 som sista dag"], "terminated"),
    ("participation", "/samverkan/deltagande/{id}", "pending", "approve", "coordinator",
     ["Ny-Kommun-I-Vantan", "från 2099-12-31", "skapas", "månadsavgift"], "approved"),
    ("connection", "/samverkan/anslutning/{id}", "investigating", "quote", "coordinator",
     ["7\u00a0300,00 kr exkl. moms", "giltig till 2099-12-31"], "quoted"),
    ("connection", "/samverkan/anslutning/{id}", "accepted", "complete", "coordinator",
     ["6\u00a0400,00 kr exkl. moms", f"avgiftsbeskedet för {dt.date.today():%Y-%m}"], "connected"),
]
# what is typed in each act's form besides a comment
TYPED = {"terminate": {"effective_to": "2099-12-31"}, "approve": {"effective_from": "2099-12-31"},
         "quote": {"solution": "Ett API", "effort_hours": "8", "price": "7300", "valid_until": "2099-12-31"},
         "complete": {"connected_date": dt.date.today().isoformat()}}


@pytest.mark.parametrize("kind,path,key,verb,who,words,after", BINDING,
                         ids=[f"{b[0]}-{b[3]}" for b in BINDING])
def test_a_binding_act_is_asked_about_first(app, world, coordinator, kind, path, key, verb, who, words, after):
    obj_id = world[key] if isinstance(world[key], str) else world[key]["id"]
    actor = coordinator if who == "coordinator" else world["admin"]
    url = path.format(id=obj_id)
    page = app.get(url, extra_environ=as_user(actor)).body
    assert f'action="{url}/{verb}"' in page
    form = page[page.index(f'action="{url}/{verb}"'):]
    assert 'data-vgs-confirm="' in form[:form.index(">")]  # the dialog's text, for JavaScript
    before = _state(kind, obj_id, coordinator)
    typed = {"comment": "Enligt samtal <3>", **TYPED.get(verb, {})}
    asked = app.post(f"{url}/{verb}", data={**typed, "_csrf_token": token(app, url, actor)},
                     extra_environ=as_user(actor))
    assert asked.status_code == 200 and 'id="vgs-consequence"' in asked.body
    consequence = asked.body[asked.body.index('id="vgs-consequence"'):]
    consequence = consequence[:consequence.index("</p>")]
    for word in words:
        assert word in consequence
    # nothing changed; what was typed goes along, escaped, to "yes"
    assert _state(kind, obj_id, coordinator) == before
    assert 'name="comment" value="Enligt samtal &lt;3&gt;"' in asked.body
    assert 'name="confirmed" value="yes"' in asked.body and f'href="{url}" id="vgs-confirm-no"' in asked.body
    app.post(f"{url}/{verb}", data={**typed, "confirmed": "yes", "_csrf_token": token(app, url, actor)},
             extra_environ=as_user(actor))
    assert _state(kind, obj_id, coordinator) == after


def test_no_confirmation_page_for_whoever_may_not_act(app, world, coordinator):
    """The page that asks names the amount: it is shown only to whoever may do the act
    now; anyone else gets the refusal as before (403), never the page."""
    url = f"/samverkan/anslutning/{world['quoted']['id']}"
    stranger = factories.User()
    for user in (stranger, coordinator):  # the coordinator may see it but not accept
        response = app.post(f"{url}/accept", data={"_csrf_token": token(app, "/samverkan", user)},
                            extra_environ=as_user(user))
        assert 'id="vgs-consequence"' not in response.body and "18\u00a0500" not in response.body
        assert response.status_code == 403
    assert _state("connection", world["quoted"]["id"], coordinator) == "quoted"


def test_bulk_decisions_are_asked_about_naming_each_request(app, coordinator):
    first, second = apply_new(factories.User(), name="forsta-bulk"), apply_new(factories.User(), name="andra-bulk")
    queue = "/ckan-admin/samverkan"
    items = [f"participation:{first['id']}", f"participation:{second['id']}"]
    asked = app.post("/ckan-admin/samverkan/beslut", data={"verb": "reject", "text": "Saknar avtal", "items": items,
                                                          "_csrf_token": token(app, queue, coordinator)},
                     extra_environ=as_user(coordinator))
    assert "Ni avslår dessa 2 ärenden" in asked.body and "”Saknar avtal”" in asked.body
    assert "Forsta-Bulk" in asked.body and "Andra-Bulk" in asked.body
    assert all(_state("participation", p["id"], coordinator) == "pending" for p in (first, second))
    app.post("/ckan-admin/samverkan/beslut", data={"verb": "reject", "text": "Saknar avtal", "items": items,
                                                  "confirmed": "yes", "_csrf_token": token(app, queue, coordinator)},
             extra_environ=as_user(coordinator))
    assert all(_state("participation", p["id"], coordinator) == "rejected" for p in (first, second))


# (page path, id key, verb, who, what is typed, the field whose error must show)
FORMS = [
    ("/samverkan/deltagande/{id}", "pending", "approve", {"effective_from": "2026-13-45", "comment": "Välkomna"},
     "effective_from"),
    ("/samverkan/deltagande/{id}", "pending", "reject", {"reason": ""}, "reason"),
    ("/samverkan/behorighet/{id}", "pending_rights", "approve", {"expires": "i morgon", "comment": "Ok"}, "expires"),
    ("/samverkan/anslutning/{id}", "submitted", "investigate", {"investigator": "", "comment": "Börjar"},
     "investigator"),
    ("/samverkan/anslutning/{id}", "accepted", "complete", {"connected_date": "igår", "harvest_url": "ftp://x"},
     "connected_date"),
    ("/samverkan/avrop/{id}", "requested", "assign", {"expert_name": "Eva Expert", "hourly_rate": "mycket",
                                                       "planned_hours": "8"}, "hourly_rate"),
    ("/samverkan/avrop/{id}", "calloff", "correct_time", {"entry_id": "", "change": "-0.1",
                                                           "correction_reason": "Fel dag"}, "change"),
]


@pytest.fixture
def open_requests(coordinator):
    return kept_with(coordinator, ("test_confirm_and_forms.open_requests",),
                      lambda: _open_requests(_world(coordinator), coordinator))


def _open_requests(world, coordinator):
    admin, org = world["admin"], world["org"]
    accepted = _quoted(admin, org, coordinator, "100", "E")
    call("vgsamverkan_connection_accept", admin, id=accepted["id"])
    return dict(world,
                pending=apply_new(factories.User())["id"],
                pending_rights=request_rights(factories.User(), org)["id"],
                submitted=call("vgsamverkan_connection_create", admin, organization_id=org["id"],
                               information_sets="G", technical_contact="H")["id"],
                accepted=accepted["id"],
                requested=call("vgsamverkan_calloff_create", admin, organization_id=org["id"],
                               competence_area="juridik", description="Mer", estimated_hours="2",
                               period_start="2026-11-01", period_end="2026-12-31")["id"])


@pytest.mark.parametrize("path,key,verb,typed,field", FORMS, ids=[f"{f[0].split('/')[2]}-{f[2]}" for f in FORMS])
def test_a_refused_decision_keeps_what_was_typed(app, open_requests, coordinator, path, key, verb, typed, field):
    obj_id = open_requests[key] if isinstance(open_requests[key], str) else open_requests[key]["id"]
    url = path.format(id=obj_id)
    kind = {"deltagande": "participation", "behorighet": "publisher", "anslutning": "connection",
            "avrop": "calloff"}[path.split("/")[2]]
    before = call("vgsamverkan_event_list", coordinator, object_type=kind, object_id=obj_id)["count"]
    page = app.post(f"{url}/{verb}", data={**typed, "_csrf_token": token(app, url, coordinator)},
                    extra_environ=as_user(coordinator)).body
    idp = "correct-" if verb == "correct_time" else f"{verb}-"
    assert f'id="{idp}{field}-error"' in page and 'id="error-summary"' in page
    assert f'href="#field-{idp}{field}"' in page  # the summary leads to the field
    for name, value in typed.items():
        if value and name != "entry_id":
            assert (f'id="field-{idp}{name}" name="{name}" value="{value}"' in page
                    or f">{value}</textarea>" in page), name
    # nothing was written
    assert call("vgsamverkan_event_list", coordinator, object_type=kind, object_id=obj_id)["count"] == before


def test_the_fee_forms_and_the_comment_keep_what_was_typed(app, world, coordinator):
    """The adjustment, the fee schedule and a comment, refused: the page again with what
    was typed and the error at its field; nothing written."""
    month = dt.date.today().strftime("%Y-%m")
    url = f"/ckan-admin/samverkan/avgifter/{month}"
    adjustments = model.Session.query(FeeAdjustment).count()
    page = app.post(f"{url}/adjust", data={"organization_id": world["org"]["name"], "amount": "tolvhundra",
                                          "corrects": "2026-01", "reason": "Fel i oktober",
                                          "_csrf_token": token(app, url, coordinator)},
                    extra_environ=as_user(coordinator)).body
    assert 'id="amount-error"' in page and 'name="amount" value="tolvhundra"' in page
    assert 'name="reason" value="Fel i oktober"' in page and 'name="corrects" value="2026-01"' in page
    assert f'<option value="{world["org"]["name"]}" selected>' in page
    assert model.Session.query(FeeAdjustment).count() == adjustments

    fees = "/ckan-admin/samverkan/avgifter"
    page = app.post(f"{fees}/taxa", data={"valid_from": "2027-01", "total": "100000", "base_percent": "120",
                                         "_csrf_token": token(app, fees, coordinator)},
                    extra_environ=as_user(coordinator)).body
    assert 'id="base_percent-error"' in page and 'name="total" value="100000"' in page
    assert 'name="valid_from" value="2027-01"' in page

    request_url = f"/samverkan/avrop/{world['calloff']['id']}"
    page = app.post(f"/samverkan/calloff/{world['calloff']['id']}/kommentar",
                    data={"text": "x" * 20_000, "_csrf_token": token(app, request_url, coordinator)},
                    extra_environ=as_user(coordinator)).body
    assert 'id="text-error"' in page and "x" * 20_000 + "</textarea>" in page
    assert call("vgsamverkan_comment_list", coordinator, object_type="calloff",
                object_id=world["calloff"]["id"])["count"] == 0
