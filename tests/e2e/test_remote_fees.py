"""Fees over HTTP with ckanapi, as the finance script would: schedule → dry run → run →
the organisation reads its statement → close → export; a closed month refuses a re-run."""
from __future__ import annotations

import base64

import pytest
from ckanapi import NotAuthorized, RemoteCKAN, ValidationError

from ckan.tests import factories

from tests.factories import application_data

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]


def _client(server_url, user=None):
    token = factories.APIToken(user=user["name"])["token"] if user else None
    return RemoteCKAN(server_url, apikey=token, user_agent="vgsamverkan-e2e")


def test_a_month_from_schedule_to_export(server_url):
    coordinator = _client(server_url, factories.User(name="e2e-samordnare"))
    admin = _client(server_url, factories.User())
    p = admin.action.vgsamverkan_participation_apply(**application_data(
        organization_title="Avgiftskommunen", organization_name="avgiftskommunen", municipality_code="1480"))
    coordinator.action.vgsamverkan_participation_approve(id=p["id"], effective_from="2026-01-01")
    coordinator.action.vgsamverkan_fee_schedule_set(valid_from="2026-01", total="50000.00")
    assert _client(server_url).action.vgsamverkan_fee_schedule_list()["results"][0]["total"] == "50000.00"

    dry = coordinator.action.vgsamverkan_fee_run(month="2026-10", dry_run=True)
    assert dry["statements"][0]["net"] == "50000.00" and dry["population_year"] == 2024  # 2025 is not shipped
    with pytest.raises(ValidationError):
        coordinator.action.vgsamverkan_fee_close(month="2026-10")  # not run yet
    coordinator.action.vgsamverkan_fee_run(month="2026-10")
    statement = admin.action.vgsamverkan_fee_statement_show(organization_id="avgiftskommunen", month="2026-10")
    assert (statement["net"], statement["vat"], statement["total"]) == ("50000.00", "12500.00", "62500.00")
    assert statement["lines"][0]["kind"] == "access"
    with pytest.raises(NotAuthorized):
        _client(server_url, factories.User()).action.vgsamverkan_fee_statement_show(
            organization_id="avgiftskommunen", month="2026-10")
    with pytest.raises(NotAuthorized):
        admin.action.vgsamverkan_fee_run(month="2026-10")
    coordinator.action.vgsamverkan_fee_close(month="2026-10")
    with pytest.raises(ValidationError) as closed:
        coordinator.action.vgsamverkan_fee_run(month="2026-10")
    assert "2026-10" in str(closed.value.error_dict["month"])
    export = coordinator.action.vgsamverkan_fee_export(month="2026-10", format="sie")
    assert base64.b64decode(export["content_base64"]).startswith(b"#FLAGGA 0\r\n#FORMAT PC8")
    assert export["month_state"] == "closed"
