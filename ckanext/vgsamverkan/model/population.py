"""Population (folkmängd on 31 December) per municipality code and year."""
from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Integer, UnicodeText

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

    def dictize(self) -> dict[str, Any]:
        return {
            "municipality_code": self.municipality_code,
            "year": self.year,
            "name": self.name,
            "population": self.population,
            "source": self.source,
            "modified": iso(self.modified),
        }
