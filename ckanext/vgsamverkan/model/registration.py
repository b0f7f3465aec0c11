"""A registration from the web form, waiting for its mailed link (issue 36; migration
c8d4f0a2e6b1): no account exists until the link is followed and the password chosen at
registration is typed again (logic/action/account.py)."""
from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, UnicodeText

import ckan.plugins.toolkit as tk

from .base import make_id, utcnow


class Registration(tk.BaseModel):
    __tablename__ = "vgsamverkan_registration"

    id = Column(UnicodeText, primary_key=True, default=make_id)
    key_digest = Column(UnicodeText, nullable=False)  # SHA-256 of the link's key
    name = Column(UnicodeText, nullable=False)
    fullname = Column(UnicodeText, nullable=True)
    email = Column(UnicodeText, nullable=False)
    password_hash = Column(UnicodeText, nullable=False)  # as CKAN's User keeps it (passlib)
    language = Column(UnicodeText, nullable=True)
    attempts = Column(Integer, nullable=False, default=0, server_default="0")  # wrong passwords
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (Index("vgsamverkan_registration_created_idx", "created"),)
