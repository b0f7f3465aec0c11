"""The append-only event log shared by every workflow of the extension."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, Index, UnicodeText
from sqlalchemy.dialects.postgresql import JSONB

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import portal

from .base import make_id, organization_name, person, user_by_id, utcnow, written_once


class Event(tk.BaseModel):
    """One change of state (or other recorded act) of one object.

    Rows are only ever inserted: nothing in the extension updates or deletes them.
    """

    __tablename__ = "vgsamverkan_event"

    id = Column(UnicodeText, primary_key=True, default=make_id)
    object_type = Column(UnicodeText, nullable=False)
    object_id = Column(UnicodeText, nullable=False)
    organization_id = Column(UnicodeText, nullable=True)
    actor_id = Column(UnicodeText, nullable=True)
    action = Column(UnicodeText, nullable=False)
    from_state = Column(UnicodeText, nullable=True)
    to_state = Column(UnicodeText, nullable=True)
    comment = Column(UnicodeText, nullable=True)
    # the facts of the act (a quote's price…), said in words in the reader's language
    details = Column(JSONB, nullable=True)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        Index("vgsamverkan_event_object_idx", "object_type", "object_id", "created"),
        Index("vgsamverkan_event_org_idx", "organization_id", "created"),
    )

    @classmethod
    def record(
        cls,
        object_type: str,
        object_id: str,
        action: str,
        *,
        actor_id: str | None,
        organization_id: str | None,
        from_state: str | None = None,
        to_state: str | None = None,
        comment: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> "Event":
        """Add the event to the session (the caller commits). An act of the portal itself
        (the site user, while a command runs) says in its details which command acted."""
        acted = portal.stamp()
        if acted is not None and portal.is_site_user(user_by_id(actor_id)):
            details = {**(details or {}), **acted}
        event = cls(
            object_type=object_type,
            object_id=object_id,
            action=action,
            actor_id=actor_id,
            organization_id=organization_id,
            from_state=from_state,
            to_state=to_state,
            comment=comment or None,
            details=details or None,
            created=utcnow(),
        )
        model.Session.add(event)
        return event

    def dictize(self) -> dict[str, Any]:
        actor = user_by_id(self.actor_id) if self.actor_id else None
        return {
            "id": self.id,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "organization_id": self.organization_id,
            "organization_name": organization_name(self.organization_id),
            "action": self.action,
            "actor_id": self.actor_id,
            "actor_name": actor.name if actor else None,
            "actor_display_name": person(actor),
            "from_state": self.from_state,
            "to_state": self.to_state,
            "comment": self.comment,
            "details": self.details,
            **written_once(self.created),
        }
