"""The mail texts of the call-offs of expert support, in the recipient's language."""
from __future__ import annotations

from typing import Any

from ckanext.vgsamverkan import formats, labels
from ckanext.vgsamverkan.mail.texts._base import _asked_by, _referenced, link, object_path
from ckanext.vgsamverkan.translation import translations


def receipt(_: Any, d: dict[str, Any], verb: str) -> tuple[str, str, str, list[str]]:
    """The receipt's words (``compose_receipt``): its subject, what was received, what
    happens next, and any more lines; with {organization}, {user}, {role}, {price}
    and {area} still to fill in."""
    subject = _("Received: your call-off of expert support, {organization}")
    sent = _("We have received the call-off of expert support ({area}) for {organization}.")
    nxt = _("The regional coordinator assigns an expert and tells you who and at what price. Nothing is "
            "charged before the expert works.")
    return subject, sent, nxt, []


def compose_calloff(lang: str, c: dict[str, Any], verb: str) -> tuple[str, str]:
    _ = translations(lang).gettext
    org = c["organization_title"]
    subjects = {
        "create": _("New call-off of expert support: {organization}"),
        "assign": _("An expert is assigned to the call-off: {organization}"),
        "deliver": _("The expert support has been delivered: {organization}"),
        "cancel": _("A call-off of expert support was cancelled: {organization}"),
    }
    area = labels.competence_area(c.get("competence_area") or "", lang)
    lines = []
    if verb == "create":
        lines += [_("A new call-off of expert support waits for an expert."), "",
                  _("Organisation: {organization}").format(organization=org),
                  _("Competence area: {area}").format(area=area),
                  _("Estimated hours: {hours}").format(hours=formats.number(c.get("estimated_hours"), lang)),
                  _("Wanted period: {start} – {end}").format(start=c.get("period_start") or "",
                                                             end=c.get("period_end") or ""),
                  _asked_by(_, c), "",
                  c.get("description") or ""]
    elif verb == "assign":
        price = (_("{price} per hour (before VAT)").format(price=formats.sek(c["hourly_rate"], lang))
                 if c.get("hourly_rate")
                 else _("fixed price {price} (before VAT)").format(price=formats.sek(c.get("fixed_price"), lang)))
        lines += [_("The regional coordinator has assigned an expert to the call-off of "
                    "{organization} ({area}).").format(
                      organization=org, area=area), "",
                  _("Expert: {name}").format(name=c.get("expert_name") or ""),
                  _("Price: {price}").format(price=price),
                  _("Planned hours: {hours}").format(hours=formats.number(c.get("planned_hours"), lang))]
        if c.get("contact"):
            lines.append(_("Contact at the organisation: {contact}").format(contact=c["contact"]))
        lines.append(_("What happens now: the expert contacts you to plan the work. Nothing is charged "
                       "before the expert works."))
    elif verb == "deliver":
        lines += [_("The expert support for {organization} ({area}) has been delivered on {date}.").format(
                      organization=org, area=area, date=c.get("delivered_date") or ""),
                  _("Hours logged: {hours}").format(hours=formats.number(c.get("logged_hours") or 0, lang)),
                  _("Amount: {amount} (before VAT)").format(amount=formats.sek(c.get("amount") or 0, lang)),
                  (_("The hours are charged on the fee statements of the months they were worked.")
                   if c.get("hourly_rate") else
                   _("The fixed price is charged on the fee statement of the month it was delivered."))]
    elif verb == "cancel":
        lines.append(_("The call-off of expert support for {organization} ({area}) was cancelled.").format(
            organization=org, area=area))
    if c.get("comment"):
        lines += ["", _("Comment: {comment}").format(comment=c["comment"])]
    if verb != "create":
        lines += ["", _asked_by(_, c)]
    lines += ["", _("See the call-off: {link}").format(link=link(object_path("calloff", c["id"])))]
    return _referenced(_, "calloff", c, subjects[verb].format(organization=org), lines)
