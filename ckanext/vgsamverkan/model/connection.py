"""A request for a technical connection to the regional platform (anslutning), and the
quotes the coordinator issues for it. Money is kept in whole öre."""
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
    Integer,
    Numeric,
    UnicodeText,
)
from sqlalchemy.orm import synonym

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import money

from .base import iso, make_id, organization_by_id, organization_name, person, user_by_id, utcnow, written_once


class Connection(tk.BaseModel):
    __tablename__ = "vgsamverkan_connection"
    # only the organisation's admins and the coordinator are parties (not a former admin
    # who once asked)
    ADMINS_ONLY = True

    id = Column(UnicodeText, primary_key=True, default=make_id)
    state = Column(UnicodeText, nullable=False, default="submitted")
    organization_id = Column(UnicodeText, nullable=False)
    applicant_id = Column(UnicodeText, nullable=False)
    language = Column(UnicodeText, nullable=False, default="sv")
    # what the organisation asked for, kept as written
    information_sets = Column(UnicodeText, nullable=False)
    proposed_solution = Column(UnicodeText, nullable=True)
    technical_contact = Column(UnicodeText, nullable=False)
    description = Column(UnicodeText, nullable=True)
    # the coordinator's work
    investigator = Column(UnicodeText, nullable=True)
    current_quote_id = Column(UnicodeText, nullable=True)
    accepted_quote_id = Column(UnicodeText, nullable=True)
    accepted_by = Column(UnicodeText, nullable=True)
    accepted_at = Column(DateTime(timezone=True), nullable=True)
    # the charge: the accepted price, in the month of connected_date
    price_ore = Column(BigInteger, nullable=True)
    connected_date = Column(Date, nullable=True)
    harvest_url = Column(UnicodeText, nullable=True)
    disconnected_date = Column(Date, nullable=True)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    modified = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "state IN ('submitted','investigating','quoted','accepted','connected','declined',"
            "'cancelled','disconnected')",
            name="vgsamverkan_connection_state_check",
        ),
        CheckConstraint("price_ore IS NULL OR price_ore >= 0", name="vgsamverkan_connection_price_check"),
        Index("vgsamverkan_connection_org_idx", "organization_id", "state"),
        Index("vgsamverkan_connection_state_idx", "state", "created"),
    )

    @property
    def organization_title(self) -> str:
        org = organization_by_id(self.organization_id)
        return (org.title or org.name) if org else ""

    def dictize(self, *, quotes: list["ConnectionQuote"] | None = None) -> dict[str, Any]:
        """The request as the API gives it; ``quotes``: its quotes, when a list has read
        those of its page at once (``ConnectionQuote.of``)."""
        org = organization_by_id(self.organization_id)
        applicant = user_by_id(self.applicant_id)
        accepted_by = user_by_id(self.accepted_by) if self.accepted_by else None
        if quotes is None:
            quotes = ConnectionQuote.of([self.id])[self.id]
        current = next((q for q in quotes if q.id == self.current_quote_id), None)
        return {
            "id": self.id,
            "state": self.state,
            "organization_id": self.organization_id,
            "organization_name": org.name if org else None,
            "organization_title": (org.title or org.name) if org else None,
            "applicant_id": self.applicant_id,
            "applicant_name": applicant.name if applicant else None,
            "applicant_display_name": person(applicant),
            "language": self.language,
            "information_sets": self.information_sets,
            "proposed_solution": self.proposed_solution,
            "technical_contact": self.technical_contact,
            "description": self.description,
            "investigator": self.investigator,
            "quote": current.dictize() if current else None,
            "quotes": [q.dictize() for q in quotes],
            "accepted_by": accepted_by.name if accepted_by else None,
            "accepted_at": iso(self.accepted_at),
            "price": money.to_text(self.price_ore),
            "connected_date": iso(self.connected_date),
            "harvest_url": self.harvest_url,
            "disconnected_date": iso(self.disconnected_date),
            "created": iso(self.created),
            "modified": iso(self.modified),
        }


class ConnectionQuote(tk.BaseModel):
    """A quote for a connection. A new quote replaces the current one; none is deleted."""

    __tablename__ = "vgsamverkan_connection_quote"

    id = Column(UnicodeText, primary_key=True, default=make_id)
    connection_id = Column(UnicodeText, ForeignKey("vgsamverkan_connection.id"), nullable=False)
    number = Column(Integer, nullable=False)
    solution = Column(UnicodeText, nullable=False)
    effort_hours = Column(Numeric(8, 2), nullable=False)
    price_ore = Column(BigInteger, nullable=False)
    valid_until = Column(Date, nullable=False)
    author_id = Column(UnicodeText, nullable=True)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint("price_ore >= 0", name="vgsamverkan_connection_quote_price_check"),
        CheckConstraint("effort_hours > 0", name="vgsamverkan_connection_quote_hours_check"),
        Index("vgsamverkan_connection_quote_number", "connection_id", "number", unique=True),
    )

    @classmethod
    def of(cls, connection_ids: list[str]) -> dict[str, list["ConnectionQuote"]]:
        """The quotes of many connection requests in one query (for lists), by number."""
        result: dict[str, list[ConnectionQuote]] = {i: [] for i in connection_ids}
        if connection_ids:
            for row in (model.Session.query(cls).filter(cls.connection_id.in_(connection_ids))
                        .order_by(cls.connection_id, cls.number)):
                result[row.connection_id].append(row)
        return result

    def dictize(self) -> dict[str, Any]:
        author = user_by_id(self.author_id) if self.author_id else None
        return {
            "id": self.id,
            "number": self.number,
            "solution": self.solution,
            "effort_hours": money.hours_text(self.effort_hours),
            "price": money.to_text(self.price_ore),
            "valid_until": iso(self.valid_until),
            "author_name": author.name if author else None,
            "author_display_name": person(author),
            "created": iso(self.created),
        }


class DatasetExemption(tk.BaseModel):
    """A dataset the coordinator marked as not needing a connection (issue 21), with why;
    the marking and its removal are in the event log (object type ``dataset``)."""
    __tablename__ = "vgsamverkan_dataset_exemption"

    package_id = Column(UnicodeText, primary_key=True)
    id = synonym("package_id")  # the lists count and page by ``id``
    reason = Column(UnicodeText, nullable=False)
    author_id = Column(UnicodeText, nullable=True)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    def dictize(self) -> dict[str, Any]:
        author = user_by_id(self.author_id) if self.author_id else None
        package = model.Session.get(model.Package, self.package_id)
        return {
            "id": self.package_id,
            "package_id": self.package_id,
            "name": package.name if package else None,
            "title": package.title if package else None,
            "organization_id": package.owner_org if package else None,
            "organization_name": organization_name(package.owner_org) if package else None,
            "reason": self.reason,
            "author_name": author.name if author else None,
            "author_display_name": person(author),
            **written_once(self.created),
        }
