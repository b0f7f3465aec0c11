"""The coordinator's views across the workflows: the queue of what waits, an object's
history, the dashboard; and the language of the mail to the coordinator's address."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import config, money
from ckanext.vgsamverkan.domain import objects, roles, taking_part
from ckanext.vgsamverkan.fees import run as feerun
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import (  # the shared machinery
    _actor,
    _commit,
    _lock,
    _org_key,
    _preloaded,
    _today,
    _validate,
    action,
)
from ckanext.vgsamverkan.mail import language as mail_language
from ckanext.vgsamverkan.model import (
    CalloffTime,
    Connection,
    Event,
    Participation,
    PublisherRequest,
)
from ckanext.vgsamverkan.model.base import organization_by_id


@action
@tk.side_effect_free
def vgsamverkan_queue_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Everything that waits for the coordinator, of every kind, in one list
    (coordinator): pending applications and publisher requests, connection requests at
    the coordinator's move (submitted, investigating, accepted), call-offs waiting for an
    expert (requested). The same definition as the dashboard's ``waiting``
    (``domain/objects.py``: ``Kind.waits``).

    :param kind: only ``participation``, ``publisher``, ``connection`` or ``calloff``
        (optional)
    :type kind: string
    :param state: only this state (optional)
    :type state: string
    :param organization_id: only this organisation, by id or name (optional)
    :type organization_id: string
    :param org_type: only organisations of this type (optional)
    :type org_type: string
    :param municipality_code: only this municipality (optional)
    :type municipality_code: string
    :param sort: ``oldest`` (default) or ``newest``
    :type sort: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [{"kind", "id", "state", "organization_id",
        "organization_name", "organization_title", "org_type", "municipality_code",
        "created", "modified", "waiting_since", "age_days", "summary", "bulk"}]}`` (``bulk``: the
        item can be approved or rejected in bulk)
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_queue_list", context, data_dict)
    data = _validate(data_dict, schema.queue_list(), context)
    kinds = [data["kind"]] if data.get("kind") else list(objects.KINDS)
    org_key = _org_key(data)
    # what waits, counted, ordered and paged in the database (issue 39: every waiting
    # request was read to answer a page of them); the page's items are made whole below
    facts = taking_part.org_facts_query()
    parts = []
    for name in kinds:
        kind = objects.KINDS[name]
        states = kind.waits
        if data.get("state"):
            if data["state"] not in states:
                continue
            states = (data["state"],)
        table = kind.model
        part = (sa.select(sa.literal(name).label("kind"), table.id.label("id"),
                          getattr(table, kind.waiting_since).label("since"))
                .select_from(table).where(table.state.in_(states)))
        if org_key:
            part = part.where(table.organization_id == org_key)
        if data.get("org_type") or data.get("municipality_code"):
            part = part.outerjoin(facts, facts.c.organization_id == table.organization_id)
            for key in ("org_type", "municipality_code"):
                if data.get(key):
                    column = getattr(facts.c, key)
                    if kind.own_facts:  # an application says what it will be
                        column = sa.func.coalesce(sa.func.nullif(getattr(table, key), ""), column)
                    part = part.where(column == data[key])
        parts.append(part)
    if not parts:
        return {"count": 0, "results": []}
    waiting = sa.union_all(*parts).subquery("waiting")
    count = model.Session.execute(sa.select(sa.func.count()).select_from(waiting)).scalar() or 0
    columns = (waiting.c.since, waiting.c.kind, waiting.c.id)
    order = [c.desc() for c in columns] if data.get("sort") == "newest" else list(columns)
    page = model.Session.execute(sa.select(*columns).order_by(*order)
                                 .offset(data.get("offset", 0)).limit(data.get("limit", 20))).all()
    by_kind: dict[str, list[str]] = {}
    for _since, name, id_ in page:
        by_kind.setdefault(name, []).append(id_)
    loaded = {(name, obj.id): obj for name, ids in by_kind.items()
              for obj in model.Session.query(objects.KINDS[name].model).filter(objects.KINDS[name].model.id.in_(ids))}
    org_ids = {obj.organization_id for obj in loaded.values() if obj.organization_id}
    known = {row.organization_id: (row.org_type, row.municipality_code) for row in model.Session.execute(
        sa.select(facts).where(facts.c.organization_id.in_(org_ids)))} if org_ids else {}
    with _preloaded(list(loaded.values())):  # their organisations and users, at once
        items = []
        for since, name, id_ in page:
            obj = loaded[(name, id_)]
            org_type, code = known.get(obj.organization_id or "", (None, None))
            if objects.KINDS[name].own_facts:
                org_type, code = obj.org_type or org_type, obj.municipality_code or code
            items.append(_queue_item(name, obj, since, org_type, code))
    return {"count": count, "results": items}


def _queue_item(name: str, obj: Any, waiting_since: dt.datetime, org_type: str | None,
                code: str | None) -> dict[str, Any]:
    kind = objects.KINDS[name]
    org = organization_by_id(obj.organization_id)
    return {
        "kind": name, "id": obj.id, "state": obj.state, "organization_id": obj.organization_id,
        "organization_name": org.name if org else getattr(obj, "organization_name", None),
        "organization_title": (org.title or org.name) if org else getattr(obj, "organization_title", ""),
        "org_type": org_type, "municipality_code": code,
        "created": obj.created.isoformat(), "modified": obj.modified.isoformat(),
        "waiting_since": waiting_since.isoformat(),
        "age_days": taking_part.days_since(waiting_since),
        "summary": kind.summary(obj), "bulk": kind.bulk,
    }


@action
@tk.side_effect_free
def vgsamverkan_history_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The collaboration month by month (coordinator), for the chart on the coordinator's
    page: at the end of each month, the organisations taking part, the publishers with
    approved rights, the connected organisations; and the hours logged in the month.

    :param months: how many months back, this one included (optional, default 12, 1–60)
    :type months: int
    :returns: ``{"results": [{"month", "participants", "publishers", "connections",
        "hours"}]}``, oldest first
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_history_show", context, data_dict)
    data = _validate(data_dict, schema.history_show(), context)
    count = data.get("months", 12)
    if not 1 <= count <= 60:
        raise tk.ValidationError({"months": [tk._("Must be between 1 and 60")]})
    first = _today().replace(day=1)
    months = []
    for _ in range(count):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    results = []
    for start in reversed(months):
        end = (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        end_ts = dt.datetime.combine(end, dt.time.max, tzinfo=dt.timezone.utc)
        participants = (model.Session.query(sa.func.count(sa.distinct(Participation.organization_id)))
                        .filter(taking_part.on(end)).scalar())
        publishers = (model.Session.query(sa.func.count(PublisherRequest.id))
                      .filter(PublisherRequest.decided_at <= end_ts)
                      .filter(sa.or_(PublisherRequest.state == "approved",
                                     sa.and_(PublisherRequest.state == "revoked",
                                             PublisherRequest.ended_at > end_ts)))
                      .filter(PublisherRequest.decided_at.isnot(None))
                      .scalar())
        connections = (model.Session.query(sa.func.count(Connection.id))
                       .filter(Connection.connected_date <= end)
                       .filter(sa.or_(Connection.disconnected_date.is_(None), Connection.disconnected_date > end))
                       .scalar())
        hours = (model.Session.query(sa.func.coalesce(sa.func.sum(CalloffTime.hours), 0))
                 .filter(CalloffTime.date >= start, CalloffTime.date <= end).scalar())
        results.append({"month": start.strftime("%Y-%m"), "participants": participants,
                        "publishers": publishers, "connections": connections, "hours": money.hours_text(hours)})
    return {"results": results}


@action
@tk.side_effect_free
def vgsamverkan_dashboard_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What waits for the coordinator's decision (coordinator only): a row for each kind
    of request (its ``Kind.row`` in ``domain/kinds/``), the participants, the population
    and the months not billed.

    :returns: ``{"participation": {"pending": N, "oldest_pending": date-time or null},
        "publisher": {"pending": N, "oldest_pending": …}, "connection": {"waiting": N,
        "oldest_waiting": …} (submitted, investigating or accepted: the coordinator's
        move), "calloff": {"requested": N, "oldest_requested": …, "running": N,
        "running_hours": "12.50"}, "participants": N, "waiting": N, "population": {"month",
        "year", "older": [{"municipality_code", "name", "year"}], "none": [...]}}``
        (``waiting``: everything that waits for the coordinator, as
        ``vgsamverkan_queue_list`` lists it: ``Kind.waits`` in ``domain/objects.py``;
        ``population``: the paying municipalities of this month, the next to be run, that
        lack the figure of the year it asks for: ``older`` fall back to an older year,
        ``none`` would stop the run; ``unbilled``: the open months with money not on
        their saved statements, ``[{"month", "items", "run_at"}]``: never run though over,
        or added to since the last run)
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_dashboard_show", context, data_dict)
    _validate(data_dict, schema.dashboard_show(), context)
    today = _today()
    answer: dict[str, Any] = {}
    waiting = 0
    for name, kind in objects.KINDS.items():  # each kind's row: what waits for the coordinator
        since = getattr(kind.model, kind.waiting_since)
        count, oldest = (model.Session.query(sa.func.count(kind.model.id), sa.func.min(since))
                         .filter(kind.model.state.in_(kind.waits)).one())
        waiting += count
        answer[name] = {kind.row.count: count, kind.row.oldest: oldest.isoformat() if oldest else None,
                        **(kind.row.more() if kind.row.more else {})}
    participants = (
        model.Session.query(sa.func.count(sa.distinct(Participation.organization_id)))
        .filter(taking_part.on(today))
        .scalar()
    )
    return {
        **answer,
        "participants": participants,
        "waiting": waiting,
        "population": feerun.population_gaps((today.year, today.month)),
        "unbilled": feerun.unbilled_months(today),
    }


def _mail_language_dict(user: model.User) -> dict[str, Any]:
    chosen = mail_language.of_user(user)
    address = config.coordinator_email()
    return {"user_name": user.name, "language": chosen, "yours": chosen or mail_language.portal_language(),
            "coordinator": roles.is_coordinator(user),
            "effective": mail_language.for_coordinator(),
            "coordinator_email": address,
            "coordinator_email_is_yours": user in mail_language.coordinators_at(address)}


@action
@tk.side_effect_free
def vgsamverkan_mail_language_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The language you chose for your mail (anyone logged in, of themselves): every mail
    the portal sends you is written in it; with none chosen, a mail about a request you
    made is in that request's language, any other in the portal's. A coordinator's choice
    also writes the mail to ``ckanext.vgsamverkan.coordinator_email`` when that is the
    coordinator's own address; else that mail is in the portal's default language.

    :returns: ``{"user_name", "language" (``sv``, ``en`` or null: the portal's), "yours"
        (the language of your mail now), "coordinator" (whether you are one), "effective"
        (the language the mail to the coordinator's address is written in now),
        "coordinator_email", "coordinator_email_is_yours"}``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_mail_language_show", context, data_dict)
    _validate(data_dict, schema.mail_language_show(), context)
    return _mail_language_dict(_actor(context))


@action
def vgsamverkan_mail_language_set(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Choose the language of your mail (anyone logged in, for themselves; a
    coordinator's choice also applies to the mail to ``coordinator_email`` when that is
    the coordinator's account's address). The change is in the event log (object type
    ``user``).

    :param language: ``sv``, ``en``, or empty for the portal's default language
    :type language: string
    :returns: as ``vgsamverkan_mail_language_show``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_mail_language_set", context, data_dict)
    data = _validate(data_dict, schema.mail_language_set(), context)
    actor = _actor(context)
    assert actor is not None  # the auth function requires a logged-in user
    user = _lock(model.User, actor.id)
    before = mail_language.of_user(user)
    if data["language"] != before:
        mail_language.set_for(user, data["language"])
        Event.record("user", user.id, "mail_language", actor_id=user.id, organization_id=None,
                     details={"language": data["language"], "before": before})
    _commit(context)
    return _mail_language_dict(user)
