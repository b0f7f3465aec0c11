"""The auth functions of the requests for publishing rights."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.domain.roles import (
    is_coordinator,
    is_org_admin,
)
from ckanext.vgsamverkan.logic.auth._base import _coordinator_only, _logged_in, _ok, _party_of, _refuse, _user

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
