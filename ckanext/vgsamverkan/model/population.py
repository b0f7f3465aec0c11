"""Population (folkmängd on 31 December) per municipality code and year."""
from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Integer, UnicodeText, func

import ckan.plugins.toolkit as tk

from .base import iso, utcnow


class Population(tk.BaseModel):
    __tablename__ = "vgsamverkan_population"

    municipality_code = Column(UnicodeText, primary_key=True)
    year = Column(Integer, primary_key=True)
    name = Column(UnicodeText, nullable=False)
    population = Column(BigInteger, nullable=False)
    source = Column(UnicodeText, nullable=True)
    modified = Column(DateTime(timezone=True), nullable=False, default=utcnow)
    # when the figure was first imported (migration d5f1b7c3e9a6)
    created = Column(DateTime(timezone=True), nullable=False, default=utcnow, server_default=func.now())

    def dictize(self) -> dict[str, Any]:
        """``id``: the municipality and the year (``1480-2024``), the figure's key; a
        figure is ``active`` (an import replaces its value, never removes it)."""
        return {
            "id": f"{self.municipality_code}-{self.year}",
            "state": "active",
            "created": iso(self.created),
            "municipality_code": self.municipality_code,
            "year": self.year,
            "name": self.name,
            "population": self.population,
            "source": self.source,
            "modified": iso(self.modified),
        }


def municipality_label(code: str | None, name: str | None = None) -> str:
    """How pages and mails name a municipality (issue 21): "Lerum (1441)", by the name of
    its newest figure (or ``name`` when given); the code alone when no figure names it."""
    if not code:
        return ""
    if name is None:
        import ckan.model as model  # noqa: PLC0415 (the session; tk.BaseModel above needs no model import)

        name = model.Session.query(Population.name).filter(Population.municipality_code == code) \
            .order_by(Population.year.desc()).limit(1).scalar()
    return f"{name} ({code})" if name else code
