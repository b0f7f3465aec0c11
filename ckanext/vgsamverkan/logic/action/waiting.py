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
from ckanext.vgsamverkan.logic.action._base import _actor, _org_key, _validate, action


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


def _your_moves(user: model.User) -> list[dict[str, Any]]:
    """The other moves of each kind that are ``user``'s (quotes to answer, call-offs to
    work on), outside the coordinator's queue: a few, each the user's own."""
    rows = []
    for kind in objects.KINDS.values():
        for item, since, amount in (kind.your_moves(user) if kind.your_moves else ()):
            step = kind.steps[item["state"]]
            rows.append(_row(kind.name, item, step.your_move(item), since, amount))
    return rows


def _queue_page(context: Context, data: dict[str, Any], offset: int, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """The coordinator's queue, oldest first, as rows of the list: how many there are
    and the page asked for (issue 39: paged in the queue's query, not made whole)."""
    asked = {k: data[k] for k in ("state", "organization_id") if data.get(k)}
    page = tk.get_action("vgsamverkan_queue_list")(
        dict(context), {**asked, "sort": "oldest", "offset": offset, "limit": limit})
    rows = []
    for item in page["results"]:  # what the coordinator does next (Kind.steps), else the queue's line
        step = objects.KINDS[item["kind"]].steps.get(item["state"])
        said = step.your_move(item) if step is not None and step.yours else item.get("summary") or ""
        rows.append(_row(item["kind"], item, said, item.get("waiting_since")))
    return page["count"], rows


def _others(context: Context, user: model.User, data: dict[str, Any], moves: list[dict[str, Any]],
            offset: int, limit: int | None) -> tuple[int, list[dict[str, Any]]]:
    """The caller's open requests where someone else moves, oldest first: how many and
    the page asked for. Each kind's list is asked for its first ``offset + limit`` (and
    the caller's own moves, left out) by its own query, oldest first, and the kinds
    merged: page 1 reads a page of each, whatever the number of open requests. Without
    ``limit``, up to 100 of each kind (the API's answer before pages)."""
    coordinator = roles.is_coordinator(user)
    count, rows = 0, []
    for kind in objects.KINDS.values():
        states = [s for s in kind.open if s in kind.steps and not (coordinator and s in kind.waits)
                  and (not data.get("state") or s == data["state"])]
        if not states:
            continue
        # the caller's own moves are in their lists (an admin's quotes, an expert's
        # call-offs): left out, and counted out
        mine = {r["id"] for r in moves if r["kind"] == kind.name and r["state"] in states}
        wanted = 100 if limit is None else offset + limit
        asked = {"states": states, "sort": "unchanged", "limit": min(wanted + len(mine), pages.MOST)}
        if data.get("organization_id"):
            asked["organization_id"] = data["organization_id"]
        try:
            page = tk.get_action(f"vgsamverkan_{kind.name}_list")(dict(context), asked)
        except (tk.NotAuthorized, tk.ValidationError):
            continue
        rows += [_row(kind.name, item, kind.steps[item["state"]].theirs(), item.get("modified") or item.get("created"))
                 for item in page["results"] if item["id"] not in mine][:wanted]
        count += page["count"] - len(mine)
    rows.sort(key=lambda r: -(r["age_days"] or 0))
    return count, rows if limit is None else rows[offset:offset + limit]


@action
@tk.side_effect_free
def vgsamverkan_waiting_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What waits for the caller (logged in): ``yours``, the requests where it is the
    caller's move (the coordinator: everything in the coordinator's queue; an
    organisation's admin: quotes to accept or decline; an assigned expert: call-offs to
    log time on), and ``others``, the caller's open requests where someone else moves,
    each with what happens next. Oldest first. Both are read a page at a time (issue 39).

    :param state: only requests in this state (optional; ``yours`` and ``others``)
    :type state: string
    :param organization_id: only requests of this organisation, by id or name (optional;
        ``yours`` and ``others``)
    :type organization_id: string
    :param limit: at most this many of ``yours`` (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many of ``yours`` (default 0)
    :type offset: int
    :param others_limit: at most this many of ``others`` (optional, at most 1000; without
        it, up to 100 of each kind, as before)
    :type others_limit: int
    :param others_offset: skip this many of ``others`` (default 0)
    :type others_offset: int
    :returns: ``{"count": N (of yours), "results": [...], "yours": [...], "others": [...]}``
        and, with ``others_limit``, ``"others_count": N`` (``results`` and ``yours``: the
        page of yours, as every list pages; ``others``: the page of others that
        ``others_limit`` and ``others_offset`` ask for), each row ``{"kind", "kind_label",
        "id", "state", "reference" (the case reference, ``ANS-1A2B3C4D``), "subject" (what
        it is about), "organization_id", "organization_name", "organization_title",
        "created", "modified", "amount" (SEK text, or null), "age_days", "next", "url"}``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_waiting_list", context, data_dict)
    data = _validate(data_dict, schema.waiting_list(), context)
    user = _actor(context)
    assert user is not None  # the auth function requires a logged-in user
    org_key = _org_key(data)
    moves = _your_moves(user)
    if data.get("state") or org_key:
        moves = [r for r in moves if (not data.get("state") or r["state"] == data["state"])
                 and (not org_key or r["organization_id"] == org_key)]
    # yours: the coordinator's queue (paged in its query), then the caller's other moves
    offset, limit = data.get("offset", 0), data.get("limit", 20)
    queued, yours = _queue_page(context, data, offset, limit) if roles.is_coordinator(user) else (0, [])
    yours += moves[max(offset - queued, 0):max(offset + limit - queued, 0)][:limit - len(yours)]
    others_count, others = _others(context, user, data, moves, data.get("others_offset", 0),
                                   data.get("others_limit"))
    answer = {"count": queued + len(moves), "results": yours, "yours": yours, "others": others}
    if "others_limit" in data:  # a page of others: how many in all
        answer["others_count"] = others_count
    return answer


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
