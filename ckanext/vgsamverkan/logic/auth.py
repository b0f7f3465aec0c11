"""Auth functions: one per action, named as the action.

The shared checks are the functions at the top (``_``-prefixed); who someone is (the
coordinator, an organisation's admin, a party, the expert) is domain/roles.py. The plugin
registers the names of ``__all__``. Each auth function returns
``{"success": bool, "msg": str}``.

Authorisation fails closed: every auth function decides about exactly the object the
action will act on, resolved with the functions of ``domain/objects.py`` that the actions
use too (the same normalisation, the same lookup), and refuses what it cannot resolve.
Never "unknown, so allow: the schema will refuse it". Templates call these functions
with raw parameters too, so they must hold on their own.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.domain.roles import (
    is_coordinator,
    is_expert,
    is_org_admin,
    is_party,
    user_of,
)

# -- shared checks ---------------------------------------------------------------------

_user = user_of  # the shared checks below read the caller through it


def _ok() -> AuthResult:
    return {"success": True}


def _refuse(msg: str) -> AuthResult:
    return {"success": False, "msg": msg}


def _coordinator_only(context: Context) -> AuthResult:
    if is_coordinator(_user(context)):
        return _ok()
    return _refuse(tk._("Only the regional coordinator may do this"))


def _logged_in(context: Context) -> AuthResult:
    if _user(context) is None:
        return _refuse(tk._("You must be logged in"))
    return _ok()


def _party_of(context: Context, object_type: str, object_id: Any) -> AuthResult:
    obj = objects.load(object_type, object_id)
    if is_party(_user(context), obj):
        return _ok()
    return _refuse(tk._("You may not see this request"))


# -- participation ---------------------------------------------------------------------

def vgsamverkan_participation_apply(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user for a new organisation; for an existing one (any value of
    ``organization_id`` but an absent one), its admin or the coordinator. ``legal_name``
    is the coordinator's."""
    result = _logged_in(context)
    if not result["success"]:
        return result
    if "legal_name" in (data_dict or {}) and not is_coordinator(_user(context)):
        return _refuse(tk._("Only the regional coordinator may record the legal name of an organisation number"))
    org_id = data_dict.get("organization_id")
    if org_id not in (None, ""):
        user = _user(context)
        org = objects.organization(org_id)
        if org is None:
            raise tk.ObjectNotFound(tk._("No such organisation"))
        if not (is_coordinator(user) or is_org_admin(user, org.id)):
            return _refuse(
                tk._("Only an admin of the organisation may apply for it to take part")
            )
    return _ok()


def vgsamverkan_participation_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _party_of(context, "participation", data_dict.get("id"))


def vgsamverkan_participation_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _logged_in(context)


def vgsamverkan_participation_approve(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_participation_reject(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_participation_terminate(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_participation_withdraw(context: Context, data_dict: DataDict) -> AuthResult:
    obj = objects.load("participation", data_dict.get("id"))
    user = _user(context)
    if user is not None and (
        obj.applicant_id == user.id or is_org_admin(user, obj.organization_id)
    ):
        return _ok()
    return _refuse(tk._("Only the applicant or an admin of the organisation may withdraw"))


def vgsamverkan_participation_update(context: Context, data_dict: DataDict) -> AuthResult:
    """The coordinator; an admin of the participation's organisation; the applicant of a
    new organisation's application (no organisation yet). Only the coordinator may give
    ``org_number`` (any value: the check does not depend on whether it would change)."""
    obj = objects.load("participation", data_dict.get("id"))
    user = _user(context)
    if is_coordinator(user):
        return _ok()
    if "org_number" in data_dict:
        return _refuse(tk._("Only the regional coordinator may change the organisation number"))
    if "legal_name" in data_dict:
        return _refuse(tk._("Only the regional coordinator may record the legal name of an organisation number"))
    if user is not None and (
        is_org_admin(user, obj.organization_id)
        or (obj.organization_id is None and obj.applicant_id == user.id)
    ):
        return _ok()
    return _refuse(tk._("Only an admin of the organisation or the coordinator may change its data"))


def vgsamverkan_waiting_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _logged_in(context)


@tk.auth_allow_anonymous_access
def vgsamverkan_participant_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _ok()


# -- publisher authorisation -----------------------------------------------------------

def vgsamverkan_publisher_request(context: Context, data_dict: DataDict) -> AuthResult:
    """Any logged-in user for themselves; for someone else, an admin of the
    organisation or the coordinator."""
    result = _logged_in(context)
    if not result["success"]:
        return result
    user = _user(context)
    assert user is not None
    other = data_dict.get("user_id")
    named = objects.user(other)
    if other in (None, "") or (named is not None and named.id == user.id):
        return _ok()  # for oneself
    if is_coordinator(user) or is_org_admin(user, data_dict.get("organization_id")):
        return _ok()
    return _refuse(tk._(
        "Only an admin of the organisation or the coordinator may request "
        "publishing rights for someone else"))


def vgsamverkan_publisher_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _party_of(context, "publisher", data_dict.get("id"))


def vgsamverkan_publisher_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _logged_in(context)


def vgsamverkan_publisher_approve(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_publisher_reject(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_publisher_revoke(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_publisher_withdraw(context: Context, data_dict: DataDict) -> AuthResult:
    obj = objects.load("publisher", data_dict.get("id"))
    user = _user(context)
    if user is not None and user.id in (obj.applicant_id, obj.user_id):
        return _ok()
    return _refuse(tk._("Only the applicant may withdraw a request"))


# -- connection requests ---------------------------------------------------------------

def _org_admin_or_coordinator_of(context: Context, object_id: Any) -> AuthResult:
    obj = objects.load("connection", object_id)
    user = _user(context)
    if is_coordinator(user) or is_org_admin(user, obj.organization_id):
        return _ok()
    return _refuse(tk._("Only the organisation's admins and the coordinator may see this request"))


def _org_admin_asks(context: Context, data_dict: DataDict, refusal: str) -> AuthResult:
    """A request that an admin of the named organisation (or the coordinator) makes."""
    result = _logged_in(context)
    if not result["success"]:
        return result
    user = _user(context)
    if is_coordinator(user) or is_org_admin(user, data_dict.get("organization_id")):
        return _ok()
    return _refuse(refusal)  # also when the organisation cannot be resolved


def vgsamverkan_connection_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _org_admin_asks(context, data_dict, tk._("Only an admin of the organisation may ask for a connection"))


def vgsamverkan_connection_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _org_admin_or_coordinator_of(context, data_dict.get("id"))


def vgsamverkan_connection_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _logged_in(context)


def vgsamverkan_connection_investigate(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_connection_quote(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_connection_complete(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_connection_disconnect(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def _org_admin_of(context: Context, object_id: Any) -> AuthResult:
    obj = objects.load("connection", object_id)
    if is_org_admin(_user(context), obj.organization_id):
        return _ok()
    return _refuse(tk._("Only an admin of the organisation may accept or decline the quote"))


def vgsamverkan_connection_accept(context: Context, data_dict: DataDict) -> AuthResult:
    return _org_admin_of(context, data_dict.get("id"))


def vgsamverkan_connection_decline(context: Context, data_dict: DataDict) -> AuthResult:
    return _org_admin_of(context, data_dict.get("id"))


def vgsamverkan_connection_cancel(context: Context, data_dict: DataDict) -> AuthResult:
    return _org_admin_or_coordinator_of(context, data_dict.get("id"))


# -- expert call-offs ------------------------------------------------------------------

def vgsamverkan_calloff_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _org_admin_asks(context, data_dict, tk._("Only an admin of the organisation may call off expert support"))


def vgsamverkan_calloff_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _party_of(context, "calloff", data_dict.get("id"))


def vgsamverkan_calloff_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _logged_in(context)


def vgsamverkan_calloff_assign(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_calloff_log_time(context: Context, data_dict: DataDict) -> AuthResult:
    obj = objects.load("calloff", data_dict.get("id"))
    user = _user(context)
    if is_coordinator(user) or is_expert(user, obj):
        return _ok()
    return _refuse(tk._("Only the assigned expert and the coordinator may log time"))


def vgsamverkan_calloff_correct_time(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_calloff_deliver(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_calloff_cancel(context: Context, data_dict: DataDict) -> AuthResult:
    obj = objects.load("calloff", data_dict.get("id"))
    user = _user(context)
    if is_coordinator(user) or is_org_admin(user, obj.organization_id):
        return _ok()
    return _refuse(tk._("Only the organisation's admins and the coordinator may cancel a call-off"))


@tk.auth_allow_anonymous_access
def vgsamverkan_competence_area_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _ok()


# -- fees ------------------------------------------------------------------------------

@tk.auth_allow_anonymous_access
def vgsamverkan_fee_schedule_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _ok()  # the collaboration's price list is public


def vgsamverkan_fee_schedule_set(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_fee_run(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_gdpr_purge(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_fee_close(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_fee_adjust(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_fee_month_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_fee_export(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_fee_statement_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _logged_in(context)


def vgsamverkan_fee_statement_show(context: Context, data_dict: DataDict) -> AuthResult:
    user = _user(context)
    if is_coordinator(user) or is_org_admin(user, data_dict.get("organization_id")):
        return _ok()
    if user is None:
        return _refuse(tk._("You must be logged in"))
    return _refuse(tk._("Only the organisation's admins and the coordinator may see its fee statements"))


# -- e-invoices ------------------------------------------------------------------------

def vgsamverkan_invoice_list(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone logged in: the coordinator's list has every invoice, an admin's their
    organisation's, anyone else's none."""
    return _logged_in(context)


def vgsamverkan_invoice_show(context: Context, data_dict: DataDict) -> AuthResult:
    """The coordinator; an admin of the invoice's organisation (the invoice resolved by id
    or number as the action resolves it; one that cannot be found is refused)."""
    user = _user(context)
    if user is None:
        return _refuse(tk._("You must be logged in"))
    if is_coordinator(user):
        return _ok()
    invoice = objects.invoice((data_dict or {}).get("id"))
    if invoice is not None and is_org_admin(user, invoice.organization_id):
        return _ok()
    return _refuse(tk._("Only the organisation's admins and the coordinator may see its invoices"))


def vgsamverkan_invoice_mark_sent(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


# -- shared ----------------------------------------------------------------------------

def _party_of_named(context: Context, data_dict: DataDict) -> AuthResult:
    """A party of the request that ``object_type`` and ``object_id`` name; refused
    when they name none."""
    object_type = objects.object_type(data_dict.get("object_type"))
    if object_type is None:
        if _user(context) is None:
            return _refuse(tk._("You must be logged in"))
        return _refuse(tk._("You may not see this request"))
    return _party_of(context, object_type, data_dict.get("object_id"))


def vgsamverkan_comment_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _party_of_named(context, data_dict)


def vgsamverkan_event_list(context: Context, data_dict: DataDict) -> AuthResult:
    user = _user(context)
    if user is None:
        return _refuse(tk._("You must be logged in"))
    if data_dict.get("object_type") not in (None, "") or data_dict.get("object_id") not in (None, ""):
        return _party_of_named(context, data_dict)
    if is_coordinator(user) or is_org_admin(user, data_dict.get("organization_id")):
        return _ok()
    return _refuse(tk._("You may not see the history of this organisation"))


def vgsamverkan_comment_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _party_of_named(context, data_dict)


def vgsamverkan_dashboard_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_catalog_report(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


# the caller's own setting: no parameter names a user (nothing to resolve)
def vgsamverkan_mail_language_show(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone logged in, of themselves (SPEC 2026-12-07: a per-person choice)."""
    return _logged_in(context)


def vgsamverkan_mail_language_set(context: Context, data_dict: DataDict) -> AuthResult:
    return _logged_in(context)


def vgsamverkan_queue_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_history_show(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


@tk.auth_allow_anonymous_access
def vgsamverkan_population_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _ok()


def vgsamverkan_population_import(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


# -- datasets that need no connection ----------------------------------------------------

def vgsamverkan_exemption_create(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_exemption_delete(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


def vgsamverkan_exemption_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _coordinator_only(context)


# -- accounts --------------------------------------------------------------------------

@tk.auth_allow_anonymous_access
def vgsamverkan_user_register(context: Context, data_dict: DataDict) -> AuthResult:
    """Whoever CKAN lets register (its own ``user_create`` rule: the site's
    ``ckan.auth.create_user_via_web``, and ``create_user_via_api`` for a call through the
    API)."""
    from ckan import authz  # noqa: PLC0415 (CKAN's dispatcher: the chain of user_create as the site has it)

    return authz.is_authorized("user_create", context, data_dict)


@tk.auth_allow_anonymous_access
def vgsamverkan_user_activate(context: Context, data_dict: DataDict) -> AuthResult:
    """Anyone: the key of the link mailed to the account's address is the credential, and
    the action refuses every id and key it cannot match exactly (the same answer for an
    unknown account, a wrong key, an expired link and an account already active)."""
    return _ok()


__all__ = [name for name in list(globals()) if name.startswith("vgsamverkan_")]
