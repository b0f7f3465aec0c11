"""Search: an index generation and a cache of counts and facets per query.

Every write to the search index bumps the generation in its own transaction and empties
the cache, so a cached answer never outlives the documents it counted. Entries older than
15 minutes are pruned on every cache miss, so many distinct queries between two writes
(a crawler's) cannot grow it without bound.

Revision ID: c4d1e7a2b5f6
Revises: 8b2e4d6f1a93
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c4d1e7a2b5f6"
down_revision = "8b2e4d6f1a93"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "vgsamverkan_search_state",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("generation", sa.BigInteger, nullable=False),
        sa.CheckConstraint("id = 1", name="vgsamverkan_search_state_one_row"),
    )
    op.execute("INSERT INTO vgsamverkan_search_state (id, generation) VALUES (1, 0)")
    op.create_table(
        "vgsamverkan_search_cache",
        sa.Column("key", sa.UnicodeText, primary_key=True),
        sa.Column("generation", sa.BigInteger, nullable=False),
        sa.Column("result", postgresql.JSONB, nullable=False),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False,
                  server_default=sa.text("now()")),
    )
    op.create_index("vgsamverkan_search_cache_created_idx", "vgsamverkan_search_cache", ["created"])


def downgrade():
    op.drop_table("vgsamverkan_search_cache")
    op.drop_table("vgsamverkan_search_state")
