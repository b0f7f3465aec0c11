"""An application to take part in the regional collaboration (ansökan om deltagande)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, Column, Date, DateTime, Index, Integer, UnicodeText, text

import ckan.model as model
import ckan.plugins.toolkit as tk

from .base import iso, make_id, organization_by_id, person, user_by_id, utcnow
from .invoice import LegalName


class Participation(tk.BaseModel):
    __tablename__ = "vgsamverkan_participation"

    id = Column(UnicodeText, primary_key=True, default=make_id)
    state = Column(UnicodeText, nullable=False, default="pending")
    # The CKAN organisation: set at application for an existing one, at approval for a new one.
    organization_id = Column(UnicodeText, nullable=True)
    organization_name = Column(UnicodeText, nullable=False)
    organization_title = Column(UnicodeText, nullable=False)
    org_type = Column(UnicodeText, nullable=False)
    municipality_code = Column(UnicodeText, nullable=True)
    org_number = Column(UnicodeText, nullable=False)
    contact_name = Column(UnicodeText, nullable=False)
    contact_email = Column(UnicodeText, nullable=False)
    contact_phone = Column(UnicodeText, nullable=True)
    invoice_reference = Column(UnicodeText, nullable=True)
    # the customer (issue 37): its number, given once (a sequence, migration b3e9d5a1c7f2),
    # its postal address and Peppol endpoint (``scheme:id``; None: 0007 and the
    # organisationsnummer, followed when that changes)
    customer_number = Column(Integer, nullable=False,
                             server_default=text("nextval('vgsamverkan_customer_number_seq')"))
    address_street = Column(UnicodeText, nullable=True)
    address_postcode = Column(UnicodeText, nullable=True)
    address_city = Column(UnicodeText, nullable=True)
    peppol_endpoint = Column(UnicodeText, nullable=True)
    motivation = Column(UnicodeText, nullable=True)
    applicant_id = Column(UnicodeText, nullable=False)
    language = Column(UnicodeText, nullable=False, default="sv")
    decided_by = Column(UnicodeText, nullable=True)
    decided_at = Column(DateTime(timezone=True), nullable=True)
    decision_comment = Column(UnicodeText, nullable=True)
    reason = Column(UnicodeText, nullable=True)
    effective_from = Column(Date, nullable=True)
    effective_to = Column(Date, nullable=True)
    # when the dates took effect (domain/taking_part.py): the first day reached, and the
    # end (the day after the last day) reached with the publishing rights ended; the
    # daily job acts where these are still empty (migration b8e4c2a6f9d3)
    began_at = Column(DateTime(timezone=True), nullable=True)
    ended_at = Column(DateTime(timezone=True), nullable=True)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    modified = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        CheckConstraint(
            "state IN ('pending','approved','rejected','withdrawn','terminated')",
            name="vgsamverkan_participation_state_check",
        ),
        CheckConstraint(
            "org_type IN ('kommun','kommunalt_bolag','regional_forvaltning')",
            name="vgsamverkan_participation_org_type_check",
        ),
        # At most one pending or approved participation per organisation …
        Index(
            "vgsamverkan_participation_one_active_org",
            "organization_id",
            unique=True,
            postgresql_where=text(
                "state IN ('pending','approved') AND organization_id IS NOT NULL"
            ),
        ),
        # … per new organisation name still waiting to be created …
        Index(
            "vgsamverkan_participation_one_active_new_name",
            "organization_name",
            unique=True,
            postgresql_where=text("state = 'pending' AND organization_id IS NULL"),
        ),
        # … and per municipality for kommuner.
        Index(
            "vgsamverkan_participation_one_active_kommun",
            "municipality_code",
            unique=True,
            postgresql_where=text("state IN ('pending','approved') AND org_type = 'kommun'"),
        ),
        Index("vgsamverkan_participation_state_idx", "state", "created"),
        Index("vgsamverkan_participation_customer_number", "customer_number", unique=True),
    )

    @staticmethod
    def legal_names(rows: list["Participation"]) -> dict[str, str]:
        """The legal names recorded for the organisationsnummer of ``rows``, in one query
        (for lists: a number without one was a query a row, issue 39), by digits."""
        numbers = {_digits(r.org_number) for r in rows} - {""}
        if not numbers:
            return {}
        return dict(model.Session.query(LegalName.org_number, LegalName.legal_name)
                    .filter(LegalName.org_number.in_(numbers)))

    def dictize(self, *, with_contact: bool = True, legal_names: dict[str, str] | None = None) -> dict[str, Any]:
        """The application as the API gives it; ``legal_names``: those of a list's page,
        read at once (``legal_names``)."""
        org = organization_by_id(self.organization_id)
        applicant = user_by_id(self.applicant_id)
        decider = user_by_id(self.decided_by) if self.decided_by else None
        data = {
            "id": self.id,
            "state": self.state,
            "organization_id": self.organization_id,
            "organization_name": org.name if org else self.organization_name,
            "organization_title": org.title if org else self.organization_title,
            "org_type": self.org_type,
            "municipality_code": self.municipality_code,
            "org_number": self.org_number,
            "applicant_id": self.applicant_id,
            "applicant_name": applicant.name if applicant else None,
            "applicant_display_name": person(applicant),
            "language": self.language,
            "decided_by": decider.name if decider else None,
            "decided_by_display_name": person(decider),
            "decided_at": iso(self.decided_at),
            "decision_comment": self.decision_comment,
            "reason": self.reason,
            "effective_from": iso(self.effective_from),
            "effective_to": iso(self.effective_to),
            "began_at": iso(self.began_at),
            "ended_at": iso(self.ended_at),
            "created": iso(self.created),
            "modified": iso(self.modified),
        }
        if with_contact:
            digits = _digits(self.org_number)
            if legal_names is None:
                legal = model.Session.get(LegalName, digits) if digits else None
                legal_name = legal.legal_name if legal is not None else None
            else:
                legal_name = legal_names.get(digits)
            data.update(
                contact_name=self.contact_name,
                contact_email=self.contact_email,
                contact_phone=self.contact_phone,
                invoice_reference=self.invoice_reference,
                motivation=self.motivation,
                # the customer (issue 37): the endpoint as invoices use it (given, else
                # 0007 and the organisationsnummer); the legal name recorded for the number
                customer_number=self.customer_number,
                address_street=self.address_street,
                address_postcode=self.address_postcode,
                address_city=self.address_city,
                peppol_endpoint=self.peppol_endpoint or (f"0007:{digits}" if digits else None),
                peppol_endpoint_given=self.peppol_endpoint is not None,
                legal_name=legal_name,
            )
        return data


def _digits(org_number: str | None) -> str:
    return "".join(ch for ch in org_number or "" if ch.isascii() and ch.isdigit())
