"""A call-off of expert support from the regional coordination group (avrop av
stödresurser), and the time logged on it. Money is kept in whole öre, hours as exact
decimals; every time entry keeps its date, hours, rate and organisation, so that the fee
run can charge a month from the entries alone."""
from __future__ import annotations

from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Numeric,
    UnicodeText,
)

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import money

from .base import iso, make_id, organization_by_id, person, user_by_id, utcnow


def expert_key(expert_user_id: str | None, expert_name: str | None) -> str:
    """Who an expert is, for the rule of at most 24 hours a day: the CKAN user when
    there is one, else the name as written (case and spacing ignored)."""
    if expert_user_id:
        return f"user:{expert_user_id}"
    return "name:" + " ".join((expert_name or "").split()).casefold()


class Calloff(tk.BaseModel):
    __tablename__ = "vgsamverkan_calloff"
    # only the organisation's admins, the coordinator and the assigned expert are parties
    # (not a former admin who once asked)
    ADMINS_ONLY = True

    id = Column(UnicodeText, primary_key=True, default=make_id)
    state = Column(UnicodeText, nullable=False, default="requested")
    organization_id = Column(UnicodeText, nullable=False)
    applicant_id = Column(UnicodeText, nullable=False)
    language = Column(UnicodeText, nullable=False, default="sv")
    # what the organisation asked for, kept as written
    competence_area = Column(UnicodeText, nullable=False)
    description = Column(UnicodeText, nullable=False)
    estimated_hours = Column(Numeric(8, 2), nullable=False)
    period_start = Column(Date, nullable=False)
    period_end = Column(Date, nullable=False)
    contact = Column(UnicodeText, nullable=True)
    # the coordinator's assignment and price (an hourly rate or a fixed price)
    expert_name = Column(UnicodeText, nullable=True)
    expert_user_id = Column(UnicodeText, nullable=True)
    hourly_rate_ore = Column(BigInteger, nullable=True)
    fixed_price_ore = Column(BigInteger, nullable=True)
    planned_hours = Column(Numeric(8, 2), nullable=True)
    assigned_by = Column(UnicodeText, nullable=True)
    assigned_at = Column(DateTime(timezone=True), nullable=True)
    # a fixed price is charged in the month of delivered_date
    delivered_date = Column(Date, nullable=True)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    modified = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "state IN ('requested','assigned','in_progress','delivered','cancelled')",
            name="vgsamverkan_calloff_state_check",
        ),
        CheckConstraint("estimated_hours > 0", name="vgsamverkan_calloff_estimate_check"),
        CheckConstraint("period_end >= period_start", name="vgsamverkan_calloff_period_check"),
        CheckConstraint(
            "(hourly_rate_ore IS NULL OR fixed_price_ore IS NULL) AND "
            "(hourly_rate_ore IS NULL OR hourly_rate_ore >= 0) AND "
            "(fixed_price_ore IS NULL OR fixed_price_ore >= 0)",
            name="vgsamverkan_calloff_price_check",
        ),
        Index("vgsamverkan_calloff_org_idx", "organization_id", "state"),
        Index("vgsamverkan_calloff_state_idx", "state", "created"),
        Index("vgsamverkan_calloff_expert_idx", "expert_user_id"),
    )

    @property
    def organization_title(self) -> str:
        org = organization_by_id(self.organization_id)
        return (org.title or org.name) if org else ""

    def entries(self) -> list["CalloffTime"]:
        return (
            model.Session.query(CalloffTime)
            .filter(CalloffTime.calloff_id == self.id)
            .order_by(CalloffTime.date, CalloffTime.created, CalloffTime.id)
            .all()
        )

    @classmethod
    def entries_of(cls, calloff_ids: list[str]) -> dict[str, list["CalloffTime"]]:
        """The time entries of many call-offs in one query (for lists)."""
        result: dict[str, list[CalloffTime]] = {i: [] for i in calloff_ids}
        if calloff_ids:
            rows = (model.Session.query(CalloffTime).filter(CalloffTime.calloff_id.in_(calloff_ids))
                    .order_by(CalloffTime.date, CalloffTime.created, CalloffTime.id))
            for row in rows:
                result[row.calloff_id].append(row)
        return result

    def dictize(self, *, with_time: bool = True,
                entries: list["CalloffTime"] | None = None) -> dict[str, Any]:
        org = organization_by_id(self.organization_id)
        applicant = user_by_id(self.applicant_id)
        expert_user = user_by_id(self.expert_user_id) if self.expert_user_id else None
        entries = self.entries() if entries is None else entries
        result = {
            "id": self.id,
            "state": self.state,
            "organization_id": self.organization_id,
            "organization_name": org.name if org else None,
            "organization_title": (org.title or org.name) if org else None,
            "applicant_id": self.applicant_id,
            "applicant_name": applicant.name if applicant else None,
            "applicant_display_name": person(applicant),
            "language": self.language,
            "competence_area": self.competence_area,
            "description": self.description,
            "estimated_hours": money.hours_text(self.estimated_hours),
            "period_start": iso(self.period_start),
            "period_end": iso(self.period_end),
            "contact": self.contact,
            "expert_name": self.expert_name,
            "expert_user_id": self.expert_user_id,
            "expert_user_name": expert_user.name if expert_user else None,
            "expert_user_display_name": person(expert_user),
            "hourly_rate": money.to_text(self.hourly_rate_ore),
            "fixed_price": money.to_text(self.fixed_price_ore),
            "price_kind": ("hourly" if self.hourly_rate_ore is not None
                           else "fixed" if self.fixed_price_ore is not None else None),
            "planned_hours": money.hours_text(self.planned_hours),
            "assigned_at": iso(self.assigned_at),
            "delivered_date": iso(self.delivered_date),
            "created": iso(self.created),
            "modified": iso(self.modified),
        }
        if with_time:
            result["time_log"] = [e.dictize() for e in entries]
        return result


class CalloffTime(tk.BaseModel):
    """Time logged on a call-off: one date, the hours, a note. Rows are only inserted; the
    organisation, the expert and the hourly rate of the call-off are copied onto the row
    when it is logged."""

    __tablename__ = "vgsamverkan_calloff_time"

    id = Column(UnicodeText, primary_key=True, default=make_id)
    calloff_id = Column(UnicodeText, ForeignKey("vgsamverkan_calloff.id"), nullable=False)
    organization_id = Column(UnicodeText, nullable=False)
    date = Column(Date, nullable=False)
    hours = Column(Numeric(6, 2), nullable=False)
    note = Column(UnicodeText, nullable=True)
    expert_key = Column(UnicodeText, nullable=False)
    expert_name = Column(UnicodeText, nullable=False)
    hourly_rate_ore = Column(BigInteger, nullable=True)
    author_id = Column(UnicodeText, nullable=True)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # a correction (issue 20): the entry it corrects, its hours the change, and why
    corrects_id = Column(UnicodeText, ForeignKey("vgsamverkan_calloff_time.id"), nullable=True)
    reason = Column(UnicodeText, nullable=True)

    __table_args__ = (
        # in quarter hours, at most a day; a logged entry positive, a correction a change
        # (migration c2f7a9e4b1d8)
        CheckConstraint("hours <> 0 AND hours <= 24 AND hours >= -24 AND hours * 4 = trunc(hours * 4) "
                        "AND (hours > 0 OR corrects_id IS NOT NULL)",
                        name="vgsamverkan_calloff_time_hours_check"),
        Index("vgsamverkan_calloff_correct_times_idx", "corrects_id"),
        Index("vgsamverkan_calloff_time_calloff_idx", "calloff_id", "date"),
        Index("vgsamverkan_calloff_time_expert_idx", "expert_key", "date"),
        Index("vgsamverkan_calloff_time_org_idx", "organization_id", "date"),
    )

    def dictize(self) -> dict[str, Any]:
        author = user_by_id(self.author_id) if self.author_id else None
        return {
            "id": self.id,
            "calloff_id": self.calloff_id,
            "organization_id": self.organization_id,
            "date": iso(self.date),
            "hours": money.hours_text(self.hours),
            "note": self.note,
            "expert_name": self.expert_name,
            "hourly_rate": money.to_text(self.hourly_rate_ore),
            "author_name": author.name if author else None,
            "author_display_name": person(author),
            "created": iso(self.created),
            "corrects_id": self.corrects_id,
            "reason": self.reason,
        }
