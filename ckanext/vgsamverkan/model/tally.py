"""The list tallies (migration e4c7a1f9d3b5): how many requests each table holds per
organisation and state, kept on every write by statement triggers in the database; the
coordinator's lists read their ``count`` from them. Written by the triggers only.

The class has a metadata of its own, not CKAN's: CKAN's database reset deletes the rows
of every table in its metadata one by one, and a tally deleted before the rows it counts
would go negative when the triggers count their deletion."""
from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Column, UnicodeText
from sqlalchemy.orm import declarative_base

_Derived: Any = declarative_base()


class Tally(_Derived):
    __tablename__ = "vgsamverkan_tally"

    tbl = Column(UnicodeText, primary_key=True)
    organization_id = Column(UnicodeText, primary_key=True)  # '' for none
    state = Column(UnicodeText, primary_key=True)
    n = Column(BigInteger, nullable=False)
