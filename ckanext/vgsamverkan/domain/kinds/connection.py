"""A request for a technical connection (investigation, quote, connection): the
registry's entry and its behaviour (issue 38)."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import formats, money, workflow
from ckanext.vgsamverkan.domain import roles, taking_part
from ckanext.vgsamverkan.domain.kind import Binding, Kind, Step
from ckanext.vgsamverkan.model import Connection, ConnectionQuote


def _quotes_to_answer(user: Any) -> Iterable[tuple[dict[str, Any], Any, str | None]]:
    """The quotes the organisations ``user`` administers are to accept or decline."""
    admin_orgs = roles.admin_org_ids(user)
    if not admin_orgs:
        return []
    quoted = (model.Session.query(Connection, ConnectionQuote)
              .outerjoin(ConnectionQuote, ConnectionQuote.id == Connection.current_quote_id)
              .filter(Connection.state == "quoted", Connection.organization_id.in_(admin_orgs))
              .order_by(Connection.modified))
    return [(connection.dictize(), connection.modified,
             money.to_text(quote.price_ore) if quote is not None else None) for connection, quote in quoted]


def _price(obj: Mapping[str, Any]) -> str:
    return formats.sek((obj.get("quote") or {}).get("price"))


def _short(text: str | None, most: int = 80) -> str:
    """The beginning of a text a person wrote, on one line, for a list row."""
    line = " ".join((text or "").split())
    return line if len(line) <= most else line[:most - 1].rstrip() + "…"


def _org(obj: Mapping[str, Any]) -> str:
    return obj.get("organization_title") or ""


def _quote(obj: Mapping[str, Any], form: Mapping[str, Any] | None) -> str:
    told = tk._("Its administrators are told by e-mail and may accept or decline it; an accepted quote is "
                "charged the month the connection is completed.")
    if not form or not form.get("price"):  # the dialog, before the price is typed
        return tk._("You send {organization} the quote at the price you give, before VAT.").format(
            organization=_org(obj)) + " " + told
    until = tk._(", valid until {date}").format(date=form["valid_until"]) if form.get("valid_until") else ""
    return tk._("You send {organization} a quote of {price} before VAT{until}.").format(
        organization=_org(obj), price=formats.sek(form.get("price")), until=until) + " " + told


def _complete(obj: Mapping[str, Any], form: Mapping[str, Any] | None) -> str:
    if not form:  # the dialog, before a date is typed
        return tk._("You mark the connection of {organization} connected on the day you give (today if none): "
                    "the accepted quote of {price} before VAT is charged on the fee statement of that month. This "
                    "cannot be undone.").format(organization=_org(obj), price=_price(obj))
    day = form.get("connected_date") or taking_part.today().isoformat()
    return tk._("You mark the connection of {organization} connected on {date}: the accepted quote of {price} "
                "before VAT is charged on the fee statement of {month}. This cannot be undone.").format(
        organization=_org(obj), date=day, price=_price(obj), month=day[:7])


def _answers(user: Any, row: Mapping[str, Any]) -> bool:
    return roles.is_org_admin(user, row.get("organization_id"))



# the history's sentences of its events' facts, in the reader's language (eventtext.py)
def _quoted(d: dict[str, Any], lang: str, _: Any) -> str:
    return _("Quote {number}: {price}, {hours} hours, valid until {date}").format(
        number=d.get("number", ""), price=formats.sek(d.get("price"), lang),
        hours=formats.number(d.get("hours"), lang), date=d.get("valid_until", ""))


# its states and the verbs that move it (the one table: actions, pages and tests read it)
WORKFLOW = workflow.Workflow(
    name="connection",
    initial="submitted",
    states=("submitted", "investigating", "quoted", "accepted", "connected", "declined",
            "cancelled", "disconnected"),
    transitions={
        ("submitted", "investigate"): "investigating",
        ("investigating", "quote"): "quoted",
        # a new quote replaces an expired or revised one; the old one stays in the history
        ("quoted", "quote"): "quoted",
        ("quoted", "accept"): "accepted",
        ("quoted", "decline"): "declined",
        ("accepted", "complete"): "connected",
        ("submitted", "cancel"): "cancelled",
        ("investigating", "cancel"): "cancelled",
        ("quoted", "cancel"): "cancelled",
        ("accepted", "cancel"): "cancelled",
        ("connected", "disconnect"): "disconnected",
    },
)


KIND = Kind(
    "connection", Connection, WORKFLOW, "vgsamverkan.connection_read",
    "/samverkan/anslutning/{id}", waits=("submitted", "investigating", "accepted"),
    open=("submitted", "investigating", "quoted", "accepted"),
    label=lambda: tk._("Connection"), prefix="ANS",
    template="vgsamverkan/connection_read.html", template_name="connection",
    summary=lambda obj: (obj.information_sets or "")[:120], waiting_since="modified",
    subject=lambda row: _short(row.get("information_sets")),
    steps={
        "submitted": Step(lambda: tk._("The regional coordinator investigates."),
                          yours=lambda: tk._("Start the investigation."), mover=roles.coordinates),
        "investigating": Step(lambda: tk._("The regional coordinator investigates."),
                              yours=lambda: tk._("Issue a quote."), mover=roles.coordinates),
        "quoted": Step(lambda: tk._("The organisation's administrator accepts or declines the quote."),
                       yours=lambda: tk._("Accept or decline the quote."), mover=_answers),
        "accepted": Step(lambda: tk._("The coordinator connects you."),
                         yours=lambda: tk._("Connect it and mark it connected."), mover=roles.coordinates),
    },
    your_moves=_quotes_to_answer,
    facts={"quote": _quoted},
    verbs={
        "create": lambda: tk._("asked for a connection"),
        "investigate": lambda: tk._("started the investigation"),
        "quote": lambda: tk._("issued a quote"),
        "accept": lambda: tk._("accepted the quote"),
        "decline": lambda: tk._("declined the quote"),
        "complete": lambda: tk._("marked it connected"),
        "cancel": lambda: tk._("cancelled the request"),
        "disconnect": lambda: tk._("ended the connection"),
    },
    binding={
        "quote": Binding(_quote, lambda: tk._("Yes, send the quote")),
        "complete": Binding(_complete, lambda: tk._("Yes, mark it connected")),
        "accept": Binding(lambda obj, form: tk._(
            "You accept the quote: {price} before VAT. The price is charged on the fee statement of the month the "
            "connection is completed. This cannot be undone.").format(price=_price(obj)),
            lambda: tk._("Yes, accept the quote")),
        "decline": Binding(lambda obj, form: tk._(
            "You decline the quote of {price} before VAT. The request is closed and cannot be reopened; you may "
            "ask for a new connection.").format(price=_price(obj)),
            lambda: tk._("Yes, decline the quote")),
        "cancel": Binding(lambda obj, form: tk._(
            "You cancel the connection request of {organization}. It is closed and cannot be "
            "reopened.").format(organization=_org(obj)),
            lambda: tk._("Yes, cancel the request")),
        "disconnect": Binding(lambda obj, form: tk._(
            "You end the connection of {organization} to the regional platform. This cannot be "
            "undone.").format(organization=_org(obj)),
            lambda: tk._("Yes, end the connection")),
    },
    closed=("declined", "cancelled", "disconnected"),
    personal={"technical_contact": ""},
)
