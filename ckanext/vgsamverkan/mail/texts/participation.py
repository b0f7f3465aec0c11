"""The mail texts of the applications to take part, in the recipient's language."""
from __future__ import annotations

from typing import Any

from ckanext.vgsamverkan import labels
from ckanext.vgsamverkan.mail.texts._base import _asked_by, _referenced, link, object_path, org_path
from ckanext.vgsamverkan.model.population import municipality_label
from ckanext.vgsamverkan.translation import translations


def receipt(_: Any, d: dict[str, Any], verb: str) -> tuple[str, str, str, list[str]]:
    """The receipt's words (``compose_receipt``): its subject, what was received, what
    happens next, and any more lines; with {organization}, {user}, {role}, {price}
    and {area} still to fill in."""
    subject = _("Received: your application to take part, {organization}")
    sent = _("We have received the application of {organization} to take part in the regional collaboration.")
    nxt = _("The regional coordinator reviews the application and approves or rejects it. You get an e-mail "
            "when it is decided.")
    return subject, sent, nxt, []


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
