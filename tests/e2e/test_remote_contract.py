"""The API contract over HTTP, as a script calls it (issue 24): ckanapi's RemoteCKAN against
the running server, with the coordinator's API token, in the world of tests/logic/test_auth.py.

- Every list, asked by GET with ``?limit=10`` and by POST: ``{"count", "results"}``, pages
  with ``limit``/``offset`` that add up to the whole, each filter it documents (``state``,
  ``organization_id`` by id and by name) gives only what it names, and bad paging or a
  filter the list does not have is a 409 naming the field.
- Every object a list answers has ``id``, ``state``, ``created``, ``modified`` and its
  organisation's ``organization_name``; every show answers over HTTP the keys it answers
  in the process (JSON loses nothing)."""
from __future__ import annotations

import functools
import re

import pytest
from ckanapi import RemoteCKAN, ValidationError

from ckan.tests import factories, helpers

from tests.contract import WHOLE
from tests.logic.test_api_contract import _lists, filter_problems, needs_in_auth_world
from tests.logic.test_auth import CASES, build_world

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]

_PARAM = re.compile(r":param (\w+):")
PAGING = {"limit", "offset"}


@pytest.fixture
def world(server_url):
    return build_world("e2e-samordnare")  # the running server's coordinator (not a sysadmin)


@pytest.fixture
def script(server_url, world):
    """The coordinator's script: by POST (ckanapi's way) and by GET (``get_only``)."""
    token = factories.APIToken(user=world["users"]["coordinator"]["name"])["token"]
    return {"post": RemoteCKAN(server_url, apikey=token, user_agent="vgsamverkan-contract"),
            "get": RemoteCKAN(server_url, apikey=token, user_agent="vgsamverkan-contract", get_only=True)}


def test_every_list_as_a_script_calls_it(world, script):
    problems: list[str] = []
    for name in _lists():
        needs = needs_in_auth_world(name, world)
        documented = set(_PARAM.findall(script["post"].action.help_show(name=name)))
        first = getattr(script["get"].action, name)(**needs, limit=10)  # ?limit=10
        whole = getattr(script["post"].action, name)(**needs, limit=1000)
        if {"count", "results"} - set(first) or first["results"] != whole["results"][:10]:
            problems.append(f"{name}: ?limit=10 is not the first ten of the whole")
            continue
        if whole["count"] != len(whole["results"]):
            problems.append(f"{name}: count {whole['count']} for {len(whole['results'])} results")
        # pages of two add up to the whole
        paged, offset = [], 0
        while offset < whole["count"]:
            paged += getattr(script["get"].action, name)(**needs, limit=2, offset=offset)["results"]
            offset += 2
        if paged != whole["results"]:
            problems.append(f"{name}: pages of two are not the whole")
        # every object whole (competence areas are configuration: keys, not objects)
        for item in whole["results"]:
            if name == "vgsamverkan_competence_area_list":
                break
            missing = WHOLE - set(item) | ({"organization_name"} - set(item) if "organization_id" in item else set())
            if missing:
                problems.append(f"{name}: {sorted(missing)} missing")
                break
        # each documented filter gives only what it names
        problems += filter_problems(functools.partial(getattr(script["get"].action, name), **needs),
                                    name, documented - set(needs), whole["results"])
        # bad paging and an unknown filter: a 409 naming the field
        for bad, field in (({"limit": 0}, "limit"), ({"limit": 1001}, "limit"), ({"offset": -1}, "offset"),
                           ({"sortera": "namn"}, "sortera")):
            try:
                getattr(script["get"].action, name)(**needs, **bad)
                problems.append(f"{name}: {bad} accepted")
            except ValidationError as e:
                if field not in e.error_dict:
                    problems.append(f"{name}: {bad} refused without naming {field}: {e.error_dict}")
    assert len(_lists()) >= 15
    assert problems == []


SHOWS = sorted({(case, action) for case, (action, _, _) in CASES.items() if action.endswith("_show")})


def test_every_show_answers_its_keys_over_http(world, script, ckan_config, monkeypatch):
    # the server's coordinator is this process's too (the answers are compared)
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinators", ["e2e-samordnare"])
    problems: list[str] = []
    coordinator = world["users"]["coordinator"]["name"]
    for case, action in SHOWS:
        data = CASES[case][1](world)
        remote = getattr(script["post"].action, action)(**data)
        local = helpers.call_action(action, context={"user": coordinator, "ignore_auth": False}, **data)
        if set(remote) != set(local):
            problems.append(f"{case}: over HTTP {sorted(set(remote) ^ set(local))} differ")
        if "id" in local and WHOLE - set(remote):
            problems.append(f"{case}: {sorted(WHOLE - set(remote))} missing")
        if remote.get("organization_id") and not remote.get("organization_name"):
            problems.append(f"{case}: no organization_name")
    assert len(SHOWS) >= 7
    assert problems == []
