"""The auth functions of the applications to take part."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.domain.roles import (
    is_coordinator,
    is_org_admin,
)
from ckanext.vgsamverkan.logic.auth._base import _coordinator_only, _logged_in, _ok, _party_of, _refuse, _user

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
