"""The search documents of the PostgreSQL search backend (plugin vgsamverkan_pgsearch):
one row per document CKAN indexes, as CKAN built it, with a text-search vector."""
from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Unicode,
    UnicodeText,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, BIT, JSONB, TSVECTOR

import ckan.plugins.toolkit as tk


class SearchDoc(tk.BaseModel):
    __tablename__ = "vgsamverkan_search_doc"

    index_id = Column(UnicodeText, primary_key=True)
    id = Column(UnicodeText, nullable=True)
    site_id = Column(UnicodeText, nullable=True)
    entity_type = Column(UnicodeText, nullable=True)
    name = Column(UnicodeText, nullable=True)
    title_string = Column(UnicodeText, nullable=True)
    metadata_created = Column(DateTime(timezone=True), nullable=True)
    metadata_modified = Column(DateTime(timezone=True), nullable=True)
    data = Column(JSONB, nullable=False)
    terms = Column(JSONB, nullable=False)
    tsv = Column(TSVECTOR, nullable=False)
    indexed = Column(DateTime(timezone=True), nullable=False)

    __table_args__ = (
        Index("vgsamverkan_search_doc_terms_idx", "terms", postgresql_using="gin"),
        Index("vgsamverkan_search_doc_tsv_idx", "tsv", postgresql_using="gin"),
        Index("vgsamverkan_search_doc_modified_idx", "metadata_modified"),
        Index("vgsamverkan_search_doc_created_idx", "metadata_created"),
        Index("vgsamverkan_search_doc_title_idx", "title_string"),
        Index("vgsamverkan_search_doc_name_idx", "name"),
        Index("vgsamverkan_search_doc_id_idx", "id"),
    )


class SearchState(tk.BaseModel):
    """One row: the generation of the search index, bumped by every write."""

    __tablename__ = "vgsamverkan_search_state"

    id = Column(Integer, primary_key=True)
    generation = Column(BigInteger, nullable=False)

    __table_args__ = (CheckConstraint("id = 1", name="vgsamverkan_search_state_one_row"),)


class SearchCache(tk.BaseModel):
    """Counts and facets of a query, valid for one generation of the index."""

    __tablename__ = "vgsamverkan_search_cache"

    key = Column(UnicodeText, primary_key=True)
    generation = Column(BigInteger, nullable=False)
    result = Column(JSONB, nullable=False)
    created = Column(DateTime(timezone=True), nullable=False, server_default=text("now()"))

    __table_args__ = (Index("vgsamverkan_search_cache_created_idx", "created"),)


class SearchGroup(tk.BaseModel):
    """Documents with the same values in the group fields, and how many there are; kept
    by triggers on the documents (migration e5a9c3b7d2f1), never written from Python."""

    __tablename__ = "vgsamverkan_search_group"

    id = Column(Integer, primary_key=True)
    hash = Column(UnicodeText, nullable=False, unique=True)
    terms = Column(JSONB, nullable=False)
    n = Column(BigInteger, nullable=False)


class SearchFacet(tk.BaseModel):
    """How many documents of a group have a value in a facet field (same triggers)."""

    __tablename__ = "vgsamverkan_search_facet"

    group_id = Column(Integer, ForeignKey("vgsamverkan_search_group.id", ondelete="CASCADE"),
                      primary_key=True)
    field = Column(UnicodeText, primary_key=True)
    value = Column(UnicodeText, primary_key=True)
    n = Column(BigInteger, nullable=False)


class SearchText(tk.BaseModel):
    """A narrow copy of each document's words, for counting text hits and finding the
    documents whose title holds every word (migration a9d5e3f7c1b4); kept by triggers on
    the documents, never written from Python."""

    __tablename__ = "vgsamverkan_search_text"

    index_id = Column(UnicodeText, primary_key=True)
    group_hash = Column(UnicodeText, nullable=False)
    metadata_modified = Column(DateTime(timezone=True), nullable=True)
    tsv = Column(TSVECTOR, nullable=False)  # the document's, positions kept since c7f3a9e1d5b8
    title = Column(TSVECTOR, nullable=False)
    # the numbers (SearchValue) of its values of the counted facet fields (b2e6f4a8d0c5)
    facet_ids = Column(ARRAY(Integer), nullable=False, server_default=text("'{}'"))
    # its number in the bitmaps (SearchBits), kept while it exists (c7f3a9e1d5b8)
    slot = Column(Integer, nullable=False, unique=True,
                  server_default=text("nextval('vgsamverkan_search_slot_seq')"))

    __table_args__ = (
        Index("vgsamverkan_search_text_tsv_idx", "tsv", postgresql_using="gin"),
        Index("vgsamverkan_search_text_title_idx", "title", postgresql_using="gin"),
    )


class SearchBits(tk.BaseModel):
    """Which documents (by SearchText.slot) have a word (kind ``w``), are in a group
    (``g``) or have a facet value (``v``, SearchValue.id): a bit string per chunk of
    32 768 documents (migration c7f3a9e1d5b8); kept by triggers on the copy of the
    words, never written from Python."""

    __tablename__ = "vgsamverkan_search_bits"

    kind = Column(Unicode(1), primary_key=True)
    key = Column(UnicodeText, primary_key=True)
    chunk = Column(Integer, primary_key=True)
    bits = Column(BIT(varying=True), nullable=False)


class SearchCompound(tk.BaseModel):
    """Each word of 8 to 40 letters the index has seen, and the base forms of its compound
    parts ('' for none), split once by ``vgsamverkan_search_parts`` (migration
    f4b8d2a6c0e3); written by that function, never from Python."""

    __tablename__ = "vgsamverkan_search_compound"

    word = Column(UnicodeText, primary_key=True)
    parts = Column(UnicodeText, nullable=False)


class SearchValue(tk.BaseModel):
    """A number for each value of a counted facet field (migration b2e6f4a8d0c5), given
    by the triggers when a document first has it."""

    __tablename__ = "vgsamverkan_search_value"

    id = Column(Integer, primary_key=True)
    field = Column(UnicodeText, nullable=False)
    value = Column(UnicodeText, nullable=False)

    __table_args__ = (UniqueConstraint("field", "value", name="vgsamverkan_search_value_field_value_key"),)
