"""A request for publishing rights (behörighet): a user asks for a role in a participant
organisation; the coordinator decides. The CKAN membership it leads to stays the one
source of truth of who may publish; this row is the request, the decision and its history."""
from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, Column, Date, DateTime, ForeignKey, Index, UnicodeText, text

import ckan.plugins.toolkit as tk

from .base import iso, make_id, organization_by_id, person, user_by_id, utcnow


class PublisherRequest(tk.BaseModel):
    __tablename__ = "vgsamverkan_publisher"

    id = Column(UnicodeText, primary_key=True, default=make_id)
    state = Column(UnicodeText, nullable=False, default="pending")
    organization_id = Column(UnicodeText, nullable=False)
    # who is to publish, and who asked (the same user, an admin of the organisation or
    # the coordinator asking for someone else)
    user_id = Column(UnicodeText, nullable=False)
    applicant_id = Column(UnicodeText, nullable=False)
    role = Column(UnicodeText, nullable=False)
    motivation = Column(UnicodeText, nullable=True)
    language = Column(UnicodeText, nullable=False, default="sv")
    decided_by = Column(UnicodeText, nullable=True)
    decided_at = Column(DateTime(timezone=True), nullable=True)
    decision_comment = Column(UnicodeText, nullable=True)
    reason = Column(UnicodeText, nullable=True)
    # the last day the authorisation is valid; revoked by `ckan vgsamverkan expire` after it
    expires = Column(Date, nullable=True)
    reminded_at = Column(DateTime(timezone=True), nullable=True)
    ended_at = Column(DateTime(timezone=True), nullable=True)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    modified = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # a renewal or a role change (issue 21): the approved rights this request replaces
    # when it is approved (they stay as they are until then)
    replaces_id = Column(UnicodeText, ForeignKey("vgsamverkan_publisher.id"), nullable=True)
    # the user's role in the organisation before the workflow granted one (or None): given
    # back when the rights end, so that only what the workflow granted is removed
    previous_role = Column(UnicodeText, nullable=True)

    __table_args__ = (
        CheckConstraint(
            "state IN ('pending','approved','rejected','withdrawn','revoked')",
            name="vgsamverkan_publisher_state_check",
        ),
        CheckConstraint("role IN ('editor','admin')", name="vgsamverkan_publisher_role_check"),
        # at most one pending and one approved request per user and organisation (a
        # pending one beside approved rights is their renewal or a change of role)
        Index("vgsamverkan_publisher_one_pending", "organization_id", "user_id", unique=True,
              postgresql_where=text("state = 'pending'")),
        Index("vgsamverkan_publisher_one_approved", "organization_id", "user_id", unique=True,
              postgresql_where=text("state = 'approved'")),
        Index("vgsamverkan_publisher_state_idx", "state", "created"),
        Index("vgsamverkan_publisher_user_idx", "user_id"),
        Index("vgsamverkan_publisher_expires_idx", "expires",
              postgresql_where=text("state = 'approved' AND expires IS NOT NULL")),
    )

    @property
    def organization_title(self) -> str:
        org = organization_by_id(self.organization_id)
        return (org.title or org.name) if org else ""

    def dictize(self) -> dict[str, Any]:
        org = organization_by_id(self.organization_id)
        user = user_by_id(self.user_id)
        applicant = user_by_id(self.applicant_id)
        decider = user_by_id(self.decided_by) if self.decided_by else None
        return {
            "id": self.id,
            "state": self.state,
            "organization_id": self.organization_id,
            "organization_name": org.name if org else None,
            "organization_title": (org.title or org.name) if org else None,
            "user_id": self.user_id,
            "user_name": user.name if user else None,
            "user_display_name": person(user),
            "applicant_id": self.applicant_id,
            "applicant_name": applicant.name if applicant else None,
            "applicant_display_name": person(applicant),
            "role": self.role,
            "motivation": self.motivation,
            "language": self.language,
            "decided_by": decider.name if decider else None,
            "decided_by_display_name": person(decider),
            "decided_at": iso(self.decided_at),
            "decision_comment": self.decision_comment,
            "reason": self.reason,
            "expires": iso(self.expires),
            "reminded_at": iso(self.reminded_at),
            "ended_at": iso(self.ended_at),
            "replaces_id": self.replaces_id,
            "previous_role": self.previous_role,
            "created": iso(self.created),
            "modified": iso(self.modified),
        }
