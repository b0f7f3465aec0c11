"""The participation workflow: apply, decide (approve creates the CKAN organisation when
needed; terminate ends the publishing rights given in it), and the public list of
participants (issue 18: one module per workflow)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import formats
from ckanext.vgsamverkan.domain import customers, objects, roles, taking_part
from ckanext.vgsamverkan.domain.kinds.participation import WORKFLOW
from ckanext.vgsamverkan.domain.kinds.publisher import WORKFLOW as RIGHTS_WORKFLOW
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import (
    WORKPLACE_FILTERS,
    _actor,
    _allowed,
    _as_workplace,
    _commit,
    _count_and_rows,
    _decided,
    _existing_org,
    _integrity_error,
    _lock,
    _may,
    _org_key,
    _preloaded,
    _sliced,
    _step,
    _tally,
    _today,
    _transition,
    _validate,
    _validated,
    action,
)
from ckanext.vgsamverkan.mail import notify
from ckanext.vgsamverkan.model import (
    Event,
    Participation,
    Population,
    PublisherRequest,
)
from ckanext.vgsamverkan.model.base import person, utcnow


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


@action
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
    :param address_street: the customer's postal address: street (optional, one line)
    :type address_street: string
    :param address_postcode: postcode, five digits (optional)
    :type address_postcode: string
    :param address_city: city (optional)
    :type address_city: string
    :param peppol_endpoint: where e-invoices go, ``scheme:identifier`` (optional; default
        ``0007:`` and the organisationsnummer; ``0088:`` a GLN)
    :type peppol_endpoint: string
    :param legal_name: the legal name of the organisationsnummer, shared by every customer
        that carries it (coordinator only; optional)
    :type legal_name: string
    :returns: the application, in state ``pending``, with its ``customer_number``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_participation_apply", context, data_dict)
    # every error at once (issue 21): the schema's, the rules' below and the conflicts
    # with other applications, for the fields that passed the schema
    data, errors = _validated(data_dict, schema.participation_apply(), context)

    if "organization_id" in errors:  # which organisation is meant is unknown: nothing to check of it
        existing = new = False
    else:
        existing, new = bool(data.get("organization_id")), not data.get("organization_id")
    if existing:
        if data.get("organization_name") or data.get("organization_title"):
            errors["organization_id"] = [
                tk._("Give either an existing organisation or the name of a new one, not both")
            ]
        else:
            try:
                org = _existing_org(data["organization_id"])
            except tk.ValidationError as e:
                errors.update(e.error_dict)
            else:
                data.update(
                    organization_id=org.id,
                    organization_name=org.name,
                    organization_title=org.title or org.name,
                )
    elif new:
        missing = {"organization_title": tk._("Give the name of the new organisation"),
                   "organization_name": tk._("Give the new organisation's address in the portal")}
        for field, said in missing.items():
            if not data.get(field) and field not in errors:
                errors[field] = [said]
        name = data.get("organization_name")
        if name and model.Group.get(name) is not None:
            errors["organization_name"] = [tk._("That URL is already in use.")]

    if data.get("org_type") in ("kommun", "kommunalt_bolag") and not data.get("municipality_code") \
            and "municipality_code" not in errors:
        errors["municipality_code"] = [
            tk._("A municipality code is required for a kommun or a kommunalt bolag")
        ]
    if "org_type" in data and not {"organization_id", "organization_name", "municipality_code"} & set(errors) \
            and (data.get("organization_id") or data.get("organization_name")):
        errors.update(_active_conflicts(data))
    if errors:
        raise tk.ValidationError(errors)

    actor = _actor(context)
    assert actor is not None  # the auth function requires a logged-in user
    language = data.get("language") or formats.current_lang()
    participation = Participation(
        state=WORKFLOW.initial,
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
        address_street=data.get("address_street") or None,
        address_postcode=data.get("address_postcode") or None,
        address_city=data.get("address_city") or None,
        peppol_endpoint=data.get("peppol_endpoint") or None,
        applicant_id=actor.id,
        language=language if language in ("sv", "en") else "sv",
        created=utcnow(),
        modified=utcnow(),
    )
    model.Session.add(participation)
    try:
        model.Session.flush()
    except sa_exc.IntegrityError as e:
        raise _integrity_error(e) from e
    if data.get("legal_name"):
        customers.set_legal_name(participation.org_number, data["legal_name"], actor.id)
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
        raise _integrity_error(e) from e
    result = participation.dictize()
    notify.participation_submitted(result)
    return result


@action
@tk.side_effect_free
def vgsamverkan_participation_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Show one application to take part.

    Visible to the coordinator, the applicant and the admins of the organisation.

    :param id: the application's id
    :type id: string
    :returns: the application, with ``allowed`` (the decisions the caller may make now),
        ``may_update`` (whether the caller may change its master data now) and
        ``may_change_org_number`` (the coordinator's part of that)
    :rtype: dictionary
    """
    data = _validate(data_dict, schema.object_id(), context)
    tk.check_access("vgsamverkan_participation_show", context, data)
    obj = objects.load("participation", data["id"])
    result = obj.dictize()
    result["allowed"] = _allowed(context, "participation", WORKFLOW, obj)
    # whether the caller may change its master data now (vgsamverkan_participation_update)
    result["may_update"] = updatable(obj) and _may("vgsamverkan_participation_update",
                                                                 context, {"id": obj.id})
    result["may_change_org_number"] = result["may_update"] and _may(
        "vgsamverkan_participation_update", context, {"id": obj.id, "org_number": obj.org_number})
    return result


@action
@tk.side_effect_free
def vgsamverkan_participation_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """List applications to take part, newest first.

    The coordinator sees all; others see their own applications and those of the
    organisations they are admins of.

    :param state: only this state (optional)
    :type state: string
    :param organization_id: only this organisation (optional)
    :type organization_id: string
    :param states: only these states, a list or separated by commas (optional; for the
        coordinator's workplace)
    :type states: list of strings
    :param org_type: only applications of this organisation type (optional;
        by the application's own)
    :type org_type: string
    :param municipality_code: only applications of this municipality (optional;
        by the application's own)
    :type municipality_code: string
    :param sort: ``oldest`` or ``newest`` first by since when the request waits, or
        ``unchanged``: the longest unchanged first (optional; with ``states``, state by
        state in their order; default: the newest created first)
    :type sort: string
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
    if not roles.is_coordinator(user):
        assert user is not None
        q = q.filter(
            sa.or_(
                Participation.applicant_id == user.id,
                Participation.organization_id.in_(roles.admin_org_ids(user)),
            )
        )
    if data.get("state"):
        q = q.filter(Participation.state == data["state"])
    org_key = _org_key(data)
    if org_key:
        q = q.filter(Participation.organization_id == org_key)
    q = _as_workplace("participation", q.order_by(Participation.created.desc(), Participation.id), data)
    count, rows = _count_and_rows(q, data, _tally(user, "vgsamverkan_participation", data, org_key,
                                                  WORKPLACE_FILTERS))
    legal_names = Participation.legal_names(rows)  # the page's at once, not a query a row
    with _preloaded(rows):
        return {"count": count, "results": [p.dictize(legal_names=legal_names) for p in rows]}


@action
def vgsamverkan_participation_approve(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Approve an application (coordinator).

    For a new organisation, the CKAN organisation is created in the same transaction,
    with the applicant as its admin. The organisation takes part from ``effective_from``:
    an approval dated in the future grants nothing (publishing, requests, call-offs)
    before that day, when the daily job records a ``begin`` event and mails.

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
    def before(obj: Participation, data: dict[str, Any]) -> None:
        effective_from = data.get("effective_from") or _today()
        _check_no_overlap(obj, effective_from)
        if obj.organization_id is None:  # before the transition: its event names the organisation
            obj.organization_id = _create_organization(context, obj)
        else:
            org = model.Group.get(obj.organization_id)
            if org is None or org.state != "active":
                raise tk.ValidationError({"organization_id": [tk._("The organisation no longer exists")]})
        _decided(context, obj, decision_comment=data.get("comment") or None, effective_from=effective_from)
        # a first day still to come grants nothing before it: the daily job records it
        obj.began_at = utcnow() if effective_from <= _today() else None

    obj, _ = _step(context, data_dict, WORKFLOW, Participation, "approve",
                   schema.participation_approve(), before)
    try:
        _commit(context)
    except sa_exc.IntegrityError as e:
        raise _integrity_error(e) from e
    result = obj.dictize()
    notify.participation_decided(result, "approve")
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
        ) from e


@action
def vgsamverkan_participation_reject(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reject an application (coordinator). The reason is sent to the applicant.

    :param id: the application's id
    :type id: string
    :param reason: why it is rejected (required)
    :type reason: string
    :returns: the application, now ``rejected``
    :rtype: dictionary
    """
    obj, _ = _step(context, data_dict, WORKFLOW, Participation, "reject",
                   schema.rejection(), lambda o, d: _decided(context, o, reason=d["reason"]))
    _commit(context)
    result = obj.dictize()
    notify.participation_decided(result, "reject")
    return result


@action
def vgsamverkan_participation_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a pending application (the applicant or an admin of the organisation).

    :param id: the application's id
    :type id: string
    :param comment: why (optional)
    :type comment: string
    :returns: the application, now ``withdrawn``
    :rtype: dictionary
    """
    obj, _ = _step(context, data_dict, WORKFLOW, Participation, "withdraw",
                   schema.decision())
    _commit(context)
    result = obj.dictize()
    actor = _actor(context)
    result["actor_name"] = person(actor)
    notify.participation_decided(result, "withdraw")
    return result


# the master data that may change (SPEC 2026-11-29), in the order the history lists them
UPDATABLE = ("contact_name", "contact_email", "contact_phone", "invoice_reference", "org_number",
             *schema.CUSTOMER_FIELDS)
UPDATABLE_STATES = ("pending", "approved")


def updatable(obj: Participation) -> bool:
    """Master data may change while the organisation takes part or waits for a decision,
    also after a termination up to and including its last day (SPEC 2026-12-07: it is
    still billed until then)."""
    if obj.state in UPDATABLE_STATES:
        return True
    return obj.state == "terminated" and obj.effective_to is not None and obj.effective_to >= _today()


@action
def vgsamverkan_participation_terminate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """End an approved participation (coordinator).

    The decision is taken now (the state becomes ``terminated``); the dates decide the
    rights: the organisation takes part up to and including ``effective_to``. A last day
    already past ends its publishing rights at once; a last day today or later leaves
    everything as it is until then, and the daily job (``ckan vgsamverkan expire``) ends
    them on the day after, with an ``end`` event and mails.

    :param id: the application's id
    :type id: string
    :param effective_to: the last day of participation, ``YYYY-MM-DD`` (optional,
        default today; not before the day before ``effective_from``)
    :type effective_to: string
    :param comment: why (optional)
    :type comment: string
    :returns: the participation, now ``terminated``, with ``publisher_rights_ended``: the ids
        of the publishing rights that ended with it now (each gets an event and a mail;
        empty while its last day has not passed)
    :rtype: dictionary
    """
    ended: list[dict[str, Any]] = []

    def before(obj: Participation, data: dict[str, Any]) -> None:
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
        obj.effective_to = effective_to

    def after(obj: Participation, data: dict[str, Any]) -> None:  # their events follow its own
        if obj.effective_to < _today():  # its last day has passed: everything ends now
            obj.ended_at = utcnow()
            ended.extend(_end_rights_with(context, obj))
        # else it takes part until its last day; the daily job ends it the day after

    obj, _ = _step(context, data_dict, WORKFLOW, Participation, "terminate",
                   schema.participation_terminate(), before, after)
    _commit(context)
    result = obj.dictize()
    notify.participation_decided(result, "terminate")
    for rights in ended:
        notify.publisher_decided(rights, "end")
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
        _transition(context, rights, RIGHTS_WORKFLOW, "end", None)
        rights.ended_at = utcnow()
        for member in (model.Session.query(model.Member)
                       .filter(model.Member.group_id == rights.organization_id,
                               model.Member.table_name == "user", model.Member.table_id == rights.user_id,
                               model.Member.state == "active")):
            member.delete()
        ended.append(rights.dictize())
    return ended


@action
@tk.side_effect_free
def vgsamverkan_participant_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The public list of the collaboration's participants: the organisations that take
    part today (an approved participation that has begun; a terminated one up to its last
    day, ``effective_to``).

    No contact details are included.

    :param state: only participations in this state (optional): ``approved``, or
        ``terminated`` (taking part up to its last day)
    :type state: string
    :param organization_id: only this organisation, by id or name (optional)
    :type organization_id: string
    :param org_type: only this organisation type (optional)
    :type org_type: string
    :param municipality_code: only this municipality (optional)
    :type municipality_code: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [{id, state, created, modified, organization_id,
        organization_name, organization_title, org_type, municipality_code,
        municipality_name, effective_from, effective_to}]}`` (``id`` and ``state`` of the
        participation; ``effective_to``: the last day, where one is set), by title
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_participant_list", context, data_dict)
    data = _validate(data_dict, schema.participant_list(), context)
    q = model.Session.query(Participation).filter(taking_part.on(_today()))
    if data.get("state"):
        q = q.filter(Participation.state == data["state"])
    org_key = _org_key(data)
    if org_key:
        q = q.filter(Participation.organization_id == org_key)
    if data.get("org_type"):
        q = q.filter(Participation.org_type == data["org_type"])
    if data.get("municipality_code"):
        q = q.filter(Participation.municipality_code == data["municipality_code"])
    names = _municipality_names()
    results = []
    rows = q.all()
    with _preloaded(rows):  # the organisations and people of every row at once (the front page lists them all)
        dicts = [(p, p.dictize(with_contact=False, legal_names={})) for p in rows]
    for p, d in dicts:
        results.append(
            {
                "id": p.id,
                "state": d["state"],
                "created": d["created"],
                "modified": d["modified"],
                "organization_id": d["organization_id"],
                "organization_name": d["organization_name"],
                "organization_title": d["organization_title"],
                "org_type": p.org_type,
                "municipality_code": p.municipality_code,
                "municipality_name": names.get(p.municipality_code),
                "effective_from": d["effective_from"],
                "effective_to": d["effective_to"],
            }
        )
    results.sort(key=lambda r: (r["organization_title"] or "").lower())
    return _sliced(results, data)


def _municipality_names() -> dict[str, str]:
    rows = model.Session.query(Population.municipality_code, Population.name).order_by(
        Population.year
    )
    return {code: name for code, name in rows}


# -- the days the dates take effect (the daily job: expiry.run) ------------------------

def begin_due(today: dt.date) -> list[str]:
    """The participations whose first day has come and not yet been recorded."""
    return [r.id for r in model.Session.query(Participation.id)
            .filter(Participation.began_at.is_(None), taking_part.on(today))
            .order_by(Participation.effective_from, Participation.id)]


def end_due(today: dt.date) -> list[str]:
    """The terminated participations whose last day has passed and whose end has not yet
    taken effect."""
    return [r.id for r in model.Session.query(Participation.id)
            .filter(Participation.state == "terminated", Participation.ended_at.is_(None),
                    Participation.effective_to < today)
            .order_by(Participation.effective_to, Participation.id)]


def begin(context: Context, participation_id: str, today: dt.date) -> dict[str, Any] | None:
    """Record that the participation takes part from today (its first day has come), in
    its own transaction; None when that is no longer so (decided meanwhile)."""
    obj = _lock(Participation, participation_id)
    if obj.began_at is not None or not taking_part.is_on(obj, today):
        model.Session.rollback()
        return None
    obj.began_at = utcnow()
    _dated_event(context, obj, "begin", obj.effective_from)
    model.repo.commit()
    return obj.dictize()


def _dated_event(context: Context, obj: Participation, verb: str, day: dt.date | None) -> None:
    """The event of a day a participation's dates took effect (its state unchanged)."""
    actor = _actor(context)
    Event.record("participation", obj.id, verb, actor_id=actor.id if actor else None,
                 organization_id=obj.organization_id, from_state=obj.state, to_state=obj.state,
                 details={"date": day.isoformat() if day else None})


def end(context: Context, participation_id: str, today: dt.date
        ) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """End a terminated participation whose last day has passed, in its own transaction:
    an ``end`` event, and its approved publishing rights end (each its event). Returns the
    participation and the rights ended, or None when already done."""
    obj = _lock(Participation, participation_id)
    if obj.state != "terminated" or obj.ended_at is not None or obj.effective_to is None \
            or obj.effective_to >= today:
        model.Session.rollback()
        return None
    obj.ended_at = utcnow()
    _dated_event(context, obj, "end", obj.effective_to)
    ended = _end_rights_with(context, obj)
    model.repo.commit()
    return obj.dictize(), ended
