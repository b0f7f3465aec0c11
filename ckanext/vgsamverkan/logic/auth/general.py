"""The auth functions of the actions that belong to no kind of request: lists across
kinds, fees, e-invoices, comments, the coordinator's pages, population, exemptions,
accounts."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.domain.roles import (
    is_coordinator,
    is_org_admin,
)
from ckanext.vgsamverkan.logic.auth._base import _coordinator_only, _logged_in, _ok, _party_of_named, _refuse, _user


def vgsamverkan_waiting_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _logged_in(context)


@tk.auth_allow_anonymous_access
def vgsamverkan_participant_list(context: Context, data_dict: DataDict) -> AuthResult:
    return _ok()


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
