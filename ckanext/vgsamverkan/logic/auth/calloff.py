"""The auth functions of the call-offs of expert support."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.domain.roles import (
    is_coordinator,
    is_expert,
    is_org_admin,
)
from ckanext.vgsamverkan.logic.auth._base import (
    _coordinator_only,
    _logged_in,
    _ok,
    _org_admin_asks,
    _party_of,
    _refuse,
    _user,
)

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
