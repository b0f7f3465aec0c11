"""Who someone is to the extension (issue 18): the coordinator, an admin of an
organisation, a party to a request, the assigned expert. The auth functions (auth.py),
the actions' lists, the publishing rules (enforce.py) and the helpers ask here. An
organisation named by a parameter is resolved as the actions resolve it
(domain/objects.py)."""
from __future__ import annotations

from typing import Any

import ckan.authz as authz
import ckan.model as model
from ckan.types import Context

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.domain import ids


def user_of(context: Context) -> model.User | None:
    """The user a call is made by (None: anonymous)."""
    user = context.get("auth_user_obj")
    if isinstance(user, model.User):
        return user
    name = context.get("user")
    return model.User.get(name) if name else None


def is_coordinator(user: model.User | str | None) -> bool:
    """Sysadmins and the users named in ``ckanext.vgsamverkan.coordinators``."""
    if isinstance(user, str):
        user = model.User.get(user)
    if user is None or user.state != "active":
        return False
    return bool(user.sysadmin) or user.name in config.coordinators()


def coordinates(user: Any, row: Any = None) -> bool:
    """Whether it is the coordinator's move on a request (``Step.mover``): the user is the
    coordinator (any request)."""
    return is_coordinator(user)


def is_org_admin(user: model.User | None, organization_id: Any) -> bool:
    """Whether ``user`` is an admin of the active organisation the parameter names (as
    the actions resolve it)."""
    org = ids.organization(organization_id)
    if user is None or org is None:
        return False
    return authz.users_role_for_group_or_org(org.id, user.name) == "admin"


def org_admins(organization_id: str | None) -> list[model.User]:
    """The organisation's admins today (active users, active memberships), by name."""
    if not organization_id:
        return []
    return (model.Session.query(model.User)
            .join(model.Member, model.Member.table_id == model.User.id)
            .filter(model.Member.group_id == organization_id, model.Member.table_name == "user",
                    model.Member.capacity == "admin", model.Member.state == "active",
                    model.User.state == "active")
            .order_by(model.User.name).all())


def admin_org_ids(user: model.User | None) -> list[str]:
    """Ids of the organisations where ``user`` is an admin."""
    if user is None:
        return []
    rows = (
        model.Session.query(model.Member.group_id)
        .join(model.Group, model.Group.id == model.Member.group_id)
        .filter(model.Member.table_name == "user")
        .filter(model.Member.table_id == user.id)
        .filter(model.Member.capacity == "admin")
        .filter(model.Member.state == "active")
        .filter(model.Group.is_organization.is_(True))
        .filter(model.Group.state == "active")
    )
    return [r[0] for r in rows]


def is_party(user: model.User | None, obj: Any) -> bool:
    """The coordinator, the applicant, the user a request is for, the expert assigned to
    a call-off, or an admin of the object's organisation."""
    if user is None:
        return False
    if is_coordinator(user):
        return True
    if is_expert(user, obj):
        return True
    if not getattr(obj, "ADMINS_ONLY", False) and user.id in (
            getattr(obj, "applicant_id", None), getattr(obj, "user_id", None)):
        return True
    return is_org_admin(user, getattr(obj, "organization_id", None))


def is_expert(user: model.User | None, obj: Any) -> bool:
    """The CKAN user assigned as the expert of a call-off."""
    expert = getattr(obj, "expert_user_id", None)
    return user is not None and expert is not None and expert == user.id
