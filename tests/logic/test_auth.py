"""Auth for every action and every role, at the auth layer (``call_auth``) and through
the action itself (so a forgotten ``check_access`` is caught: CKAN's auth audit does not
cover extension actions)."""
from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.vgsamverkan.model import (
    Calloff,
    CalloffTime,
    Comment,
    Connection,
    ConnectionQuote,
    DatasetExemption,
    Event,
    FeeAdjustment,
    FeeLine,
    FeeMonth,
    FeeSchedule,
    FeeStatement,
    Participation,
    Population,
    PublisherRequest,
)
from tests.conftest import kept
from tests.contract import NOT_OBJECTS, objects_of, whole_problems
from tests.factories import application_data, apply_existing, org_with_admin, request_rights
from tests.halves import this_versions_half

_SERIAL = itertools.count(711)

# "publisher": an editor of the participant organisation (other_org) by approved rights
ROLES = ["anonymous", "user", "publisher", "org_admin", "other_admin", "expert", "coordinator", "sysadmin"]
# every logged-in account
LOGGED_IN = set(ROLES) - {"anonymous"}


@pytest.fixture
def world(clean_db, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinators", ["samordnare"])
    return kept(("test_auth.world", "samordnare"), lambda: build_world("samordnare"))


def build_world(coordinator_name: str) -> dict:
    """One object in each state that matters, of two organisations, and one account of
    each role. Contact data and texts carry the organisation's name ("hemlig-…"), so that
    a leak to another organisation can be seen in any answer."""
    org_admin = factories.User()
    other_admin = factories.User()
    org = org_with_admin(org_admin)
    other_org = org_with_admin(other_admin)
    users = {
        "anonymous": None,
        "user": factories.User(),
        "org_admin": org_admin,
        "other_admin": other_admin,
        "expert": factories.User(),
        "coordinator": factories.User(name=coordinator_name),
        "sysadmin": factories.Sysadmin(),
    }
    free_org = org_with_admin(org_admin)  # no application yet
    pending = apply_existing(org_admin, org, contact_email="hemlig-org@example.org",
                             motivation="hemlig-org motivering")
    approved = apply_existing(other_admin, other_org, contact_email="hemlig-other@example.org",
                              motivation="hemlig-other motivering")
    helpers.call_action("vgsamverkan_comment_create", context={"user": org_admin["name"]},
                        object_type="participation", object_id=pending["id"], text="hemlig-org kommentar")
    helpers.call_action("vgsamverkan_participation_approve", id=approved["id"], effective_from="2020-01-01")
    # publisher rights in the participant organisation (other_org): one pending request
    # of "user", one approved for someone outside the roles
    pub_pending = request_rights(users["user"], other_org)
    users["publisher"] = factories.User()
    pub_approved = request_rights(users["publisher"], other_org)
    helpers.call_action("vgsamverkan_publisher_approve", id=pub_approved["id"])
    # connection requests of the participant organisation (other_org, admin other_admin)
    future = "2099-12-31"
    conn_new = helpers.call_action("vgsamverkan_connection_create", context={"user": other_admin["name"]},
                                   organization_id=other_org["id"], information_sets="A",
                                   technical_contact="hemlig-other tekniker")
    conn_inv = helpers.call_action("vgsamverkan_connection_create", context={"user": other_admin["name"]},
                                   organization_id=other_org["id"], information_sets="A",
                                   technical_contact="hemlig-other tekniker")
    helpers.call_action("vgsamverkan_connection_investigate", id=conn_inv["id"], investigator="I")
    conn_quoted = helpers.call_action("vgsamverkan_connection_create", context={"user": other_admin["name"]},
                                      organization_id=other_org["id"], information_sets="A",
                                      technical_contact="hemlig-other tekniker")
    helpers.call_action("vgsamverkan_connection_investigate", id=conn_quoted["id"], investigator="I")
    helpers.call_action("vgsamverkan_connection_quote", id=conn_quoted["id"], solution="S", effort_hours="1",
                        price="100", valid_until=future)
    conn_accepted = helpers.call_action("vgsamverkan_connection_create", context={"user": other_admin["name"]},
                                        organization_id=other_org["id"], information_sets="A",
                                        technical_contact="hemlig-other tekniker")
    helpers.call_action("vgsamverkan_connection_investigate", id=conn_accepted["id"], investigator="I")
    helpers.call_action("vgsamverkan_connection_quote", id=conn_accepted["id"], solution="S", effort_hours="1",
                        price="100", valid_until=future)
    helpers.call_action("vgsamverkan_connection_accept", context={"user": other_admin["name"]}, id=conn_accepted["id"])
    conn_connected = helpers.call_action("vgsamverkan_connection_create", context={"user": other_admin["name"]},
                                         organization_id=other_org["id"], information_sets="A",
                                         technical_contact="hemlig-other tekniker")
    helpers.call_action("vgsamverkan_connection_investigate", id=conn_connected["id"], investigator="I")
    helpers.call_action("vgsamverkan_connection_quote", id=conn_connected["id"], solution="S", effort_hours="1",
                        price="100", valid_until=future)
    helpers.call_action("vgsamverkan_connection_accept", context={"user": other_admin["name"]}, id=conn_connected["id"])
    helpers.call_action("vgsamverkan_connection_complete", id=conn_connected["id"])
    # call-offs of the participant organisation; "expert" is assigned to two of them
    def calloff(assign=False, log=False):
        c = helpers.call_action("vgsamverkan_calloff_create", context={"user": other_admin["name"]},
                                organization_id=other_org["id"], competence_area="teknik", description="D",
                                estimated_hours="4", period_start="2026-01-01", period_end="2026-12-31")
        if assign:
            helpers.call_action("vgsamverkan_calloff_assign", id=c["id"], expert_name="E",
                                expert_user_id=users["expert"]["id"], hourly_rate="900", planned_hours="4")
        if log:
            helpers.call_action("vgsamverkan_calloff_log_time", id=c["id"], date=dt.date.today().isoformat(),
                                hours="1")
        return c

    co_requested, co_assigned, co_running = calloff(), calloff(assign=True), calloff(assign=True, log=True)
    helpers.call_action("vgsamverkan_comment_create", context={"user": other_admin["name"]},
                        object_type="connection", object_id=conn_new["id"], text="hemlig-other kommentar")
    # a fee schedule and a saved run of last month (other_org, an approved kommun, pays)
    helpers.call_action("vgsamverkan_fee_schedule_set", valid_from="2020-01", total="1000")
    last_month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    # the month before, closed: other_org's invoice (issue 37)
    two_ago = (dt.date.today().replace(day=1) - dt.timedelta(days=32)).strftime("%Y-%m")
    helpers.call_action("vgsamverkan_fee_run", month=two_ago)
    helpers.call_action("vgsamverkan_fee_close", month=two_ago)
    from ckanext.vgsamverkan.model import Invoice  # (the in-process coordinator may not be coordinator_name)

    invoice = model.Session.query(Invoice).filter(Invoice.month == two_ago).order_by(Invoice.sequence).first().dictize()
    helpers.call_action("vgsamverkan_fee_run", month=last_month)
    from ckanext.vgsamverkan.model import CalloffTime

    co_entry = model.Session.query(CalloffTime.id).filter(CalloffTime.calloff_id == co_running["id"]).scalar()
    # B's datasets: one the coordinator has marked as needing no connection, one not
    as_sysadmin = {"user": users["sysadmin"]["name"]}
    exempt = helpers.call_action("package_create", context=dict(as_sysadmin), name="b-karta", owner_org=other_org["id"])
    plain = helpers.call_action("package_create", context=dict(as_sysadmin), name="b-tabell",
                                owner_org=other_org["id"])
    helpers.call_action("vgsamverkan_exemption_create", context={"user": coordinator_name, "ignore_auth": True},
                        id=exempt["id"], reason="Via leverantörens tjänst")
    return {"users": users, "dataset_exempt": exempt, "dataset": plain, "org": org, "other_org": other_org,
            "free_org": free_org,
            "last_month": last_month, "invoice": invoice, "co_requested": co_requested, "co_assigned": co_assigned,
            "co_running": co_running, "co_entry": co_entry,
            "conn_new": conn_new, "conn_inv": conn_inv, "conn_quoted": conn_quoted,
            "conn_accepted": conn_accepted, "conn_connected": conn_connected,
            "pending": pending, "approved": approved, "pub_pending": pub_pending,
            "pub_approved": pub_approved,
            # a name of digits only: a JSON number can spell it (the variants try that)
            "someone": factories.User(name=f"4{next(_SERIAL):04d}")}


def _context(user):
    return {"user": user["name"] if user else "", "model": model, "ignore_auth": False}


def _snapshot():
    """What a refused call must not change: the number of rows of each table, and the
    state of each request, fee month and membership. One statement (it is taken twice
    for each of thousands of calls)."""
    counted = (Participation, Event, Comment, Population, PublisherRequest, model.Member, Connection,
               ConnectionQuote, Calloff, CalloffTime, DatasetExemption, FeeAdjustment, FeeLine, FeeMonth,
               FeeSchedule, FeeStatement)
    listed = (
        (FeeMonth, "month, state, run_at::text"),
        (Calloff, "id, state, coalesce(expert_name, '')"),
        (Connection, "id, state"),
        (Participation, "id, state"),
        (PublisherRequest, "id, state"),
        (model.Member, "table_id, group_id, capacity, state"),
    )
    parts = [f'(SELECT count(*) FROM "{c.__table__.name}")' for c in counted]
    parts += [f'(SELECT array_agg(ROW({columns})::text ORDER BY {columns}) FROM "{c.__table__.name}")'
              for c, columns in listed]
    return tuple(model.Session.execute(sa.text("SELECT " + ", ".join(parts))).one())


def _allowed_by_auth(name, user, data) -> bool:
    try:
        helpers.call_auth(name, _context(user), **data)
        return True
    except tk.NotAuthorized:
        return False


# action -> (how to build its data from the world, roles that are allowed)
CASES = {
    "vgsamverkan_participation_apply (new organisation)": (
        "vgsamverkan_participation_apply",
        lambda w: application_data(organization_name="helt-ny", organization_title="Helt ny"),
        LOGGED_IN,
    ),
    "vgsamverkan_participation_apply (existing organisation)": (
        "vgsamverkan_participation_apply",
        lambda w: application_data(organization_id=w["free_org"]["id"]),
        {"org_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_participation_show": (
        "vgsamverkan_participation_show", lambda w: {"id": w["pending"]["id"]},
        {"org_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_participation_list": (
        "vgsamverkan_participation_list", lambda w: {},
        LOGGED_IN,
    ),
    "vgsamverkan_participation_approve": (
        "vgsamverkan_participation_approve", lambda w: {"id": w["pending"]["id"]},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_participation_reject": (
        "vgsamverkan_participation_reject", lambda w: {"id": w["pending"]["id"], "reason": "Nej"},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_participation_withdraw": (
        "vgsamverkan_participation_withdraw", lambda w: {"id": w["pending"]["id"]},
        {"org_admin", "sysadmin"},
    ),
    "vgsamverkan_participation_terminate": (
        "vgsamverkan_participation_terminate", lambda w: {"id": w["approved"]["id"]},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_participation_update": (
        "vgsamverkan_participation_update", lambda w: {"id": w["approved"]["id"], "invoice_reference": "NY-1"},
        {"other_admin", "coordinator", "sysadmin"},  # the admin of the approved participation's organisation
    ),
    "vgsamverkan_participation_update (organisation number)": (
        "vgsamverkan_participation_update",
        lambda w: {"id": w["approved"]["id"], "org_number": w["approved"]["org_number"]},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_waiting_list": (
        "vgsamverkan_waiting_list", lambda w: {}, LOGGED_IN,
    ),
    "vgsamverkan_participant_list": (
        "vgsamverkan_participant_list", lambda w: {}, set(ROLES),
    ),
    "vgsamverkan_comment_create": (
        "vgsamverkan_comment_create",
        lambda w: {"object_type": "participation", "object_id": w["pending"]["id"], "text": "Hej"},
        {"org_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_comment_list": (
        "vgsamverkan_comment_list",
        lambda w: {"object_type": "participation", "object_id": w["pending"]["id"]},
        {"org_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_event_list (object)": (
        "vgsamverkan_event_list",
        lambda w: {"object_type": "participation", "object_id": w["pending"]["id"]},
        {"org_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_event_list (organisation)": (
        "vgsamverkan_event_list", lambda w: {"organization_id": w["org"]["id"]},
        {"org_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_publisher_request": (
        "vgsamverkan_publisher_request",
        lambda w: {"organization_id": w["other_org"]["id"], "role": "editor"},
        LOGGED_IN,
    ),
    "vgsamverkan_publisher_request (for someone else)": (
        "vgsamverkan_publisher_request",
        lambda w: {"organization_id": w["other_org"]["id"], "role": "editor",
                   "user_id": w["someone"]["name"]},
        {"other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_publisher_show": (
        "vgsamverkan_publisher_show", lambda w: {"id": w["pub_pending"]["id"]},
        {"user", "other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_publisher_show (own, approved)": (
        "vgsamverkan_publisher_show", lambda w: {"id": w["pub_approved"]["id"]},
        {"publisher", "other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_publisher_list": (
        "vgsamverkan_publisher_list", lambda w: {},
        LOGGED_IN,
    ),
    "vgsamverkan_publisher_approve": (
        "vgsamverkan_publisher_approve", lambda w: {"id": w["pub_pending"]["id"]},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_publisher_reject": (
        "vgsamverkan_publisher_reject", lambda w: {"id": w["pub_pending"]["id"], "reason": "Nej"},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_publisher_withdraw": (
        "vgsamverkan_publisher_withdraw", lambda w: {"id": w["pub_pending"]["id"]},
        {"user", "sysadmin"},
    ),
    "vgsamverkan_publisher_revoke": (
        "vgsamverkan_publisher_revoke", lambda w: {"id": w["pub_approved"]["id"]},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_comment_create (publisher)": (
        "vgsamverkan_comment_create",
        lambda w: {"object_type": "publisher", "object_id": w["pub_pending"]["id"], "text": "Hej"},
        {"user", "other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_connection_create": (
        "vgsamverkan_connection_create",
        lambda w: {"organization_id": w["other_org"]["id"], "information_sets": "A", "technical_contact": "B"},
        {"other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_connection_show": (
        "vgsamverkan_connection_show", lambda w: {"id": w["conn_new"]["id"]},
        {"other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_connection_list": (
        "vgsamverkan_connection_list", lambda w: {},
        LOGGED_IN,
    ),
    "vgsamverkan_connection_investigate": (
        "vgsamverkan_connection_investigate", lambda w: {"id": w["conn_new"]["id"], "investigator": "I"},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_connection_quote": (
        "vgsamverkan_connection_quote",
        lambda w: {"id": w["conn_inv"]["id"], "solution": "S", "effort_hours": "2", "price": "10",
                   "valid_until": "2099-12-31"},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_connection_accept": (
        "vgsamverkan_connection_accept", lambda w: {"id": w["conn_quoted"]["id"]},
        {"other_admin", "sysadmin"},
    ),
    "vgsamverkan_connection_decline": (
        "vgsamverkan_connection_decline", lambda w: {"id": w["conn_quoted"]["id"]},
        {"other_admin", "sysadmin"},
    ),
    "vgsamverkan_connection_complete": (
        "vgsamverkan_connection_complete", lambda w: {"id": w["conn_accepted"]["id"]},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_connection_cancel": (
        "vgsamverkan_connection_cancel", lambda w: {"id": w["conn_new"]["id"]},
        {"other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_connection_disconnect": (
        "vgsamverkan_connection_disconnect", lambda w: {"id": w["conn_connected"]["id"]},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_comment_create (connection)": (
        "vgsamverkan_comment_create",
        lambda w: {"object_type": "connection", "object_id": w["conn_new"]["id"], "text": "Hej"},
        {"other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_event_list (connection)": (
        "vgsamverkan_event_list",
        lambda w: {"object_type": "connection", "object_id": w["conn_new"]["id"]},
        {"other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_calloff_create": (
        "vgsamverkan_calloff_create",
        lambda w: {"organization_id": w["other_org"]["id"], "competence_area": "juridik", "description": "D",
                   "estimated_hours": "2", "period_start": "2026-01-01", "period_end": "2026-01-31"},
        {"other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_calloff_show": (
        "vgsamverkan_calloff_show", lambda w: {"id": w["co_assigned"]["id"]},
        {"other_admin", "expert", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_calloff_show (not assigned to the expert)": (
        "vgsamverkan_calloff_show", lambda w: {"id": w["co_requested"]["id"]},
        {"other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_calloff_list": (
        "vgsamverkan_calloff_list", lambda w: {}, LOGGED_IN,
    ),
    "vgsamverkan_calloff_assign": (
        "vgsamverkan_calloff_assign",
        lambda w: {"id": w["co_requested"]["id"], "expert_name": "E", "fixed_price": "1000", "planned_hours": "2"},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_calloff_log_time": (
        "vgsamverkan_calloff_log_time",
        lambda w: {"id": w["co_assigned"]["id"], "date": dt.date.today().isoformat(), "hours": "0.5"},
        {"expert", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_calloff_deliver": (
        "vgsamverkan_calloff_deliver", lambda w: {"id": w["co_running"]["id"]},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_calloff_correct_time": (
        "vgsamverkan_calloff_correct_time", lambda w: {"id": w["co_entry"], "hours": "0.25", "reason": "Rättelse"},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_calloff_cancel": (
        "vgsamverkan_calloff_cancel", lambda w: {"id": w["co_requested"]["id"]},
        {"other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_competence_area_list": (
        "vgsamverkan_competence_area_list", lambda w: {}, set(ROLES),
    ),
    "vgsamverkan_comment_create (calloff)": (
        "vgsamverkan_comment_create",
        lambda w: {"object_type": "calloff", "object_id": w["co_assigned"]["id"], "text": "Hej"},
        {"other_admin", "expert", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_event_list (calloff)": (
        "vgsamverkan_event_list",
        lambda w: {"object_type": "calloff", "object_id": w["co_assigned"]["id"]},
        {"other_admin", "expert", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_fee_schedule_list": ("vgsamverkan_fee_schedule_list", lambda w: {}, set(ROLES)),
    "vgsamverkan_fee_schedule_set": (
        "vgsamverkan_fee_schedule_set", lambda w: {"valid_from": "2030-01", "total": "2000"},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_fee_run": (
        "vgsamverkan_fee_run", lambda w: {"month": w["last_month"]}, {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_fee_run (dry run)": (
        "vgsamverkan_fee_run", lambda w: {"month": w["last_month"], "dry_run": True}, {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_fee_close": (
        "vgsamverkan_fee_close", lambda w: {"month": w["last_month"]}, {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_fee_adjust": (
        "vgsamverkan_fee_adjust",
        lambda w: {"organization_id": w["other_org"]["id"], "month": w["last_month"], "amount": "-10",
                   "reason": "R"},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_fee_month_list": ("vgsamverkan_fee_month_list", lambda w: {}, {"coordinator", "sysadmin"}),
    "vgsamverkan_fee_export": (
        "vgsamverkan_fee_export", lambda w: {"month": w["last_month"], "format": "sie"},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_fee_statement_list": ("vgsamverkan_fee_statement_list", lambda w: {}, LOGGED_IN),
    "vgsamverkan_fee_statement_show": (
        "vgsamverkan_fee_statement_show",
        lambda w: {"organization_id": w["other_org"]["id"], "month": w["last_month"]},
        {"other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_gdpr_purge": ("vgsamverkan_gdpr_purge", lambda w: {"older_than": 30}, {"coordinator", "sysadmin"}),
    "vgsamverkan_exemption_create": (
        "vgsamverkan_exemption_create", lambda w: {"id": w["dataset"]["id"], "reason": "R"},
        {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_exemption_delete": (
        "vgsamverkan_exemption_delete", lambda w: {"id": w["dataset_exempt"]["id"]}, {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_exemption_list": ("vgsamverkan_exemption_list", lambda w: {}, {"coordinator", "sysadmin"}),
    "vgsamverkan_queue_list": ("vgsamverkan_queue_list", lambda w: {"sort": "newest"}, {"coordinator", "sysadmin"}),
    "vgsamverkan_history_show": ("vgsamverkan_history_show", lambda w: {"months": 3}, {"coordinator", "sysadmin"}),
    "vgsamverkan_dashboard_show": (
        "vgsamverkan_dashboard_show", lambda w: {}, {"coordinator", "sysadmin"},
    ),
    # a per-person setting, of oneself (issue 36): anyone logged in
    "vgsamverkan_mail_language_show": (
        "vgsamverkan_mail_language_show", lambda w: {}, LOGGED_IN,
    ),
    "vgsamverkan_mail_language_set": (
        "vgsamverkan_mail_language_set", lambda w: {"language": "en"}, LOGGED_IN,
    ),
    # e-invoices (issue 37): the coordinator; an organisation's admins their own
    "vgsamverkan_invoice_list": ("vgsamverkan_invoice_list", lambda w: {}, LOGGED_IN),
    "vgsamverkan_invoice_show": (
        "vgsamverkan_invoice_show", lambda w: {"id": w["invoice"]["id"]}, {"other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_invoice_show (by number)": (
        "vgsamverkan_invoice_show", lambda w: {"id": w["invoice"]["number"]},
        {"other_admin", "coordinator", "sysadmin"},
    ),
    "vgsamverkan_invoice_mark_sent": (
        "vgsamverkan_invoice_mark_sent", lambda w: {"id": w["invoice"]["id"]}, {"coordinator", "sysadmin"},
    ),
    # registration (issue 36): whoever CKAN lets register (create_user_via_web here); the
    # activation link's key is the credential
    "vgsamverkan_user_register": (
        "vgsamverkan_user_register", lambda w: {"name": "ny-matris", "email": "ny-matris@example.org",
                                                "password1": "Ett-langt-losenord-1",
                                                "password2": "Ett-langt-losenord-1"}, set(ROLES),
    ),
    "vgsamverkan_user_activate": ("vgsamverkan_user_activate", lambda w: _pending_account(), set(ROLES)),
    "vgsamverkan_catalog_report": (
        "vgsamverkan_catalog_report", lambda w: {"limit": 5}, {"coordinator", "sysadmin"},
    ),
    "vgsamverkan_population_list": (
        "vgsamverkan_population_list", lambda w: {}, set(ROLES),
    ),
    "vgsamverkan_population_import": (
        "vgsamverkan_population_import",
        lambda w: {"year": 2030, "records": [{"municipality_code": "1480", "name": "Göteborg", "population": 1}]},
        {"coordinator", "sysadmin"},
    ),
}


def _pending_account() -> dict[str, str]:
    """A registration waiting for its link (logic/action/account.py)."""
    from passlib.hash import pbkdf2_sha512

    from ckanext.vgsamverkan.logic.action.account import _digest
    from ckanext.vgsamverkan.model import Registration

    registration = Registration(key_digest=_digest("matris-nyckel"), name="ny-matris-aktiv",
                                email="ny-matris-aktiv@example.org",
                                password_hash=pbkdf2_sha512.hash("Ett-langt-losenord-1"))
    model.Session.add(registration)
    model.Session.commit()
    return {"id": registration.id, "key": "matris-nyckel", "password": "Ett-langt-losenord-1"}


# -- other spellings of the same ids ---------------------------------------------------
# An action must be authorised on exactly the object it acts on: a refusal must not turn
# into an allow because the id is spelled another way that the action (its validators
# strip, take numbers as text, look names up) would still resolve to the same object.

ID_KEYS = ("id", "organization_id", "user_id", "object_id", "object_type", "expert_user_id")
_FULLWIDTH = {c: c + 0xFEE0 for c in range(0x21, 0x7F)}  # NFKC folds these back to ASCII
_CYRILLIC = str.maketrans("aceopx", "асеорх")  # look-alike letters


def id_variants(value: Any) -> list[Any]:
    """Other spellings of an id-like value: white space around it (spaces, tabs,
    newlines, no-break and ideographic spaces), zero-width and invisible characters,
    other letter case, NFKC and Cyrillic look-alikes, the name for an id and the id for a
    name (organisations and users), a number (of a name of digits, and any), a list and an
    object. Absent values (None, "") are not variants: they mean "not given"."""
    if not isinstance(value, str) or not value:
        return []
    out: list[Any] = [f" {value}", f"{value} ", f"\t{value}", f"{value}\n", f" {value}\t\r\n", f"\u00a0{value}",
                      f"{value}\u3000", f"{value}\u200b", f"\u200b{value}", f"\ufeff{value}", f"{value}\u00ad",
                      value.upper(), value.title(), value.swapcase(), value.translate(_FULLWIDTH),
                      value.translate(_CYRILLIC)]
    for cls in (model.Group, model.User):
        obj = cls.get(value)
        if obj is not None:
            other = obj.name if value == obj.id else obj.id
            out += [other, f" {other} ", other.upper()]
    if value.strip().isdigit():
        out.append(int(value))
    out += [0, 4711, 1.5, [value], {"id": value}]
    seen: list[Any] = []
    for v in out:
        if v != value and v not in seen:
            seen.append(v)
    return seen


def _variants_of(data: dict) -> list[tuple[str, Any, dict]]:
    return [(key, v, {**data, key: v}) for key in ID_KEYS if key in data for v in id_variants(data[key])]


def _refused_by_action(action: str, user: Any, data: dict) -> bool:
    """Refused as a request would be (403, 404 or 409); what the refused call left in the
    session is rolled back, as at the end of a request."""
    try:
        helpers.call_action(action, context=_context(user), **data)
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        model.Session.rollback()
        return True
    return False


def _refused_by_auth(action: str, user: Any, data: dict) -> bool:
    try:
        helpers.call_auth(action, _context(user), **data)
    except (tk.NotAuthorized, tk.ObjectNotFound, tk.ValidationError):
        return True
    return False


def check_variants_refused(case: str, world: dict) -> list[str]:
    """Every role refused with the canonical ids is refused with every other spelling
    of them, by the auth function alone and through the action, and nothing changes."""
    action, make_data, allowed = CASES[case]
    data = make_data(world)
    before = _snapshot()
    holes = []
    for role in sorted(set(ROLES) - allowed):
        user = world["users"][role]
        # half of the variants on each CKAN version, the other half on the other (tests/halves.py)
        for key, variant, changed in this_versions_half(_variants_of(data)):
            if not _refused_by_auth(action, user, changed):
                holes.append(f"{case} as {role}: the auth function allows {key}={variant!r}")
            if not _refused_by_action(action, user, changed):
                holes.append(f"{case} as {role}: the action allows {key}={variant!r}")
    if _snapshot() != before:
        holes.append(f"{case}: a refused variant changed the database")
    return holes


@pytest.mark.parametrize("case", list(CASES))
def test_every_role(case, world):
    action, make_data, allowed = CASES[case]
    data = make_data(world)
    seen = {role for role in ROLES if _allowed_by_auth(action, world["users"][role], data)}
    assert seen == allowed, f"{case}: auth allows {sorted(seen)}, must allow {sorted(allowed)}"

    # Through the action: every refused role is refused, and nothing changes.
    for role in set(ROLES) - allowed:
        before = _snapshot()
        with pytest.raises(tk.NotAuthorized):
            helpers.call_action(action, context=_context(world["users"][role]), **data)
        assert _snapshot() == before, f"{case}: refused call by {role} changed the database"

    # …and with every other spelling of its ids.
    holes = check_variants_refused(case, world)
    assert not holes, "\n".join(holes)

    # …and every allowed role gets through (the coordinator is not a sysadmin), with an
    # answer whose objects are whole (SPEC "API"; tests/contract.py)
    role = "coordinator" if "coordinator" in allowed else sorted(allowed)[0]
    answer = helpers.call_action(action, context=_context(world["users"][role]), **data)
    if action not in NOT_OBJECTS:
        assert objects_of(answer) or answer.get("count") == 0, f"{case}: no object in {answer}"
        assert whole_problems(case, answer) == []


def test_every_action_has_a_case():
    from ckanext.vgsamverkan.logic import action

    covered = {c[0] for c in CASES.values()}
    public = set(action.__dict__) & {n for n in dir(action) if n.startswith("vgsamverkan_")}
    assert public == covered


def test_every_action_wears_the_action_decorator():
    """Each registered vgsamverkan_* action is decorated with logic/action/_base.action
    where it is defined (the control-character refusal and the lost-connection mark)."""
    from ckanext.vgsamverkan.plugin import VgSamverkanPlugin

    actions = VgSamverkanPlugin().get_actions()
    ours = {n: fn for n, fn in actions.items() if n.startswith("vgsamverkan_")}
    assert len(ours) > 50
    bare = sorted(n for n, fn in ours.items() if not getattr(fn, "vgsamverkan_action", False))
    assert not bare, f"without @action: {bare}"


def test_only_our_actions_are_registered():
    """The plugin exposes its vgsamverkan_* actions and chains a few of CKAN's (each
    chained, never replaced); no helper of the action module becomes an API action by
    accident."""
    from ckanext.vgsamverkan.plugin import VgSamverkanPlugin

    actions = VgSamverkanPlugin().get_actions()
    chained = {n for n in actions if not n.startswith("vgsamverkan_")}
    assert chained == {"resource_create", "organization_create", "group_create", "organization_update",
                       "group_update", "member_list", "member_create", "member_delete",
                       "package_update"}  # an uploaded file's format is read before CKAN writes it
    assert all(getattr(actions[n], "chained_action", False) for n in chained)


def test_coordinator_is_not_a_sysadmin(world):
    coordinator = model.User.get("samordnare")
    assert not coordinator.sysadmin
    # and gets nothing of a sysadmin's beyond the workflow
    with pytest.raises(tk.NotAuthorized):
        helpers.call_auth("user_delete", _context({"name": "samordnare"}), id=world["users"]["user"]["id"])
    with pytest.raises(tk.NotAuthorized):
        helpers.call_auth("config_option_update", _context({"name": "samordnare"}))


def test_a_deleted_coordinator_account_is_no_coordinator(world):
    helpers.call_action("user_delete", id="samordnare")
    with pytest.raises(tk.NotAuthorized):
        helpers.call_auth("vgsamverkan_dashboard_show", _context({"name": "samordnare"}))


def test_every_action_is_documented():
    """Docstrings are the API documentation (help_show): each action says what it returns,
    and documents every parameter its schema accepts."""
    import inspect

    from ckanext.vgsamverkan.logic import action

    for name, fn in inspect.getmembers(action, inspect.isfunction):
        if not name.startswith("vgsamverkan_"):
            continue
        doc = fn.__doc__ or ""
        assert ":returns:" in doc, f"{name} does not say what it returns"
        assert len(doc.strip().splitlines()[0]) > 10, f"{name} has no summary line"


@pytest.mark.usefixtures("with_plugins")
def test_apply_documents_every_parameter():
    from ckanext.vgsamverkan.logic import action, schema

    doc = action.vgsamverkan_participation_apply.__doc__
    for field in schema.participation_apply():
        assert f":param {field}:" in doc, field


# In the world, organisation A ("org", admin org_admin) has applied and waits; B
# ("other_org", admin other_admin) takes part, with a publisher, connection requests,
# call-offs (the expert is assigned to some) and fee statements.
ROLE_TITLES = {"anonymous": "anonymous", "user": "logged-in user", "publisher": "publisher of B",
               "org_admin": "admin of A", "other_admin": "admin of B",
               "expert": "expert on B's call-off", "coordinator": "coordinator (not sysadmin)", "sysadmin": "sysadmin"}
# the cases about A's objects; every other case is about B's (or about no organisation)
CASES_OF_A = {"vgsamverkan_participation_apply (existing organisation)", "vgsamverkan_participation_show",
              "vgsamverkan_participation_approve", "vgsamverkan_participation_reject",
              "vgsamverkan_participation_withdraw", "vgsamverkan_comment_create", "vgsamverkan_comment_list",
              "vgsamverkan_event_list (object)", "vgsamverkan_event_list (organisation)"}

# about no one organisation: lists (each answers with what the caller may see), settings
WITHOUT_ORGANISATION = {"vgsamverkan_dashboard_show", "vgsamverkan_fee_schedule_set", "vgsamverkan_history_show",
                        "vgsamverkan_catalog_report", "vgsamverkan_mail_language_show",
                        "vgsamverkan_mail_language_set", "vgsamverkan_user_register", "vgsamverkan_user_activate",
                        "vgsamverkan_gdpr_purge",
                        "vgsamverkan_population_import"}


def matrix_markdown() -> str:
    """The matrix as docs/authorisation.md shows it: one row per case, one column per
    role, ✓ where the role is allowed."""
    head = "| action (case) | of | " + " | ".join(ROLE_TITLES[r] for r in ROLES) + " |"
    rule = "|---|---|" + "---|" * len(ROLES)
    rows = []
    for case, (action, _make_data, allowed) in sorted(CASES.items()):
        if case in CASES_OF_A:
            of = "A"
        elif action.endswith("_list") or action in WITHOUT_ORGANISATION or case.endswith("(new organisation)"):
            of = ""
        else:
            of = "B"
        rows.append(f"| `{case}` | {of} | " + " | ".join("✓" if r in allowed else "" for r in ROLES) + " |")
    return "\n".join([head, rule, *rows])


def test_the_docs_show_this_matrix():
    """docs/authorisation.md's matrix is generated from CASES (python
    scripts/auth_matrix.py), so it cannot drift from what is tested."""
    import os

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    readme = open(os.path.join(root, "docs", "authorisation.md"), encoding="utf-8").read()
    start, end = "<!-- auth-matrix: generated by scripts/auth_matrix.py -->\n", "\n<!-- /auth-matrix -->"
    assert start in readme and end in readme, "docs/authorisation.md has no generated matrix"
    shown = readme.split(start, 1)[1].split(end, 1)[0]
    assert shown == matrix_markdown(), "run: .venv/bin/python scripts/auth_matrix.py"
