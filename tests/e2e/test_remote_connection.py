"""A connection over HTTP with ckanapi, as a script would: request → investigate → quote
→ accept → connected → publish a WMS resource."""
from __future__ import annotations

import datetime as dt

import pytest
from ckanapi import NotAuthorized, RemoteCKAN, ValidationError

from ckan.tests import factories

from tests.factories import application_data

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]


def _client(server_url, user=None):
    token = factories.APIToken(user=user["name"])["token"] if user else None
    return RemoteCKAN(server_url, apikey=token, user_agent="vgsamverkan-e2e")


def test_request_to_connected_then_publish_wms(server_url):
    coordinator = _client(server_url, factories.User(name="e2e-samordnare"))
    admin_user = factories.User()
    admin = _client(server_url, admin_user)
    p = admin.action.vgsamverkan_participation_apply(**application_data(
        organization_title="Kartkommunen", organization_name="kartkommunen"))
    coordinator.action.vgsamverkan_participation_approve(id=p["id"])
    wms = {"name": "kartor", "owner_org": "kartkommunen",
           "resources": [{"url": "https://karta.example.org/ows?service=WMS", "format": "WMS"}]}

    with pytest.raises(ValidationError) as refused:
        admin.action.package_create(**wms)
    assert "/samverkan/anslutning/" in str(refused.value.error_dict["url"])  # the address (issue 39)

    c = admin.action.vgsamverkan_connection_create(
        organization_id="kartkommunen", information_sets="Kartor (WMS)",
        technical_contact="Karta Kartsson, karta@example.org", proposed_solution="WMS-tjänst")
    coordinator.action.vgsamverkan_connection_investigate(id=c["id"], investigator="Ivar Utredare")
    with pytest.raises(ValidationError) as bad:
        coordinator.action.vgsamverkan_connection_quote(id=c["id"], solution="WMS via plattformen",
                                                        effort_hours="12", price="12,345.6",
                                                        valid_until="2099-01-01")
    assert "price" in bad.value.error_dict
    valid_until = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    quoted = coordinator.action.vgsamverkan_connection_quote(
        id=c["id"], solution="WMS via plattformen", effort_hours="12", price="9600.00", valid_until=valid_until)
    assert quoted["quote"]["price"] == "9600.00"
    with pytest.raises(NotAuthorized):
        coordinator.action.vgsamverkan_connection_accept(id=c["id"])  # the organisation's decision
    assert admin.action.vgsamverkan_connection_accept(id=c["id"])["price"] == "9600.00"
    done = coordinator.action.vgsamverkan_connection_complete(id=c["id"])
    assert done["state"] == "connected"

    created = admin.action.package_create(**wms)
    assert created["resources"][0]["format"] == "WMS"
    history = admin.action.vgsamverkan_event_list(object_type="connection", object_id=c["id"])
    assert [e["action"] for e in history["results"]] == ["create", "investigate", "quote", "accept", "complete"]
    with pytest.raises(NotAuthorized):
        _client(server_url).action.vgsamverkan_connection_show(id=c["id"])
