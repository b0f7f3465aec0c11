"""An application to take part in the collaboration: the registry's entry and its
behaviour (issue 38)."""
from __future__ import annotations

from typing import Any, Mapping

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import workflow
from ckanext.vgsamverkan.domain import roles, taking_part
from ckanext.vgsamverkan.domain.kind import Binding, Kind, Row, Step
from ckanext.vgsamverkan.model import Event, Participation


def _terminate(obj: Mapping[str, Any], form: Mapping[str, Any] | None) -> str:
    org = obj.get("organization_title") or ""
    ends = tk._("After that day its publishers lose their rights and it pays no more fees. This cannot be "
                "undone: to take part again, it applies anew.")
    if not form:  # the dialog, before a date is typed
        return tk._("You end the participation of {organization} with the day you give as its last day "
                    "(today if none).").format(organization=org) + " " + ends
    return tk._("You end the participation of {organization} with {date} as its last day.").format(
        organization=org, date=form.get("effective_to") or taking_part.today().isoformat()) + " " + ends


def _approve(obj: Mapping[str, Any], form: Mapping[str, Any] | None) -> str:
    org = obj.get("organization_title") or ""
    created = "" if obj.get("organization_id") else tk._(
        "The organisation is created in the portal, with the applicant as its administrator. ")
    first = (form or {}).get("effective_from") or (tk._("the day you give (today if none)") if not form
                                                    else taking_part.today().isoformat())
    return tk._("You approve the application of {organization}: it takes part from {date}. ").format(
        organization=org, date=first) + created + tk._(
        "Its publishers may be authorised, and a municipality or regional administration pays its share of "
        "the monthly fee from that month. The applicant is told by e-mail. An approval is not withdrawn: "
        "the participation can only be terminated.")


def _scrub_updates(participation_id: str, fields: set[str]) -> None:
    """The old and new contact data in the history of a participation's updates (event
    ``update``) are anonymised with the participation: which field changed, and when,
    stays."""
    for event in (model.Session.query(Event)
                  .filter(Event.object_type == KIND.name, Event.object_id == participation_id,
                          Event.action == "update")):
        changes = [dict(c, old="", new="") if c.get("field") in fields else c
                   for c in (event.details or {}).get("changes") or []]
        event.details = dict(event.details or {}, changes=changes)


# the history's sentences of its events' facts, in the reader's language (eventtext.py)
def _updated(d: dict[str, Any], lang: str, _: Any) -> str:
    names = {"contact_name": _("Contact person"), "contact_email": _("E-mail"),
             "contact_phone": _("Telephone"), "invoice_reference": _("Invoice reference"),
             "org_number": _("Organisationsnummer"), "address_street": _("Street address"),
             "address_postcode": _("Postcode"), "address_city": _("City"),
             "peppol_endpoint": _("Peppol endpoint"), "legal_name": _("Legal name")}
    return "; ".join(
        _("{field}: {old} → {new}").format(field=names.get(c.get("field"), c.get("field")),
                                           old=c.get("old") or _("(none)"), new=c.get("new") or _("(none)"))
        for c in d.get("changes") or [])


def _began(d: dict[str, Any], lang: str, _: Any) -> str:
    return _("Takes part from {date}").format(date=d.get("date") or "")


def _ended(d: dict[str, Any], lang: str, _: Any) -> str:
    return _("Took part until {date}").format(date=d.get("date") or "")


# its states and the verbs that move it (the one table: actions, pages and tests read it)
WORKFLOW = workflow.Workflow(
    name="participation",
    initial="pending",
    states=("pending", "approved", "rejected", "withdrawn", "terminated"),
    transitions={
        ("pending", "approve"): "approved",
        ("pending", "reject"): "rejected",
        ("pending", "withdraw"): "withdrawn",
        ("approved", "terminate"): "terminated",
    },
)


KIND = Kind(
    "participation", Participation, WORKFLOW, "vgsamverkan.participation_read",
    "/samverkan/deltagande/{id}", waits=("pending",), open=("pending",),
    label=lambda: tk._("Application to take part"), bulk=True, prefix="DEL",
    template="vgsamverkan/participation_read.html", template_name="p",
    summary=lambda obj: obj.organization_title, own_facts=True,
    subject=lambda row: row.get("organization_title") or "",
    steps={"pending": Step(lambda: tk._("The regional coordinator decides; you get an e-mail."),
                           yours=lambda: tk._("Decide on the application."), mover=roles.coordinates),
           "approved": Step(lambda: tk._("The organisation takes part."),
                            yours=lambda: tk._("Your organisation takes part."),
                            mover=lambda user, row: roles.is_org_admin(user, row.get("organization_id")))},
    row=Row("pending", "oldest_pending"),
    facts={"update": _updated, "begin": _began, "end": _ended},
    verbs={
        "apply": lambda: tk._("applied"),
        "approve": lambda: tk._("approved the application"),
        "reject": lambda: tk._("rejected the application"),
        "withdraw": lambda: tk._("withdrew the application"),
        "terminate": lambda: tk._("terminated the participation"),
        "update": lambda: tk._("changed the organisation's data"),
        "begin": lambda: tk._("recorded its first day of participation"),
        "end": lambda: tk._("recorded the end of the participation, after its last day"),
        "import": lambda: tk._("imported"),
    },
    binding={"approve": Binding(_approve, lambda: tk._("Yes, approve the application")),
             "terminate": Binding(_terminate, lambda: tk._("Yes, end the participation"))},
    closed=("rejected", "withdrawn", "terminated"),
    personal={"contact_name": "", "contact_email": "", "contact_phone": None},
    anonymise_more=_scrub_updates,
)
