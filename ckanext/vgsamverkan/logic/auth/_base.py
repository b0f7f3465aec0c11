"""The shared checks of the auth functions (``_``-prefixed; read by the modules beside it)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import AuthResult, Context, DataDict

from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.domain.roles import (
    is_coordinator,
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


def _org_admin_asks(context: Context, data_dict: DataDict, refusal: str) -> AuthResult:
    """A request that an admin of the named organisation (or the coordinator) makes."""
    result = _logged_in(context)
    if not result["success"]:
        return result
    user = _user(context)
    if is_coordinator(user) or is_org_admin(user, data_dict.get("organization_id")):
        return _ok()
    return _refuse(refusal)  # also when the organisation cannot be resolved


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
