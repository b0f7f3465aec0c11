"""The API as scripts rely on it (issue 24; SPEC "API", 2026-11-29): every list action,
the public ones included, pages with ``limit`` (1–1000, default 20) and ``offset`` and
answers ``{"count": N, "results": [...]}``; bad paging is a ValidationError naming the
field, never a 500."""
from __future__ import annotations

import functools
import inspect
import re

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from tests.conftest import kept
from tests.contract import whole_problems
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


def filter_problems(ask, name: str, documented: set[str], whole: list[dict]) -> list[str]:
    """Each of ``state`` and ``organization_id`` (by id and by name) that the list
    documents gives only what it names, and something: for the first value of the whole
    list (``ask(**filter)`` answers the list filtered)."""
    problems = []
    for key in ("state", "organization_id"):
        sample = next((r for r in whole if r.get(key)), None)
        if key not in documented or sample is None:
            continue
        values = {sample[key], sample.get("organization_name")} if key == "organization_id" else {sample[key]}
        for value in values - {None, ""}:
            got = ask(**{key: value}, limit=1000)["results"]
            if not got or any(r[key] != sample[key] for r in got):
                problems.append(f"{name}: {key}={value!r} gives {len(got)}, not only its own")
    return problems


def test_every_documented_filter_gives_only_what_it_names(auth_world):
    """Every list, one world (the filters only read)."""
    coordinator = auth_world["users"]["coordinator"]
    problems = []
    for name in _lists():
        needs = needs_in_auth_world(name, auth_world)
        documented = set(_PARAM.findall(tk.get_action("help_show")({}, {"name": name}))) - set(needs)
        whole = call(name, coordinator, **needs, limit=1000)["results"]
        # SPEC 2026-12-07: a list filters by state and organization_id wherever its objects
        # carry them (exemption_list refused state although exemptions have one)
        problems += [f"{name}: its objects have {key}, the list does not take it" for key in
                     ("state", "organization_id") if key not in documented and key not in needs
                     and any(r.get(key) for r in whole)]
        problems += filter_problems(functools.partial(call, name, coordinator, **needs), name, documented, whole)
    assert problems == [], "\n".join(problems)


BAD_PAGING = [({"limit": -1}, "limit"), ({"limit": 1001}, "limit"), ({"limit": 0}, "limit"),
              ({"limit": "tio"}, "limit"), ({"offset": -1}, "offset"), ({"sortera": "namn"}, "sortera")]


@pytest.mark.parametrize("name", _lists())
def test_bad_paging_names_the_field(world, name):
    extra = NEEDS.get(name, lambda w: {})(world)
    for bad, field in BAD_PAGING:
        with pytest.raises(tk.ValidationError) as e:
            call(name, world["coordinator"], **extra, **bad)
        assert field in e.value.error_dict, (name, bad, e.value.error_dict)
        unknown = any(word in str(e.value.error_dict[field]) for word in ("Unknown field", "Okänt fält"))
        assert unknown == (field == "sortera"), (name, e.value.error_dict)  # paging is known to every list


def test_the_participants_are_whole_objects(world):
    [one] = call("vgsamverkan_participant_list", None, organization_id=world["org"]["name"])["results"]
    assert {"id", "state", "created", "modified", "organization_id", "organization_name"} <= set(one)
    assert one["organization_id"] == world["org"]["id"] and one["state"] == "approved"
    assert call("vgsamverkan_participant_list", None, state="terminated")["count"] == 0
    assert call("vgsamverkan_participant_list", None, state="approved")["count"] == 4


# -- every answer whole, every docstring true (issue 24, parts 2 and 3) -----------------

@pytest.fixture
def auth_world(clean_db, ckan_config, monkeypatch):
    """test_auth's world: one object in each state that matters, and every role; each
    case of test_auth.CASES calls its action there with data that works."""
    from tests.logic.test_auth import build_world

    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinators", ["samordnare"])
    return kept(("test_auth.world", "samordnare"), lambda: build_world("samordnare"))


def _cases() -> dict:
    from tests.logic.test_auth import CASES

    return CASES


def test_every_object_is_whole_where_test_auth_calls_it():
    """SPEC "API": every object dict has id, state, created, modified and its
    organisation's id and name. test_auth.test_every_role calls every case's action once
    as an allowed role in its world and checks each object of the answer there
    (tests/contract.py: whole_problems), so that no action is called again for it; here:
    that the check is wired in and bites."""
    import inspect

    from tests.logic import test_auth

    assert "whole_problems(case, answer)" in inspect.getsource(test_auth.test_every_role)
    whole = {"id": "1", "state": "active", "created": "c", "modified": "m"}
    assert whole_problems("x", whole) == []
    assert whole_problems("x", dict(whole, organization_id="o")) == [
        "x: ['organization_name'] missing in ['created', 'id', 'modified', 'organization_id', 'state']"]
    assert whole_problems("x", {"count": 1, "results": [{"id": "1"}]}) == [
        "x: ['created', 'modified', 'state'] missing in ['id']"]
    assert whole_problems("x", {"count": 1, "results": [dict(whole, state="")]})[0].startswith("x: an empty value")


def needs_in_auth_world(name: str, world: dict) -> dict:
    """What a list needs besides paging in test_auth's world: the object or the
    organisation it is about."""
    return {"vgsamverkan_event_list": {"organization_id": world["other_org"]["id"]},
            "vgsamverkan_comment_list": {"object_type": "participation", "object_id": world["pending"]["id"]},
            }.get(name, {})


@pytest.fixture
def schemas(monkeypatch):
    """Records the keys of every schema an action validates against (the action's first
    one is its parameters: ``_base._validated``, which ``_validate`` calls too)."""
    from ckanext.vgsamverkan.logic.action import _base, participation

    seen: list[set[str]] = []
    original = _base._validated

    def recording(data_dict, schema_, context):
        seen.append(set(schema_))
        return original(data_dict, schema_, context)

    monkeypatch.setattr(_base, "_validated", recording)
    monkeypatch.setattr(participation, "_validated", recording)  # imported by name there
    return seen


# parameters an action takes outside its schema, and why
OUTSIDE_THE_SCHEMA = {"vgsamverkan_population_import": {"records"}}  # each record has its own schema
_PARAM = re.compile(r":param (\w+):")


def test_every_docstring_is_the_schema(auth_world, schemas):
    """help_show's docstring documents every parameter the action's schema accepts and
    only those (a stale docstring fails here); an unknown parameter is refused by name.
    Each action is called once, with its case's data and an unknown key, which every
    action refuses before it writes: one world for all."""
    problems = []
    actions: dict = {}
    for action, make_data, _ in _cases().values():
        actions.setdefault(action, make_data)
    for action, make_data in sorted(actions.items()):
        schemas.clear()
        try:
            call(action, auth_world["users"]["sysadmin"], **make_data(auth_world), zz_unknown="x")
            problems.append(f"{action}: an unknown parameter was accepted")
            continue
        except tk.ValidationError as e:
            if "zz_unknown" not in e.error_dict:
                problems.append(f"{action}: the unknown parameter is not named: {e.error_dict}")
        finally:
            model.Session.rollback()
        if not schemas:
            problems.append(f"{action} validated nothing")
            continue
        accepted = schemas[0] | OUTSIDE_THE_SCHEMA.get(action, set())
        documented = set(_PARAM.findall(tk.get_action("help_show")({}, {"name": action})))
        if accepted - documented:
            problems.append(f"{action}: accepted but not documented: {sorted(accepted - documented)}")
        if documented - accepted:
            problems.append(f"{action}: documented but not accepted: {sorted(documented - accepted)}")
    assert len(actions) >= 60
    assert problems == [], "\n".join(problems)


def test_the_new_filters_exclude(auth_world):
    """The filters the list contract added to lists whose objects gained a state or an
    organisation: each keeps exactly its own (the world has both values of each)."""
    coordinator = auth_world["users"]["coordinator"]
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2020-01", total="2000")  # supersedes one
    schedules = call("vgsamverkan_fee_schedule_list", None)["results"]
    for state in ("active", "superseded"):
        assert call("vgsamverkan_fee_schedule_list", None, state=state)["results"] == [
            s for s in schedules if s["state"] == state] != []
    statements = call("vgsamverkan_fee_statement_list", coordinator, limit=1000)["results"]
    for state in ("open", "closed"):
        assert call("vgsamverkan_fee_statement_list", coordinator, state=state, limit=1000)["results"] == [
            s for s in statements if s["state"] == state] != []
    plain = call("package_create", auth_world["users"]["sysadmin"], name="a-karta", owner_org=auth_world["org"]["id"])
    call("vgsamverkan_exemption_create", coordinator, id=plain["id"], reason="Leverantörens tjänst")
    for org in (auth_world["org"], auth_world["other_org"]):
        [only] = call("vgsamverkan_exemption_list", coordinator, organization_id=org["name"])["results"]
        assert only["organization_id"] == org["id"]
    waiting = call("vgsamverkan_waiting_list", coordinator, limit=1000)["results"]
    assert len({w["state"] for w in waiting}) > 1
    for state in {w["state"] for w in waiting}:
        assert call("vgsamverkan_waiting_list", coordinator, state=state, limit=1000)["results"] == [
            w for w in waiting if w["state"] == state]
