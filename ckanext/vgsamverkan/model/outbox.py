"""The mail outbox (see mail/outbox.py): a notification is a row before it is a job."""
from __future__ import annotations

from typing import Any

from sqlalchemy import CheckConstraint, Column, DateTime, Index, Integer, UnicodeText, text

import ckan.plugins.toolkit as tk

from .base import iso, make_id, utcnow


class Outbox(tk.BaseModel):
    __tablename__ = "vgsamverkan_outbox"

    id = Column(UnicodeText, primary_key=True, default=make_id)
    # waiting (not sent yet: queued or not), sent, failed (given up after the retries)
    state = Column(UnicodeText, nullable=False, default="waiting")
    recipient_name = Column(UnicodeText, nullable=False)
    recipient_email = Column(UnicodeText, nullable=False)
    subject = Column(UnicodeText, nullable=False)
    body = Column(UnicodeText, nullable=False)
    attempts = Column(Integer, nullable=False, default=0)
    last_error = Column(UnicodeText, nullable=True)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    queued_at = Column(DateTime(timezone=True), nullable=True)
    sent_at = Column(DateTime(timezone=True), nullable=True)

    __table_args__ = (
        CheckConstraint("state IN ('waiting', 'sent', 'failed')", name="vgsamverkan_outbox_state"),
        Index("vgsamverkan_outbox_waiting_idx", "created", postgresql_where=text("state = 'waiting'")),
    )

    def dictize(self) -> dict[str, Any]:
        return {"id": self.id, "state": self.state, "recipient_email": self.recipient_email,
                "subject": self.subject, "attempts": self.attempts, "last_error": self.last_error,
                "created": iso(self.created), "queued_at": iso(self.queued_at), "sent_at": iso(self.sent_at)}
