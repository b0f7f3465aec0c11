"""What each mail says, composed in the recipient's language with the extension's own catalogue
(no request needed): pure but for the site's address."""
from __future__ import annotations

import logging
from typing import Any

from ckanext.vgsamverkan import config, formats, labels
from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.model.population import municipality_label
from ckanext.vgsamverkan.translation import translations

log = logging.getLogger(__name__)


LANGUAGES = formats.LANGUAGES


def link(path: str) -> str:
    return config.site_url() + path


def object_path(object_type: str, object_id: str) -> str:
    """The path of a request's page (domain/objects.py: Kind.path), for a link in a mail."""
    return objects.KINDS[object_type].path.format(id=object_id)


def org_path(organization_name: str | None) -> str:
    """The organisation's Samverkan tab, where its admins ask for what they need."""
    return f"/organization/samverkan/{organization_name}" if organization_name else "/samverkan"


def _referenced(_: Any, kind: str, d: dict[str, Any], subject: str, lines: list[str]) -> tuple[str, str]:
    """Every mail about a request names its case reference: in the subject (so that a mail
    program keeps a case's mails together) and in the text."""
    ref = objects.reference(kind, d["id"])
    return f"{subject} [{ref}]", "\n".join(lines + [_("Case reference: {reference}").format(reference=ref)])


def _asked_by(_: Any, d: dict[str, Any]) -> str:
    return _("Asked by: {user}").format(user=d.get("applicant_display_name") or d.get("applicant_name") or "")


def compose_receipt(lang: str, kind: str, d: dict[str, Any], verb: str = "create") -> tuple[str, str]:
    """The receipt to whoever sent a request (or answered a quote): what was received, its
    case reference, what happens next and where to follow it (issue 21)."""
    _ = translations(lang).gettext
    org = d.get("organization_title") or ""
    if kind == "participation":
        subject = _("Received: your application to take part, {organization}")
        sent = _("We have received the application of {organization} to take part in the regional collaboration.")
        nxt = _("The regional coordinator reviews the application and approves or rejects it. You get an e-mail "
                "when it is decided.")
    elif kind == "publisher":
        subject = _("Received: your request for publishing rights, {organization}")
        sent = _("We have received the request for publishing rights for {user} in {organization} as {role}.")
        nxt = _("The regional coordinator decides on the request; you get an e-mail when it is decided. Until "
                "then, what {user} may do does not change.")
    elif kind == "connection" and verb == "accept":
        subject = _("Received: you accepted the quote, {organization}")
        sent = _("You accepted the quote for the connection of {organization}: {price} before VAT.")
        nxt = _("The regional coordinator carries out the connection and tells you when it is done. The price "
                "is charged on the fee statement of the month the connection is completed.")
    elif kind == "connection" and verb == "decline":
        subject = _("Received: you declined the quote, {organization}")
        sent = _("You declined the quote for the connection of {organization}.")
        nxt = _("The request is closed and nothing is charged. You may ask for a new connection at any time.")
    elif kind == "connection":
        subject = _("Received: your connection request, {organization}")
        sent = _("We have received the request of {organization} for a connection to the regional platform.")
        nxt = _("The regional coordinator investigates it and then sends a quote, which an admin of "
                "{organization} accepts or declines. Nothing is charged before a quote is accepted.")
    else:
        subject = _("Received: your call-off of expert support, {organization}")
        sent = _("We have received the call-off of expert support ({area}) for {organization}.")
        nxt = _("The regional coordinator assigns an expert and tells you who and at what price. Nothing is "
                "charged before the expert works.")
    values = {"organization": org, "user": d.get("user_display_name") or "",
              "role": labels.role(d.get("role") or "", lang),
              "price": formats.sek(d.get("price"), lang),
              "area": labels.competence_area(d.get("competence_area") or "", lang)}
    lines = [sent.format(**values)]
    if kind == "publisher" and d.get("replaces_id"):
        lines.append(_("It renews or changes the current rights, which stay as they are until it is decided."))
    lines += ["",
             _("What happens next: {text}").format(text=nxt.format(**values)), "",
             _("Follow it here: {link}").format(link=link(object_path(kind, d["id"])))]
    return _referenced(_, kind, d, subject.format(**values), lines)


def compose_submitted(lang: str, p: dict[str, Any]) -> tuple[str, str]:
    _ = translations(lang).gettext
    subject = _("New application to take part: {organization}").format(
        organization=p["organization_title"]
    )
    body = "\n".join(
        [
            _("A new application to take part in the regional collaboration waits for your decision."),
            "",
            _("Organisation: {organization}").format(organization=p["organization_title"]),
            _("Type: {org_type}").format(org_type=labels.org_type(p["org_type"], lang)),
            *([_("Municipality: {municipality}").format(municipality=municipality_label(p["municipality_code"]))]
              if p.get("municipality_code") else []),
            _("Applied by: {user}").format(user=p.get("applicant_display_name") or p.get("applicant_name") or ""),
            "",
            _("Decide here: {link}").format(link=link(object_path("participation", p["id"]))),
        ]
    )
    return _referenced(_, "participation", p, subject, body.split("\n"))


def compose_decided(lang: str, p: dict[str, Any], verb: str) -> tuple[str, str]:
    _ = translations(lang).gettext
    org = p["organization_title"]
    subjects = {
        "approve": _("Your application to take part has been approved: {organization}"),
        "reject": _("Your application to take part has been rejected: {organization}"),
        "withdraw": _("An application to take part was withdrawn: {organization}"),
        "terminate": _("The participation has been terminated: {organization}"),
        "begin": _("Your organisation takes part from today: {organization}"),
        "end": _("The participation has ended: {organization}"),
    }
    lines = []
    if verb == "approve":
        lines.append(
            _("The application of {organization} to take part in the regional collaboration has been "
              "approved. It takes part from {date}.").format(
                organization=org, date=p.get("effective_from") or ""
            )
        )
        lines.append(_("What you may do now: ask for publishing rights, a connection and expert support on "
                       "the organisation's page: {link}").format(link=link(org_path(p.get("organization_name")))))
        if p.get("decision_comment"):
            lines += ["", _("Comment: {comment}").format(comment=p["decision_comment"])]
    elif verb == "reject":
        lines.append(
            _("The application of {organization} to take part in the regional collaboration has been rejected.").format(
                organization=org
            )
        )
        lines += ["", _("Reason: {reason}").format(reason=p.get("reason") or ""),
                  _("What you may do now: apply again once what the reason names is set right.")]
    elif verb == "withdraw":
        lines.append(
            _("The application of {organization} to take part was withdrawn by {user}.").format(
                organization=org, user=p.get("actor_name") or ""
            )
        )
    elif verb == "terminate":
        lines.append(
            _("The participation of {organization} in the regional collaboration ends on {date}.").format(
                organization=org, date=p.get("effective_to") or ""
            )
        )
        if not p.get("ended_at"):  # its last day is still to come
            lines.append(_("{date} is its last day: until then, publishing and requests go on as before.").format(
                date=p.get("effective_to") or ""))
    elif verb == "begin":
        lines.append(
            _("{organization} takes part in the regional collaboration from today, {date}: its publishers "
              "may now publish, and it may ask for publishing rights, connections and expert support.").format(
                organization=org, date=p.get("effective_from") or ""))
    elif verb == "end":
        lines.append(
            _("The participation of {organization} in the regional collaboration ended: {date} was its "
              "last day. Its publishing rights have ended; it may apply to take part again.").format(
                organization=org, date=p.get("effective_to") or ""))
    if verb != "withdraw":
        lines += ["", _asked_by(_, p)]
    lines += ["", _("See the application: {link}").format(link=link(object_path("participation", p["id"])))]
    return _referenced(_, "participation", p, subjects[verb].format(organization=org), lines)


def compose_publisher_submitted(lang: str, r: dict[str, Any]) -> tuple[str, str]:
    _ = translations(lang).gettext
    subject = _("New request for publishing rights: {user} in {organization}").format(
        user=r.get("user_display_name") or r.get("user_name") or "", organization=r["organization_title"])
    lines = [
        _("A request for publishing rights waits for your decision."),
        "",
        _("Organisation: {organization}").format(organization=r["organization_title"]),
        _("User: {user}").format(user=r.get("user_display_name") or r.get("user_name") or ""),
        _("Role: {role}").format(role=labels.role(r["role"], lang)),
        _asked_by(_, r),
        "",
        _("Decide here: {link}").format(link=link(object_path("publisher", r["id"]))),
    ]
    return _referenced(_, "publisher", r, subject, lines)


def compose_publisher_told(lang: str, r: dict[str, Any]) -> tuple[str, str]:
    """To the organisation's (other) admins: someone asked for publishing rights in it."""
    _ = translations(lang).gettext
    subject = _("Publishing rights asked for in your organisation: {user} in {organization}").format(
        user=r.get("user_display_name") or "", organization=r["organization_title"])
    lines = [
        _("{applicant} asked the regional coordinator for publishing rights for {user} in {organization} as "
          "{role}. You are told as an admin of {organization}; the coordinator decides.").format(
            applicant=r.get("applicant_display_name") or "", user=r.get("user_display_name") or "",
            organization=r["organization_title"], role=labels.role(r["role"], lang)),
        "",
        _("See the request: {link}").format(link=link(object_path("publisher", r["id"]))),
    ]
    return _referenced(_, "publisher", r, subject, lines)


def compose_publisher_decided(lang: str, r: dict[str, Any], verb: str) -> tuple[str, str]:
    _ = translations(lang).gettext
    org = r["organization_title"]
    user = r.get("user_display_name") or r.get("user_name") or ""
    role = labels.role(r["role"], lang)
    subjects = {
        "approve": _("Publishing rights approved: {organization}"),
        "reject": _("Publishing rights rejected: {organization}"),
        "withdraw": _("A request for publishing rights was withdrawn: {organization}"),
        "revoke": _("Publishing rights revoked: {organization}"),
        "expire": _("Publishing rights expired: {organization}"),
        "end": _("Publishing rights ended: {organization}"),
        "remind": _("Publishing rights expire soon: {organization}"),
    }
    lines = []
    if verb == "approve":
        lines.append(_("{user} may now publish for {organization} as {role}.").format(
            user=user, organization=org, role=role))
        if r.get("expires"):
            lines.append(_("The rights are valid until {date}.").format(date=r["expires"]))
        lines.append(_("What {user} may do now: add and edit datasets of {organization}, from the "
                       "organisation's page: {link}").format(
            user=user, organization=org, link=link(f"/organization/{r.get('organization_name') or ''}")))
        if r.get("decision_comment"):
            lines += ["", _("Comment: {comment}").format(comment=r["decision_comment"])]
    elif verb == "reject":
        lines.append(_("The request of {user} for publishing rights in {organization} has been rejected.").format(
            user=user, organization=org))
        lines += ["", _("Reason: {reason}").format(reason=r.get("reason") or ""),
                  _("What you may do now: ask again once what the reason names is set right.")]
    elif verb == "withdraw":
        lines.append(_("The request of {user} for publishing rights in {organization} was withdrawn.").format(
            user=user, organization=org))
    elif verb == "revoke":
        lines.append(_("The publishing rights of {user} in {organization} have been revoked.").format(
            user=user, organization=org))
        if r.get("comment"):
            lines += ["", _("Comment: {comment}").format(comment=r["comment"])]
    elif verb == "expire":
        lines.append(_("The publishing rights of {user} in {organization} expired on {date}. "
                       "You can apply again.").format(
            user=user, organization=org, date=r.get("expires") or ""))
    elif verb == "end":
        lines.append(_("The publishing rights of {user} in {organization} have ended, because {organization} no "
                       "longer takes part in the regional collaboration. If it takes part again, the rights are "
                       "applied for anew.").format(user=user, organization=org))
    elif verb == "remind":
        lines.append(_("The publishing rights of {user} in {organization} expire on {date}. "
                       "To keep them, renew them in time on their page (below): they stay as they are "
                       "until the coordinator decides.").format(
            user=user, organization=org, date=r.get("expires") or ""))
    if verb in ("approve", "reject", "revoke"):
        lines += ["", _asked_by(_, r)]
    lines += ["", _("See the request: {link}").format(link=link(object_path("publisher", r["id"])))]
    return _referenced(_, "publisher", r, subjects[verb].format(organization=org), lines)


def compose_comment(lang: str, comment: dict[str, Any], title: str, path: str) -> tuple[str, str]:
    _ = translations(lang).gettext
    subject = _("New comment: {title}").format(title=title)
    lines = [
        _("{user} wrote:").format(user=comment.get("author_display_name") or ""),
        "",
        comment["text"],
        "",
        _("Answer here: {link}").format(link=link(path)),
    ]
    return _referenced(_, comment["object_type"], {"id": comment["object_id"]}, subject, lines)


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


def _site(_: Any) -> str:
    return (config.site_title() or _("the data portal")).strip()


def compose_activation(lang: str, user_name: str, activation_link: str, days: int) -> tuple[str, str]:
    """The link that activates an account registered from the web form."""
    _ = translations(lang).gettext
    site = _site(_)
    subject = _("Activate your account on {site}").format(site=site)
    lines = [
        _("Someone registered the user name {name} with this e-mail address on {site}. The account is made "
          "when you follow the link below and type the password chosen when registering.").format(
            name=user_name, site=site),
        "",
        _("Make the account here (the link is valid for {days} days):").format(days=days),
        activation_link,
        "",
        _("If you did not register, you can ignore this mail: no account is made."),
    ]
    return subject, "\n".join(lines)


def compose_address_registered(lang: str, user_name: str) -> tuple[str, str]:
    """To the owner of an address someone registered with again: nothing was made."""
    _ = translations(lang).gettext
    site = _site(_)
    subject = _("Your account on {site}").format(site=site)
    lines = [
        _("Someone asked to register a new account with this e-mail address on {site}. The address already "
          "belongs to your account {name}, so no new account was made.").format(site=site, name=user_name),
        "",
        _("Log in: {link}").format(link=link("/user/login")),
        _("Forgot your password? Choose a new one: {link}").format(link=link("/user/reset")),
        "",
        _("If it was not you, you can ignore this mail."),
    ]
    return subject, "\n".join(lines)
