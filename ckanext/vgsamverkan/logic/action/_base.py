"""The machinery every workflow's actions share (issue 18, HOUSE.md): validation with the
unknown-key refusal, commit, the actor, the row lock, the transition with its event
(``_transition``, and ``_step``: the one shape of every decision), decisions, paging
with tallies, the translation of a lost unique race, and the explicit ``@action``
decorator every action wears."""
from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import unavailable, workflow
from ckanext.vgsamverkan.domain import objects, roles, taking_part
from ckanext.vgsamverkan.model import Event, FeeMonth, Tally
from ckanext.vgsamverkan.model.base import utcnow

# Keys that CKAN's own API and forms may add to a call; they are never an error.
_IGNORED_KEYS = {"__extras", "__junk", "_csrf_token", "save"}


# -- shared machinery ------------------------------------------------------------------

def _validate(data_dict: DataDict, schema_: dict[str, Any], context: Context) -> dict[str, Any]:
    """Validate against ``schema_``; unknown keys are errors too (named per field)."""
    data, errors = _validated(data_dict, schema_, context)
    if errors:
        raise tk.ValidationError(errors)
    return data


def _validated(data_dict: DataDict, schema_: dict[str, Any],
               context: Context) -> tuple[dict[str, Any], dict[str, Any]]:
    """``_validate`` without raising: the values that passed and the errors, for an action
    that adds its own rules' errors to the schema's and answers all of them at once (a
    form shows every error in one pass, issue 21). A field with an error is not in the
    values."""
    if not isinstance(data_dict, dict):
        raise tk.ValidationError({"__all__": [tk._("Expected an object of parameters")]})
    unknown = {
        key: [tk._("Unknown field")]
        for key in data_dict
        if key not in schema_ and key not in _IGNORED_KEYS
    }
    data, errors = tk.navl_validate(
        {k: v for k, v in data_dict.items() if k in schema_}, schema_, context
    )
    errors = {k: v for k, v in {**unknown, **errors}.items() if v}
    return {k: v for k, v in data.items() if k not in errors}, errors


def _closed(month: str) -> bool:
    row = model.Session.get(FeeMonth, month)
    return row is not None and row.state == "closed"


def _refuse_if_closed(day: dt.date | None, field: str) -> None:
    """Money dated in a closed month would never be charged: refuse it, naming the month
    (time logs, deliveries and connections dated in it)."""
    if day is None:
        return
    month = day.strftime("%Y-%m")
    if _closed(month):
        raise tk.ValidationError({field: [tk._(
            "The fees of {month} are closed: nothing dated in it can be added. Date it in an open "
            "month, or ask the coordinator for an adjustment").format(month=month)]})


class CheckedOnly(Exception):
    """A decision called with ``vgsamverkan_check_only`` in its context passed its checks
    (access, schema, the workflow's transition) and did nothing: the page asks before a
    binding act only once the form is right, so that a wrong date is said at once and
    not after "yes" (issue 39; views/_common.py). The caller rolls back (the object was
    locked). A context key: nothing from outside sets it, the API has no way to."""


def _commit(context: Context) -> None:
    if context.get("vgsamverkan_check_only"):  # never written, whatever the action did before
        raise CheckedOnly()
    if not context.get("defer_commit"):
        model.repo.commit()


def _actor(context: Context) -> model.User | None:
    return roles.user_of(context)


def _today() -> dt.date:
    """The portal's day (``ckan.display_timezone``): domain/taking_part.py."""
    return taking_part.today()


def _lock(cls: Any, object_id: str) -> Any:
    """The object, locked for the rest of the transaction (``SELECT … FOR UPDATE``).

    Two concurrent decisions on one object queue here; the second sees the state the
    first left and is refused by the workflow.
    """
    obj = (
        model.Session.query(cls)
        .filter(cls.id == object_id)
        .with_for_update()
        .populate_existing()
        .one_or_none()
    )
    if obj is None:
        raise tk.ObjectNotFound(tk._("Not found"))
    return obj


def _transition(
    context: Context,
    obj: Any,
    wf: workflow.Workflow,
    verb: str,
    comment: str | None,
    details: dict[str, Any] | None = None,
) -> str:
    """Move ``obj`` by ``verb`` and record the event (``comment``: what a person wrote;
    ``details``: the facts, said in words in the reader's language); the caller commits."""
    from_state = obj.state
    to_state = workflow.target(wf, from_state, verb)
    actor = _actor(context)
    obj.state = to_state
    obj.modified = utcnow()
    Event.record(
        wf.name,
        obj.id,
        verb,
        actor_id=actor.id if actor else None,
        organization_id=obj.organization_id,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        details=details,
    )
    return from_state


def _step(context: Context, data_dict: DataDict, wf: workflow.Workflow, cls: Any, verb: str,
          schema_: dict[str, Any],
          before: Callable[[Any, dict[str, Any]], None] | None = None,
          after: Callable[[Any, dict[str, Any]], None] | None = None) -> tuple[Any, dict[str, Any]]:
    """The one shape of a decision, in every workflow: auth, schema, lock the object,
    refuse a transition the workflow does not allow, ``before`` (the decision's checks and
    changes: what the event must already see, such as a new organisation), the
    transition and its event (a rejection's reason is its comment), then ``after`` (what
    follows from the new state in the same transaction: CKAN membership given or
    removed, rights that end with a participation). The caller commits and mails."""
    tk.check_access(f"vgsamverkan_{wf.name}_{verb}", context, data_dict)
    data = _validate(data_dict, schema_, context)
    obj = _lock(cls, data["id"])
    workflow.target(wf, obj.state, verb)
    if context.get("vgsamverkan_check_only"):
        raise CheckedOnly()
    if before is not None:
        before(obj, data)  # may set data["_details"], the facts of the event
    _transition(context, obj, wf, verb, data["reason"] if verb == "reject" else data.get("comment"),
                details=data.pop("_details", None))
    if after is not None:
        after(obj, data)
    return obj, data


def _decided(context: Context, obj: Any, **fields: Any) -> None:
    """Who decided and when, and the decision's own fields (comment, reason…)."""
    actor = _actor(context)
    obj.decided_by = actor.id if actor else None
    obj.decided_at = utcnow()
    for name, value in fields.items():
        setattr(obj, name, value)


_USER_COLUMNS = ("applicant_id", "user_id", "decided_by", "expert_user_id", "accepted_by", "assigned_by",
                 "actor_id", "author_id")


def _org_key(data: dict[str, Any]) -> str | None:
    """The organisation a list is filtered on, by id (a name is looked up; an unknown
    value is kept, and matches nothing)."""
    if not data.get("organization_id"):
        return None
    org = model.Group.get(data["organization_id"])
    return org.id if org else data["organization_id"]


def _written_once(query: Any, data: dict[str, Any]) -> Any:
    """``query`` of records that never change once written (events, comments, exemptions,
    population figures: their ``state`` is always ``active``, model/base.py
    ``written_once``) filtered on ``state`` as every list filters (SPEC 2026-12-07): all
    of them for ``active``, none for another state."""
    state = data.get("state")
    return query if not state or state == "active" else query.filter(sa.false())


def _tally(user: model.User | None, table: str, data: dict[str, Any], org_key: str | None,
           other_filters: tuple[str, ...] = ()) -> dict[str, Any] | None:
    """Where the tallies kept on write (vgsamverkan_tally, migration e4c7a1f9d3b5) can say
    how many rows a list matches: the coordinator's list, filtered at most by
    organisation and state. Otherwise None (the rows are counted)."""
    if not roles.is_coordinator(user) or any(data.get(f) for f in other_filters):
        return None
    return {"tbl": table, "organization_id": org_key, "state": data.get("state") or None}


def _count_and_rows(query: Any, data: dict[str, Any],
                    tally: dict[str, Any] | None = None) -> tuple[int, list[Any]]:
    """The number of rows ``query`` matches and the page of them that ``data`` asks for
    (``offset``, ``limit``). With ``tally`` (see _tally), the number is the sum of the
    tallies, which does not grow with the number of rows stored."""
    if tally is not None:
        keys = {k: v for k, v in tally.items() if v is not None}
        count = (model.Session.query(sa.func.coalesce(sa.func.sum(Tally.n), 0))
                 .filter(*(getattr(Tally, k) == v for k, v in keys.items())).scalar())
    else:
        # the count of a subquery of ids only, unordered (Query.count() counts a subquery
        # of every column, in order, which reads every row: 17 ms at 100 000 stored)
        entity = query.column_descriptions[0]["entity"]
        ids = query.order_by(None).with_entities(entity.id).subquery()
        count = model.Session.execute(sa.select(sa.func.count()).select_from(ids)).scalar()
    return int(count), query.offset(data.get("offset", 0)).limit(data.get("limit", 20)).all()


@contextlib.contextmanager
def _preloaded(rows: list[Any]):
    """The organisations and users ``rows`` name, loaded in two queries instead of one or
    two per row: while this lasts the session has them at hand for dictize (its identity
    map keeps only what is referenced)."""
    org_ids = {r.organization_id for r in rows if getattr(r, "organization_id", None)}
    user_ids = {getattr(r, c) for r in rows for c in _USER_COLUMNS if getattr(r, c, None)}
    loaded = (model.Session.query(model.Group).filter(model.Group.id.in_(org_ids)).all() if org_ids else [],
              model.Session.query(model.User).filter(model.User.id.in_(user_ids)).all() if user_ids else [])
    yield
    del loaded


def _page(query: Any, data: dict[str, Any], dictize: Callable[[Any], dict[str, Any]],
          tally: dict[str, Any] | None = None):
    count, rows = _count_and_rows(query, data, tally)
    with _preloaded(rows):
        return {"count": count, "results": [dictize(r) for r in rows]}


def _as_workplace(kind_name: str, query: Any, data: dict[str, Any]) -> Any:
    """A kind's list as the coordinator's workplace asks for it (issue 39: its sections
    page in the query): ``states`` (several), ``org_type`` and ``municipality_code`` (an
    application by its own, the others by their organisation's newest participation), and
    ``sort`` (``oldest`` or ``newest`` by since when the request waits, ``Kind.waiting_since``;
    ``unchanged``: the longest unchanged first, by ``modified``; with ``states``, state by
    state in their order)."""
    kind = objects.KINDS[kind_name]
    table = kind.model
    states = data.get("states")
    if states:
        query = query.filter(table.state.in_(states))
    for key in ("org_type", "municipality_code"):
        if not data.get(key):
            continue
        if kind.own_facts:
            query = query.filter(getattr(table, key) == data[key])
        else:
            facts = taking_part.org_facts_query()
            query = query.filter(table.organization_id.in_(
                sa.select(facts.c.organization_id).where(getattr(facts.c, key) == data[key])))
    if data.get("sort"):
        since = table.modified if data["sort"] == "unchanged" else getattr(table, kind.waiting_since)
        order = [since.desc() if data["sort"] == "newest" else since.asc(), table.id]
        if states and len(states) > 1:
            order.insert(0, sa.case({s: i for i, s in enumerate(states)}, value=table.state, else_=len(states)))
        query = query.order_by(None).order_by(*order)
    return query


WORKPLACE_FILTERS = ("states", "org_type", "municipality_code")


def _sliced(results: list[dict[str, Any]], data: dict[str, Any]) -> dict[str, Any]:
    """A list made whole in Python (a few dozen rows: configuration, participants, price
    lists) as every list answers: the count of all, the page ``offset``/``limit`` asks."""
    start = data.get("offset", 0)
    return {"count": len(results), "results": results[start:start + data.get("limit", 20)]}


def _existing_org(org_id: str) -> model.Group:
    org = objects.organization(org_id)  # as the auth functions resolve it
    if org is None:
        raise tk.ValidationError({"organization_id": [tk._("No such organisation")]})
    return org


def _integrity_error(e: sa_exc.IntegrityError) -> tk.ValidationError:
    """Translate a unique index that a concurrent call won into a field message."""
    model.Session.rollback()
    text = str(e.orig)
    if "publisher_one_pending" in text:
        return tk.ValidationError(
            {"organization_id": [tk._("There is already a pending request for this user in this organisation")]}
        )
    if "publisher_one_approved" in text:
        return tk.ValidationError(
            {"organization_id": [tk._("This user already has approved rights in this organisation")]}
        )
    if "one_active_kommun" in text:
        return tk.ValidationError(
            {"municipality_code": [tk._("This municipality already has a pending or approved participation")]}
        )
    if "one_active" in text:
        return tk.ValidationError(
            {"organization_id": [tk._("This organisation already has a pending or approved participation")]}
        )
    raise e


# -- shared by several workflows -----------------------------------------------------

def _site_user_name() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _member_context(actor: model.User | None) -> dict[str, Any]:
    """Context for CKAN's own member actions, run on the coordinator's decision (already
    authorised by our action): their changes are part of our transaction."""
    return {
        "model": model,
        "session": model.Session,
        "user": actor.name if actor else _site_user_name(),
        "ignore_auth": True,
        "defer_commit": True,
    }


def _participant_org(org_id: str) -> model.Group:

    org = _existing_org(org_id)
    if not taking_part.takes_part(org.id):
        start = taking_part.next_start(org.id)
        if start is not None:
            raise tk.ValidationError({"organization_id": [tk._(
                "The organisation takes part in the regional collaboration only from {date}"
            ).format(date=start.isoformat())]})
        raise tk.ValidationError({"organization_id": [tk._(
            "The organisation does not take part in the regional collaboration "
            "(its participation is not approved)")]})
    return org


def _may(name: str, context: Context, data_dict: dict[str, Any]) -> bool:
    """Whether the caller may call ``name`` with ``data_dict`` (its auth function; a name
    without one, ValueError, is a no)."""
    try:
        tk.check_access(name, dict(context), data_dict)
    except (tk.NotAuthorized, ValueError):
        return False
    return True


def _allowed(context: Context, kind: str, wf: workflow.Workflow, obj: Any) -> list[str]:
    return [verb for verb in wf.allowed_verbs(obj.state)
            if _may(f"vgsamverkan_{kind}_{verb}", context, {"id": obj.id})]


# -- the action decorator (control characters, a lost connection) ----------------------

# C0 control characters but tab, line feed and carriage return, DEL, and the halves of
# UTF-16 surrogate pairs (JSON's "\ud800" alone). PostgreSQL cannot store NUL or a
# surrogate in text at all (it would be a 500); the others are never meant.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def _has_control(value: Any) -> bool:
    if isinstance(value, str):
        return bool(_CONTROL.search(value))
    if isinstance(value, dict):
        return any(_has_control(k) or _has_control(v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return any(_has_control(v) for v in value)
    return False


def action(fn: Callable[[Context, DataDict], Any]) -> Callable[[Context, DataDict], Any]:
    """Mark ``fn`` as an action of the extension (every ``vgsamverkan_*`` function wears
    it, where it is defined; tests/logic/test_auth.py checks that none is missing).

    The action refuses a parameter with a control character, before anything else (auth
    functions look objects up by id too), with the parameter named; and marks a lost
    database connection, which CKAN's API would answer with a bare 500. What the action
    then does is written out in its body, in the same order in every action: the auth
    function, the schema (with the unknown-key refusal of ``_validate``), the work, the
    commit. ``@tk.side_effect_free`` beneath it, as in CKAN, makes it a GET action; its
    mark is carried over (``functools.wraps``)."""
    @functools.wraps(fn)
    def wrapped(context: Context, data_dict: DataDict) -> Any:
        if isinstance(data_dict, dict):
            bad = {_CONTROL.sub("?", key) if isinstance(key, str) else repr(key):
                   [tk._("Contains a control character (such as NUL) or half of a surrogate pair, "
                         "which is not allowed")]
                   for key, value in data_dict.items() if _has_control(key) or _has_control(value)}
            if bad:
                raise tk.ValidationError(bad)
        try:
            return fn(context, data_dict)
        except unavailable.LOST as error:
            unavailable.mark(error)  # the API's answer becomes a 503 that says so
            raise

    wrapped.vgsamverkan_action = True  # type: ignore[attr-defined]
    return wrapped
