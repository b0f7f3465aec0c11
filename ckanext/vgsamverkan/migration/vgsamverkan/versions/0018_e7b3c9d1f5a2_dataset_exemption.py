"""Datasets the coordinator marked as not needing a connection (issue 21, SPEC
2026-11-29: "the coordinator may mark a dataset as not needing a connection, with a
reason kept in the history"): ``vgsamverkan_dataset_exemption``, one row per dataset; the
marking and its removal are events of object type ``dataset``.

Data: a new table, empty at the upgrade; the downgrade drops it (the events stay).

Revision ID: e7b3c9d1f5a2
Revises: d4a8e2f6c1b3
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e7b3c9d1f5a2"
down_revision = "d4a8e2f6c1b3"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "vgsamverkan_dataset_exemption",
        sa.Column("package_id", sa.UnicodeText, primary_key=True),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("author_id", sa.UnicodeText, nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    op.drop_table("vgsamverkan_dataset_exemption")
