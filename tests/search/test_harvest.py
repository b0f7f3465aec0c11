"""With ckanext-harvest loaded (installed in the test venvs for this module only): its
sources follow the publishing rule, and completing a connection can create one."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from tests.factories import call, participant_org, request_rights, terminate_now

pytestmark = [
    pytest.mark.ckan_config("ckan.plugins", "activity vgsamverkan vgsamverkan_pgsearch harvest ckan_harvester"),
    pytest.mark.usefixtures("with_plugins", "clean_db"),
]


@pytest.fixture
def world(coordinator):
    admin, editor = factories.User(), factories.User()
    org = participant_org(admin, coordinator)
    r = request_rights(editor, org)
    call("vgsamverkan_publisher_approve", coordinator, id=r["id"])
    outsider = factories.User()
    outside = factories.Organization(users=[{"name": outsider["name"], "capacity": "editor"}])
    return {"org": org, "admin": admin, "editor": editor, "outside": outside, "outsider": outsider,
            "coordinator": coordinator}


def source(owner_org, name):
    return {"url": f"https://{name}.example.org/api/3", "name": name, "title": name,
            "source_type": "ckan", "owner_org": owner_org}


def test_harvest_sources_follow_the_publishing_rule(world):
    created = call("harvest_source_create", world["editor"], **source(world["org"]["id"], "kalla-inne"))
    assert created["owner_org"] == world["org"]["id"]
    with pytest.raises(tk.NotAuthorized):
        call("harvest_source_create", world["outsider"], **source(world["outside"]["id"], "kalla-ute"))
    terminate_now(world["coordinator"], world["org"]["participation_id"])
    with pytest.raises(tk.NotAuthorized):
        call("harvest_source_update", world["editor"], id=created["id"],
             **source(world["org"]["id"], "kalla-inne"))


def test_switched_off_harvest_follows_ckan(world, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.enforce", False)
    call("harvest_source_create", world["outsider"], **source(world["outside"]["id"], "kalla-ute"))


def test_completing_a_connection_creates_the_harvest_source(world):
    admin, coordinator, org = world["admin"], world["coordinator"], world["org"]
    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="Katalog",
             technical_contact="T")
    call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="I")
    call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="Skörd", effort_hours="4",
         price="4000", valid_until=(dt.date.today() + dt.timedelta(days=10)).isoformat())
    call("vgsamverkan_connection_accept", admin, id=c["id"])
    with pytest.raises(tk.ValidationError) as e:  # harvest refuses an unknown harvester: nothing written
        call("vgsamverkan_connection_complete", coordinator, id=c["id"], harvest_url="https://katalog.example.org",
             create_harvest_source=True, harvest_source_type="finns-inte")
    assert "harvest_url" in e.value.error_dict
    assert call("vgsamverkan_connection_show", coordinator, id=c["id"])["state"] == "accepted"
    done = call("vgsamverkan_connection_complete", coordinator, id=c["id"],
                harvest_url="https://katalog.example.org", create_harvest_source=True, harvest_source_type="ckan")
    assert done["state"] == "connected"
    sources = model.Session.query(model.Package).filter_by(type="harvest", owner_org=org["id"]).all()
    assert [p.url for p in sources] == ["https://katalog.example.org"]
    history = call("vgsamverkan_event_list", admin, object_type="connection", object_id=c["id"])["results"]
    assert sources[0].name in history[-1]["comment"]
