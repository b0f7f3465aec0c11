"""Comments on any request of the extension: the guidance thread ("vägledning")."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Column, DateTime, Index, UnicodeText

import ckan.plugins.toolkit as tk

from .base import make_id, organization_name, person, user_by_id, utcnow, written_once


class Comment(tk.BaseModel):
    __tablename__ = "vgsamverkan_comment"

    id = Column(UnicodeText, primary_key=True, default=make_id)
    object_type = Column(UnicodeText, nullable=False)
    object_id = Column(UnicodeText, nullable=False)
    organization_id = Column(UnicodeText, nullable=True)
    author_id = Column(UnicodeText, nullable=False)
    text = Column(UnicodeText, nullable=False)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow)

    __table_args__ = (
        Index("vgsamverkan_comment_object_idx", "object_type", "object_id", "created"),
    )

    def dictize(self) -> dict[str, Any]:
        author = user_by_id(self.author_id)
        return {
            "id": self.id,
            "object_type": self.object_type,
            "object_id": self.object_id,
            "organization_id": self.organization_id,
            "organization_name": organization_name(self.organization_id),
            "author_id": self.author_id,
            "author_name": author.name if author else None,
            "author_display_name": person(author),
            "text": self.text,
            **written_once(self.created),
        }
