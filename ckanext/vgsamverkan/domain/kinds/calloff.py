"""A call-off of expert support: the registry's entry and its behaviour (issue 38)."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import formats, labels, money, workflow
from ckanext.vgsamverkan.domain import roles
from ckanext.vgsamverkan.domain.kind import Binding, Kind, Row, Step
from ckanext.vgsamverkan.model import Calloff, CalloffTime

RUNNING = ("assigned", "in_progress")  # the expert works


def _running() -> dict[str, Any]:
    """The dashboard's call-offs at work and the hours logged on them."""
    running = model.Session.query(sa.func.count(Calloff.id)).filter(Calloff.state.in_(RUNNING)).scalar()
    hours = (model.Session.query(sa.func.coalesce(sa.func.sum(CalloffTime.hours), 0))
             .join(Calloff, Calloff.id == CalloffTime.calloff_id)
             .filter(Calloff.state.in_(RUNNING))
             .scalar())
    return {"running": running, "running_hours": money.hours_text(hours)}


def _to_work_on(user: Any) -> Iterable[tuple[dict[str, Any], Any, str | None]]:
    """The call-offs ``user`` is the assigned expert of, still at work."""
    return [(c.dictize(with_time=False), c.modified,
             money.to_text(c.fixed_price_ore) if c.fixed_price_ore is not None else None)
            for c in (model.Session.query(Calloff)
                      .filter(Calloff.expert_user_id == user.id, Calloff.state.in_(RUNNING))
                      .order_by(Calloff.modified))]


def _subject(row: Mapping[str, Any]) -> str:
    """Its area, the beginning of what it is about and its period: an expert's three
    call-offs read alike ("Rapportera din tid på avropet") without it (issue 39)."""
    about = " ".join((row.get("description") or "").split())
    about = about if len(about) <= 50 else about[:49].rstrip() + "…"
    period = f"{row.get('period_start') or ''}–{row.get('period_end') or ''}" if row.get("period_start") else ""
    return ", ".join(p for p in (labels.competence_area(row.get("competence_area") or ""), about, period) if p)


def _deliver(obj: Mapping[str, Any], form: Mapping[str, Any] | None) -> str:
    org = obj.get("organization_title") or ""
    if obj.get("fixed_price"):
        return tk._("You mark the expert support for {organization} as delivered: the fixed price of {amount} "
                    "before VAT is charged. No more time can be logged. This cannot be undone.").format(
            organization=org, amount=formats.sek(obj["fixed_price"]))
    return tk._("You mark the expert support for {organization} as delivered, with {hours} hours logged "
                "({amount} before VAT). No more time can be logged. This cannot be undone.").format(
        organization=org, hours=formats.number(obj.get("logged_hours") or 0),
        amount=formats.sek(obj.get("amount") or 0))


def _fixed_price_done(row: Mapping[str, Any]) -> str | None:
    """A fixed price asks its expert for no time (issue 39): the coordinator records the
    delivery when told the work is done."""
    if row.get("price_kind") == "fixed":
        return tk._("Tell the coordinator when the work is done; the coordinator records the delivery.")
    return None


_WORKS = Step(lambda: tk._("The expert works on it."), yours=lambda: tk._("Log your time on the call-off."),
              mover=lambda user, row: bool(user) and row.get("expert_user_id") == user.id,
              yours_for=_fixed_price_done)

# the history's sentences of its events' facts, in the reader's language (eventtext.py)
def _assigned(d: dict[str, Any], lang: str, _: Any) -> str:
    if d.get("hourly_rate") is not None:
        price = _("{price} per hour").format(price=formats.sek(d["hourly_rate"], lang))
    else:
        price = _("fixed price {price}").format(price=formats.sek(d.get("fixed_price"), lang))
    return _("Expert: {name}; {price}; {hours} hours planned").format(
        name=d.get("expert", ""), price=price, hours=formats.number(d.get("planned_hours"), lang))


def _logged(d: dict[str, Any], lang: str, _: Any) -> str:
    return _("{hours} hours on {date}").format(hours=formats.number(d.get("hours"), lang), date=d.get("date", ""))


def _corrected(d: dict[str, Any], lang: str, _: Any) -> str:
    return _("The hours of {date} corrected from {before} to {after}").format(
        date=d.get("date", ""), before=formats.number(d.get("before"), lang),
        after=formats.number(d.get("after"), lang))


# its states and the verbs that move it (the one table: actions, pages and tests read it)
WORKFLOW = workflow.Workflow(
    name="calloff",
    initial="requested",
    states=("requested", "assigned", "in_progress", "delivered", "cancelled"),
    transitions={
        ("requested", "assign"): "assigned",
        # the first time logged starts the work; later logs keep it in progress
        ("assigned", "log_time"): "in_progress",
        ("in_progress", "log_time"): "in_progress",
        ("in_progress", "deliver"): "delivered",
        # a fixed-price call-off (a training day, say) is delivered without any time log
        # (the action refuses it for an hourly one: it has nothing to charge)
        ("assigned", "deliver"): "delivered",
        ("requested", "cancel"): "cancelled",
        ("assigned", "cancel"): "cancelled",
    },
)


KIND = Kind(
    "calloff", Calloff, WORKFLOW, "vgsamverkan.calloff_read",
    "/samverkan/avrop/{id}", waits=("requested",), open=("requested", "assigned", "in_progress"),
    label=lambda: tk._("Call-off"), prefix="AVR",
    template="vgsamverkan/calloff_read.html", template_name="calloff",
    summary=lambda obj: labels.competence_area(obj.competence_area),
    subject=_subject,
    steps={"requested": Step(lambda: tk._("The regional coordinator assigns an expert."),
                             yours=lambda: tk._("Assign an expert."), mover=roles.coordinates),
           "assigned": _WORKS, "in_progress": _WORKS},
    your_moves=_to_work_on,
    row=Row("requested", "oldest_requested", more=_running),
    facts={"assign": _assigned, "log_time": _logged, "correct_time": _corrected},
    verbs={
        "create": lambda: tk._("called off expert support"),
        "assign": lambda: tk._("assigned an expert"),
        "log_time": lambda: tk._("logged time"),
        "correct_time": lambda: tk._("corrected the time logged"),
        "deliver": lambda: tk._("marked it delivered"),
        "cancel": lambda: tk._("cancelled the call-off"),
    },
    binding={
        "deliver": Binding(_deliver, lambda: tk._("Yes, mark as delivered")),
        "cancel": Binding(lambda obj, form: tk._(
            "You cancel the call-off of expert support for {organization}. It is closed and cannot be "
            "reopened.").format(organization=obj.get("organization_title") or ""),
            lambda: tk._("Yes, cancel the call-off")),
    },
    closed=("delivered", "cancelled"),
    personal={"contact": None},
)
