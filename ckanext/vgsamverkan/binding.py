"""What a binding act does, in words (issue 21): which acts of the request pages are
binding, the consequence each names (with the amount where there is one) and the
confirming button. The dialog (templates, through the helpers) and the confirmation page
(views/_confirm.py) say the same."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import formats
from ckanext.vgsamverkan.domain import taking_part

# (kind, verb) of the request pages' binding acts
BINDING = frozenset({
    ("participation", "terminate"),
    ("publisher", "revoke"),
    ("connection", "accept"), ("connection", "decline"), ("connection", "cancel"), ("connection", "disconnect"),
    ("calloff", "deliver"), ("calloff", "cancel"),
})


def needed(kind: str, verb: str, form: dict[str, Any]) -> bool:
    return (kind, verb) in BINDING and form.get("confirmed") != "yes"


def consequence(kind: str, verb: str, obj: dict[str, Any], form: dict[str, Any] | None = None) -> str:
    """What the act does, in the page's language, with the amount where there is one."""
    org = obj.get("organization_title") or ""
    if (kind, verb) == ("connection", "accept"):
        price = (obj.get("quote") or {}).get("price")
        return tk._("You accept the quote: {price} before VAT. The price is charged on the fee statement of "
                    "the month the connection is completed. This cannot be undone.").format(price=formats.sek(price))
    if (kind, verb) == ("connection", "decline"):
        price = (obj.get("quote") or {}).get("price")
        return tk._("You decline the quote of {price} before VAT. The request is closed and cannot be reopened; "
                    "you may ask for a new connection.").format(price=formats.sek(price))
    if (kind, verb) == ("connection", "cancel"):
        return tk._("You cancel the connection request of {organization}. It is closed and cannot be "
                    "reopened.").format(organization=org)
    if (kind, verb) == ("connection", "disconnect"):
        return tk._("You end the connection of {organization} to the regional platform. This cannot be "
                    "undone.").format(organization=org)
    if (kind, verb) == ("participation", "terminate"):
        ends = tk._("After that day its publishers lose their rights and it pays no more fees. This cannot be "
                    "undone: to take part again, it applies anew.")
        if not form:  # the dialog, before a date is typed
            return tk._("You end the participation of {organization} with the day you give as its last day "
                        "(today if none).").format(organization=org) + " " + ends
        return tk._("You end the participation of {organization} with {date} as its last day.").format(
            organization=org, date=form.get("effective_to") or taking_part.today().isoformat()) + " " + ends
    if (kind, verb) == ("publisher", "revoke"):
        return tk._("You revoke the publishing rights of {user} in {organization}: the role they gave ends at "
                    "once. This cannot be undone; new rights are applied for anew.").format(
            user=obj.get("user_display_name") or "", organization=org)
    if (kind, verb) == ("calloff", "deliver"):
        if obj.get("fixed_price"):
            return tk._("You mark the expert support for {organization} as delivered: the fixed price of {amount} "
                        "before VAT is charged. No more time can be logged. This cannot be undone.").format(
                organization=org, amount=formats.sek(obj["fixed_price"]))
        return tk._("You mark the expert support for {organization} as delivered, with {hours} hours logged "
                    "({amount} before VAT). No more time can be logged. This cannot be undone.").format(
            organization=org, hours=formats.number(obj.get("logged_hours") or 0),
            amount=formats.sek(obj.get("amount") or 0))
    if (kind, verb) == ("calloff", "cancel"):
        return tk._("You cancel the call-off of expert support for {organization}. It is closed and cannot be "
                    "reopened.").format(organization=org)
    raise KeyError((kind, verb))


def yes_label(kind: str, verb: str) -> str:
    """The confirming button: what the act is."""
    return {
        ("connection", "accept"): tk._("Yes, accept the quote"),
        ("connection", "decline"): tk._("Yes, decline the quote"),
        ("connection", "cancel"): tk._("Yes, cancel the request"),
        ("connection", "disconnect"): tk._("Yes, end the connection"),
        ("participation", "terminate"): tk._("Yes, end the participation"),
        ("publisher", "revoke"): tk._("Yes, revoke the rights"),
        ("calloff", "deliver"): tk._("Yes, mark as delivered"),
        ("calloff", "cancel"): tk._("Yes, cancel the call-off"),
        ("bulk", "approve"): tk._("Yes, approve them"),
        ("bulk", "reject"): tk._("Yes, reject them"),
    }[(kind, verb)]
