"""The call-off workflow: a participant calls off expert support in a competence area;
the coordinator assigns an expert, the expert logs time (in months not closed, on days
the organisation took part) and delivers, or the call-off is cancelled (issue 18: one
module per workflow)."""
from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import config, formats, labels, money
from ckanext.vgsamverkan.domain import objects, roles, taking_part
from ckanext.vgsamverkan.domain.kinds.calloff import WORKFLOW
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import (
    WORKPLACE_FILTERS,
    _actor,
    _allowed,
    _as_workplace,
    _commit,
    _count_and_rows,
    _lock,
    _org_key,
    _participant_org,
    _preloaded,
    _refuse_if_closed,
    _sliced,
    _step,
    _tally,
    _today,
    _validate,
    action,
)
from ckanext.vgsamverkan.mail import notify
from ckanext.vgsamverkan.model import (
    Calloff,
    CalloffTime,
    Event,
)
from ckanext.vgsamverkan.model.base import utcnow
from ckanext.vgsamverkan.model.calloff import expert_key


@action
@tk.side_effect_free
def vgsamverkan_competence_area_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The competence areas that expert support can be called off in (public), from
    ``ckanext.vgsamverkan.competence_areas``, in the configured order.

    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [{"key", "label", "label_sv", "label_en"}]}``
        (``label`` in the language of the request)
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_competence_area_list", context, data_dict)
    data = _validate(data_dict, schema.competence_area_list(), context)
    results = [{"key": a["key"], "label": labels.competence_area(a["key"]), "label_sv": a["sv"], "label_en": a["en"]}
               for a in config.competence_areas()]
    return _sliced(results, data)


def _calloff_dict(obj: Calloff, *, entries: list[CalloffTime] | None = None, with_time: bool = True,
                  **extra: Any) -> dict[str, Any]:
    """The call-off as the API gives it: its stored facts (the model), what its time
    comes to (logged_hours, amount, months: money.calloff_amounts) and its area's label."""
    entries = obj.entries() if entries is None else entries
    result = obj.dictize(with_time=with_time, entries=entries)
    result.update(money.calloff_amounts(entries, obj.fixed_price_ore, obj.hourly_rate_ore))
    result["competence_area_label"] = labels.competence_area(obj.competence_area)
    result.update(extra)
    return result


def _calloff_mail(context: Context, obj: Calloff, verb: str, comment: str | None = None) -> dict[str, Any]:
    result = _calloff_dict(obj, comment=comment)
    actor = _actor(context)
    notify.calloff_changed(result, verb, by_coordinator=roles.is_coordinator(actor),
                                 actor_id=actor.id if actor else None)
    return result


@action
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
        state=WORKFLOW.initial,
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


@action
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
    result["allowed"] = _allowed(context, "calloff", WORKFLOW, obj)
    return result


@action
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
    :param states: only these states, a list or separated by commas (optional; for the
        coordinator's workplace)
    :type states: list of strings
    :param org_type: only call-offs of this organisation type (optional;
        by the organisation's newest participation)
    :type org_type: string
    :param municipality_code: only call-offs of this municipality (optional;
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
    :returns: ``{"count": N, "results": [...]}`` (without the time log; with hours and
        amounts)
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_calloff_list", context, data_dict)
    data = _validate(data_dict, schema.calloff_list(), context)
    user = _actor(context)
    q = model.Session.query(Calloff)
    if not roles.is_coordinator(user):
        assert user is not None
        q = q.filter(sa.or_(Calloff.organization_id.in_(roles.admin_org_ids(user)),
                            Calloff.expert_user_id == user.id))
    if data.get("state"):
        q = q.filter(Calloff.state == data["state"])
    org_key = _org_key(data)
    if org_key:
        q = q.filter(Calloff.organization_id == org_key)
    if data.get("expert_user_id"):
        expert = model.User.get(data["expert_user_id"])
        q = q.filter(Calloff.expert_user_id == (expert.id if expert else data["expert_user_id"]))
    q = _as_workplace("calloff", q.order_by(Calloff.created.desc(), Calloff.id), data)
    count, rows = _count_and_rows(q, data, _tally(user, "vgsamverkan_calloff", data, org_key,
                                                  ("expert_user_id", *WORKPLACE_FILTERS)))
    entries = Calloff.entries_of([r.id for r in rows])
    with _preloaded(rows):
        return {"count": count, "results": [
            _calloff_dict(r, entries=entries[r.id], with_time=False)
            for r in rows]}


def _calloff_step(context: Context, data_dict: DataDict, verb: str, schema_: dict[str, Any],
                  before: Callable[[Calloff, dict[str, Any]], None] | None = None,
                  mail: bool = True) -> dict[str, Any]:
    """A call-off step: the common step, commit, and a mail to the other party."""
    obj, data = _step(context, data_dict, WORKFLOW, Calloff, verb, schema_, before)
    _commit(context)
    if not mail:
        return _calloff_dict(obj)
    return _calloff_mail(context, obj, verb, data.get("comment"))


def _expert_user(value: str) -> model.User:
    user = model.User.get(value)
    if user is None or user.state != "active":
        raise tk.ValidationError({"expert_user_id": [tk._("No such user")]})
    return user


@action
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

    actor = _actor(context)

    def before(obj: Calloff, data: dict[str, Any]) -> None:
        rate, fixed = data.get("hourly_rate"), data.get("fixed_price")
        if (rate is None) == (fixed is None):
            message = tk._("Give either an hourly rate or a fixed price")
            raise tk.ValidationError({"hourly_rate": [message], "fixed_price": [message]})
        if not taking_part.takes_part(obj.organization_id):
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
        data["_details"] = {"expert": obj.expert_name, "hourly_rate": money.to_text(rate),
                            "fixed_price": money.to_text(fixed), "planned_hours": str(obj.planned_hours)}

    return _calloff_step(context, data_dict, "assign", schema.calloff_assign(), before)


@action
def vgsamverkan_calloff_log_time(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Log time on a call-off (the assigned expert or the coordinator). The first time
    logged moves it to ``in_progress``; a delivered call-off takes no more time.

    Hours are more than 0, in quarter hours; one expert has at most 24 hours on one day,
    over all call-offs. The day must not be in the future, nor before the call-off was
    requested, nor in a closed fee month, and the organisation must have taken part in
    the collaboration that day. Time on a fixed-price call-off is kept but not charged.

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
        requested = taking_part.day_of(obj.created)
        if day < requested:
            raise tk.ValidationError({"date": [tk._(
                "The call-off was requested on {date}: time cannot be logged before it").format(
                    date=requested.isoformat())]})
        _refuse_if_closed(day, "date")
        if not taking_part.takes_part(obj.organization_id, day):
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


@action
def vgsamverkan_calloff_correct_time(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Correct a time entry before its fee month is closed (coordinator). The correction
    is an entry of its own, beside the one it corrects (which stays as it was logged):
    the change of hours, more or fewer, and why; fees, the call-off's hours and the
    expert's 24-hour day count the corrected figure. An entry's hours never go below 0.

    :param id: the id of the time entry corrected (as in the call-off's ``time_log``)
    :type id: string
    :param hours: the change, e.g. ``"-1.5"`` (fewer) or ``"0.25"`` (more), in quarter hours
    :type hours: string
    :param reason: why (kept in the history and beside the entry)
    :type reason: string
    :returns: the call-off with its time log
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_calloff_correct_time", context, data_dict)
    data = _validate(data_dict, schema.calloff_correct_time(), context)
    entry = (model.Session.query(CalloffTime).filter(CalloffTime.id == data["id"])
             .with_for_update().one_or_none())
    if entry is None:
        raise tk.ObjectNotFound(tk._("No such time entry"))
    if entry.corrects_id is not None:
        model.Session.rollback()
        raise tk.ValidationError({"id": [tk._("Correct the entry as it was logged, not a correction of it")]})
    obj = _lock(Calloff, entry.calloff_id)
    _refuse_if_closed(entry.date, "hours")
    change = data["hours"]
    now = (model.Session.query(sa.func.sum(CalloffTime.hours))
           .filter(sa.or_(CalloffTime.id == entry.id, CalloffTime.corrects_id == entry.id)).scalar())
    if now + change < 0:
        raise tk.ValidationError({"hours": [tk._(
            "The entry of {date} has {hours} hours: a change of {change} would make them negative").format(
                date=entry.date.isoformat(), hours=formats.number(now), change=formats.number(change))]})
    model.Session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:k))"),
                          {"k": f"vgsamverkan-calloff-time:{entry.expert_key}:{entry.date.isoformat()}"})
    logged = (model.Session.query(sa.func.coalesce(sa.func.sum(CalloffTime.hours), 0))
              .filter(CalloffTime.expert_key == entry.expert_key, CalloffTime.date == entry.date).scalar())
    if logged + change > 24:
        raise tk.ValidationError({"hours": [tk._(
            "{expert} already has {logged} hours on {date}: a day has at most 24 hours").format(
                expert=entry.expert_name, logged=formats.number(logged), date=entry.date.isoformat())]})
    actor = _actor(context)
    model.Session.add(CalloffTime(
        calloff_id=obj.id, organization_id=entry.organization_id, date=entry.date, hours=change, note=None,
        expert_key=entry.expert_key, expert_name=entry.expert_name, hourly_rate_ore=entry.hourly_rate_ore,
        author_id=actor.id if actor else None, created=utcnow(), corrects_id=entry.id, reason=data["reason"]))
    obj.modified = utcnow()
    Event.record("calloff", obj.id, "correct_time", actor_id=actor.id if actor else None,
                 organization_id=obj.organization_id, from_state=obj.state, to_state=obj.state,
                 comment=data["reason"],
                 details={"date": entry.date.isoformat(), "before": str(now), "after": str(now + change)})
    _commit(context)
    return _calloff_dict(obj)


@action
def vgsamverkan_calloff_deliver(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Mark a call-off as delivered (coordinator): one in progress, or an assigned one
    with a fixed price (delivered without any time log: a training day, say). It takes no
    more time; a fixed price is charged in the month of ``delivered_date`` (time logged on
    it is kept but not charged).

    :param id: the call-off's id
    :type id: string
    :param delivered_date: the day it was delivered, ``YYYY-MM-DD`` (optional, default
        today; not before the day it was requested nor the last day with time logged, not
        in the future, and for a fixed price not in a closed fee month)
    :type delivered_date: string
    :param comment: a comment to the organisation (optional)
    :type comment: string
    :returns: the call-off, now ``delivered``
    :rtype: dictionary
    """
    def before(obj: Calloff, data: dict[str, Any]) -> None:
        if obj.state == "assigned" and obj.fixed_price_ore is None:
            raise tk.ValidationError({"state": [tk._(
                "An hourly call-off is delivered after time is logged on it: log the time first, "
                "or cancel it if no work was done")]})
        day = data.get("delivered_date") or _today()
        if day > _today():
            raise tk.ValidationError({"delivered_date": [tk._("The delivery date cannot be in the future")]})
        requested = taking_part.day_of(obj.created)
        if day < requested:  # as time logs: a fixed price would be charged in a month never run
            raise tk.ValidationError({"delivered_date": [tk._(
                "The call-off was requested on {date}: it cannot have been delivered before").format(
                    date=requested.isoformat())]})
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


@action
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
