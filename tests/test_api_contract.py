"""The API as scripts rely on it (issue 24; SPEC "API", 2026-11-29): every list action,
the public ones included, pages with ``limit`` (1–1000, default 20) and ``offset`` and
answers ``{"count": N, "results": [...]}``; bad paging is a ValidationError naming the
field, never a 500."""
from __future__ import annotations

import inspect

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from tests.conftest import kept
from tests.factories import call, participant_org

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _lists() -> list[str]:
    from ckanext.vgsamverkan.logic import action

    return sorted(name for name, _ in inspect.getmembers(action, inspect.isfunction)
                  if name.startswith("vgsamverkan_") and name.endswith("_list"))


# what a list needs besides paging (the object it is about)
NEEDS = {
    "vgsamverkan_event_list": lambda w: {"organization_id": w["org"]["id"]},
    "vgsamverkan_comment_list": lambda w: {"object_type": "participation", "object_id": w["org"]["participation_id"]},
}


def _world():
    coordinator = factories.Sysadmin()
    org = participant_org(factories.User(), coordinator)
    for n in range(3):
        participant_org(factories.User(), coordinator)
        call("vgsamverkan_comment_create", coordinator, object_type="participation",
             object_id=org["participation_id"], text=f"Kommentar {n}")
    return {"coordinator": coordinator, "org": org}


@pytest.fixture
def world(clean_db):
    return kept(("test_api_contract.world",), _world)


def test_there_are_lists():
    assert len(_lists()) >= 15


@pytest.mark.parametrize("name", _lists())
def test_every_list_pages(world, name):
    extra = NEEDS.get(name, lambda w: {})(world)
    whole = call(name, world["coordinator"], **extra, limit=1000)
    assert set(whole) >= {"count", "results"}, name
    assert isinstance(whole["count"], int) and isinstance(whole["results"], list)
    assert whole["count"] == len(whole["results"]), name  # all of it fits in 1 000
    first = call(name, world["coordinator"], **extra, limit=10)
    assert first["count"] == whole["count"] and first["results"] == whole["results"][:10]
    if whole["count"] >= 2:
        second = call(name, world["coordinator"], **extra, limit=1, offset=1)
        assert second["results"] == whole["results"][1:2], name


@pytest.mark.parametrize("name", _lists())
@pytest.mark.parametrize("bad,field", [({"limit": -1}, "limit"), ({"limit": 1001}, "limit"), ({"limit": 0}, "limit"),
                                       ({"limit": "tio"}, "limit"), ({"offset": -1}, "offset"),
                                       ({"sortera": "namn"}, "sortera")])
def test_bad_paging_names_the_field(world, name, bad, field):
    extra = NEEDS.get(name, lambda w: {})(world)
    with pytest.raises(tk.ValidationError) as e:
        call(name, world["coordinator"], **extra, **bad)
    assert field in e.value.error_dict, (name, e.value.error_dict)
    unknown = any(word in str(e.value.error_dict[field]) for word in ("Unknown field", "Okänt fält"))
    assert unknown == (field == "sortera"), (name, e.value.error_dict)  # paging is known to every list


def test_the_participants_are_whole_objects(world):
    [one] = call("vgsamverkan_participant_list", None, organization_id=world["org"]["name"])["results"]
    assert {"id", "state", "created", "modified", "organization_id", "organization_name"} <= set(one)
    assert one["organization_id"] == world["org"]["id"] and one["state"] == "approved"
    assert call("vgsamverkan_participant_list", None, state="terminated")["count"] == 0
    assert call("vgsamverkan_participant_list", None, state="approved")["count"] == 4
