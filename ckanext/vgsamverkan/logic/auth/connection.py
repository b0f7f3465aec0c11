"""The auth functions of the connection requests."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.domain.roles import (
    is_coordinator,
    is_org_admin,
)
from ckanext.vgsamverkan.logic.auth._base import _coordinator_only, _logged_in, _ok, _org_admin_asks, _refuse, _user

# -- connection requests ---------------------------------------------------------------

def _org_admin_or_coordinator_of(context: Context, object_id: Any) -> AuthResult:
    obj = objects.load("connection", object_id)
    user = _user(context)
    if is_coordinator(user) or is_org_admin(user, obj.organization_id):
        return _ok()
    return _refuse(tk._("Only the organisation's admins and the coordinator may see this request"))


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
