"""The coordinator's workplace keeps its dashboard and chart in Redis between two writes
(issue 39, ckanext/vgsamverkan/figures_cache.py): each write the dashboard shows changes
it on the very next load (a decision on each kind of request, a step of a connection or
call-off, time logged, a population import, a fee run); the second load makes fewer
statements than the first; with Redis unreachable the page is still whole."""
from __future__ import annotations

import contextlib
import datetime as dt

import flask
import pytest

from ckan.tests import factories

from ckanext.vgsamverkan import figures_cache
from tests.browser import as_user
from tests.factories import apply_new, call, participant_org, request_rights
from tests.fees.test_fee_actions import _expert_work, build_world, world  # noqa: F401 (world: the fixture, by name)
from tests.views.test_page_statements import counted

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
URL = "/ckan-admin/samverkan"


@contextlib.contextmanager
def rendered():
    """The workplace's template context, as it is rendered."""
    seen: list[dict] = []

    def record(sender, template, context, **extra):
        if template.name == "vgsamverkan/admin/queue.html":
            seen.append(context)

    flask.template_rendered.connect(record)
    try:
        yield seen
    finally:
        flask.template_rendered.disconnect(record)


def load(app, coordinator) -> dict:
    with rendered() as seen:
        page = app.get(URL, extra_environ=as_user(coordinator))
    assert page.status_code == 200
    [context] = seen
    return {"dashboard": context["dashboard"], "history": context["history"], "body": page.body}


def test_each_decision_and_step_shows_on_the_next_load(app, coordinator):
    admin = factories.User()
    org = participant_org(admin, coordinator)
    before = load(app, coordinator)
    assert before["dashboard"]["participants"] == 1
    assert load(app, coordinator)["dashboard"] == before["dashboard"]  # kept: nothing written

    applied = apply_new(factories.User(), name="ny-kommun")
    assert load(app, coordinator)["dashboard"]["participation"]["pending"] == 1
    call("vgsamverkan_participation_approve", coordinator, id=applied["id"])
    shown = load(app, coordinator)
    assert shown["dashboard"]["participation"]["pending"] == 0 and shown["dashboard"]["participants"] == 2
    assert shown["history"][-1]["participants"] == 2

    rights = request_rights(factories.User(), org)
    assert load(app, coordinator)["dashboard"]["publisher"]["pending"] == 1
    call("vgsamverkan_publisher_approve", coordinator, id=rights["id"])
    shown = load(app, coordinator)
    assert shown["dashboard"]["publisher"]["pending"] == 0 and shown["history"][-1]["publishers"] == 1

    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="Kartor",
             technical_contact="T")
    assert load(app, coordinator)["dashboard"]["connection"]["waiting"] == 1
    call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="Ivar")
    call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="Skörd", effort_hours="8",
         price="6400.00", valid_until=(dt.date.today() + dt.timedelta(days=30)).isoformat())
    assert load(app, coordinator)["dashboard"]["connection"]["waiting"] == 0  # the organisation's move

    today = dt.date.today().isoformat()
    a = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="juridik",
             description="D", estimated_hours="2", period_start=today,
             period_end=(dt.date.today() + dt.timedelta(days=60)).isoformat())
    assert load(app, coordinator)["dashboard"]["calloff"]["requested"] == 1
    call("vgsamverkan_calloff_assign", coordinator, id=a["id"], expert_name="Erik", hourly_rate="950.00",
         planned_hours="4")
    shown = load(app, coordinator)["dashboard"]["calloff"]
    assert shown["requested"] == 0 and shown["running"] == 1
    call("vgsamverkan_calloff_log_time", coordinator, id=a["id"], date=today, hours="1.5")
    shown = load(app, coordinator)
    assert shown["dashboard"]["calloff"]["running_hours"] != before["dashboard"]["calloff"]["running_hours"]
    assert shown["history"][-1]["hours"] != before["history"][-1]["hours"]
    assert shown["dashboard"]["waiting"] == 0


def test_a_population_import_shows_on_the_next_load(app, coordinator):
    participant_org(factories.User(), coordinator, org_type="kommun", municipality_code="1480")
    gaps = load(app, coordinator)["dashboard"]["population"]
    assert [m["municipality_code"] for m in gaps["older"] + gaps["none"]] == ["1480"]  # the year asked is missing
    call("vgsamverkan_population_import", coordinator, year=gaps["year"], source="Test",
         records=[{"municipality_code": "1480", "name": "Göteborg", "population": 600_000}])
    gaps = load(app, coordinator)["dashboard"]["population"]
    assert gaps["none"] == [] and gaps["older"] == []


def test_a_fee_run_shows_on_the_next_load(app, world, coordinator):  # noqa: F811
    hourly = _expert_work(coordinator, world["admins"]["goteborg"], world["orgs"]["goteborg"], hourly_rate="1000")
    call("vgsamverkan_calloff_log_time", coordinator, id=hourly["id"], date="2026-09-10", hours="1")
    assert "2026-09" in {m["month"] for m in load(app, coordinator)["dashboard"]["unbilled"]}
    call("vgsamverkan_fee_run", coordinator, month="2026-09")
    assert "2026-09" not in {m["month"] for m in load(app, coordinator)["dashboard"]["unbilled"]}
    call("vgsamverkan_calloff_log_time", coordinator, id=hourly["id"], date="2026-09-11", hours="2")
    assert "2026-09" in {m["month"] for m in load(app, coordinator)["dashboard"]["unbilled"]}


def test_the_second_load_makes_fewer_statements(app, coordinator):
    participant_org(factories.User(), coordinator)
    apply_new(factories.User(), name="ny-kommun")
    app.get("/samverkan/vantar", extra_environ=as_user(coordinator))  # the log-in's and CKAN's own caches
    with counted() as first:
        load(app, coordinator)
    with counted() as second:
        load(app, coordinator)
    assert len(second) < len(first) - 20  # the dashboard's and the chart's twelve months' counts


def test_the_page_works_with_redis_unreachable(app, coordinator, monkeypatch):
    """A mock of an unreachable Redis: connecting raises as redis-py does when nothing
    answers. The page is whole, with the figures computed."""
    import redis

    participant_org(factories.User(), coordinator)
    apply_new(factories.User(), name="ny-kommun")
    kept = load(app, coordinator)

    def unreachable():
        raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(figures_cache, "_redis", unreachable)
    shown = load(app, coordinator)
    assert shown["dashboard"] == kept["dashboard"] and shown["history"] == kept["history"]
    assert 'id="vgs-waiting"' in shown["body"]
    applied = call("vgsamverkan_participation_list", coordinator, states=["pending"])["results"][0]
    call("vgsamverkan_participation_approve", coordinator, id=applied["id"])
    assert load(app, coordinator)["dashboard"]["participation"]["pending"] == 0
