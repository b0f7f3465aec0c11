"""The publisher authorisation workflow: a user asks for the role editor or admin in a
participating organisation, the coordinator approves (the CKAN membership is given in
the same transaction), rejects or revokes; rights end with the participation or at
expiry (expiry.py) (issue 18: one module per workflow)."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

import ckan.authz as authz
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import formats
from ckanext.vgsamverkan.domain import objects, roles
from ckanext.vgsamverkan.domain.kinds.publisher import WORKFLOW
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import (
    WORKPLACE_FILTERS,
    _actor,
    _allowed,
    _as_workplace,
    _commit,
    _decided,
    _integrity_error,
    _lock,
    _may,
    _member_context,
    _org_key,
    _page,
    _participant_org,
    _step,
    _tally,
    _today,
    _transition,
    _validate,
    action,
)
from ckanext.vgsamverkan.mail import notify
from ckanext.vgsamverkan.model import (
    Event,
    PublisherRequest,
)
from ckanext.vgsamverkan.model.base import utcnow


@action
def vgsamverkan_publisher_request(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Ask for publishing rights (role ``editor`` or ``admin``) in an organisation that
    takes part in the collaboration. The coordinator decides.

    When the user already has approved rights there, the request renews them (the same
    role; rights with an end date) or changes their role (editor ⇄ admin); the current
    rights stay as they are until it is decided, and its approval replaces them
    (``replaces_id``). One pending request per user and organisation.

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

    mine = model.Session.query(PublisherRequest).filter(PublisherRequest.organization_id == org.id,
                                                         PublisherRequest.user_id == user.id)
    if mine.filter(PublisherRequest.state == "pending").first() is not None:
        raise tk.ValidationError({"organization_id": [tk._(
            "There is already a pending request for this user in this organisation")]})
    # approved rights: the request renews them (the same role, before their end date) or
    # changes their role; they stay as they are until it is decided (issue 21)
    approved = mine.filter(PublisherRequest.state == "approved").first()
    if approved is not None:
        if approved.role == data["role"] and approved.expires is None:
            raise tk.ValidationError({"role": [tk._(
                "{user} already has the role {role} in this organisation, with no end date").format(
                    user=user.name, role=approved.role)]})
    else:
        current = authz.users_role_for_group_or_org(org.id, user.name)
        if current == "admin" or current == data["role"]:
            raise tk.ValidationError({"role": [tk._(
                "{user} already has the role {role} in this organisation").format(
                    user=user.name, role=current)]})
    language = data.get("language") or formats.current_lang()
    request = PublisherRequest(
        state=WORKFLOW.initial,
        organization_id=org.id,
        user_id=user.id,
        applicant_id=actor.id,
        role=data["role"],
        replaces_id=approved.id if approved is not None else None,
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
        raise _integrity_error(e) from e
    result = request.dictize()
    notify.publisher_submitted(result)
    return result


@action
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

    result = obj.dictize()
    user = model.User.get(obj.user_id)
    result["current_role"] = (
        authz.users_role_for_group_or_org(obj.organization_id, user.name) if user else None
    )
    result["allowed"] = _allowed(context, "publisher", WORKFLOW, obj)
    # a renewal or change of role: the rights it replaces; and the one that replaced these
    replaced_by = (model.Session.query(PublisherRequest.id)
                   .filter(PublisherRequest.replaces_id == obj.id, PublisherRequest.state != "rejected")
                   .order_by(PublisherRequest.created.desc()).first())
    result["replaced_by"] = replaced_by[0] if replaced_by else None
    result["may_renew"] = obj.state == "approved" and replaced_by is None and _may(
        "vgsamverkan_publisher_request", context, {"organization_id": obj.organization_id, "user_id": obj.user_id,
                                                   "role": obj.role})
    return result


@action
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
    :param states: only these states, a list or separated by commas (optional; for the
        coordinator's workplace)
    :type states: list of strings
    :param org_type: only requests of this organisation type (optional;
        by the organisation's newest participation)
    :type org_type: string
    :param municipality_code: only requests of this municipality (optional;
        by the organisation's newest participation)
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
    tk.check_access("vgsamverkan_publisher_list", context, data_dict)
    data = _validate(data_dict, schema.publisher_list(), context)
    user = _actor(context)
    q = model.Session.query(PublisherRequest)
    if not roles.is_coordinator(user):
        assert user is not None
        q = q.filter(
            sa.or_(
                PublisherRequest.user_id == user.id,
                PublisherRequest.applicant_id == user.id,
                PublisherRequest.organization_id.in_(roles.admin_org_ids(user)),
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
    q = _as_workplace("publisher", q.order_by(PublisherRequest.created.desc(), PublisherRequest.id), data)
    return _page(q, data, lambda r: r.dictize(),
                 _tally(user, "vgsamverkan_publisher", data, org_key, ("user_id", *WORKPLACE_FILTERS)))


@action
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
    def before(obj: PublisherRequest, data: dict[str, Any]) -> None:
        expires = data.get("expires")
        if expires is not None and expires < _today():
            raise tk.ValidationError({"expires": [tk._("The expiry date must not be in the past")]})
        _participant_org(obj.organization_id)
        user = model.User.get(obj.user_id)
        if user is None or user.state != "active":
            raise tk.ValidationError({"user_id": [tk._("The user no longer exists")]})
        # the rights a renewal or change of role replaces, if they still hold; the role
        # before any the workflow granted, given back when these end
        replaced = _lock(PublisherRequest, obj.replaces_id) if obj.replaces_id else None
        if replaced is not None and replaced.state == "approved":
            obj.previous_role = replaced.previous_role
            # ended first (one approved request per user and organisation); the
            # membership goes on under this request
            _transition(context, replaced, WORKFLOW, "replace", None, {"by": obj.id})
            replaced.ended_at = utcnow()
            model.Session.flush()
        else:
            obj.previous_role = authz.users_role_for_group_or_org(obj.organization_id, user.name)
        _decided(context, obj, decision_comment=data.get("comment") or None, expires=expires)

    def after(obj: PublisherRequest, data: dict[str, Any]) -> None:
        try:
            tk.get_action("member_create")(
                _member_context(_actor(context)),
                {"id": obj.organization_id, "object": obj.user_id, "object_type": "user", "capacity": obj.role},
            )
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as e:
            model.Session.rollback()
            raise tk.ValidationError({"user_id": [tk._("CKAN refused the membership: {error}").format(
                error=getattr(e, "error_summary", None) or str(e))]}) from e

    obj, _ = _step(context, data_dict, WORKFLOW, PublisherRequest, "approve",
                   schema.publisher_approve(), before, after)
    _commit(context)
    result = obj.dictize()
    notify.publisher_decided(result, "approve")
    return result


@action
def vgsamverkan_publisher_reject(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Reject a request for publishing rights (coordinator).

    :param id: the request's id
    :type id: string
    :param reason: why (required; sent to the user)
    :type reason: string
    :returns: the request, now ``rejected``
    :rtype: dictionary
    """
    obj, _ = _step(context, data_dict, WORKFLOW, PublisherRequest, "reject",
                   schema.rejection(), lambda o, d: _decided(context, o, reason=d["reason"]))
    _commit(context)
    result = obj.dictize()
    notify.publisher_decided(result, "reject")
    return result


@action
def vgsamverkan_publisher_withdraw(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Withdraw a pending request (the user it is for, or the one who asked).

    :param id: the request's id
    :type id: string
    :param comment: why (optional)
    :type comment: string
    :returns: the request, now ``withdrawn``
    :rtype: dictionary
    """
    obj, _ = _step(context, data_dict, WORKFLOW, PublisherRequest, "withdraw",
                   schema.decision())
    _commit(context)
    result = obj.dictize()
    notify.publisher_decided(result, "withdraw")
    return result


def end_authorisation(context: Context, obj: PublisherRequest, verb: str,
                       comment: str | None) -> dict[str, Any]:
    """End an approved authorisation outside a decision's step (``expire``, by the daily
    job): the state, the event and the removal of the membership, in one transaction.
    ``obj`` is locked."""
    _transition(context, obj, WORKFLOW, verb, comment)
    _remove_membership(context, obj)
    _commit(context)
    return obj.dictize()


def _remove_membership(context: Context, obj: PublisherRequest) -> None:
    """After ``revoke``, ``expire`` or ``end``: the rights end now and only what they
    granted is taken back: the role the user had before is given back (CKAN's own
    ``member_create``), or, with none, the membership is removed (``member_delete``)."""
    obj.ended_at = utcnow()
    org = model.Group.get(obj.organization_id)
    user = model.User.get(obj.user_id)
    if org is not None and user is not None and obj.previous_role:
        tk.get_action("member_create")(
            _member_context(_actor(context)),
            {"id": org.id, "object": user.id, "object_type": "user", "capacity": obj.previous_role})
    elif org is not None and user is not None:
        try:
            # CKAN's member_delete commits (it has no defer_commit): with it, the whole
            # transition; without a membership to remove, the caller commits
            tk.get_action("member_delete")(
                _member_context(_actor(context)), {"id": org.id, "object": user.id, "object_type": "user"}
            )
        except tk.ObjectNotFound:
            pass


@action
def vgsamverkan_publisher_revoke(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Revoke approved publishing rights (coordinator): only what they granted is taken
    back: the user's role before them is given back, or, with none, the membership is
    removed (CKAN's own ``member_create`` / ``member_delete``).

    :param id: the request's id
    :type id: string
    :param comment: why (optional; sent to the user)
    :type comment: string
    :returns: the request, now ``revoked``
    :rtype: dictionary
    """
    obj, data = _step(context, data_dict, WORKFLOW, PublisherRequest, "revoke", schema.decision(),
                      after=lambda o, d: _remove_membership(context, o))
    _commit(context)
    result = obj.dictize()
    result["comment"] = data.get("comment")
    notify.publisher_decided(result, "revoke")
    return result
