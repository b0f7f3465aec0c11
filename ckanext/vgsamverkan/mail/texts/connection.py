"""The mail texts of the connection requests, in the recipient's language."""
from __future__ import annotations

from typing import Any

from ckanext.vgsamverkan import formats
from ckanext.vgsamverkan.mail.texts._base import _asked_by, _referenced, link, object_path
from ckanext.vgsamverkan.translation import translations


def receipt(_: Any, d: dict[str, Any], verb: str) -> tuple[str, str, str, list[str]]:
    """The receipt's words (``compose_receipt``): its subject, what was received, what
    happens next, and any more lines; with {organization}, {user}, {role}, {price}
    and {area} still to fill in."""
    if verb == "accept":
        subject = _("Received: you accepted the quote, {organization}")
        sent = _("You accepted the quote for the connection of {organization}: {price} before VAT.")
        nxt = _("The regional coordinator carries out the connection and tells you when it is done. The price "
                "is charged on the fee statement of the month the connection is completed.")
    elif verb == "decline":
        subject = _("Received: you declined the quote, {organization}")
        sent = _("You declined the quote for the connection of {organization}.")
        nxt = _("The request is closed and nothing is charged. You may ask for a new connection at any time.")
    else:
        subject = _("Received: your connection request, {organization}")
        sent = _("We have received the request of {organization} for a connection to the regional platform.")
        nxt = _("The regional coordinator investigates it and then sends a quote, which an admin of "
                "{organization} accepts or declines. Nothing is charged before a quote is accepted.")
    return subject, sent, nxt, []


def compose_connection(lang: str, c: dict[str, Any], verb: str) -> tuple[str, str]:
    _ = translations(lang).gettext
    org = c["organization_title"]
    subjects = {
        "create": _("New connection request: {organization}"),
        "investigate": _("Your connection request is being investigated: {organization}"),
        "quote": _("Quote for your connection: {organization}"),
        "accept": _("The quote for a connection was accepted: {organization}"),
        "decline": _("The quote for a connection was declined: {organization}"),
        "complete": _("Connected to the regional platform: {organization}"),
        "cancel": _("A connection request was cancelled: {organization}"),
        "disconnect": _("The connection has ended: {organization}"),
    }
    lines = []
    if verb == "create":
        lines += [_("A new connection request waits for your investigation."), "",
                  _("Organisation: {organization}").format(organization=org),
                  _("Information sets: {text}").format(text=c.get("information_sets") or ""),
                  _asked_by(_, c)]
    elif verb == "investigate":
        lines.append(_("The regional coordinator has started investigating the connection of "
                       "{organization}. Investigator: {name}.").format(
            organization=org, name=c.get("investigator") or ""))
    elif verb == "quote":
        q = c.get("quote") or {}
        lines += [_("The regional coordinator has issued a quote for the connection of {organization}.").format(
            organization=org), "",
                  _("Solution: {text}").format(text=q.get("solution") or ""),
                  _("Effort: {hours} hours").format(hours=formats.number(q.get("effort_hours"), lang)),
                  _("Price: {price} (before VAT)").format(price=formats.sek(q.get("price"), lang)),
                  _("Valid until: {date}").format(date=q.get("valid_until") or ""), "",
                  _("An admin of the organisation accepts or declines it on the request page.")]
    elif verb == "accept":
        lines.append(_("{organization} accepted the quote ({price}).").format(
            organization=org, price=formats.sek(c.get("price"), lang)))
    elif verb == "decline":
        lines.append(_("{organization} declined the quote.").format(organization=org))
    elif verb == "complete":
        lines.append(_("{organization} is connected to the regional platform from {date}.").format(
            organization=org, date=c.get("connected_date") or ""))
        lines.append(_("What you may do now: publish the datasets this connection was for. The price is "
                       "charged on the fee statement of this month."))
    elif verb == "cancel":
        lines.append(_("The connection request of {organization} was cancelled.").format(organization=org))
    elif verb == "disconnect":
        lines.append(_("The connection of {organization} to the regional platform has ended.").format(organization=org))
    if c.get("comment"):
        lines += ["", _("Comment: {comment}").format(comment=c["comment"])]
    if verb not in ("create", "accept", "decline"):
        lines += ["", _asked_by(_, c)]
    lines += ["", _("See the request: {link}").format(link=link(object_path("connection", c["id"])))]
    return _referenced(_, "connection", c, subjects[verb].format(organization=org), lines)
