"""When an action refuses, the blueprints' error handlers answer (issue 38, as
ckanext-files registers them), with the words the page chose (``when_refused`` in
views/_common.py), instead of a try/except in each view:

- every request's page, the invoice's page and the organisation's tab: a visitor not
  logged in is sent to log in, a logged-in stranger gets 403 with the page's words, an
  id that names nothing (and its spellings in upper case or with a look-alike hyphen)
  404 with the page's words, never a 500 and never the page;
- a decision posted by a stranger: 403 with the decision's words, not a log-in;
- the organisation's tab does not tell a stranger whether a deleted organisation exists;
- no view catches NotAuthorized or ObjectNotFound by hand but those listed, each for a
  reason that is not a page's refusal (a test reads the views' source)."""
from __future__ import annotations

import ast
import html
import pathlib

import pytest

from ckan.tests import factories

from ckanext.vgsamverkan.domain import objects
from tests.browser import as_user, token
from tests.factories import call, participant_org, request_rights

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

VIEWS = pathlib.Path(__file__).resolve().parents[2] / "ckanext" / "vgsamverkan" / "views"

# each kind's page: (its words when nothing is found, when a stranger asks), in English
WORDS = {
    # the refusal says who may see the request (issue 39)
    "participation": ("Application not found", "Only the one who applied, the organisation's administrators and "
                                               "the regional coordinator may see this application"),
    "publisher": ("Request not found", "Only the person the rights are for, the one who asked, the organisation's "
                                       "administrators and the regional coordinator may see this request"),
    "connection": ("Request not found", "Only the organisation's administrators and the regional coordinator may "
                                        "see this connection request"),
    "calloff": ("Call-off not found", "Only the organisation's administrators, the expert assigned to it and the "
                                      "regional coordinator may see this call-off"),
}



@pytest.fixture
def requests(coordinator):
    admin = factories.User()
    org = participant_org(admin, coordinator)
    made = {
        "participation": call("vgsamverkan_participation_list", coordinator, organization_id=org["id"])["results"][0],
        "publisher": request_rights(factories.User(), org),
        "connection": call("vgsamverkan_connection_create", admin, organization_id=org["id"],
                           information_sets="Kartor", technical_contact="T"),
        "calloff": call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="metadata",
                        description="D", estimated_hours="8", period_start="2026-10-01", period_end="2026-10-31"),
    }
    assert set(made) == set(objects.KINDS)
    return {"org": org, "admin": admin, **made}


def _english(url: str) -> str:
    return "/en" + url


@pytest.mark.parametrize("kind", sorted(WORDS))
def test_a_request_page_refuses_with_its_own_words(app, requests, kind):
    not_found, forbidden = WORDS[kind]
    path = objects.KINDS[kind].path
    url = _english(path.format(id=requests[kind]["id"]))
    anonymous = app.get(url, follow_redirects=False)
    assert anonymous.status_code == 302 and "/user/login" in anonymous.headers["Location"]
    stranger = app.get(url, extra_environ=as_user(factories.User()))
    assert stranger.status_code == 403 and forbidden in html.unescape(stranger.body)
    assert requests["org"]["title"] not in stranger.body  # nothing of the request is shown
    for spelling in ("finns-inte", requests[kind]["id"].upper(),
                     requests[kind]["id"].replace("-", "\u2010")):
        missing = app.get(_english(path.format(id=spelling)), extra_environ=as_user(requests["admin"]))
        assert missing.status_code == 404 and not_found in missing.body, spelling


@pytest.mark.parametrize("kind,verb", [("connection", "cancel"), ("calloff", "cancel"), ("publisher", "withdraw")])
def test_a_strangers_decision_is_refused_with_the_decisions_words(app, requests, kind, verb):
    stranger = factories.User()
    url = objects.KINDS[kind].path.format(id=requests[kind]["id"]) + f"/{verb}"
    csrf = token(app, "/samverkan/anslutning/ny", stranger)
    answer = app.post(_english(url), data={"confirmed": "yes", "_csrf_token": csrf}, extra_environ=as_user(stranger))
    assert answer.status_code == 403
    assert "You may not" in answer.body
    assert call(f"vgsamverkan_{kind}_show", "samordnare", id=requests[kind]["id"])["state"] == requests[kind]["state"]


def test_the_organisation_tab_refuses_and_hides(app, requests):
    url = f"/en/organization/samverkan/{requests['org']['name']}"
    assert "/user/login" in app.get(url, follow_redirects=False).headers["Location"]
    stranger = app.get(url, extra_environ=as_user(factories.User()))
    assert stranger.status_code == 403
    assert "Only the organisation&#39;s admins and the coordinator may see this page" in stranger.body \
        or "Only the organisation's admins and the coordinator may see this page" in stranger.body
    missing = app.get("/en/organization/samverkan/finns-inte", extra_environ=as_user(factories.User()))
    assert missing.status_code == 404 and "Organisation not found" in missing.body


def test_an_invoice_address_that_names_nothing(app, requests, coordinator):
    for spelling in ("VGS-999", "%20", "x" * 300):
        missing = app.get(f"/en/samverkan/faktura/{spelling}", extra_environ=as_user(coordinator))
        assert missing.status_code == 404 and "No such invoice" in missing.body, spelling
        # an organisation's admin is told nothing of invoices that are not theirs, existing or not
        refused = app.get(f"/en/samverkan/faktura/{spelling}", extra_environ=as_user(requests["admin"]))
        assert refused.status_code == 403 and "may see its invoices" in refused.body, spelling
    assert "/user/login" in app.get("/en/samverkan/faktura/VGS-1", follow_redirects=False).headers["Location"]


# the views that still catch a refusal by hand, and why it is not a page's refusal
CAUGHT = {
    ("_common.py", "post"): "a request's form: the refusal becomes the organisation field's error, keeping what "
                            "was typed",
    ("participation.py", "post"): "the application and update forms: the refusal becomes a field's error, keeping "
                                  "what was typed",
    ("publisher.py", "post"): "the rights form: the refusal becomes the organisation field's error",
    ("coordinator.py", "admin_bulk"): "decisions in bulk: each item's refusal is reported and the others go on",
    ("coordinator.py", "_item_title"): "a title for the confirmation: an item that cannot be read is named by its id",
    ("_confirm.py", "page"): "no confirmation page when the act is not open: the action then refuses itself",
    ("_common.py", "_decision"): "the check of a binding act's form before its question (issue 39): a refusal is "
                                 "left to the act itself, which refuses with the page's words",
    ("account.py", "_register"): "CKAN's registration page (CKAN's user blueprint, not ours): 403, not a log-in",
}


def test_no_view_catches_a_refusal_by_hand_but_those_listed():
    found = set()
    for path in sorted(VIEWS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.ExceptHandler) and node.type is not None:
                    names = {n.attr for n in ast.walk(node.type) if isinstance(n, ast.Attribute)}
                    if names & {"NotAuthorized", "ObjectNotFound"}:
                        found.add((path.name, function.name))
    assert found - set(CAUGHT) == set(), f"caught by hand: {sorted(found - set(CAUGHT))}"
    assert set(CAUGHT) - found == set(), f"no longer caught, take off CAUGHT: {sorted(set(CAUGHT) - found)}"
