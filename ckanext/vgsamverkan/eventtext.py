"""The facts of an event in words, in the reader's language.

An event keeps its facts as data (``details``: a quote's price and hours, an
assignment's expert and rate, the hours logged, a fee run's total…); the history, the
API and the pages say them in the language of whoever reads, with numbers and money
written that language's way. What a person wrote stays in the event's ``comment``.
"""
from __future__ import annotations

from typing import Any

from ckanext.vgsamverkan import formats
from ckanext.vgsamverkan.translation import translations


def summary(object_type: str, action: str, details: dict[str, Any] | None, lang: str | None = None) -> str:
    """``details`` of an event in words; empty when the event has none. An act of the
    portal itself ends with the command that acted (portal.py)."""
    if not details:
        return ""
    lang = lang if lang in formats.LANGUAGES else formats.current_lang()
    _ = translations(lang).gettext
    facts = {k: v for k, v in details.items() if k != "command"}
    text = _facts(object_type, action, facts, lang, _) if facts else ""
    if details.get("command"):
        command = _("Command: {command}").format(command=details["command"])
        text = f"{text}; {command}" if text else command
    return text


def _facts(object_type: str, action: str, details: dict[str, Any], lang: str, _: Any) -> str:
    d = details
    key = (object_type, action)
    if key == ("connection", "quote"):
        return _("Quote {number}: {price}, {hours} hours, valid until {date}").format(
            number=d.get("number", ""), price=formats.sek(d.get("price"), lang),
            hours=formats.number(d.get("hours"), lang), date=d.get("valid_until", ""))
    if key == ("calloff", "assign"):
        if d.get("hourly_rate") is not None:
            price = _("{price} per hour").format(price=formats.sek(d["hourly_rate"], lang))
        else:
            price = _("fixed price {price}").format(price=formats.sek(d.get("fixed_price"), lang))
        return _("Expert: {name}; {price}; {hours} hours planned").format(
            name=d.get("expert", ""), price=price, hours=formats.number(d.get("planned_hours"), lang))
    if key == ("calloff", "log_time"):
        return _("{hours} hours on {date}").format(hours=formats.number(d.get("hours"), lang), date=d.get("date", ""))
    if key == ("participation", "update"):
        names = {"contact_name": _("Contact person"), "contact_email": _("E-mail"),
                 "contact_phone": _("Telephone"), "invoice_reference": _("Invoice reference"),
                 "org_number": _("Organisationsnummer"), "address_street": _("Street address"),
                 "address_postcode": _("Postcode"), "address_city": _("City"),
                 "peppol_endpoint": _("Peppol endpoint"), "legal_name": _("Legal name")}
        return "; ".join(
            _("{field}: {old} → {new}").format(field=names.get(c.get("field"), c.get("field")),
                                               old=c.get("old") or _("(none)"), new=c.get("new") or _("(none)"))
            for c in d.get("changes") or [])
    if key == ("publisher", "replace"):
        return _("Replaced by {reference}").format(reference="BEH-" + str(d.get("by") or "")[:8].upper())
    if key == ("participation", "begin"):
        return _("Takes part from {date}").format(date=d.get("date") or "")
    if key == ("participation", "end"):
        return _("Took part until {date}").format(date=d.get("date") or "")
    if key == ("calloff", "correct_time"):
        return _("The hours of {date} corrected from {before} to {after}").format(
            date=d.get("date", ""), before=formats.number(d.get("before"), lang),
            after=formats.number(d.get("after"), lang))
    if key == ("fee_schedule", "set"):
        return _("From {month}: {total}, {percent} per cent of it split equally, regional {fixed}").format(
            month=d.get("month", ""), total=formats.sek(d.get("total"), lang),
            percent=formats.number(d.get("percent"), lang), fixed=formats.sek(d.get("fixed"), lang))
    if key == ("fee_month", "run"):
        return _("{count} statements, net {net}").format(count=d.get("count", ""), net=formats.sek(d.get("net"), lang))
    if action == "anonymise":
        return _("Contact data anonymised, {days} days after the last change").format(
            days=d.get("older_than_days", ""))
    if key == ("user", "mail_language"):
        names = {"sv": _("Swedish"), "en": _("English")}
        return _("Language of the mail to the coordinator: {new} (was: {old})").format(
            new=names.get(d.get("language") or "", _("the portal's")),
            old=names.get(d.get("before") or "", _("the portal's")))
    if key == ("fee_month", "adjust"):
        text = _("Amount: {amount} (before VAT)").format(amount=formats.sek(d.get("amount"), lang))
        if d.get("corrects"):
            text += _("; corrects {month}").format(month=d["corrects"])
        return text
    return ""
