"""The mail outbox: every notification is written to the database first and only then
handed to the job queue (Redis), so that a mail made while Redis is down waits here and
goes out once it is back — and a mail sent is marked, so that it never goes out twice.

Revision ID: c7e2a9f4b1d6
Revises: a1c5e9d3f7b4
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c7e2a9f4b1d6"
down_revision = "a1c5e9d3f7b4"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "vgsamverkan_outbox",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("recipient_name", sa.UnicodeText, nullable=False),
        sa.Column("recipient_email", sa.UnicodeText, nullable=False),
        sa.Column("subject", sa.UnicodeText, nullable=False),
        sa.Column("body", sa.UnicodeText, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.UnicodeText, nullable=True),
        sa.Column("created", sa.DateTime(timezone=True), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('waiting', 'sent', 'failed')", name="vgsamverkan_outbox_state"),
    )
    op.create_index("vgsamverkan_outbox_waiting_idx", "vgsamverkan_outbox", ["created"],
                    postgresql_where=sa.text("state = 'waiting'"))


def downgrade():
    op.drop_index("vgsamverkan_outbox_waiting_idx", table_name="vgsamverkan_outbox")
    op.drop_table("vgsamverkan_outbox")
