"""The connection workflow: a participant asks for a technical connection; the
coordinator investigates and quotes, the participant accepts or declines, the coordinator
completes (optionally creating a harvest source), cancels or disconnects (issue 18: one
module per workflow)."""
from __future__ import annotations

from typing import Any, Callable

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import formats
from ckanext.vgsamverkan.domain import objects, roles
from ckanext.vgsamverkan.domain.kinds.connection import WORKFLOW
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import (
    WORKPLACE_FILTERS,
    _actor,
    _allowed,
    _as_workplace,
    _commit,
    _count_and_rows,
    _org_key,
    _page,
    _participant_org,
    _preloaded,
    _refuse_if_closed,
    _site_user_name,
    _step,
    _tally,
    _today,
    _validate,
    _written_once,
    action,
)
from ckanext.vgsamverkan.mail import notify
from ckanext.vgsamverkan.model import (
    Connection,
    ConnectionQuote,
    DatasetExemption,
    Event,
)
from ckanext.vgsamverkan.model.base import iso, utcnow


def _connection_mail(context: Context, obj: Connection, verb: str,
                     comment: str | None = None) -> dict[str, Any]:
    result = obj.dictize()
    result["comment"] = comment
    actor = _actor(context)
    notify.connection_changed(result, verb, by_coordinator=roles.is_coordinator(actor),
                                    actor_id=actor.id if actor else None)
    return result


@action
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
        state=WORKFLOW.initial,
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


@action
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
    result["allowed"] = _allowed(context, "connection", WORKFLOW, obj)
    return result


@action
@tk.side_effect_free
def vgsamverkan_connection_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """List connection requests, newest first. The coordinator sees all; an
    organisation's admins see the organisation's.

    :param state: only this state (optional)
    :type state: string
    :param organization_id: only this organisation (optional)
    :type organization_id: string
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
    tk.check_access("vgsamverkan_connection_list", context, data_dict)
    data = _validate(data_dict, schema.connection_list(), context)
    user = _actor(context)
    q = model.Session.query(Connection)
    if not roles.is_coordinator(user):
        q = q.filter(Connection.organization_id.in_(roles.admin_org_ids(user)))
    if data.get("state"):
        q = q.filter(Connection.state == data["state"])
    org_key = _org_key(data)
    if org_key:
        q = q.filter(Connection.organization_id == org_key)
    q = _as_workplace("connection", q.order_by(Connection.created.desc(), Connection.id), data)
    count, rows = _count_and_rows(q, data, _tally(user, "vgsamverkan_connection", data, org_key,
                                                  WORKPLACE_FILTERS))
    quotes = ConnectionQuote.of([r.id for r in rows])  # the page's quotes at once, not a query a row
    with _preloaded([*rows, *(q for of_one in quotes.values() for q in of_one)]):  # and their authors
        return {"count": count, "results": [r.dictize(quotes=quotes[r.id]) for r in rows]}


def _connection_step(context: Context, data_dict: DataDict, verb: str, schema_: dict[str, Any],
                     before: Callable[[Connection, dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """A connection decision: the common step, commit, and a mail to the other party."""
    obj, data = _step(context, data_dict, WORKFLOW, Connection, verb, schema_, before)
    _commit(context)
    return _connection_mail(context, obj, verb, data.get("comment"))


@action
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


@action
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


@action
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


@action
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


@action
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
            error="; ".join(f"{k}: {v}" for k, v in (e.error_summary or {}).items()))]}) from e
    return name


@action
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


@action
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


# -- datasets that need no connection (issue 21) ------------------------------------------

def _dataset(value: Any) -> model.Package:
    package = objects.dataset(value)  # as the rule and the pages resolve it
    if package is None:
        raise tk.ValidationError({"id": [tk._("No such dataset")]})
    return package


@action
def vgsamverkan_exemption_create(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Mark a dataset as not needing a technical connection (coordinator), with the reason,
    which the history keeps: its resources may then be published whatever their format or
    address (SPEC 2026-11-29, "the properties of the data decide").

    :param id: id or name of the dataset
    :type id: string
    :param reason: why it needs no connection (required)
    :type reason: string
    :returns: the marking: ``id`` (the dataset's id), ``name``, ``title``, ``reason``,
        ``author_name``, ``created``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_exemption_create", context, data_dict)
    data = _validate(data_dict, schema.exemption_create(), context)
    package = _dataset(data["id"])
    if model.Session.get(DatasetExemption, package.id, with_for_update=True) is not None:
        raise tk.ValidationError({"id": [tk._("This dataset is already marked as not needing a connection")]})
    actor = _actor(context)
    exemption = DatasetExemption(package_id=package.id, reason=data["reason"],
                                 author_id=actor.id if actor else None, created=utcnow())
    model.Session.add(exemption)
    Event.record("dataset", package.id, "exempt", actor_id=actor.id if actor else None,
                 organization_id=package.owner_org, comment=data["reason"])
    try:
        _commit(context)
    except sa_exc.IntegrityError as e:  # a concurrent marking won
        model.Session.rollback()
        raise tk.ValidationError({"id": [tk._(
            "This dataset is already marked as not needing a connection")]}) from e
    return exemption.dictize()


@action
def vgsamverkan_exemption_delete(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Remove the marking (coordinator): the dataset needs a connection again where its
    resources do (checked at its next change).

    :param id: id or name of the dataset
    :type id: string
    :param comment: why (optional, kept in the history)
    :type comment: string
    :returns: the marking as it was, with ``state`` ``deleted``, ``modified`` now and
        ``removed``: true
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_exemption_delete", context, data_dict)
    data = _validate(data_dict, schema.exemption_delete(), context)
    package = _dataset(data["id"])
    exemption = model.Session.get(DatasetExemption, package.id, with_for_update=True)
    if exemption is None:
        raise tk.ValidationError({"id": [tk._("This dataset is not marked as not needing a connection")]})
    removed = dict(exemption.dictize(), state="deleted", modified=iso(utcnow()), removed=True)
    model.Session.delete(exemption)
    actor = _actor(context)
    Event.record("dataset", package.id, "unexempt", actor_id=actor.id if actor else None,
                 organization_id=package.owner_org, comment=data.get("comment"))
    _commit(context)
    return removed


@action
@tk.side_effect_free
def vgsamverkan_exemption_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The datasets marked as not needing a connection, newest first (coordinator).

    :param organization_id: only the datasets of this organisation, by id or name (optional)
    :type organization_id: string
    :param state: only objects in this state; a marking in the list is always ``active``
        (a removed one is in ``history``; optional)
    :type state: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [...], "history": [...]}``: ``history`` is the last
        100 markings and removals (events, with ``dataset_name`` and ``dataset_title``)
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_exemption_list", context, data_dict)
    data = _validate(data_dict, schema.exemption_list(), context)
    q = model.Session.query(DatasetExemption).order_by(DatasetExemption.created.desc(),
                                                        DatasetExemption.package_id)
    org_key = _org_key(data)
    if org_key:
        q = q.join(model.Package, model.Package.id == DatasetExemption.package_id).filter(
            model.Package.owner_org == org_key)
    result = _page(_written_once(q, data), data, lambda e: e.dictize())
    # the markings and their removals, newest first (the reason kept in the history)
    events = (model.Session.query(Event).filter(Event.object_type == "dataset")
              .order_by(Event.created.desc(), Event.id).limit(100).all())
    names = {p.id: p for p in model.Session.query(model.Package).filter(
        model.Package.id.in_({e.object_id for e in events}))} if events else {}
    result["history"] = [dict(e.dictize(), dataset_name=names[e.object_id].name if e.object_id in names else None,
                              dataset_title=names[e.object_id].title if e.object_id in names else None)
                         for e in events]
    return result
