"""A request for publishing rights in an organisation: the registry's entry and its
behaviour (issue 38)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

import sqlalchemy as sa

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import config, labels, workflow
from ckanext.vgsamverkan.domain import roles
from ckanext.vgsamverkan.domain.kind import Binding, Kind, Row, Step
from ckanext.vgsamverkan.model import PublisherRequest
from ckanext.vgsamverkan.model.base import person, user_by_id


def _summary(obj: Any) -> str:
    user = user_by_id(obj.user_id)  # from the identity map when the queue has loaded its users
    return f"{person(user) or obj.user_id}, {labels.role(obj.role)}"


def ending_soon(today: dt.date) -> Any:
    """The rights that end within the reminder period (``expiry_reminder_days``): approved,
    their last day from ``today`` to the period's end. The one definition the daily job's
    reminder and every page's banner read (expiry.py; ``vgsamverkan_rights_ending``)."""
    horizon = today + dt.timedelta(days=config.expiry_reminder_days())
    return sa.and_(PublisherRequest.state == "approved", PublisherRequest.expires >= today,
                   PublisherRequest.expires <= horizon)


def _reminded(d: dict[str, Any], lang: str, _: Any) -> str:
    return _("The rights expire on {date}").format(date=d.get("expires") or "")


def _theirs(user: Any, row: Mapping[str, Any]) -> bool:
    """The rights are the reader's own."""
    return row.get("user_id") == user.id


def _revoke(obj: Mapping[str, Any], form: Mapping[str, Any] | None) -> str:
    return tk._("You revoke the publishing rights of {user} in {organization}: the role they gave ends at "
                "once. This cannot be undone; new rights are applied for anew.").format(
        user=obj.get("user_display_name") or "", organization=obj.get("organization_title") or "")


# the history's sentences of its events' facts, in the reader's language (eventtext.py)
def _replaced(d: dict[str, Any], lang: str, _: Any) -> str:
    return _("Replaced by {reference}").format(reference="BEH-" + str(d.get("by") or "")[:8].upper())


# its states and the verbs that move it (the one table: actions, pages and tests read it)
WORKFLOW = workflow.Workflow(
    name="publisher",
    initial="pending",
    states=("pending", "approved", "rejected", "withdrawn", "revoked"),
    transitions={
        ("pending", "approve"): "approved",
        ("pending", "reject"): "rejected",
        ("pending", "withdraw"): "withdrawn",
        ("approved", "revoke"): "revoked",
        # the same end, reached by `ckan vgsamverkan expire` after the expiry date
        ("approved", "expire"): "revoked",
        # and when the organisation's participation ends (never given back on rejoining)
        ("approved", "end"): "revoked",
        # and when a renewal or a change of role that replaces them is approved (issue 21):
        # the membership goes on under the new request
        ("approved", "replace"): "revoked",
    },
)


KIND = Kind(
    "publisher", PublisherRequest, WORKFLOW, "vgsamverkan.publisher_read",
    "/samverkan/behorighet/{id}", waits=("pending",), open=("pending",),
    label=lambda: tk._("Publishing rights"), bulk=True, prefix="BEH",
    template="vgsamverkan/publisher_read.html", template_name="r",
    summary=_summary,
    subject=lambda row: ", ".join(p for p in (row.get("user_display_name") or row.get("user_name") or "",
                                              labels.role(row.get("role") or "") if row.get("role") else "") if p),
    title=lambda obj: f"{obj.get('user_display_name') or ''}, {obj.get('organization_title') or ''}",
    steps={"pending": Step(lambda: tk._("The regional coordinator decides; you get an e-mail."),
                           yours=lambda: tk._("Decide on the request."), mover=roles.coordinates),
           "approved": Step(lambda: tk._("The user may publish for the organisation."),
                            yours=lambda: tk._("You may publish for the organisation."), mover=_theirs),
           "revoked": Step(lambda: tk._("The user can apply again."),
                           yours=lambda: tk._("You can apply again."), mover=_theirs)},
    row=Row("pending", "oldest_pending"),
    facts={"replace": _replaced, "remind": _reminded},
    verbs={
        "request": lambda: tk._("asked for publishing rights"),
        "approve": lambda: tk._("approved the request"),
        "reject": lambda: tk._("rejected the request"),
        "withdraw": lambda: tk._("withdrew the request"),
        "revoke": lambda: tk._("revoked the rights"),
        "expire": lambda: tk._("ended the rights at their expiry date"),
        "end": lambda: tk._("ended the rights with the organisation's participation"),
        "replace": lambda: tk._("replaced the rights by their renewal or change of role"),
        "remind": lambda: tk._("sent a reminder before the expiry date"),
    },
    binding={"revoke": Binding(_revoke, lambda: tk._("Yes, revoke the rights"))},
)
