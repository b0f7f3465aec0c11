"""User text is escaped on every page: ``<script>`` written into every free-text field a
user or the coordinator can fill in (names, motivations, contacts, descriptions,
solutions, experts, notes, comments, reasons, an organisation's title) never comes back
as markup — only as ``&lt;script&gt;``. E-mails are plain text (``text/plain``), so the
same text arrives literally there and nothing in it is ever interpreted."""
from __future__ import annotations

import datetime as dt

import pytest

from ckan.tests import factories

from tests.browser import as_user
from tests.factories import call, participant_org, request_rights, requested_on

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

XSS = "<script>alert('vgs')</script>"
RAW = "<script>alert("


def test_script_is_text_on_every_page(app, coordinator, mailbox, run_jobs):
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    admin = factories.User(fullname=f"Admin {XSS}", email="xss-admin@example.org")
    publisher = factories.User(fullname=f"Publicist {XSS}")
    call("vgsamverkan_population_import", coordinator, year=2025, source=XSS,
         records=[{"municipality_code": "1480", "name": "Göteborg", "population": 600000}])
    org = participant_org(admin, coordinator, effective_from="2025-01-01", municipality_code="1480",
                          contact_name=f"Kontakt {XSS}", motivation=XSS, invoice_reference=XSS)
    waiting = call("vgsamverkan_participation_apply", publisher, organization_name="xss-kommun",
                   organization_title=f"Kommun {XSS}", org_type="kommun", municipality_code="1401",
                   org_number="212000-1355", contact_name=XSS, contact_email="x@example.org", motivation=XSS)
    call("vgsamverkan_comment_create", publisher, object_type="participation", object_id=waiting["id"], text=XSS)
    rights = request_rights(publisher, org, motivation=XSS)
    call("vgsamverkan_comment_create", coordinator, object_type="publisher", object_id=rights["id"], text=XSS)
    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets=XSS,
             proposed_solution=XSS, technical_contact=XSS, description=XSS)
    call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator=XSS, comment=XSS)
    call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution=XSS, effort_hours="8", price="9600",
         valid_until="2099-12-31", comment=XSS)
    off = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="metadata",
               description=XSS, estimated_hours="8", period_start="2025-01-01", period_end="2099-12-31",
               contact=XSS)
    requested_on(off["id"], "2025-01-01")  # time is logged on days long past
    call("vgsamverkan_calloff_assign", coordinator, id=off["id"], expert_name=f"Expert {XSS}", hourly_rate="950",
         planned_hours="8", comment=XSS)
    call("vgsamverkan_calloff_log_time", coordinator, id=off["id"], date=yesterday, hours="1", note=XSS)
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2025-01", total="1000")
    month = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    call("vgsamverkan_fee_adjust", coordinator, month=month.strftime("%Y-%m"), organization_id=org["id"],
         amount="-10", reason=XSS)
    run_jobs()

    browser = app
    pages = [
        (None, ["/samverkan", "/en/samverkan"]),
        (publisher, ["/samverkan/mina-arenden", f"/samverkan/deltagande/{waiting['id']}",
                    f"/samverkan/behorighet/{rights['id']}", "/dashboard/"]),
        (admin, [f"/organization/samverkan/{org['name']}", f"/samverkan/anslutning/{c['id']}",
                f"/samverkan/avrop/{off['id']}", "/dashboard/", f"/organization/members/{org['name']}"]),
        (coordinator, ["/ckan-admin/samverkan", "/ckan-admin/samverkan/befolkning",
                      f"/ckan-admin/samverkan/avgifter/{month.strftime('%Y-%m')}",
                      f"/samverkan/deltagande/{waiting['id']}", f"/samverkan/behorighet/{rights['id']}",
                      f"/samverkan/anslutning/{c['id']}", f"/samverkan/avrop/{off['id']}",
                      f"/organization/samverkan/{org['name']}"]),
    ]
    escaped = 0
    for user, paths in pages:
        for path in paths:
            body = browser.get(path, extra_environ=as_user(user)).body
            assert RAW not in body, f"{path}: unescaped user text"
            escaped += "&lt;script&gt;alert(" in body or "&lt;script&gt;alert(&#39;vgs&#39;)" in body
    assert escaped >= 14  # the text is on the pages, escaped

    # mails: plain text only, the text literally
    assert mailbox.messages
    for message in mailbox.messages:
        assert message.get_content_type() == "text/plain" and not message.is_multipart()
    assert any(XSS in mailbox.body(m) for m in mailbox.messages)
