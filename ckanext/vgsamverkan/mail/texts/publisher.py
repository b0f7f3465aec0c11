"""The mail texts of the requests for publishing rights, in the recipient's language."""
from __future__ import annotations

from typing import Any

from ckanext.vgsamverkan import labels
from ckanext.vgsamverkan.mail.texts._base import _asked_by, _referenced, link, object_path
from ckanext.vgsamverkan.translation import translations


def receipt(_: Any, d: dict[str, Any], verb: str) -> tuple[str, str, str, list[str]]:
    """The receipt's words (``compose_receipt``): its subject, what was received, what
    happens next, and any more lines; with {organization}, {user}, {role}, {price}
    and {area} still to fill in."""
    subject = _("Received: your request for publishing rights, {organization}")
    sent = _("We have received the request for publishing rights for {user} in {organization} as {role}.")
    nxt = _("The regional coordinator decides on the request; you get an e-mail when it is decided. Until "
            "then, what {user} may do does not change.")
    more = [_("It renews or changes the current rights, which stay as they are until it is decided.")] \
        if d.get("replaces_id") else []
    return subject, sent, nxt, more


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
