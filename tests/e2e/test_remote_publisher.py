"""Publisher authorisation over HTTP with ckanapi, as a script would: request → approve
→ publish a dataset → revoke → publishing refused; and membership reserved to the
coordinator through the API."""
from __future__ import annotations

import pytest
from ckanapi import NotAuthorized, RemoteCKAN, ValidationError

from ckan.tests import factories, helpers

from tests.factories import application_data

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]


def _client(server_url, user=None):
    token = factories.APIToken(user=user["name"])["token"] if user else None
    return RemoteCKAN(server_url, apikey=token, user_agent="vgsamverkan-e2e")


def test_request_approve_publish_revoke_refused(server_url):
    coordinator_user = factories.User(name="e2e-samordnare")  # a coordinator of the server
    admin_user, publisher_user = factories.User(), factories.User()
    coordinator, admin = _client(server_url, coordinator_user), _client(server_url, admin_user)
    publisher = _client(server_url, publisher_user)

    p = admin.action.vgsamverkan_participation_apply(**application_data(
        organization_title="Skriptkommunen", organization_name="skriptkommunen"))
    coordinator.action.vgsamverkan_participation_approve(id=p["id"])

    # before any rights: CKAN refuses the dataset
    with pytest.raises(NotAuthorized):
        publisher.action.package_create(name="skriptdata", owner_org="skriptkommunen")
    # bad input is a 409 with the field named, and nothing is written
    with pytest.raises(ValidationError) as e:
        publisher.action.vgsamverkan_publisher_request(organization_id="skriptkommunen", role="ägare")
    assert "role" in e.value.error_dict

    r = publisher.action.vgsamverkan_publisher_request(
        organization_id="skriptkommunen", role="editor", motivation="Jag sköter trafikdata.")
    assert coordinator.action.vgsamverkan_publisher_list(state="pending")["count"] == 1
    approved = coordinator.action.vgsamverkan_publisher_approve(id=r["id"], expires="2099-12-31")
    assert approved["state"] == "approved"

    dataset = publisher.action.package_create(name="skriptdata", title="Skriptdata", owner_org="skriptkommunen")
    publisher.action.package_patch(id=dataset["id"], notes="Uppdaterad via API")

    # the organisation's admin may not change members: the coordinator's job
    with pytest.raises(NotAuthorized) as refused:
        admin.action.organization_member_delete(id="skriptkommunen", username=publisher_user["name"])
    assert "/samverkan/behorighet/ansok" in str(refused.value)

    coordinator.action.vgsamverkan_publisher_revoke(id=r["id"], comment="Byter tjänst")
    with pytest.raises(NotAuthorized):
        publisher.action.package_patch(id=dataset["id"], notes="Efter indragningen")
    with pytest.raises(NotAuthorized):
        publisher.action.package_create(name="skriptdata-2", owner_org="skriptkommunen")
    history = publisher.action.vgsamverkan_event_list(object_type="publisher", object_id=r["id"])
    assert [e["action"] for e in history["results"]] == ["request", "approve", "revoke"]
    assert helpers.call_action("package_show", id=dataset["id"])["notes"] == "Uppdaterad via API"
