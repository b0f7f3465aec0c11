from __future__ import annotations

import datetime as dt
import uuid

import ckan.model as model

from ckanext.vgsamverkan import portal


def make_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def iso(value: dt.date | dt.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def user_by_id(user_id: str | None):
    """The CKAN user of an id the extension stored, from the session's identity map when
    it is there (a list loads the users of a page at once): ``model.User.get`` always
    queries, by name or id."""

    if not user_id:
        return None
    return model.Session.get(model.User, user_id) or model.User.get(user_id)


def organization_by_id(org_id: str | None):
    """The CKAN organisation of an id the extension stored, from the session's identity
    map when it is there (a list loads the organisations of a page at once:
    ``_preloaded``): ``model.Group.get`` always queries, one query a row (issue 39)."""
    if not org_id:
        return None
    return model.Session.get(model.Group, org_id) or model.Group.get(org_id)


def organization_name(org_id: str | None) -> str | None:
    """The name of the organisation of an id the extension stored (from the session's
    identity map when a list has loaded the page's organisations: ``_preloaded``)."""
    if not org_id:
        return None
    org = model.Session.get(model.Group, org_id)
    return org.name if org is not None else None


def written_once(created: dt.datetime | None) -> dict[str, str | None]:
    """``state``, ``created`` and ``modified`` of a record that never changes once
    written (an event, a comment, an adjustment, an exemption): every
    object dict has them (SPEC "API"); such a record is ``active`` and was last modified
    when it was written."""
    return {"state": "active", "created": iso(created), "modified": iso(created)}


def person(user) -> str | None:
    """How pages and mails name a person (issue 21): "Full Name (user)", or the user name
    alone when the account has no full name (or the full name is the user name)."""
    if user is None:
        return None
    if portal.is_site_user(user):  # the portal acting by itself (issue 24), not "default"
        return portal.label()
    fullname = (user.fullname or "").strip()
    return f"{fullname} ({user.name})" if fullname and fullname != user.name else user.name
