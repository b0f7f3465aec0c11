"""The publishing rules, as chained auth functions around CKAN's own.

With ``ckanext.vgsamverkan.enforce = true`` (the default):

- membership changes in organisations that have a participation (pending, approved or
  terminated) are reserved to coordinators: CKAN's member actions and
  ``organization_update`` when it would change the members (so nobody becomes a
  publisher of a participant without a publisher decision, before or after approval);
- datasets can be created, updated or deleted only in organisations that take part
  today (domain/taking_part.py: from the first day of an approved participation to the
  last day of a terminated one) (and so resources, bulk changes, moves between
  organisations, and harvest sources, which ckanext-harvest checks as datasets).

With ``enforce = false`` every function here hands straight over to CKAN's. Sysadmins
never reach these functions (CKAN lets them through first). Each check costs at most a
fixed number of indexed queries, however many organisations, members or requests exist.
"""
from __future__ import annotations

import functools
import mimetypes
import re
import urllib.parse
from typing import Any

import markupsafe

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import AuthFunction, AuthResult, Context, DataDict

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.domain import roles, taking_part
from ckanext.vgsamverkan.model import Connection, DatasetExemption, Participation
from ckanext.vgsamverkan.model.base import person

# -- the rules -------------------------------------------------------------------------

def is_participant(organization_id: str | None) -> bool:
    """Whether the organisation takes part today (domain/taking_part.py: an approved
    participation that has begun, or a terminated one up to its last day)."""
    return taking_part.takes_part(organization_id)


def has_participation(organization_id: str | None) -> bool:
    """Whether the organisation has a pending, approved or terminated participation: its
    membership is the coordinator's to change."""
    if not organization_id:
        return False
    return model.Session.query(
        model.Session.query(Participation.id)
        .filter(Participation.organization_id == organization_id,
                Participation.state.in_(("pending", "approved", "terminated")))
        .exists()
    ).scalar()


def _organization(id_or_name: Any) -> model.Group | None:
    if not isinstance(id_or_name, str) or not id_or_name:
        return None
    group = model.Group.get(id_or_name)
    return group if group is not None and group.is_organization else None


def request_path(organization: model.Group | None) -> str:
    path = tk.h.url_for("vgsamverkan.publisher_request")
    return f"{path}?organization_id={organization.name}" if organization else path


def _membership_refusal(organization: model.Group) -> AuthResult:
    return {
        "success": False,
        "msg": tk._(
            "Members of {organization} are managed by the regional coordinator: "
            "request publishing rights at {link}"
        ).format(organization=organization.display_name, link=request_path(organization)),
    }


def _publishing_refusal(organization: model.Group | None) -> AuthResult:
    if organization is None:
        msg = tk._(
            "A dataset must belong to an organisation that takes part in the regional "
            "collaboration."
        )
    elif (start := taking_part.next_start(organization.id)) is not None:
        msg = tk._(
            "{organization} takes part in the regional collaboration only from {date}: its "
            "datasets can be created or changed from that day"
        ).format(organization=organization.display_name, date=start.isoformat())
    else:
        msg = tk._(
            "{organization} does not take part in the regional collaboration (no approved "
            "participation), so its datasets cannot be created or changed. Apply at {link}"
        ).format(organization=organization.display_name,
                 link=tk.h.url_for("vgsamverkan.participation_apply"))
    return {"success": False, "msg": msg}


def _may_publish_in(organization: model.Group | None) -> bool:
    return organization is not None and is_participant(organization.id)


# -- datasets --------------------------------------------------------------------------

def _package(context: Context, data_dict: DataDict) -> model.Package | None:
    package = context.get("package")
    if isinstance(package, model.Package):
        return package
    id_ = data_dict.get("id") or data_dict.get("name")
    return model.Package.get(id_) if isinstance(id_, str) and id_ else None


@tk.chained_auth_function
def package_create(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    if not config.enforce():
        return next_auth(context, data_dict)
    data_dict = data_dict or {}
    if "owner_org" not in data_dict and not data_dict.get("name") and not data_dict.get("type"):
        # "may this user create datasets at all?" (the Add button): CKAN decides; the
        # organisation is checked when one is named
        return next_auth(context, data_dict)
    organization = _organization(data_dict.get("owner_org"))
    if not _may_publish_in(organization):
        return _publishing_refusal(organization)
    return next_auth(context, data_dict)


@tk.chained_auth_function
def package_update(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    if not config.enforce():
        return next_auth(context, data_dict)
    data_dict = data_dict or {}
    package = _package(context, data_dict)
    if package is not None:
        current = _organization(package.owner_org) if package.owner_org else None
        if not _may_publish_in(current):
            return _publishing_refusal(current)
    new_owner = data_dict.get("owner_org")
    if new_owner and (package is None or new_owner not in (package.owner_org, getattr(
            _organization(package.owner_org), "name", None))):
        organization = _organization(new_owner)
        if not _may_publish_in(organization):
            return _publishing_refusal(organization)
    return next_auth(context, data_dict)


def _resource_rule(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    """Resources change their dataset: the dataset's organisation decides (CKAN would
    refuse too, through package_update, but with its own words)."""
    if not config.enforce():
        return next_auth(context, data_dict)
    data_dict = data_dict or {}
    package = None
    if isinstance(data_dict.get("package_id"), str):
        package = model.Package.get(data_dict["package_id"])
    elif isinstance(data_dict.get("id"), str):
        resource = model.Resource.get(data_dict["id"])
        package = resource.package if resource is not None else None
    if package is not None:
        organization = _organization(package.owner_org) if package.owner_org else None
        if not _may_publish_in(organization):
            return _publishing_refusal(organization)
    return next_auth(context, data_dict)


resource_create = tk.chained_auth_function(_resource_rule)
resource_update = tk.chained_auth_function(_resource_rule)
resource_delete = tk.chained_auth_function(_resource_rule)


@tk.chained_auth_function
def package_owner_org_update(next_auth: AuthFunction, context: Context,
                             data_dict: DataDict) -> AuthResult:
    if not config.enforce():
        return next_auth(context, data_dict)
    organization = _organization((data_dict or {}).get("organization_id"))
    if (data_dict or {}).get("organization_id") and not _may_publish_in(organization):
        return _publishing_refusal(organization)
    return next_auth(context, data_dict)


def _bulk(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
    if not config.enforce():
        return next_auth(context, data_dict)
    organization = _organization((data_dict or {}).get("org_id"))
    if not _may_publish_in(organization):
        return _publishing_refusal(organization)
    return next_auth(context, data_dict)


bulk_update_private = tk.chained_auth_function(_bulk)
bulk_update_public = tk.chained_auth_function(_bulk)
bulk_update_delete = tk.chained_auth_function(_bulk)


# -- membership ------------------------------------------------------------------------

def _reserved(organization: model.Group | None, context: Context) -> bool:
    """Membership of this organisation is the coordinator's to change, and the caller
    is not the coordinator."""
    return (
        organization is not None
        and not roles.is_coordinator(roles.user_of(context))
        and has_participation(organization.id)
    )


def _member_rule(org_key: str, user_only: bool):
    """The membership rule around one of CKAN's member actions. It resolves the group
    and the kind of member as CKAN's action will (``Group.get`` of the raw value;
    ``object_type`` read as ``model_name_to_class`` reads it, whatever its case) and
    refuses what it cannot resolve."""
    def rule(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
        if not config.enforce():
            return next_auth(context, data_dict)
        data_dict = data_dict or {}
        if user_only:
            kind = data_dict.get("object_type")
            kind = kind.title() if isinstance(kind, str) else None
            if kind == "Package":
                return next_auth(context, data_dict)  # datasets in groups: not membership
            if kind != "User":
                return {"success": False, "msg": tk._("object_type must be user or package")}
        key = data_dict.get(org_key)
        group = model.Group.get(key) if isinstance(key, str) and key else None
        if group is None:
            raise tk.ObjectNotFound(tk._("Organization not found"))
        if group.is_organization and has_participation(group.id):
            if roles.is_coordinator(roles.user_of(context)):
                return {"success": True}  # the coordinator manages these members
            return _membership_refusal(group)
        return next_auth(context, data_dict)

    return tk.chained_auth_function(rule)


member_create = _member_rule("id", user_only=True)
member_delete = _member_rule("id", user_only=True)
organization_member_create = _member_rule("id", user_only=False)
organization_member_delete = _member_rule("id", user_only=False)
group_member_create = _member_rule("id", user_only=False)
group_member_delete = _member_rule("id", user_only=False)
user_invite = _member_rule("group_id", user_only=False)


def _current_members(organization: model.Group) -> set[tuple[str, str]]:
    rows = (
        model.Session.query(model.Member.table_id, model.Member.capacity)
        .filter(model.Member.group_id == organization.id,
                model.Member.table_name == "user",
                model.Member.state == "active")
    )
    return {(user_id, capacity) for user_id, capacity in rows}


def _requested_members(users: Any) -> set[tuple[str, str]] | None:
    if not isinstance(users, list):
        return None
    result = set()
    for entry in users:
        if not isinstance(entry, dict):
            return None
        user = model.User.get(entry.get("id") or entry.get("name") or "")
        if user is not None:
            result.add((user.id, entry.get("capacity", "public")))
    return result


@tk.chained_auth_function
def organization_update(next_auth: AuthFunction, context: Context,
                        data_dict: DataDict) -> AuthResult:
    """An update that would change the members (``users`` other than today's) is the
    coordinator's. An update that names no ``users`` keeps them: for a participant's
    organisation the chained action (logic/action/core.py) fills in today's members where
    CKAN would remove them all. So CKAN's edit page, which asks this rule with the
    organisation's id alone, opens for its admins."""
    if not config.enforce():
        return next_auth(context, data_dict)
    data_dict = data_dict or {}
    organization = _organization(data_dict.get("id") or data_dict.get("name"))
    if _reserved(organization, context):
        assert organization is not None
        requested = (_requested_members(data_dict["users"]) if "users" in data_dict
                     else _current_members(organization))
        if requested != _current_members(organization):
            return _membership_refusal(organization)
    return next_auth(context, data_dict)


@tk.chained_auth_function
def organization_patch(next_auth: AuthFunction, context: Context,
                       data_dict: DataDict) -> AuthResult:
    """A patch keeps the members it does not name, as an update does (the update rule
    reads a missing ``users`` so); kept as CKAN's own rule, a registered name."""
    return next_auth(context, data_dict)


# -- data that requires a connection ---------------------------------------------------

def is_connected(organization_id: str | None) -> bool:
    """Whether the organisation has a connection in state ``connected``."""

    if not organization_id:
        return False
    return model.Session.query(
        model.Session.query(Connection.id)
        .filter(Connection.organization_id == organization_id, Connection.state == "connected")
        .exists()
    ).scalar()


def _connection_path(organization: model.Group | None) -> str:
    """The organisation's open connection request, or the form to ask for one."""

    if organization is not None:
        open_request = (
            model.Session.query(Connection.id)
            .filter(Connection.organization_id == organization.id,
                    Connection.state.in_(("submitted", "investigating", "quoted", "accepted")))
            .order_by(Connection.created.desc())
            .first()
        )
        if open_request:
            return tk.h.url_for("vgsamverkan.connection_read", id=open_request.id)
        return tk.h.url_for("vgsamverkan.connection_create") + f"?organization_id={organization.name}"
    return tk.h.url_for("vgsamverkan.connection_create")


def exempt(package_id: str) -> bool:
    """Whether the coordinator marked the dataset as not needing a connection."""
    return model.Session.query(
        model.Session.query(DatasetExemption.package_id).filter(DatasetExemption.package_id == package_id).exists()
    ).scalar()


def _undo_unsaved_dataset() -> None:
    """Drop what CKAN has written of the refused dataset: its savepoint where it made one
    (CKAN 2.12's package_update), else the transaction (nothing of it is committed yet)."""
    nested = model.Session().get_nested_transaction()
    if nested is not None and nested.is_active:
        nested.rollback()
    else:
        model.Session.rollback()


# the kinds of service an address can show (SPEC 2026-11-29: "the properties of the data
# decide"): the OGC services by name, and API for an OGC API or any other API path
_OGC_SERVICES = {"WMS", "WFS", "WMTS", "WCS", "CSW", "SOS", "WPS"}
_OGC_PATHS = {"ows", "ogc", "ogcapi"}
_API_SEGMENT = re.compile(r"^(api|rest|graphql|ogcapi)(-?v?\d+(\.\d+)*)?$")


def service_kinds(url: Any) -> set[str]:
    """The kinds of service a resource's address shows: ``service=WMS`` (any case) in
    its query; a path segment ``wms``, ``wfs``… (a GeoServer's ``/geoserver/wms``); an
    OGC path (``/ows``, ``/ogc/``, an OGC API's ``/collections/{id}/items``) or an API
    path (``/api/``, ``/api/v2/``, ``/rest/``) as ``API``. Nothing for a plain file."""
    if not isinstance(url, str) or not url.strip():
        return set()
    parts = urllib.parse.urlsplit(url.strip())
    kinds = {value.strip().upper() for key, values in urllib.parse.parse_qs(parts.query).items()
             if key.strip().lower() == "service" for value in values if value.strip()}
    segments = [seg.lower() for seg in parts.path.split("/") if seg]
    for seg in segments:
        if seg.upper() in _OGC_SERVICES:
            kinds.add(seg.upper())
        elif seg in _OGC_PATHS or _API_SEGMENT.match(seg):
            kinds.add("API")
    if "collections" in segments and segments[-1] in ("items", "collections") or \
            ("collections" in segments and "items" in segments):
        kinds.add("API")  # an OGC API (Features) endpoint
    return kinds


def needs_connection(resource: dict[str, Any], required: set[str]) -> set[str]:
    """What makes a resource need a connection: its format, or the kind of service its
    address shows, where it is one of ``required`` (upper case). Empty: it needs none."""
    return set().union(*causes(resource, required).values())


def causes(resource: dict[str, Any], required: set[str]) -> dict[str, set[str]]:
    """What makes a resource need a connection, by the field that says it (issue 39: the
    refusal stands under that field): ``format``, its format; ``url``, the kind of service
    its address shows, unless it is an uploaded file (the portal's own address: a file
    named ``wms`` is a file)."""
    found: dict[str, set[str]] = {}
    fmt = str(resource.get("format") or "").strip().upper()
    if fmt in required:
        found["format"] = {fmt}
    if resource.get("url_type") != "upload":
        shown = service_kinds(resource.get("url")) & required
        if shown:
            found["url"] = shown
    return found


def _needing(data: dict[str, Any], required: set[str]) -> dict[str, set[str]]:
    """The causes of the dataset's resources that are not deleted, by field."""
    found: dict[str, set[str]] = {}
    for resource in data.get("resources") or []:
        if isinstance(resource, dict) and resource.get("state", "active") != "deleted":
            for key, kinds in causes(resource, required).items():
                found.setdefault(key, set()).update(kinds)
    return found


def check_connection_required(context: Context, data: dict[str, Any]) -> None:
    """Refuse a dataset (as CKAN validated it: formats cleaned, or guessed from the URL)
    that has a resource that needs a connection (its format in
    ``connection_required_formats``, or its address a service of such a kind: issue 21)
    unless its organisation is connected or the coordinator exempted the dataset. Called
    after CKAN's validation and before its commit, for every create and update (so also
    when a resource is added or changed). The refusal stands under the field that caused
    it: the address (the whole refusal; a note under the format when it too needs one),
    else the format (issue 39)."""
    if not config.enforce():
        return
    required = {f.upper() for f in config.connection_required_formats()}
    found = _needing(data, required)
    if not found:
        return
    user = roles.user_of(context)
    if user is not None and user.sysadmin:
        return
    organization = _organization(data.get("owner_org"))
    if organization is not None and is_connected(organization.id):
        return
    if data.get("id") and exempt(data["id"]):
        return
    _undo_unsaved_dataset()
    link = _connection_path(organization)
    message = tk._(
        "Resources of the kind {formats} can only be published by an organisation that is "
        "technically connected to the regional platform, and {organization} is not (yet). "
        "See the connection request: {link}").format(
            formats=", ".join(sorted(set().union(*found.values()))),
            organization=organization.display_name if organization else tk._("the dataset's organisation"),
            link=config.site_url() + link)
    admins = _admins_to_ask(organization, user)
    if admins and organization is not None:
        message += " " + tk._("Only an admin of {organization} may ask for a connection: {admins}.").format(
            organization=organization.display_name, admins=", ".join(admins))
    _flash(link, organization, admins)
    _mark_refused(data.get("id"))
    if "url" in found:
        errors = {"url": [message]}
        if "format" in found:
            errors["format"] = [tk._("The format {format} also needs a technical connection.").format(
                format=", ".join(sorted(found["format"])))]
        raise tk.ValidationError(errors)
    raise tk.ValidationError({"format": [message]})


def _mark_refused(package_id: Any) -> None:
    """The dataset refused in this web request (views/dataset.py purges a refused draft)."""
    try:
        tk.g.vgsamverkan_refused = package_id
    except RuntimeError:  # no web request: a command
        pass


def refused_here() -> str | None:
    """The id of the dataset the connection rule refused in this web request, if any."""
    try:
        found = getattr(tk.g, "vgsamverkan_refused", None)
    except RuntimeError:  # no web request
        return None
    return found if isinstance(found, str) else None


def check_files_before_writing(context: Context, data_dict: Any) -> None:
    """The connection rule on the files a ``package_update`` carries (``upload``), before
    CKAN writes them: CKAN stores a dataset's new files before the plugins' check after
    the update (``after_dataset_update``), so a refused file would already have replaced
    the resource's file on disk, under data that is then rolled back (issue 39). Each
    file's format is read as CKAN's validators will read it (as given, else guessed from
    the file's name for a new resource); the check after the update stays the one that
    decides on everything else."""
    if not isinstance(data_dict, dict) or not isinstance(data_dict.get("resources"), list):
        return
    files = [r for r in data_dict["resources"]
             if isinstance(r, dict) and getattr(r.get("upload"), "filename", None)]
    if not files:
        return
    package = model.Package.get(str(data_dict.get("id") or data_dict.get("name") or ""))
    if package is None:
        return  # CKAN's package_update answers that
    resources = []
    for resource in files:
        fmt = str(resource.get("format") or "").strip()
        if not fmt and not resource.get("id"):
            guessed, _encoding = mimetypes.guess_type(resource["upload"].filename)
            fmt = tk.h.unified_resource_format(guessed) if guessed else ""
        resources.append({"format": fmt, "url_type": "upload"})
    owner = data_dict.get("owner_org") or package.owner_org
    organization = _organization(owner)
    check_connection_required(context, {"id": package.id, "resources": resources,
                                        "owner_org": organization.id if organization else owner})


def _admins_to_ask(organization: model.Group | None, user: model.User | None) -> list[str]:
    """For a caller who is not an admin of the organisation (an editor): its admins, by
    name, whom to ask for a connection."""
    if organization is None or user is None or roles.is_coordinator(user):
        return []
    if authz.users_role_for_group_or_org(organization.id, user.name) == "admin":
        return []
    # (not the portal's site user or other sysadmins)
    return [person(u) or u.name for u in roles.org_admins(organization.id) if not u.sysadmin]


def _flash(path: str, organization: model.Group | None, admins: list[str]) -> None:
    """On a page (not the API), the refusal also as a message above the form, where a
    link can be clicked (CKAN's form shows a field error as plain text): for an admin,
    the link to the request (or the form to ask); for an editor, who may not open it,
    whom to ask."""
    try:
        if tk.request.path.startswith("/api/"):
            return
    except RuntimeError:  # no web request: a command
        return
    name = organization.display_name if organization else ""
    if admins:
        tk.h.flash_error(tk._("{organization} needs a technical connection to publish this: ask an admin of "
                              "the organisation ({admins}).").format(organization=name, admins=", ".join(admins)))
        return
    tk.h.flash_error(markupsafe.Markup(tk._("{organization} needs a technical connection to publish this: "
                                            "<a href=\"{link}\">the connection request</a>")).format(
        organization=name, link=path), allow_html=True)


def chained_auth_functions() -> dict[str, Any]:
    functions = {
        "package_create": package_create,
        "package_update": package_update,
        "package_owner_org_update": package_owner_org_update,
        "resource_create": resource_create,
        "resource_update": resource_update,
        "resource_delete": resource_delete,
        "bulk_update_private": bulk_update_private,
        "bulk_update_public": bulk_update_public,
        "bulk_update_delete": bulk_update_delete,
        "member_create": member_create,
        "member_delete": member_delete,
        "organization_member_create": organization_member_create,
        "organization_member_delete": organization_member_delete,
        "group_member_create": group_member_create,
        "group_member_delete": group_member_delete,
        "user_invite": user_invite,
        "organization_update": organization_update,
        "organization_patch": organization_patch,
    }
    return {name: _anonymous_as_core(name, fn) for name, fn in functions.items()}


def _anonymous_as_core(name: str, rule: Any) -> Any:
    """``rule`` as the chained auth function of ``name``, telling CKAN about anonymous
    callers what CKAN's own function of that name tells it. CKAN copies the attributes
    of a chained function onto the chain and checks ``auth_allow_anonymous_access``
    before the chain runs: without the flag, an anonymous ``package_create`` was refused
    ("requires an authenticated user") even where ``ckan.auth.anon_create_dataset`` allows
    it (CKAN's own test_anon_can_create). The rules read no user, and pass the decision
    on to CKAN's function, which refuses an anonymous caller where CKAN would. Each name
    gets a function object of its own (the resource rules share one body)."""
    from ckan.logic.auth import create, delete, get, patch, update  # noqa: PLC0415 (CKAN's own)

    core = next((getattr(m, name) for m in (create, update, delete, patch, get) if hasattr(m, name)), None)

    @functools.wraps(rule)
    def chained(next_auth: AuthFunction, context: Context, data_dict: DataDict) -> AuthResult:
        return rule(next_auth, context, data_dict)

    chained.chained_auth_function = True  # type: ignore[attr-defined]
    if getattr(core, "auth_allow_anonymous_access", False):
        chained.auth_allow_anonymous_access = True  # type: ignore[attr-defined]
    return chained
