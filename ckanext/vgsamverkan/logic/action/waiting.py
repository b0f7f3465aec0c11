"""What waits for the person logged in (issue 21, "Väntar på dig"): their move apart
from others' move, across every kind of request, for the page they land on after
log-in and the count in the header."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan.domain import objects, roles, taking_part
from ckanext.vgsamverkan.logic import pages, schema
from ckanext.vgsamverkan.logic.action._base import _actor, _org_key, _sliced, _validate, action


def _row(kind: str, item: dict[str, Any], next_step: str, since: Any,
         amount: str | None = None) -> dict[str, Any]:
    return {
        "kind": kind, "kind_label": objects.KINDS[kind].label(), "id": item["id"], "state": item["state"],
        "reference": objects.reference(kind, item["id"]),
        "subject": objects.KINDS[kind].subject(item) or item.get("summary") or "",
        "organization_id": item.get("organization_id"),
        "organization_name": item.get("organization_name"),
        "organization_title": item.get("organization_title") or "",
        "created": item.get("created"), "modified": item.get("modified"),
        "amount": amount, "age_days": taking_part.days_since(since) if since else None, "next": next_step,
        "url": objects.KINDS[kind].path.format(id=item["id"]),
    }


def _yours(context: Context, user: model.User) -> list[dict[str, Any]]:
    """The requests where it is ``user``'s move: the coordinator's queue, the quotes the
    user's organisations are to answer, the call-offs the user is the expert of."""
    yours: list[dict[str, Any]] = []

    if roles.is_coordinator(user):
        queue = pages.every("vgsamverkan_queue_list", context, {"sort": "oldest"})
        for item in queue:  # what the coordinator does next (Kind.steps), else the queue's line
            step = objects.KINDS[item["kind"]].steps.get(item["state"])
            said = step.your_move(item) if step is not None and step.yours else item.get("summary") or ""
            yours.append(_row(item["kind"], item, said, item.get("waiting_since")))
    # the other moves of each kind that are the caller's (quotes to answer, call-offs to work on)
    for kind in objects.KINDS.values():
        for item, since, amount in (kind.your_moves(user) if kind.your_moves else ()):
            step = kind.steps[item["state"]]
            yours.append(_row(kind.name, item, step.your_move(item), since, amount))
    return yours


@action
@tk.side_effect_free
def vgsamverkan_waiting_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What waits for the caller (logged in): ``yours``, the requests where it is the
    caller's move (the coordinator: everything in the coordinator's queue; an
    organisation's admin: quotes to accept or decline; an assigned expert: call-offs to
    log time on), and ``others``, the caller's open requests where someone else moves,
    each with what happens next. Oldest first.

    :param state: only requests in this state (optional; ``yours`` and ``others``)
    :type state: string
    :param organization_id: only requests of this organisation, by id or name (optional;
        ``yours`` and ``others``)
    :type organization_id: string
    :param limit: at most this many of ``yours`` (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many of ``yours`` (default 0)
    :type offset: int
    :returns: ``{"count": N (of yours), "results": [...], "yours": [...], "others": [...]}``
        (``results`` and ``yours``: the page of yours, as every list pages; ``others``:
        all), each row ``{"kind", "kind_label", "id", "state", "reference" (the case
        reference, ``ANS-1A2B3C4D``), "subject" (what it is about), "organization_id",
        "organization_name", "organization_title", "created", "modified", "amount" (SEK
        text, or null), "age_days", "next", "url"}``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_waiting_list", context, data_dict)
    data = _validate(data_dict, schema.waiting_list(), context)
    user = _actor(context)
    assert user is not None  # the auth function requires a logged-in user
    yours = _yours(context, user)
    seen = {(r["kind"], r["id"]) for r in yours}

    others: list[dict[str, Any]] = []
    for kind in objects.KINDS.values():
        try:
            results = tk.get_action(f"vgsamverkan_{kind.name}_list")(dict(context), {"limit": 100})["results"]
        except (tk.NotAuthorized, tk.ValidationError):
            continue
        for item in results:
            if item["state"] not in kind.open or (kind.name, item["id"]) in seen:
                continue
            step = kind.steps.get(item["state"])
            if step is None:
                continue
            others.append(_row(kind.name, item, step.theirs(), item.get("modified") or item.get("created")))
    others.sort(key=lambda r: -(r["age_days"] or 0))
    org_key = _org_key(data)
    if data.get("state") or org_key:
        def wanted(row: dict[str, Any]) -> bool:
            return ((not data.get("state") or row["state"] == data["state"])
                    and (not org_key or row["organization_id"] == org_key))
        yours, others = [r for r in yours if wanted(r)], [r for r in others if wanted(r)]
    page = _sliced(yours, data)
    return {**page, "yours": page["results"], "others": others}


def waiting_count(user: model.User | None) -> int:
    """How many requests wait for ``user``'s move (the header's count, on every page of
    a logged-in user: only their own move is counted, not the list of others')."""
    if user is None:
        return 0
    # counted, not listed (issue 39: the whole queue was made on every page the
    # coordinator opened): what the coordinator's queue holds, as _yours lists it, and
    # the user's other moves
    count = 0
    if roles.is_coordinator(user):
        count += sum(model.Session.query(sa.func.count(kind.model.id)).filter(kind.model.state.in_(kind.waits))
                     .scalar() or 0 for kind in objects.KINDS.values())
    for kind in objects.KINDS.values():
        count += len(list(kind.your_moves(user))) if kind.your_moves else 0
    return count
