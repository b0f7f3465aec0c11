"""CKAN's own actions, chained: the resource form's id, the files a dataset update
carries, the names reserved by pending applications, membership that follows the
publisher authorisations, member lists without hidden datasets."""
from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.logic import enforce
from ckanext.vgsamverkan.logic.enforce import has_participation
from ckanext.vgsamverkan.model import (
    Participation,
)


@tk.chained_action
def resource_create(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``resource_create``, unchanged but for one thing: when the dataset update
    fails after CKAN has given the new resource an id (CKAN 2.12 writes it into the
    caller's dict, and a plugin's refusal, such as the connection rule, comes after that),
    the id is taken back, so that CKAN's form does not offer to delete a resource that was
    never saved (its template would fail with a 500)."""
    had_id = isinstance(data_dict, dict) and "id" in data_dict
    try:
        return up(context, data_dict)
    except tk.ValidationError:
        if isinstance(data_dict, dict) and not had_id:
            data_dict.pop("id", None)
        raise


@tk.chained_action
def package_update(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``package_update`` (also under ``resource_create`` and ``resource_update``),
    with the connection rule read on the files it carries before CKAN writes them (issue
    39: a refused file had replaced the resource's file on disk)."""
    enforce.check_files_before_writing(context, data_dict)
    return up(context, data_dict)


def _refuse_a_reserved_name(context: Context, data_dict: DataDict, current: model.Group | None = None) -> None:
    """A pending application for a new organisation reserves its name: nobody may
    create a group or organisation with it, or rename one to it (the approval would then
    fail). Only the approval of that application creates it. The name is read as CKAN's
    validators will take it (they refuse white space and capitals, so a variant cannot
    slip past this check and be saved as the reserved name)."""
    name = data_dict.get("name") if isinstance(data_dict, dict) else None
    if not isinstance(name, str) or not name.strip():
        return
    key = name.strip().lower()
    if current is not None and current.name == key:
        return
    holder = (model.Session.query(Participation.id)
              .filter(Participation.state == "pending", Participation.organization_id.is_(None),
                      Participation.organization_name == key).first())
    if holder is not None and holder.id != context.get("vgsamverkan_reserved_for"):
        raise tk.ValidationError({"name": [tk._(
            "This name is applied for by an organisation that wants to take part in the regional "
            "collaboration; choose another")]})


def _refuse_a_title_of_several_lines(data_dict: DataDict) -> None:
    """An organisation's title is one line (SPEC 2026-12-07): it is the customer's name in
    the SIE file, the CSV and the catalogue, and a line break in it would start a line of
    its own there. Refused, naming the field, before CKAN writes anything."""
    title = data_dict.get("title") if isinstance(data_dict, dict) else None
    if isinstance(title, str):
        try:
            tk.get_validator("vgsamverkan_one_line")(title)
        except tk.Invalid as e:
            raise tk.ValidationError({"title": [e.error]}) from None


@tk.chained_action
def organization_create(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``organization_create`` (and ``group_create``: one name space), refusing a
    name that a pending application reserves and a title of more than one line."""
    _refuse_a_title_of_several_lines(data_dict)
    _refuse_a_reserved_name(context, data_dict)
    return up(context, data_dict)


@tk.chained_action
def organization_update(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``organization_update`` (and ``group_update``; patches go through them),
    refusing a rename to a name that a pending application reserves and a title of more
    than one line."""
    key = data_dict.get("id") if isinstance(data_dict, dict) else None
    current = model.Group.get(key) if isinstance(key, str) and key else None  # as CKAN's update finds it
    _refuse_a_title_of_several_lines(data_dict)
    _refuse_a_reserved_name(context, data_dict, current)
    return up(context, _members_kept(context, data_dict, current))


def _members_kept(context: Context, data_dict: DataDict, current: model.Group | None) -> DataDict:
    """An update of a participant's organisation that names no ``users`` keeps its members
    (CKAN would remove them all, without ``allow_partial_update``): membership there
    follows the publisher authorisations (the coordinator's), and no edit of the
    organisation's name or description may undo it. The update rule of
    logic/enforce.py reads a missing ``users`` the same way."""
    if (not isinstance(data_dict, dict) or "users" in data_dict or context.get("allow_partial_update")
            or current is None or not current.is_organization or not config.enforce()
            or not has_participation(current.id)):
        return data_dict
    members = (model.Session.query(model.User.name, model.Member.capacity)
               .join(model.Member, model.Member.table_id == model.User.id)
               .filter(model.Member.group_id == current.id, model.Member.table_name == "user",
                       model.Member.state == "active"))
    return {**data_dict, "users": [{"name": name, "capacity": capacity} for name, capacity in members]}


group_create = organization_create
group_update = organization_update


@tk.chained_action
def member_create(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``member_create``/``member_delete`` look ``id`` and ``object`` up and read
    ``object_type`` with ``.title()`` before anything else: a number or a list was a 500.
    It is a field error now."""
    if isinstance(data_dict, dict):
        wrong = {key: [tk._("Must be text")] for key in ("id", "object", "object_type")
                 if key in data_dict and not isinstance(data_dict[key], str)}
        if wrong:
            raise tk.ValidationError(wrong)
    return up(context, data_dict)


member_delete = member_create


@tk.chained_action
@tk.side_effect_free
def member_list(up: Callable[..., Any], context: Context, data_dict: DataDict) -> Any:
    """CKAN's ``member_list``, without the datasets the caller may not see: CKAN lists
    the ids of an organisation's private (and deleted) datasets to anyone who may see
    the organisation, anonymous visitors too. A caller inside the portal that passes
    ``ignore_auth`` gets CKAN's whole answer, as from CKAN itself (no one's view to
    filter for)."""
    members = up(context, data_dict)
    ids = {m[0] for m in members if m[1] == "package"}
    if not ids or context.get("ignore_auth"):
        return members
    candidates = [pid for (pid,) in model.Session.query(model.Package.id).filter(
        model.Package.id.in_(ids), sa.or_(model.Package.private.is_(True), model.Package.state != "active"))]
    hidden = set()
    for package_id in candidates:
        try:
            tk.check_access("package_show", {"user": context.get("user"), "model": model}, {"id": package_id})
        except (tk.NotAuthorized, tk.ObjectNotFound):
            hidden.add(package_id)
    return [m for m in members if not (m[1] == "package" and m[0] in hidden)]
