"""Actions of the extension. Every action has the same shape:

``tk.check_access`` → validate against its schema → work through the model and the
workflow, in one transaction → commit unless ``context["defer_commit"]`` → return a dict.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import config, formats, mailer, workflow
from ckanext.vgsamverkan.logic import auth, objects, schema
from ckanext.vgsamverkan.logic.action._base import (  # the shared machinery
    _actor,
    _allowed,
    _area_label,
    _commit,
    _count_and_rows,
    _decided,
    _existing_org,
    _integrity_error,
    _lock,
    _member_context,
    _org_key,
    _page,
    _participant_org,
    _preloaded,
    _refusing_control_characters,
    _site_user_name,
    _step,
    _tally,
    _today,
    _transition,
    _validate,
)
from ckanext.vgsamverkan.logic.action.comments import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_comment_create,
    vgsamverkan_comment_list,
    vgsamverkan_event_list,
)
from ckanext.vgsamverkan.logic.action.coordinator import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_dashboard_show,
    vgsamverkan_history_show,
    vgsamverkan_queue_list,
)
from ckanext.vgsamverkan.logic.action.core import (  # noqa: F401 (registered: __all__ below)
    group_create,
    group_update,
    member_create,
    member_delete,
    member_list,
    organization_create,
    organization_update,
    resource_create,
)
from ckanext.vgsamverkan.logic.action.fees import (  # noqa: F401 (registered: __all__ below)
    _refuse_if_closed,
    vgsamverkan_fee_adjust,
    vgsamverkan_fee_close,
    vgsamverkan_fee_export,
    vgsamverkan_fee_month_list,
    vgsamverkan_fee_run,
    vgsamverkan_fee_schedule_list,
    vgsamverkan_fee_schedule_set,
    vgsamverkan_fee_statement_list,
    vgsamverkan_fee_statement_show,
)
from ckanext.vgsamverkan.logic.action.gdpr import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_gdpr_purge,
)
from ckanext.vgsamverkan.logic.action.population import (  # noqa: F401 (registered: __all__ below)
    vgsamverkan_population_import,
    vgsamverkan_population_list,
)
from ckanext.vgsamverkan.model import (
    Calloff,
    CalloffTime,
    Connection,
    ConnectionQuote,
    Event,
    Participation,
    Population,
    PublisherRequest,
)
from ckanext.vgsamverkan.model.base import utcnow
from ckanext.vgsamverkan.model.calloff import expert_key

log = logging.getLogger(__name__)

# -- participation ---------------------------------------------------------------------

def _active_conflicts(data: dict[str, Any]) -> dict[str, list[str]]:
    """Business rules of uniqueness, as field messages (the indexes are the backstop)."""
    errors: dict[str, list[str]] = {}
    active = Participation.state.in_(("pending", "approved"))
    q = model.Session.query(Participation.id).filter(active)
    if data.get("organization_id"):
        if q.filter(Participation.organization_id == data["organization_id"]).first():
            errors["organization_id"] = [
                tk._("This organisation already has a pending or approved participation")
            ]
    elif q.filter(Participation.organization_id.is_(None)).filter(
        Participation.organization_name == data["organization_name"]
    ).first():
        errors["organization_name"] = [
            tk._("An application for an organisation with this name is already pending")
        ]
    if data["org_type"] == "kommun" and data.get("municipality_code"):
        if q.filter(Participation.org_type == "kommun").filter(
            Participation.municipality_code == data["municipality_code"]
        ).first():
            errors["municipality_code"] = [
                tk._("This municipality already has a pending or approved participation")
            ]
    return errors


def vgsamverkan_participation_apply(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Apply for an organisation to take part in the regional collaboration.

    Either for an existing CKAN organisation (by one of its admins) or for a new one
    (by any logged-in user; the organisation is created on approval and the applicant
    becomes its admin).

    :param organization_id: id or name of an existing organisation
    :type organization_id: string
    :param organization_title: title of a new organisation (with ``organization_name``)
    :type organization_title: string
    :param organization_name: URL name of a new organisation (lower case, digits, ``-_``)
    :type organization_name: string
    :param org_type: ``kommun``, ``kommunalt_bolag`` or ``regional_forvaltning``
    :type org_type: string
    :param municipality_code: kommunkod (four digits); required for ``kommun`` and
        ``kommunalt_bolag``, and must be a known municipality
    :type municipality_code: string
    :param org_number: organisationsnummer, ``NNNNNN-NNNN`` (checksum validated)
    :type org_number: string
    :param contact_name: the contact person
    :type contact_name: string
    :param contact_email: the contact's e-mail address
    :type contact_email: string
    :param contact_phone: the contact's telephone number (optional)
    :type contact_phone: string
    :param invoice_reference: reference to print on invoices (optional)
    :type invoice_reference: string
    :param motivation: why the organisation wants to take part (optional)
    :type motivation: string
    :param language: ``sv`` or ``en``, the language of the e-mails to the applicant
        (optional; default: the language of the request)
    :type language: string
    :returns: the application, in state ``pending``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_participation_apply", context, data_dict)
    data = _validate(data_dict, schema.participation_apply(), context)
    errors: dict[str, list[str]] = {}

    if data.get("organization_id"):
        if data.get("organization_name") or data.get("organization_title"):
            errors["organization_id"] = [
                tk._("Give either an existing organisation or the name of a new one, not both")
            ]
        else:
            org = _existing_org(data["organization_id"])
            data.update(
                organization_id=org.id,
                organization_name=org.name,
                organization_title=org.title or org.name,
            )
    else:
        for field in ("organization_title", "organization_name"):
            if not data.get(field):
                errors[field] = [tk._("Missing value")]
        name = data.get("organization_name")
        if name and model.Group.get(name) is not None:
            errors["organization_name"] = [tk._("That URL is already in use.")]

    if data["org_type"] in ("kommun", "kommunalt_bolag") and not data.get("municipality_code"):
        errors["municipality_code"] = [
            tk._("A municipality code is required for a kommun or a kommunalt bolag")
        ]
    if not errors:
        errors.update(_active_conflicts(data))
    if errors:
        raise tk.ValidationError(errors)

    actor = _actor(context)
    assert actor is not None  # the auth function requires a logged-in user
    language = data.get("language") or formats.current_lang()
    participation = Participation(
        state=workflow.PARTICIPATION.initial,
        organization_id=data.get("organization_id"),
        organization_name=data["organization_name"],
        organization_title=data["organization_title"],
        org_type=data["org_type"],
        municipality_code=data.get("municipality_code") or None,
        org_number=data["org_number"],
        contact_name=data["contact_name"],
        contact_email=data["contact_email"],
        contact_phone=data.get("contact_phone") or None,
        invoice_reference=data.get("invoice_reference") or None,
        motivation=data.get("motivation") or None,
        applicant_id=actor.id,
        language=language if language in ("sv", "en") else "sv",
        created=utcnow(),
        modified=utcnow(),
    )
    model.Session.add(participation)
    try:
        model.Session.flush()
    except sa_exc.IntegrityError as e:
        raise _integrity_error(e)
    Event.record(
        "participation",
        participation.id,
        "apply",
        actor_id=actor.id,
        organization_id=participation.organization_id,
        to_state=participation.state,
    )
    try:
        _commit(context)
    except sa_exc.IntegrityError as e:
        raise _integrity_error(e)
    result = participation.dictize()
    mailer.participation_submitted(result)
    return result


@tk.side_effect_free
def vgsamverkan_participation_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Show one application to take part.

    Visible to the coordinator, the applicant and the admins of the organisation.

    :param id: the application's id
    :type id: string
    :returns: the application, with ``allowed`` (the decisions the caller may make now)
    :rtype: dictionary
    """
    data = _validate(data_dict, schema.object_id(), context)
    tk.check_access("vgsamverkan_participation_show", context, data)
    obj = objects.load("participation", data["id"])
    result = obj.dictize()
    result["allowed"] = _allowed(context, "participation", workflow.PARTICIPATION, obj)
    return result


@tk.side_effect_free
def vgsamverkan_participation_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """List applications to take part, newest first.

    The coordinator sees all; others see their own applications and those of the
    organisations they are admins of.

    :param state: only this state (optional)
    :type state: string
    :param organization_id: only this organisation (optional)
    :type organization_id: string
    :param org_type: only this organisation type (optional)
    :type org_type: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [...]}``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_participation_list", context, data_dict)
    data = _validate(data_dict, schema.participation_list(), context)
    user = _actor(context)
    q = model.Session.query(Participation)
    if not auth.is_coordinator(user):
        assert user is not None
        q = q.filter(
            sa.or_(
                Participation.applicant_id == user.id,
                Participation.organization_id.in_(auth.admin_org_ids(user)),
            )
        )
    if data.get("state"):
        q = q.filter(Participation.state == data["state"])
    if data.get("org_type"):
        q = q.filter(Participation.org_type == data["org_type"])
    org_key = _org_key(data)
    if org_key:
        q = q.filter(Participation.organization_id == org_key)
    q = q.order_by(Participation.created.desc(), Participation.id)
    return _page(q, data, lambda p: p.dictize(),
                 _tally(user, "vgsamverkan_participation", data, org_key, ("org_type",)))


def vgsamverkan_participation_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve an application (coordinator).

    For a new organisation, the CKAN organisation is created in the same transaction,
    with the applicant as its admin.

    :param id: the application's id
    :type id: string
    :param comment: the decision's comment (optional)
    :type comment: string
    :param effective_from: the first day of participation, ``YYYY-MM-DD`` (optional,
        default today; may be in the past or the future)
    :type effective_from: string
    :returns: the application, now ``approved``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_participation_approve", context, data_dict)
    data = _validate(data_dict, schema.participation_approve(), context)
    obj = _lock(Participation, data["id"])
    workflow.target(workflow.PARTICIPATION, obj.state, "approve")
    effective_from = data.get("effective_from") or _today()
    _check_no_overlap(obj, effective_from)

    if obj.organization_id is None:
        obj.organization_id = _create_organization(context, obj)
    else:
        org = model.Group.get(obj.organization_id)
        if org is None or org.state != "active":
            raise tk.ValidationError({"organization_id": [tk._("The organisation no longer exists")]})

    _transition(context, obj, workflow.PARTICIPATION, "approve", data.get("comment"))
    _decided(context, obj, decision_comment=data.get("comment") or None, effective_from=effective_from)
    try:
        _commit(context)
    except sa_exc.IntegrityError as e:
        raise _integrity_error(e)
    result = obj.dictize()
    mailer.participation_decided(result, "approve")
    return result


def _check_no_overlap(obj: Participation, effective_from: dt.date) -> None:
    """A new participation starts after every earlier one of the same organisation
    (and, for a kommun, of the same municipality) has ended: fees never count a day
    twice."""
    earlier = model.Session.query(sa.func.max(Participation.effective_to)).filter(
        Participation.state == "terminated", Participation.id != obj.id
    )
    conditions = []
    if obj.organization_id:
        conditions.append(Participation.organization_id == obj.organization_id)
    if obj.org_type == "kommun" and obj.municipality_code:
        conditions.append(
            sa.and_(
                Participation.org_type == "kommun",
                Participation.municipality_code == obj.municipality_code,
            )
        )
    if not conditions:
        return
    last_end = earlier.filter(sa.or_(*conditions)).scalar()
    if last_end is not None and effective_from <= last_end:
        raise tk.ValidationError(
            {
                "effective_from": [
                    tk._(
                        "Must be after {date}, the last day of an earlier participation"
                    ).format(date=last_end.isoformat())
                ]
            }
        )


def _create_organization(context: Context, obj: Participation) -> str:
    """Create the CKAN organisation of a new applicant, inside the caller's transaction,
    with the applicant as its admin (CKAN makes the creating user an admin)."""
    applicant = model.User.get(obj.applicant_id)
    if applicant is None or applicant.state != "active":
        raise tk.ValidationError({"applicant": [tk._("The applicant's account no longer exists")]})
    org_context = {
        "model": model,
        "session": model.Session,
        "user": applicant.name,
        "ignore_auth": True,
        "defer_commit": True,
        "vgsamverkan_reserved_for": obj.id,  # the name this application reserves
    }
    # (not return_id_only: the activity plugin's subscriber expects a dict)
    try:
        return tk.get_action("organization_create")(
            org_context, {"name": obj.organization_name, "title": obj.organization_title}
        )["id"]
    except tk.ValidationError as e:
        model.Session.rollback()
        errors = getattr(e, "error_dict", {}) or {}
        messages = [m for msgs in errors.values() for m in (msgs if isinstance(msgs, list) else [msgs])]
        raise tk.ValidationError(
            {"organization_name": messages or [tk._("The organisation could not be created")]}
        )


def vgsamverkan_participation_reject(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reject an application (coordinator). The reason is sent to the applicant.

    :param id: the application's id
    :type id: string
    :param reason: why it is rejected (required)
    :type reason: string
    :returns: the application, now ``rejected``
    :rtype: dictionary
    """
    obj, _ = _step(context, data_dict, workflow.PARTICIPATION, Participation, "reject",
                   schema.rejection(), lambda o, d: _decided(context, o, reason=d["reason"]))
    _commit(context)
    result = obj.dictize()
    mailer.participation_decided(result, "reject")
    return result


def vgsamverkan_participation_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a pending application (the applicant or an admin of the organisation).

    :param id: the application's id
    :type id: string
    :param comment: why (optional)
    :type comment: string
    :returns: the application, now ``withdrawn``
    :rtype: dictionary
    """
    obj, _ = _step(context, data_dict, workflow.PARTICIPATION, Participation, "withdraw",
                   schema.decision())
    _commit(context)
    result = obj.dictize()
    actor = _actor(context)
    result["actor_name"] = actor.display_name if actor else None
    mailer.participation_decided(result, "withdraw")
    return result


def vgsamverkan_participation_terminate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """End an approved participation (coordinator).

    :param id: the application's id
    :type id: string
    :param effective_to: the last day of participation, ``YYYY-MM-DD`` (optional,
        default today; not before the day before ``effective_from``)
    :type effective_to: string
    :param comment: why (optional)
    :type comment: string
    :returns: the participation, now ``terminated``, with ``publisher_rights_ended``: the ids
        of the publishing rights that ended with it (each gets an event and a mail)
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_participation_terminate", context, data_dict)
    data = _validate(data_dict, schema.participation_terminate(), context)
    obj = _lock(Participation, data["id"])
    workflow.target(workflow.PARTICIPATION, obj.state, "terminate")
    effective_to = data.get("effective_to") or _today()
    if obj.effective_from and effective_to < obj.effective_from - dt.timedelta(days=1):
        raise tk.ValidationError(
            {
                "effective_to": [
                    tk._("Cannot end before it began ({date})").format(
                        date=obj.effective_from.isoformat()
                    )
                ]
            }
        )
    _transition(context, obj, workflow.PARTICIPATION, "terminate", data.get("comment"))
    obj.effective_to = effective_to
    ended = _end_rights_with(context, obj)
    _commit(context)
    result = obj.dictize()
    mailer.participation_decided(result, "terminate")
    for rights in ended:
        mailer.publisher_decided(rights, "end")
    result["publisher_rights_ended"] = [r["id"] for r in ended]
    return result


def _end_rights_with(context: Context, participation: Participation) -> list[dict[str, Any]]:
    """The publishing rights approved in the organisation end with its participation,
    in the caller's transaction: each its event (``end``) and the CKAN membership it
    gave removed (as CKAN's ``member_delete`` does, which would commit half-way). They
    are not given back if the organisation takes part again."""
    rows = (model.Session.query(PublisherRequest)
            .filter(PublisherRequest.organization_id == participation.organization_id,
                    PublisherRequest.state == "approved")
            .order_by(PublisherRequest.created, PublisherRequest.id)
            .with_for_update().populate_existing().all())
    ended = []
    for rights in rows:
        _transition(context, rights, workflow.PUBLISHER, "end", None)
        rights.ended_at = utcnow()
        for member in (model.Session.query(model.Member)
                       .filter(model.Member.group_id == rights.organization_id,
                               model.Member.table_name == "user", model.Member.table_id == rights.user_id,
                               model.Member.state == "active")):
            member.delete()
        ended.append(rights.dictize())
    return ended


@tk.side_effect_free
def vgsamverkan_participant_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The public list of the collaboration's participants (approved, not terminated).

    No contact details are included.

    :param org_type: only this organisation type (optional)
    :type org_type: string
    :param municipality_code: only this municipality (optional)
    :type municipality_code: string
    :returns: ``{"count": N, "results": [{organization_id, organization_name,
        organization_title, org_type, municipality_code, municipality_name,
        effective_from}]}``, by title
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_participant_list", context, data_dict)
    data = _validate(data_dict, schema.participant_list(), context)
    q = model.Session.query(Participation).filter(Participation.state == "approved")
    if data.get("org_type"):
        q = q.filter(Participation.org_type == data["org_type"])
    if data.get("municipality_code"):
        q = q.filter(Participation.municipality_code == data["municipality_code"])
    names = _municipality_names()
    results = []
    for p in q:
        d = p.dictize(with_contact=False)
        results.append(
            {
                "id": p.id,
                "organization_id": d["organization_id"],
                "organization_name": d["organization_name"],
                "organization_title": d["organization_title"],
                "org_type": p.org_type,
                "municipality_code": p.municipality_code,
                "municipality_name": names.get(p.municipality_code),
                "effective_from": d["effective_from"],
            }
        )
    results.sort(key=lambda r: (r["organization_title"] or "").lower())
    return {"count": len(results), "results": results}


def _municipality_names() -> dict[str, str]:
    rows = model.Session.query(Population.municipality_code, Population.name).order_by(
        Population.year
    )
    return {code: name for code, name in rows}


# -- publisher authorisation -----------------------------------------------------------

def vgsamverkan_publisher_request(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask for publishing rights (role ``editor`` or ``admin``) in an organisation that
    takes part in the collaboration. The coordinator decides.

    :param organization_id: id or name of the organisation (with an approved participation)
    :type organization_id: string
    :param role: ``editor`` (publish datasets) or ``admin`` (also manage the organisation)
    :type role: string
    :param user_id: id or name of the user to authorise (optional, default the caller;
        someone else only by an admin of the organisation or the coordinator)
    :type user_id: string
    :param motivation: why; kept as written (optional, at most 5000 characters)
    :type motivation: string
    :param language: ``sv`` or ``en``, the language of the e-mails to the user
        (optional; default: the language of the request)
    :type language: string
    :returns: the request, in state ``pending``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_publisher_request", context, data_dict)
    data = _validate(data_dict, schema.publisher_request(), context)
    actor = _actor(context)
    assert actor is not None  # the auth function requires a logged-in user
    org = _participant_org(data["organization_id"])
    user = objects.user(data["user_id"]) if data.get("user_id") else actor  # as auth resolves it
    if user is None or user.state != "active":
        raise tk.ValidationError({"user_id": [tk._("No such user")]})
    import ckan.authz as authz

    current = authz.users_role_for_group_or_org(org.id, user.name)
    if current == "admin" or current == data["role"]:
        raise tk.ValidationError({"role": [tk._(
            "{user} already has the role {role} in this organisation").format(
                user=user.name, role=current)]})
    active = (
        model.Session.query(PublisherRequest.id)
        .filter(PublisherRequest.organization_id == org.id,
                PublisherRequest.user_id == user.id,
                PublisherRequest.state.in_(("pending", "approved")))
        .first()
    )
    if active:
        raise tk.ValidationError({"organization_id": [tk._(
            "There is already a pending or approved request for this user in this organisation")]})
    language = data.get("language") or formats.current_lang()
    request = PublisherRequest(
        state=workflow.PUBLISHER.initial,
        organization_id=org.id,
        user_id=user.id,
        applicant_id=actor.id,
        role=data["role"],
        motivation=data.get("motivation") or None,
        language=language if language in ("sv", "en") else "sv",
        created=utcnow(),
        modified=utcnow(),
    )
    model.Session.add(request)
    try:
        model.Session.flush()
        Event.record("publisher", request.id, "request", actor_id=actor.id,
                     organization_id=org.id, to_state=request.state)
        _commit(context)
    except sa_exc.IntegrityError as e:
        raise _integrity_error(e)
    result = request.dictize()
    mailer.publisher_submitted(result)
    return result


@tk.side_effect_free
def vgsamverkan_publisher_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Show one request for publishing rights.

    Visible to the coordinator, the user it is for, the one who asked and the admins of
    the organisation.

    :param id: the request's id
    :type id: string
    :returns: the request, with ``allowed`` (the decisions the caller may make now) and
        ``current_role`` (the user's role in the organisation in CKAN now, or null)
    :rtype: dictionary
    """
    data = _validate(data_dict, schema.object_id(), context)
    tk.check_access("vgsamverkan_publisher_show", context, data)
    obj = objects.load("publisher", data["id"])
    import ckan.authz as authz

    result = obj.dictize()
    user = model.User.get(obj.user_id)
    result["current_role"] = (
        authz.users_role_for_group_or_org(obj.organization_id, user.name) if user else None
    )
    result["allowed"] = _allowed(context, "publisher", workflow.PUBLISHER, obj)
    return result


@tk.side_effect_free
def vgsamverkan_publisher_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """List requests for publishing rights, newest first.

    The coordinator sees all; others see the requests for themselves, those they made,
    and those of the organisations they are admins of.

    :param state: only this state (optional)
    :type state: string
    :param organization_id: only this organisation (optional)
    :type organization_id: string
    :param user_id: only requests for this user, id or name (optional)
    :type user_id: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [...]}``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_publisher_list", context, data_dict)
    data = _validate(data_dict, schema.publisher_list(), context)
    user = _actor(context)
    q = model.Session.query(PublisherRequest)
    if not auth.is_coordinator(user):
        assert user is not None
        q = q.filter(
            sa.or_(
                PublisherRequest.user_id == user.id,
                PublisherRequest.applicant_id == user.id,
                PublisherRequest.organization_id.in_(auth.admin_org_ids(user)),
            )
        )
    if data.get("state"):
        q = q.filter(PublisherRequest.state == data["state"])
    org_key = _org_key(data)
    if org_key:
        q = q.filter(PublisherRequest.organization_id == org_key)
    if data.get("user_id"):
        who = model.User.get(data["user_id"])
        q = q.filter(PublisherRequest.user_id == (who.id if who else data["user_id"]))
    q = q.order_by(PublisherRequest.created.desc(), PublisherRequest.id)
    return _page(q, data, lambda r: r.dictize(),
                 _tally(user, "vgsamverkan_publisher", data, org_key, ("user_id",)))


def vgsamverkan_publisher_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve a request for publishing rights (coordinator): the user becomes a member
    of the organisation with the role, through CKAN's own ``member_create``, in the same
    transaction as the decision.

    :param id: the request's id
    :type id: string
    :param comment: the decision's comment (optional)
    :type comment: string
    :param expires: the last day the rights are valid, ``YYYY-MM-DD`` (optional; not in
        the past). ``ckan vgsamverkan expire`` revokes them after that day.
    :type expires: string
    :returns: the request, now ``approved``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_publisher_approve", context, data_dict)
    data = _validate(data_dict, schema.publisher_approve(), context)
    obj = _lock(PublisherRequest, data["id"])
    workflow.target(workflow.PUBLISHER, obj.state, "approve")
    expires = data.get("expires")
    if expires is not None and expires < _today():
        raise tk.ValidationError({"expires": [tk._("The expiry date must not be in the past")]})
    org = _participant_org(obj.organization_id)
    user = model.User.get(obj.user_id)
    if user is None or user.state != "active":
        raise tk.ValidationError({"user_id": [tk._("The user no longer exists")]})
    actor = _actor(context)
    _transition(context, obj, workflow.PUBLISHER, "approve", data.get("comment"))
    _decided(context, obj, decision_comment=data.get("comment") or None, expires=expires)
    try:
        tk.get_action("member_create")(
            _member_context(actor),
            {"id": org.id, "object": user.id, "object_type": "user", "capacity": obj.role},
        )
    except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as e:
        model.Session.rollback()
        raise tk.ValidationError({"user_id": [tk._("CKAN refused the membership: {error}").format(
            error=getattr(e, "error_summary", None) or str(e))]})
    _commit(context)
    result = obj.dictize()
    mailer.publisher_decided(result, "approve")
    return result


def vgsamverkan_publisher_reject(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reject a request for publishing rights (coordinator).

    :param id: the request's id
    :type id: string
    :param reason: why (required; sent to the user)
    :type reason: string
    :returns: the request, now ``rejected``
    :rtype: dictionary
    """
    obj, _ = _step(context, data_dict, workflow.PUBLISHER, PublisherRequest, "reject",
                   schema.rejection(), lambda o, d: _decided(context, o, reason=d["reason"]))
    _commit(context)
    result = obj.dictize()
    mailer.publisher_decided(result, "reject")
    return result


def vgsamverkan_publisher_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a pending request (the user it is for, or the one who asked).

    :param id: the request's id
    :type id: string
    :param comment: why (optional)
    :type comment: string
    :returns: the request, now ``withdrawn``
    :rtype: dictionary
    """
    obj, _ = _step(context, data_dict, workflow.PUBLISHER, PublisherRequest, "withdraw",
                   schema.decision())
    _commit(context)
    result = obj.dictize()
    mailer.publisher_decided(result, "withdraw")
    return result


def _end_authorisation(context: Context, obj: PublisherRequest, verb: str,
                      comment: str | None) -> dict[str, Any]:
    """Revoke (``revoke``, by the coordinator, or ``expire``, by the daily job) an
    approved authorisation: the state, the event and the removal of the membership
    through CKAN's own ``member_delete``, in one transaction. ``obj`` is locked."""
    actor = _actor(context)
    _transition(context, obj, workflow.PUBLISHER, verb, comment)
    obj.ended_at = utcnow()
    org = model.Group.get(obj.organization_id)
    user = model.User.get(obj.user_id)
    if org is not None and user is not None:
        member_context = _member_context(actor)
        try:
            # CKAN's member_delete commits (it has no defer_commit): with it, the whole
            # transition; without a membership to remove, we commit below
            tk.get_action("member_delete")(
                member_context, {"id": org.id, "object": user.id, "object_type": "user"}
            )
        except tk.ObjectNotFound:
            pass
    _commit(context)
    return obj.dictize()


def vgsamverkan_publisher_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Revoke approved publishing rights (coordinator): the user's membership of the
    organisation is removed through CKAN's own ``member_delete``.

    :param id: the request's id
    :type id: string
    :param comment: why (optional; sent to the user)
    :type comment: string
    :returns: the request, now ``revoked``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_publisher_revoke", context, data_dict)
    data = _validate(data_dict, schema.decision(), context)
    obj = _lock(PublisherRequest, data["id"])
    workflow.target(workflow.PUBLISHER, obj.state, "revoke")
    result = _end_authorisation(context, obj, "revoke", data.get("comment"))
    result["comment"] = data.get("comment")
    mailer.publisher_decided(result, "revoke")
    return result


# -- connection requests ---------------------------------------------------------------

def _connection_mail(context: Context, obj: Connection, verb: str,
                     comment: str | None = None) -> dict[str, Any]:
    result = obj.dictize()
    result["comment"] = comment
    mailer.connection_changed(result, verb, by_coordinator=auth.is_coordinator(_actor(context)))
    return result


def vgsamverkan_connection_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask for a technical connection of an organisation to the regional platform. The
    coordinator investigates it case by case and prices it by quote.

    :param organization_id: id or name of the organisation (with an approved participation)
    :type organization_id: string
    :param information_sets: the information sets to connect (kept as written)
    :type information_sets: string
    :param proposed_solution: e.g. harvesting a DCAT-AP-SE catalogue URL, an API, file
        delivery (optional)
    :type proposed_solution: string
    :param technical_contact: who to talk to about the technique (name, e-mail, phone)
    :type technical_contact: string
    :param description: anything else (optional)
    :type description: string
    :param language: ``sv`` or ``en``, the language of the e-mails to the organisation
        (optional; default: the language of the request)
    :type language: string
    :returns: the request, in state ``submitted``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_connection_create", context, data_dict)
    data = _validate(data_dict, schema.connection_create(), context)
    org = _participant_org(data["organization_id"])
    actor = _actor(context)
    assert actor is not None
    language = data.get("language") or formats.current_lang()
    obj = Connection(
        state=workflow.CONNECTION.initial,
        organization_id=org.id,
        applicant_id=actor.id,
        language=language if language in ("sv", "en") else "sv",
        information_sets=data["information_sets"],
        proposed_solution=data.get("proposed_solution") or None,
        technical_contact=data["technical_contact"],
        description=data.get("description") or None,
        created=utcnow(),
        modified=utcnow(),
    )
    model.Session.add(obj)
    model.Session.flush()
    Event.record("connection", obj.id, "create", actor_id=actor.id, organization_id=org.id,
                 to_state=obj.state)
    _commit(context)
    return _connection_mail(context, obj, "create")


@tk.side_effect_free
def vgsamverkan_connection_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Show one connection request with its quotes (the current one as ``quote``).

    Visible to the coordinator and the organisation's admins only.

    :param id: the request's id
    :type id: string
    :returns: the request, with ``allowed`` (what the caller may do now) and
        ``quote_expired`` (the current quote's validity has passed)
    :rtype: dictionary
    """
    data = _validate(data_dict, schema.object_id(), context)
    tk.check_access("vgsamverkan_connection_show", context, data)
    obj = objects.load("connection", data["id"])
    result = obj.dictize()
    result["quote_expired"] = bool(result["quote"]) and result["quote"]["valid_until"] < _today().isoformat()
    result["allowed"] = _allowed(context, "connection", workflow.CONNECTION, obj)
    return result


@tk.side_effect_free
def vgsamverkan_connection_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """List connection requests, newest first. The coordinator sees all; an
    organisation's admins see the organisation's.

    :param state: only this state (optional)
    :type state: string
    :param organization_id: only this organisation (optional)
    :type organization_id: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [...]}``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_connection_list", context, data_dict)
    data = _validate(data_dict, schema.list_params(), context)
    user = _actor(context)
    q = model.Session.query(Connection)
    if not auth.is_coordinator(user):
        q = q.filter(Connection.organization_id.in_(auth.admin_org_ids(user)))
    if data.get("state"):
        q = q.filter(Connection.state == data["state"])
    org_key = _org_key(data)
    if org_key:
        q = q.filter(Connection.organization_id == org_key)
    q = q.order_by(Connection.created.desc(), Connection.id)
    return _page(q, data, lambda c: c.dictize(),
                 _tally(user, "vgsamverkan_connection", data, org_key, ()))


def _connection_step(context: Context, data_dict: DataDict, verb: str, schema_: dict[str, Any],
                     before: Callable[[Connection, dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """A connection decision: the common step, commit, and a mail to the other party."""
    obj, data = _step(context, data_dict, workflow.CONNECTION, Connection, verb, schema_, before)
    _commit(context)
    return _connection_mail(context, obj, verb, data.get("comment"))


def vgsamverkan_connection_investigate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Start the investigation of a request (coordinator).

    :param id: the request's id
    :type id: string
    :param investigator: who investigates (a name, kept as written)
    :type investigator: string
    :param comment: a comment to the organisation (optional)
    :type comment: string
    :returns: the request, now ``investigating``
    :rtype: dictionary
    """
    def before(obj: Connection, data: dict[str, Any]) -> None:
        obj.investigator = data["investigator"]

    return _connection_step(context, data_dict, "investigate", schema.connection_investigate(), before)


def vgsamverkan_connection_quote(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Issue a quote after the investigation (coordinator). A new quote on a quoted
    request replaces the current one (an expired or revised quote); earlier quotes stay.

    :param id: the request's id
    :type id: string
    :param solution: the solution offered
    :type solution: string
    :param effort_hours: the effort in hours, a decimal number (e.g. ``"24.5"``)
    :type effort_hours: string
    :param price: the price in SEK before VAT, a decimal string (e.g. ``"18500.00"``)
    :type price: string
    :param valid_until: the last day the quote can be accepted, ``YYYY-MM-DD`` (not in
        the past)
    :type valid_until: string
    :param comment: a comment to the organisation (optional)
    :type comment: string
    :returns: the request, now ``quoted``, with the new quote as ``quote``
    :rtype: dictionary
    """
    actor = _actor(context)

    def before(obj: Connection, data: dict[str, Any]) -> None:
        if data["valid_until"] < _today():
            raise tk.ValidationError({"valid_until": [tk._("The quote must be valid today or later")]})
        number = 1 + (model.Session.query(sa.func.count(ConnectionQuote.id))
                      .filter(ConnectionQuote.connection_id == obj.id).scalar() or 0)
        quote = ConnectionQuote(
            connection_id=obj.id, number=number, solution=data["solution"],
            effort_hours=data["effort_hours"], price_ore=data["price"],
            valid_until=data["valid_until"], author_id=actor.id if actor else None, created=utcnow(),
        )
        model.Session.add(quote)
        model.Session.flush()
        obj.current_quote_id = quote.id
        data["_details"] = {"number": number, "price": quote.dictize()["price"],
                            "hours": quote.dictize()["effort_hours"], "valid_until": data["valid_until"].isoformat()}

    return _connection_step(context, data_dict, "quote", schema.connection_quote(), before)


def vgsamverkan_connection_accept(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Accept the current quote (an admin of the organisation). A quote past its
    ``valid_until`` cannot be accepted: ask the coordinator for a new one.

    :param id: the request's id
    :type id: string
    :param comment: a comment (optional)
    :type comment: string
    :returns: the request, now ``accepted``, with ``price`` (the accepted price in SEK)
    :rtype: dictionary
    """
    actor = _actor(context)

    def before(obj: Connection, data: dict[str, Any]) -> None:
        quote = model.Session.get(ConnectionQuote, obj.current_quote_id) if obj.current_quote_id else None
        if quote is None:
            raise tk.ValidationError({"state": [tk._("There is no quote to accept")]})
        if quote.valid_until < _today():
            raise tk.ValidationError({"valid_until": [tk._(
                "The quote was valid until {date} and can no longer be accepted; ask the "
                "coordinator for a new quote").format(date=quote.valid_until.isoformat())]})
        obj.accepted_quote_id = quote.id
        obj.price_ore = quote.price_ore
        obj.accepted_by = actor.id if actor else None
        obj.accepted_at = utcnow()

    return _connection_step(context, data_dict, "accept", schema.decision(), before)


def vgsamverkan_connection_decline(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Decline the quote (an admin of the organisation). The request stays in the history.

    :param id: the request's id
    :type id: string
    :param comment: why (optional)
    :type comment: string
    :returns: the request, now ``declined``
    :rtype: dictionary
    """
    return _connection_step(context, data_dict, "decline", schema.decision())


def vgsamverkan_connection_complete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Mark an accepted connection as connected (coordinator). The accepted price is
    charged in the month of ``connected_date``.

    :param id: the request's id
    :type id: string
    :param connected_date: the day the organisation was connected, ``YYYY-MM-DD``
        (optional, default today)
    :type connected_date: string
    :param harvest_url: the catalogue to harvest, ``http(s)://…`` (optional; recorded)
    :type harvest_url: string
    :param create_harvest_source: also create a ckanext-harvest source for ``harvest_url``,
        owned by the organisation (optional, default false; needs the ``harvest`` plugin)
    :type create_harvest_source: bool
    :param harvest_source_type: the harvester of that source (optional, default
        ``dcat_rdf``, ckanext-dcat's DCAT harvester; ``ckan`` for a CKAN catalogue)
    :type harvest_source_type: string
    :param comment: a comment (optional)
    :type comment: string
    :returns: the request, now ``connected``
    :rtype: dictionary
    """
    def before(obj: Connection, data: dict[str, Any]) -> None:
        obj.connected_date = data.get("connected_date") or _today()
        _refuse_if_closed(obj.connected_date, "connected_date")
        obj.harvest_url = data.get("harvest_url") or None
        if data.get("create_harvest_source"):
            name = _create_harvest_source(obj, data.get("harvest_source_type") or "dcat_rdf")
            note = tk._("Harvest source created: {name}").format(name=name)
            data["comment"] = note + (f"\n{data['comment']}" if data.get("comment") else "")

    return _connection_step(context, data_dict, "complete", schema.connection_complete(), before)


def _create_harvest_source(obj: Connection, source_type: str) -> str:
    """A ckanext-harvest source for the connection's URL, owned by the organisation, in
    the completion's transaction (the coordinator has decided: created as the site user).
    Refused per field when there is no harvest plugin, no URL, or harvest refuses."""
    import ckan.plugins as plugins

    if not plugins.plugin_loaded("harvest"):
        raise tk.ValidationError({"create_harvest_source": [tk._(
            "ckanext-harvest is not installed here: the URL can only be recorded")]})
    if not obj.harvest_url:
        raise tk.ValidationError({"harvest_url": [tk._("Give the URL to harvest")]})
    org = model.Group.get(obj.organization_id)
    name = f"{org.name}-skord-{obj.id[:8]}"
    try:
        tk.get_action("harvest_source_create")(
            {"model": model, "session": model.Session, "user": _site_user_name(),
             "ignore_auth": True, "defer_commit": True},
            {"url": obj.harvest_url, "name": name, "title": org.title or org.name,
             "source_type": source_type, "owner_org": org.id},
        )
    except tk.ValidationError as e:
        model.Session.rollback()
        raise tk.ValidationError({"harvest_url": [tk._("ckanext-harvest refused the source: {error}").format(
            error="; ".join(f"{k}: {v}" for k, v in (e.error_summary or {}).items()))]})
    return name


def vgsamverkan_connection_cancel(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Cancel a request before it is connected (the coordinator or an admin of the
    organisation). It stays in the history.

    :param id: the request's id
    :type id: string
    :param comment: why (optional)
    :type comment: string
    :returns: the request, now ``cancelled``
    :rtype: dictionary
    """
    return _connection_step(context, data_dict, "cancel", schema.decision())


def vgsamverkan_connection_disconnect(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """End a connection (coordinator).

    :param id: the request's id
    :type id: string
    :param comment: why (optional)
    :type comment: string
    :returns: the request, now ``disconnected``
    :rtype: dictionary
    """
    def before(obj: Connection, data: dict[str, Any]) -> None:
        obj.disconnected_date = _today()

    return _connection_step(context, data_dict, "disconnect", schema.decision(), before)


# -- expert call-offs ------------------------------------------------------------------

@tk.side_effect_free
def vgsamverkan_competence_area_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The competence areas that expert support can be called off in (public), from
    ``ckanext.vgsamverkan.competence_areas``, in the configured order.

    :returns: ``{"count": N, "results": [{"key", "label", "label_sv", "label_en"}]}``
        (``label`` in the language of the request)
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_competence_area_list", context, data_dict)
    _validate(data_dict, schema.competence_area_list(), context)
    results = [{"key": a["key"], "label": _area_label(a["key"]), "label_sv": a["sv"], "label_en": a["en"]}
               for a in config.competence_areas()]
    return {"count": len(results), "results": results}


def _calloff_dict(obj: Calloff, **extra: Any) -> dict[str, Any]:
    result = obj.dictize()
    result["competence_area_label"] = _area_label(obj.competence_area)
    result.update(extra)
    return result


def _calloff_mail(context: Context, obj: Calloff, verb: str, comment: str | None = None) -> dict[str, Any]:
    result = _calloff_dict(obj, comment=comment)
    mailer.calloff_changed(result, verb, by_coordinator=auth.is_coordinator(_actor(context)))
    return result


def vgsamverkan_calloff_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Call off expert support from the regional coordination group (an admin of an
    organisation with an approved participation). The coordinator assigns an expert and
    agrees the price.

    :param organization_id: id or name of the organisation (with an approved participation)
    :type organization_id: string
    :param competence_area: the key of a competence area (see
        ``vgsamverkan_competence_area_list``)
    :type competence_area: string
    :param description: what the support is for (kept as written)
    :type description: string
    :param estimated_hours: the organisation's estimate, a decimal number of hours
    :type estimated_hours: string
    :param period_start: the wanted period's first day, ``YYYY-MM-DD``
    :type period_start: string
    :param period_end: the wanted period's last day, ``YYYY-MM-DD`` (not before the first)
    :type period_end: string
    :param contact: who the expert talks to (name, e-mail, phone; optional)
    :type contact: string
    :param language: ``sv`` or ``en``, the language of the e-mails to the organisation
        (optional; default: the language of the request)
    :type language: string
    :returns: the call-off, in state ``requested``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_calloff_create", context, data_dict)
    data = _validate(data_dict, schema.calloff_create(), context)
    if data["period_end"] < data["period_start"]:
        raise tk.ValidationError({"period_end": [tk._("The period cannot end before it starts")]})
    org = _participant_org(data["organization_id"])
    actor = _actor(context)
    assert actor is not None
    language = data.get("language") or formats.current_lang()
    obj = Calloff(
        state=workflow.CALLOFF.initial,
        organization_id=org.id,
        applicant_id=actor.id,
        language=language if language in ("sv", "en") else "sv",
        competence_area=data["competence_area"],
        description=data["description"],
        estimated_hours=data["estimated_hours"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        contact=data.get("contact") or None,
        created=utcnow(),
        modified=utcnow(),
    )
    model.Session.add(obj)
    model.Session.flush()
    Event.record("calloff", obj.id, "create", actor_id=actor.id, organization_id=org.id,
                 to_state=obj.state)
    _commit(context)
    return _calloff_mail(context, obj, "create")


@tk.side_effect_free
def vgsamverkan_calloff_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Show one call-off with its time log, planned versus logged hours and the amount
    so far (hours logged per month at the hourly rate, each month rounded half up to
    whole öre; or the fixed price).

    Visible to the coordinator, the organisation's admins and the assigned expert.

    :param id: the call-off's id
    :type id: string
    :returns: the call-off, with ``time_log``, ``months`` (hours and amount per month),
        ``logged_hours``, ``planned_hours``, ``amount`` and ``allowed`` (what the caller
        may do now)
    :rtype: dictionary
    """
    data = _validate(data_dict, schema.object_id(), context)
    tk.check_access("vgsamverkan_calloff_show", context, data)
    obj = objects.load("calloff", data["id"])
    result = _calloff_dict(obj)
    result["allowed"] = _allowed(context, "calloff", workflow.CALLOFF, obj)
    return result


@tk.side_effect_free
def vgsamverkan_calloff_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """List call-offs, newest first. The coordinator sees all; an organisation's admins
    see the organisation's; an expert sees those assigned to them.

    :param state: only this state (optional)
    :type state: string
    :param organization_id: only this organisation (optional)
    :type organization_id: string
    :param expert_user_id: only those assigned to this user (id or name; optional)
    :type expert_user_id: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [...]}`` (without the time log; with hours and
        amounts)
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_calloff_list", context, data_dict)
    data = _validate(data_dict, schema.calloff_list(), context)
    user = _actor(context)
    q = model.Session.query(Calloff)
    if not auth.is_coordinator(user):
        assert user is not None
        q = q.filter(sa.or_(Calloff.organization_id.in_(auth.admin_org_ids(user)),
                            Calloff.expert_user_id == user.id))
    if data.get("state"):
        q = q.filter(Calloff.state == data["state"])
    org_key = _org_key(data)
    if org_key:
        q = q.filter(Calloff.organization_id == org_key)
    if data.get("expert_user_id"):
        expert = model.User.get(data["expert_user_id"])
        q = q.filter(Calloff.expert_user_id == (expert.id if expert else data["expert_user_id"]))
    q = q.order_by(Calloff.created.desc(), Calloff.id)
    count, rows = _count_and_rows(q, data, _tally(user, "vgsamverkan_calloff", data, org_key, ("expert_user_id",)))
    entries = Calloff.entries_of([r.id for r in rows])
    with _preloaded(rows):
        return {"count": count, "results": [
            dict(r.dictize(with_time=False, entries=entries[r.id]), competence_area_label=_area_label(r.competence_area))
            for r in rows]}


def _calloff_step(context: Context, data_dict: DataDict, verb: str, schema_: dict[str, Any],
                  before: Callable[[Calloff, dict[str, Any]], None] | None = None,
                  mail: bool = True) -> dict[str, Any]:
    """A call-off step: the common step, commit, and a mail to the other party."""
    obj, data = _step(context, data_dict, workflow.CALLOFF, Calloff, verb, schema_, before)
    _commit(context)
    if not mail:
        return _calloff_dict(obj)
    return _calloff_mail(context, obj, verb, data.get("comment"))


def _expert_user(value: str) -> model.User:
    user = model.User.get(value)
    if user is None or user.state != "active":
        raise tk.ValidationError({"expert_user_id": [tk._("No such user")]})
    return user


def vgsamverkan_calloff_assign(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Assign an expert and agree the price (coordinator): an hourly rate or a fixed
    price, not both. Only while the organisation takes part.

    :param id: the call-off's id
    :type id: string
    :param expert_name: the expert's name (as shown to the organisation)
    :type expert_name: string
    :param expert_user_id: the expert's CKAN user (id or name; optional): that user may
        see the call-off and log time on it
    :type expert_user_id: string
    :param hourly_rate: the hourly rate in SEK before VAT, a decimal string (or
        ``fixed_price``)
    :type hourly_rate: string
    :param fixed_price: a fixed price in SEK before VAT, a decimal string, charged in the
        month it is delivered (or ``hourly_rate``)
    :type fixed_price: string
    :param planned_hours: the hours planned, a decimal number
    :type planned_hours: string
    :param comment: a comment to the organisation (optional)
    :type comment: string
    :returns: the call-off, now ``assigned``
    :rtype: dictionary
    """
    from ckanext.vgsamverkan.logic import enforce

    actor = _actor(context)

    def before(obj: Calloff, data: dict[str, Any]) -> None:
        rate, fixed = data.get("hourly_rate"), data.get("fixed_price")
        if (rate is None) == (fixed is None):
            message = tk._("Give either an hourly rate or a fixed price")
            raise tk.ValidationError({"hourly_rate": [message], "fixed_price": [message]})
        if not enforce.is_participant(obj.organization_id):
            raise tk.ValidationError({"organization_id": [tk._(
                "The organisation no longer takes part in the collaboration: cancel the call-off")]})
        expert = _expert_user(data["expert_user_id"]) if data.get("expert_user_id") else None
        obj.expert_name = data["expert_name"]
        obj.expert_user_id = expert.id if expert else None
        obj.hourly_rate_ore = rate
        obj.fixed_price_ore = fixed
        obj.planned_hours = data["planned_hours"]
        obj.assigned_by = actor.id if actor else None
        obj.assigned_at = utcnow()
        assigned = obj.dictize(with_time=False)
        data["_details"] = {"expert": obj.expert_name, "hourly_rate": assigned["hourly_rate"],
                            "fixed_price": assigned["fixed_price"], "planned_hours": str(obj.planned_hours)}

    return _calloff_step(context, data_dict, "assign", schema.calloff_assign(), before)


def _took_part(organization_id: str, day: dt.date) -> bool:
    """Whether the organisation took part in the collaboration on ``day`` (an approved
    participation, or a terminated one up to its last day)."""
    q = (
        model.Session.query(Participation.id)
        .filter(Participation.organization_id == organization_id)
        .filter(Participation.state.in_(("approved", "terminated")))
        .filter(sa.or_(Participation.effective_from.is_(None), Participation.effective_from <= day))
        .filter(sa.or_(Participation.effective_to.is_(None), Participation.effective_to >= day))
    )
    return model.Session.query(q.exists()).scalar()


def vgsamverkan_calloff_log_time(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Log time on a call-off (the assigned expert or the coordinator). The first time
    logged moves it to ``in_progress``; a delivered call-off takes no more time.

    Hours are more than 0, in quarter hours; one expert has at most 24 hours on one day,
    over all call-offs. The day must not be in the future and the organisation must have
    taken part in the collaboration that day. Entries are never changed or deleted: a
    correction is a fee adjustment.

    :param id: the call-off's id
    :type id: string
    :param date: the day worked, ``YYYY-MM-DD``
    :type date: string
    :param hours: the hours, e.g. ``"2.75"``
    :type hours: string
    :param note: what was done (optional)
    :type note: string
    :returns: the call-off with its time log, ``in_progress``
    :rtype: dictionary
    """
    actor = _actor(context)

    def before(obj: Calloff, data: dict[str, Any]) -> None:
        day, worked = data["date"], data["hours"]
        if day > _today():
            raise tk.ValidationError({"date": [tk._("Time can only be logged for today or earlier")]})
        _refuse_if_closed(day, "date")
        if not _took_part(obj.organization_id, day):
            raise tk.ValidationError({"date": [tk._(
                "{organization} did not take part in the collaboration on {date}").format(
                    organization=obj.organization_title, date=day.isoformat())]})
        key = expert_key(obj.expert_user_id, obj.expert_name)
        # one expert's day is checked by one transaction at a time, over all call-offs
        model.Session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                              {"k": f"vgsamverkan-calloff-time:{key}:{day.isoformat()}"})
        logged = (model.Session.query(sa.func.coalesce(sa.func.sum(CalloffTime.hours), 0))
                  .filter(CalloffTime.expert_key == key, CalloffTime.date == day).scalar())
        if logged + worked > 24:
            raise tk.ValidationError({"hours": [tk._(
                "{expert} already has {logged} hours on {date}: a day has at most 24 hours").format(
                    expert=obj.expert_name, logged=formats.number(logged), date=day.isoformat())]})
        model.Session.add(CalloffTime(
            calloff_id=obj.id, organization_id=obj.organization_id, date=day, hours=worked,
            note=data.get("note") or None, expert_key=key, expert_name=obj.expert_name or "",
            hourly_rate_ore=obj.hourly_rate_ore, author_id=actor.id if actor else None,
            created=utcnow()))
        data["_details"] = {"hours": str(worked), "date": day.isoformat()}
        data["comment"] = data.get("note") or None

    return _calloff_step(context, data_dict, "log_time", schema.calloff_log_time(), before, mail=False)


def vgsamverkan_calloff_deliver(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Mark a call-off in progress as delivered (coordinator). It takes no more time; a
    fixed price is charged in the month of ``delivered_date``.

    :param id: the call-off's id
    :type id: string
    :param delivered_date: the day it was delivered, ``YYYY-MM-DD`` (optional, default
        today; not before the last day with time logged, not in the future)
    :type delivered_date: string
    :param comment: a comment to the organisation (optional)
    :type comment: string
    :returns: the call-off, now ``delivered``
    :rtype: dictionary
    """
    def before(obj: Calloff, data: dict[str, Any]) -> None:
        day = data.get("delivered_date") or _today()
        if day > _today():
            raise tk.ValidationError({"delivered_date": [tk._("The delivery date cannot be in the future")]})
        last = (model.Session.query(sa.func.max(CalloffTime.date))
                .filter(CalloffTime.calloff_id == obj.id).scalar())
        if last is not None and day < last:
            raise tk.ValidationError({"delivered_date": [tk._(
                "Time is logged until {date}: it cannot have been delivered before").format(
                    date=last.isoformat())]})
        if obj.fixed_price_ore is not None:
            _refuse_if_closed(day, "delivered_date")
        obj.delivered_date = day

    return _calloff_step(context, data_dict, "deliver", schema.calloff_deliver(), before)


def vgsamverkan_calloff_cancel(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Cancel a call-off before any time is logged (the coordinator or an admin of the
    organisation). It stays in the history.

    :param id: the call-off's id
    :type id: string
    :param comment: why (optional)
    :type comment: string
    :returns: the call-off, now ``cancelled``
    :rtype: dictionary
    """
    return _calloff_step(context, data_dict, "cancel", schema.decision())


for _name in [n for n in list(globals()) if n.startswith("vgsamverkan_")]:
    globals()[_name] = _refusing_control_characters(globals()[_name])

# The actions the plugin registers (blanket): ours, and CKAN's that we chain.
CHAINED = ["resource_create", "organization_create", "group_create", "organization_update", "group_update",
           "member_list", "member_create", "member_delete"]
__all__ = sorted(name for name in list(globals()) if name.startswith("vgsamverkan_")) + CHAINED
