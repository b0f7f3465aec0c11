"""Every receipt and every page after an act says what happens next and who acts (issue
39): the applicant's receipt showed the heading "Besluta" over one "Återkalla ansökan";
after accepting a quote the page said "Sparat." and offered only "Avbryt ärendet"."""
from __future__ import annotations

import re

import pytest

from ckan.tests import factories

from tests.browser import as_user, token
from tests.factories import apply_new, call, participant_org

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _next(page: str) -> str:
    found = re.search(r'id="vgs-next">(.*?)</div>', page, re.S)
    assert found, "no 'what happens next' on the page"
    return re.sub(r"<[^>]+>", "", found.group(1)).strip()


def test_the_applicants_receipt_says_who_decides_and_is_no_decision_form(app, coordinator):
    applicant = factories.User()
    p = apply_new(applicant)
    page = app.get(f"/samverkan/deltagande/{p['id']}", extra_environ=as_user(applicant)).body
    assert _next(page) == "Vad händer nu: Den regionala samordnaren beslutar; du får ett e-postmeddelande."
    assert '<h2 id="decide-heading">Det här kan du göra</h2>' in page
    coordinators = app.get(f"/samverkan/deltagande/{p['id']}", extra_environ=as_user(coordinator)).body
    assert _next(coordinators) == "Vad händer nu: Besluta om ansökan."
    assert '<h2 id="decide-heading">Besluta</h2>' in coordinators


def test_after_accepting_a_quote_the_page_says_the_coordinator_connects(app, coordinator):
    admin = factories.User()
    org = participant_org(admin, coordinator)
    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="Kartor",
             technical_contact="T")
    call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="I")
    call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="S", effort_hours="1", price="6400",
         valid_until="2099-01-01")
    url = f"/samverkan/anslutning/{c['id']}"
    assert _next(app.get(url, extra_environ=as_user(admin)).body) == \
        "Vad händer nu: Acceptera eller avböj offerten."
    response = app.post(f"{url}/accept", data={"confirmed": "yes", "_csrf_token": token(app, url, admin)},
                        extra_environ=as_user(admin), follow_redirects=True)
    assert "Sparat." in response.body
    assert _next(response.body) == "Vad händer nu: Samordnaren ansluter er."
