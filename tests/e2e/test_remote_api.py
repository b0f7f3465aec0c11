"""apply → approve over HTTP with ckanapi's RemoteCKAN, as a script would; and bad
input through the API: a 409 with field messages, never a 500, nothing written."""
from __future__ import annotations

import pytest
import requests
from ckanapi import NotAuthorized, NotFound, RemoteCKAN, ValidationError

from ckan.tests import factories

from tests.factories import application_data

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]


@pytest.fixture
def clients(server_url, coordinator):
    applicant = factories.User(name="e2e-sokande")
    tokens = {
        "applicant": factories.APIToken(user=applicant["name"])["token"],
        "coordinator": factories.APIToken(user=coordinator["name"])["token"],
    }
    return {
        role: RemoteCKAN(server_url, apikey=token, user_agent="vgsamverkan-e2e")
        for role, token in tokens.items()
    } | {"anonymous": RemoteCKAN(server_url, user_agent="vgsamverkan-e2e")}


@pytest.fixture
def coordinator():
    # named in the server's ckanext.vgsamverkan.coordinators (see conftest): not a sysadmin
    return factories.User(name="e2e-samordnare")


def test_apply_then_approve_over_http(clients):
    applicant, coordinator = clients["applicant"], clients["coordinator"]
    p = applicant.action.vgsamverkan_participation_apply(
        **application_data(organization_title="Fjärrkommunen", organization_name="fjarrkommunen")
    )
    assert p["state"] == "pending"
    queue = coordinator.action.vgsamverkan_participation_list(state="pending")
    assert [r["id"] for r in queue["results"]] == [p["id"]]
    approved = coordinator.action.vgsamverkan_participation_approve(id=p["id"], comment="Välkomna")
    assert approved["state"] == "approved"
    org = coordinator.action.organization_show(id="fjarrkommunen", include_users=True)
    assert {(u["name"], u["capacity"]) for u in org["users"]} == {("e2e-sokande", "admin")}
    history = applicant.action.vgsamverkan_event_list(object_type="participation", object_id=p["id"])
    assert [(e["action"], e["to_state"]) for e in history["results"]] == [
        ("apply", "pending"), ("approve", "approved")]
    public = clients["anonymous"].action.vgsamverkan_participant_list()
    assert [r["organization_name"] for r in public["results"]] == ["fjarrkommunen"]
    help_text = clients["anonymous"].action.help_show(name="vgsamverkan_participation_apply")
    assert ":param org_number:" in help_text


@pytest.mark.parametrize(
    "overrides,field",
    [
        ({"org_number": "212000-1356"}, "org_number"),
        ({"org_type": 42}, "org_type"),
        ({"org_type": ["kommun"]}, "org_type"),
        ({"contact_email": None}, "contact_email"),
        ({"motivation": "å" * 100_000}, "motivation"),
        ({"unknown_key": "x"}, "unknown_key"),
        ({"municipality_code": {"$ne": 1}}, "municipality_code"),
        ({"contact_name": "'; DROP TABLE vgsamverkan_participation; --" * 10}, "contact_name"),
    ],
)
def test_bad_input_is_a_409_with_field_messages(clients, overrides, field):
    applicant = clients["applicant"]
    data = application_data(organization_title="Felkommunen", organization_name="felkommunen")
    data.update(overrides)
    if overrides.get("contact_email", "") is None:
        data.pop("contact_email")
    with pytest.raises(ValidationError) as e:
        applicant.action.vgsamverkan_participation_apply(**data)
    assert field in e.value.error_dict
    assert applicant.action.vgsamverkan_participation_list()["count"] == 0


def test_refusals_are_403_and_404(clients, server_url):
    applicant = clients["applicant"]
    p = applicant.action.vgsamverkan_participation_apply(
        **application_data(organization_title="Nekad", organization_name="nekad")
    )
    with pytest.raises(NotAuthorized):
        applicant.action.vgsamverkan_participation_approve(id=p["id"])
    with pytest.raises(NotAuthorized):
        clients["anonymous"].action.vgsamverkan_participation_show(id=p["id"])
    with pytest.raises(NotFound):
        clients["coordinator"].action.vgsamverkan_participation_show(id="finns-inte")
    # a body that is not an object of parameters
    r = requests.post(f"{server_url}/api/3/action/vgsamverkan_participation_list",
                      data="[1, 2]", headers={"Content-Type": "application/json",
                                               "Authorization": applicant.apikey})
    assert r.status_code in (400, 409), r.text
