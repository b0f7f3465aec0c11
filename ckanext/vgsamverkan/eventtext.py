"""The facts of an event in words, in the reader's language.

An event keeps its facts as data (``details``: a quote's price and hours, an
assignment's expert and rate, the hours logged, a fee run's total…); the history, the
API and the pages say them in the language of whoever reads, with numbers and money
written that language's way. What a person wrote stays in the event's ``comment``.
"""
from __future__ import annotations

from typing import Any

from ckanext.vgsamverkan import formats
from ckanext.vgsamverkan.domain import objects
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
    kind = objects.KINDS.get(object_type)
    said = kind.facts.get(action) if kind else None
    if said is not None:  # the kind's own sentence (Kind.facts)
        return said(d, lang, _)
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
