"""Fee accounting: schedules, months (open or closed), statements with their lines, and
adjustments. Money in whole öre. A closed month's rows cannot be inserted, changed or
deleted by any path: triggers in the database refuse it (migration f2b6d8a4c1e9)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    Numeric,
    UnicodeText,
    func,
)
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.dialects.postgresql import JSONB

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import money

from .base import iso, make_id, organization_name, person, user_by_id, utcnow, written_once

KINDS = ("access", "regional", "connection", "expert", "adjustment")


class FeeSchedule(tk.BaseModel):
    """The platform's monthly cost to share, valid from a month. Rows are only added: a
    new schedule for the same month supersedes the earlier one (the newest applies)."""

    __tablename__ = "vgsamverkan_fee_schedule"

    id = Column(UnicodeText, primary_key=True, default=make_id)
    valid_from = Column(Date, nullable=False)  # the first day of a month
    total_ore = Column(BigInteger, nullable=False)
    base_percent = Column(Numeric(5, 2), nullable=False, default=0)
    regional_fixed_ore = Column(BigInteger, nullable=False, default=0)
    author_id = Column(UnicodeText, nullable=True)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("total_ore >= 0 AND regional_fixed_ore >= 0 AND base_percent >= 0 "
                        "AND base_percent <= 100 AND extract(day from valid_from) = 1",
                        name="vgsamverkan_fee_schedule_check"),
        Index("vgsamverkan_fee_schedule_valid_idx", "valid_from", "created"),
    )

    def dictize(self, *, superseded: bool = False) -> dict[str, Any]:
        """``state``: ``active``, or ``superseded`` when a later schedule for the same
        month was set (the list knows: ``fee_schedule_list``)."""
        author = user_by_id(self.author_id) if self.author_id else None
        return {
            "id": self.id,
            "state": "superseded" if superseded else "active",
            "superseded": superseded,
            "valid_from": self.valid_from.strftime("%Y-%m"),
            "total": money.to_text(self.total_ore),
            "base_percent": str(Decimal(self.base_percent).quantize(Decimal("0.01"))),
            "regional_fixed": money.to_text(self.regional_fixed_ore),
            "author_name": author.name if author else None,
            "author_display_name": person(author),
            "created": iso(self.created),
            "modified": iso(self.created),
        }


class FeeMonth(tk.BaseModel):
    """A month of fees: ``open`` (run and re-run) or ``closed`` (frozen for ever)."""

    __tablename__ = "vgsamverkan_fee_month"

    month = Column(UnicodeText, primary_key=True)  # YYYY-MM
    state = Column(UnicodeText, nullable=False, default="open")
    schedule_id = Column(UnicodeText, nullable=True)
    population_year = Column(Integer, nullable=True)
    vat_rate = Column(Numeric(5, 2), nullable=True)
    note = Column(UnicodeText, nullable=True)
    run_by = Column(UnicodeText, nullable=True)
    run_at = Column(DateTime(timezone=True), nullable=True)
    closed_by = Column(UnicodeText, nullable=True)
    closed_at = Column(DateTime(timezone=True), nullable=True)
    # when the month was first run, and last run or closed (migration d5f1b7c3e9a6)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow, server_default=func.now())
    modified = Column(DateTime(timezone=True), nullable=False, default=utcnow, server_default=func.now())

    __table_args__ = (
        CheckConstraint("state IN ('open','closed')", name="vgsamverkan_fee_month_state_check"),
        CheckConstraint("month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'", name="vgsamverkan_fee_month_month_check"),
    )

    def dictize(self) -> dict[str, Any]:
        run_by = user_by_id(self.run_by) if self.run_by else None
        closed_by = user_by_id(self.closed_by) if self.closed_by else None
        return {
            "id": self.month,  # a month is named by itself: YYYY-MM
            "month": self.month,
            "state": self.state,
            "created": iso(self.created),
            "modified": iso(self.modified),
            "schedule_id": self.schedule_id,
            "population_year": self.population_year,
            "vat_rate": str(self.vat_rate) if self.vat_rate is not None else None,
            "note": self.note,
            "run_by": run_by.name if run_by else None,
            "run_by_display_name": person(run_by),
            "run_at": iso(self.run_at),
            "closed_by": closed_by.name if closed_by else None,
            "closed_by_display_name": person(closed_by),
            "closed_at": iso(self.closed_at),
        }


class FeeStatement(tk.BaseModel):
    """One organisation's statement of a month (the invoice basis)."""

    __tablename__ = "vgsamverkan_fee_statement"

    id = Column(UnicodeText, primary_key=True)
    month = Column(UnicodeText, nullable=False)
    organization_id = Column(UnicodeText, nullable=False)
    organization_name = Column(UnicodeText, nullable=False)
    organization_title = Column(UnicodeText, nullable=False)
    org_type = Column(UnicodeText, nullable=True)
    org_number = Column(UnicodeText, nullable=True)
    invoice_reference = Column(UnicodeText, nullable=True)
    customer_number = Column(Integer, nullable=True)  # the customer (issue 37); none before
    population_year = Column(Integer, nullable=True)
    net_ore = Column(BigInteger, nullable=False)
    vat_rate = Column(Numeric(5, 2), nullable=False)
    vat_ore = Column(BigInteger, nullable=False)
    total_ore = Column(BigInteger, nullable=False)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        Index("vgsamverkan_fee_statement_month_org", "month", "organization_id", unique=True),
        Index("vgsamverkan_fee_statement_org_idx", "organization_id", "month"),
    )

    def lines(self) -> list["FeeLine"]:
        return (model.Session.query(FeeLine).filter(FeeLine.statement_id == self.id)
                .order_by(FeeLine.position).all())

    def dictize(self, *, lines: list["FeeLine"] | None = None, state: str = "open") -> dict[str, Any]:
        """``state``: the month's (``open``: a run may replace the statement; ``closed``:
        final); a statement is written whole by a run and never changed."""
        lines = self.lines() if lines is None else lines
        return {
            "id": self.id,
            "state": state,
            "month": self.month,
            "organization_id": self.organization_id,
            "organization_name": self.organization_name,
            "organization_title": self.organization_title,
            "org_type": self.org_type,
            "org_number": self.org_number,
            "invoice_reference": self.invoice_reference,
            # not loaded where the migration a3d7f1c9e5b2 reads statements on its day's schema
            "customer_number": None if "customer_number" in sa_inspect(self).unloaded else self.customer_number,
            "population_year": self.population_year,
            # a line is written with its statement: its created is the statement's
            "lines": [dict(line.dictize(), created=iso(self.created)) for line in lines],
            "net": money.to_text(self.net_ore),
            "vat_rate": str(Decimal(self.vat_rate).quantize(Decimal("0.01"))),
            "vat": money.to_text(self.vat_ore),
            "total": money.to_text(self.total_ore),
            "created": iso(self.created),
            "modified": iso(self.created),
        }


class FeeLine(tk.BaseModel):
    """A line of a statement, referring to its source (participation, connection,
    call-off, adjustment). ``text`` is written in Swedish when the month is run and kept
    (the export of a closed month never changes); ``details`` has the figures behind it."""

    __tablename__ = "vgsamverkan_fee_line"

    id = Column(UnicodeText, primary_key=True)
    statement_id = Column(UnicodeText, ForeignKey("vgsamverkan_fee_statement.id"), nullable=False)
    month = Column(UnicodeText, nullable=False)
    organization_id = Column(UnicodeText, nullable=False)
    position = Column(Integer, nullable=False)
    kind = Column(UnicodeText, nullable=False)
    text = Column(UnicodeText, nullable=False)
    quantity = Column(Numeric(14, 6), nullable=True)
    unit = Column(UnicodeText, nullable=True)
    unit_price_ore = Column(Numeric(20, 6), nullable=True)
    amount_ore = Column(BigInteger, nullable=False)
    reference_type = Column(UnicodeText, nullable=True)
    reference_id = Column(UnicodeText, nullable=True)
    details = Column(JSONB, nullable=True)

    __table_args__ = (
        CheckConstraint("kind IN ('access','regional','connection','expert','adjustment')",
                        name="vgsamverkan_fee_line_kind_check"),
        Index("vgsamverkan_fee_line_statement_idx", "statement_id", "position"),
        Index("vgsamverkan_fee_line_month_idx", "month"),
    )

    def dictize(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "position": self.position,
            "kind": self.kind,
            "text": self.text,
            "quantity": plain_number(self.quantity),
            "unit": self.unit,
            "unit_price": unit_price(self.unit_price_ore),
            "amount": money.to_text(self.amount_ore),
            "reference": {"type": self.reference_type, "id": self.reference_id} if self.reference_id else None,
            "details": self.details or {},
        }


class FeeAdjustment(tk.BaseModel):
    """A credit (negative) or debit line with a reason, for an organisation in an open
    month. Rows are only added."""

    __tablename__ = "vgsamverkan_fee_adjustment"

    id = Column(UnicodeText, primary_key=True, default=make_id)
    month = Column(UnicodeText, nullable=False)
    organization_id = Column(UnicodeText, nullable=False)
    amount_ore = Column(BigInteger, nullable=False)
    reason = Column(UnicodeText, nullable=False)
    # the month it corrects (earlier than ``month``; migration c2f7a9e4b1d8: none before)
    corrects = Column(UnicodeText, nullable=True)
    author_id = Column(UnicodeText, nullable=True)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("amount_ore <> 0", name="vgsamverkan_fee_adjustment_amount_check"),
        Index("vgsamverkan_fee_adjustment_month_idx", "month", "organization_id"),
    )

    def dictize(self) -> dict[str, Any]:
        author = user_by_id(self.author_id) if self.author_id else None
        return {"id": self.id, "month": self.month, "organization_id": self.organization_id,
                "organization_name": organization_name(self.organization_id),
                "amount": money.to_text(self.amount_ore), "reason": self.reason, "corrects": self.corrects,
                "author_name": author.name if author else None,
                "author_display_name": person(author), **written_once(self.created)}


def plain_number(value: Any) -> str | None:
    """A quantity without trailing zeros (``"31"``, ``"2.25"``)."""
    return None if value is None else format(Decimal(value).normalize(), "f")


def unit_price(ore: Any) -> str | None:
    """A unit price in SEK with two decimals, or more where the exact price needs them."""
    if ore is None:
        return None
    value = Decimal(ore) / 100
    quantized = value.quantize(Decimal("0.01"))
    return str(quantized) if quantized == value else format(value.normalize(), "f")


class FeeFile(tk.BaseModel):
    """An export file of a closed month, kept as it was made at the close (migration
    f6a2c8e4b7d1): the same bytes for ever, whatever the configuration says later. Rows
    are only inserted, for closed months; the database refuses any change or removal."""

    __tablename__ = "vgsamverkan_fee_file"

    month = Column(UnicodeText, primary_key=True)
    format = Column(UnicodeText, primary_key=True)
    filename = Column(UnicodeText, nullable=False)
    content_type = Column(UnicodeText, nullable=False)
    encoding = Column(UnicodeText, nullable=False)
    content = Column(LargeBinary, nullable=False)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    def file(self) -> tuple[bytes, str, str, str]:
        """(bytes, file name, content type, encoding), as an export returns it."""
        return bytes(self.content), self.filename, self.content_type, self.encoding

