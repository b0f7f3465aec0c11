"""The PostgreSQL search backend: search documents, their indexes and helper functions.

Revision ID: 8b2e4d6f1a93
Revises: 3f9a1c2d7e10
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "8b2e4d6f1a93"
down_revision = "3f9a1c2d7e10"
branch_labels = None
depends_on = None

FUNCTIONS = [
    # a Solr date as a timestamp; NULL where it is not one (never an error)
    """
    CREATE OR REPLACE FUNCTION vgsamverkan_search_ts(value text)
    RETURNS timestamptz LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    BEGIN
      RETURN value::timestamptz;
    EXCEPTION WHEN others THEN
      RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION vgsamverkan_search_num(value text)
    RETURNS numeric LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
    BEGIN
      RETURN value::numeric;
    EXCEPTION WHEN others THEN
      RETURN NULL;
    END
    $$
    """,
]


def upgrade():
    op.create_table(
        "vgsamverkan_search_doc",
        sa.Column("index_id", sa.UnicodeText, primary_key=True),
        sa.Column("id", sa.UnicodeText),
        sa.Column("site_id", sa.UnicodeText),
        sa.Column("entity_type", sa.UnicodeText),
        sa.Column("name", sa.UnicodeText),
        sa.Column("title_string", sa.UnicodeText),
        sa.Column("metadata_created", sa.DateTime(timezone=True)),
        sa.Column("metadata_modified", sa.DateTime(timezone=True)),
        sa.Column("data", postgresql.JSONB, nullable=False),
        # every field's values as an array of strings: exact matches, facets, existence
        sa.Column("terms", postgresql.JSONB, nullable=False),
        sa.Column("tsv", postgresql.TSVECTOR, nullable=False),
        sa.Column("indexed", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("vgsamverkan_search_doc_terms_idx", "vgsamverkan_search_doc", ["terms"],
                    postgresql_using="gin")
    op.create_index("vgsamverkan_search_doc_tsv_idx", "vgsamverkan_search_doc", ["tsv"],
                    postgresql_using="gin")
    for column in ("metadata_modified", "metadata_created", "name", "id"):
        op.create_index(f"vgsamverkan_search_doc_{column.replace('metadata_', '')}_idx",
                        "vgsamverkan_search_doc", [column])
    op.create_index("vgsamverkan_search_doc_title_idx", "vgsamverkan_search_doc", ["title_string"])
    for statement in FUNCTIONS:
        op.execute(statement)


def downgrade():
    op.drop_table("vgsamverkan_search_doc")
    for name in ("vgsamverkan_search_ts(text)",
                 "vgsamverkan_search_num(text)"):
        op.execute(f"DROP FUNCTION IF EXISTS {name}")
