"""A call-off over HTTP with ckanapi, as a script would: create → assign → log time over
two months → deliver; the expert's own token logs the time."""
from __future__ import annotations

import datetime as dt

import pytest
from ckanapi import NotAuthorized, RemoteCKAN, ValidationError

from ckan.tests import factories

from tests.factories import application_data, requested_on

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]


def _client(server_url, user=None):
    token = factories.APIToken(user=user["name"])["token"] if user else None
    return RemoteCKAN(server_url, apikey=token, user_agent="vgsamverkan-e2e")


def test_create_assign_log_two_months_deliver(server_url):
    coordinator = _client(server_url, factories.User(name="e2e-samordnare"))
    admin = _client(server_url, factories.User())
    expert_user = factories.User()
    expert = _client(server_url, expert_user)
    today = dt.date.today()
    last_month = today.replace(day=1) - dt.timedelta(days=1)  # the last day of last month
    p = admin.action.vgsamverkan_participation_apply(**application_data(
        organization_title="Avropskommunen", organization_name="avropskommunen"))
    coordinator.action.vgsamverkan_participation_approve(
        id=p["id"], effective_from=(last_month.replace(day=1) - dt.timedelta(days=30)).isoformat())

    areas = _client(server_url).action.vgsamverkan_competence_area_list()
    assert "metadata" in [a["key"] for a in areas["results"]]
    c = admin.action.vgsamverkan_calloff_create(
        organization_id="avropskommunen", competence_area="metadata", description="DCAT-AP-SE för vår katalog",
        estimated_hours="10", period_start=last_month.replace(day=1).isoformat(), period_end=today.isoformat())
    assert c["state"] == "requested"
    requested_on(c["id"], last_month.replace(day=1).isoformat())  # time is logged from last month
    with pytest.raises(NotAuthorized):
        expert.action.vgsamverkan_calloff_show(id=c["id"])
    with pytest.raises(ValidationError) as both:
        coordinator.action.vgsamverkan_calloff_assign(id=c["id"], expert_name="Eva Expert", hourly_rate="900",
                                                      fixed_price="9000", planned_hours="10")
    assert "fixed_price" in both.value.error_dict
    coordinator.action.vgsamverkan_calloff_assign(id=c["id"], expert_name="Eva Expert",
                                                  expert_user_id=expert_user["name"], hourly_rate="1000.01",
                                                  planned_hours="10")
    assert [r["id"] for r in expert.action.vgsamverkan_calloff_list()["results"]] == [c["id"]]

    expert.action.vgsamverkan_calloff_log_time(id=c["id"], date=last_month.isoformat(), hours="2.25",
                                               note="Genomgång")
    with pytest.raises(ValidationError) as bad:
        expert.action.vgsamverkan_calloff_log_time(id=c["id"], date=today.isoformat(), hours="0.1")
    assert "hours" in bad.value.error_dict
    with pytest.raises(NotAuthorized):
        admin.action.vgsamverkan_calloff_log_time(id=c["id"], date=today.isoformat(), hours="1")
    shown = coordinator.action.vgsamverkan_calloff_log_time(id=c["id"], date=today.replace(day=1).isoformat(),
                                                            hours="1.5")
    assert shown["state"] == "in_progress"
    assert [(m["month"], m["hours"], m["amount"]) for m in shown["months"]] == [
        (last_month.strftime("%Y-%m"), "2.25", "2250.02"),  # 2250.0225 kr, half up per month
        (today.strftime("%Y-%m"), "1.50", "1500.02"),  # 1500.015 kr
    ]
    done = coordinator.action.vgsamverkan_calloff_deliver(id=c["id"])
    assert (done["state"], done["logged_hours"], done["amount"]) == ("delivered", "3.75", "3750.04")
    with pytest.raises(ValidationError) as late:
        expert.action.vgsamverkan_calloff_log_time(id=c["id"], date=today.isoformat(), hours="1")
    assert "state" in late.value.error_dict
    history = admin.action.vgsamverkan_event_list(object_type="calloff", object_id=c["id"])
    assert [e["action"] for e in history["results"]] == ["create", "assign", "log_time", "log_time", "deliver"]
    log = admin.action.vgsamverkan_calloff_show(id=c["id"])["time_log"]
    assert [(e["date"], e["hours"], e["hourly_rate"]) for e in log] == [
        (last_month.isoformat(), "2.25", "1000.01"), (today.replace(day=1).isoformat(), "1.50", "1000.01")]
