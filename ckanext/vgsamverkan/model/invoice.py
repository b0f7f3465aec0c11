"""E-invoices (issue 37): the invoices and credit notes issued when a fee month is closed,
each with its Peppol BIS Billing 3.0 document as issued; the one gapless series of their
numbers; and the legal names of organisationsnummer that several customers share.

An invoice row is written once, at the close, and never deleted; only its state changes
(``issued`` → ``sent``): the database refuses anything else (migration b3e9d5a1c7f2)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, Column, Date, DateTime, Index, Integer, LargeBinary, UnicodeText

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import money

from .base import iso, make_id, person, user_by_id, utcnow

SERIES = "invoice"


class InvoiceSeries(tk.BaseModel):
    """The last number given of a series (one row, ``invoice``), locked while a close
    gives numbers: the series has no gaps, as its numbers are given in the close's
    transaction."""

    __tablename__ = "vgsamverkan_invoice_series"

    name = Column(UnicodeText, primary_key=True)
    last = Column(Integer, nullable=False)

    __table_args__ = (CheckConstraint("last >= 0", name="vgsamverkan_invoice_series_last_check"),)


class LegalName(tk.BaseModel):
    """The legal name of an organisationsnummer (ten digits, as ``orgnumber.digits``) that
    the coordinator recorded: the buyer's name on invoices and the name of the catalogue's
    publisher of that number."""

    __tablename__ = "vgsamverkan_legal_name"

    org_number = Column(UnicodeText, primary_key=True)
    legal_name = Column(UnicodeText, nullable=False)
    modified_by = Column(UnicodeText, nullable=True)
    modified = Column(DateTime(timezone=True), nullable=False, default=utcnow)


class Invoice(tk.BaseModel):
    """An invoice (a statement with a positive total) or a credit note (a negative one).
    Amounts are the statement's, with its sign (a credit note's are negative here; its
    document states them as positive, as UBL's credit note does)."""

    __tablename__ = "vgsamverkan_invoice"

    id = Column(UnicodeText, primary_key=True, default=make_id)
    number = Column(UnicodeText, nullable=False, unique=True)
    sequence = Column(Integer, nullable=False, unique=True)
    type = Column(UnicodeText, nullable=False)
    month = Column(UnicodeText, nullable=False)
    statement_id = Column(UnicodeText, nullable=False)
    organization_id = Column(UnicodeText, nullable=False)
    customer_number = Column(Integer, nullable=True)
    buyer_name = Column(UnicodeText, nullable=False)
    buyer_reference = Column(UnicodeText, nullable=True)
    issue_date = Column(Date, nullable=False)
    due_date = Column(Date, nullable=True)
    net_ore = Column(BigInteger, nullable=False)
    vat_ore = Column(BigInteger, nullable=False)
    total_ore = Column(BigInteger, nullable=False)
    corrects = Column(UnicodeText, nullable=True)
    state = Column(UnicodeText, nullable=False, default="issued")
    sent_at = Column(DateTime(timezone=True), nullable=True)
    sent_by = Column(UnicodeText, nullable=True)
    filename = Column(UnicodeText, nullable=False)
    content = Column(LargeBinary, nullable=False)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    modified = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("type IN ('invoice','credit_note')", name="vgsamverkan_invoice_type_check"),
        CheckConstraint("state IN ('issued','sent')", name="vgsamverkan_invoice_state_check"),
        Index("vgsamverkan_invoice_month_idx", "month", "sequence"),
        Index("vgsamverkan_invoice_org_idx", "organization_id", "month"),
    )

    def dictize(self, *, with_document: bool = False) -> dict[str, Any]:
        org = model.Session.get(model.Group, self.organization_id)  # the identity map, as organization_name
        sender = user_by_id(self.sent_by) if self.sent_by else None
        data: dict[str, Any] = {
            "id": self.id,
            "number": self.number,
            "type": self.type,
            "state": self.state,
            "month": self.month,
            "statement_id": self.statement_id,
            "organization_id": self.organization_id,
            "organization_name": org.name if org is not None else None,
            "organization_title": (org.title or org.name) if org is not None else None,
            "customer_number": self.customer_number,
            "buyer_name": self.buyer_name,
            "buyer_reference": self.buyer_reference,
            "issue_date": iso(self.issue_date),
            "due_date": iso(self.due_date),
            "net": money.to_text(self.net_ore),
            "vat": money.to_text(self.vat_ore),
            "total": money.to_text(self.total_ore),
            "corrects": self.corrects,
            "sent_at": iso(self.sent_at),
            "sent_by": sender.name if sender else None,
            "sent_by_display_name": person(sender),
            "filename": self.filename,
            "created": iso(self.created),
            "modified": iso(self.modified),
        }
        if with_document:
            data["document"] = bytes(self.content).decode("utf-8")
        return data
