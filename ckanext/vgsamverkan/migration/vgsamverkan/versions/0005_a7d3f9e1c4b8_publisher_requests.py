"""Publisher authorisation: requests for publishing rights in participant organisations.

Revision ID: a7d3f9e1c4b8
Revises: e5a9c3b7d2f1
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "a7d3f9e1c4b8"
down_revision = "e5a9c3b7d2f1"
branch_labels = None
depends_on = None


def _tz():
    return sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "vgsamverkan_publisher",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("user_id", sa.UnicodeText, nullable=False),
        sa.Column("applicant_id", sa.UnicodeText, nullable=False),
        sa.Column("role", sa.UnicodeText, nullable=False),
        sa.Column("motivation", sa.UnicodeText),
        sa.Column("language", sa.UnicodeText, nullable=False),
        sa.Column("decided_by", sa.UnicodeText),
        sa.Column("decided_at", _tz()),
        sa.Column("decision_comment", sa.UnicodeText),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("expires", sa.Date),
        sa.Column("reminded_at", _tz()),
        sa.Column("ended_at", _tz()),
        sa.Column("created", _tz(), nullable=False),
        sa.Column("modified", _tz(), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending','approved','rejected','withdrawn','revoked')",
            name="vgsamverkan_publisher_state_check",
        ),
        sa.CheckConstraint("role IN ('editor','admin')", name="vgsamverkan_publisher_role_check"),
    )
    op.create_index(
        "vgsamverkan_publisher_one_active", "vgsamverkan_publisher",
        ["organization_id", "user_id"], unique=True,
        postgresql_where=sa.text("state IN ('pending','approved')"),
    )
    op.create_index("vgsamverkan_publisher_state_idx", "vgsamverkan_publisher", ["state", "created"])
    op.create_index("vgsamverkan_publisher_user_idx", "vgsamverkan_publisher", ["user_id"])
    op.create_index(
        "vgsamverkan_publisher_expires_idx", "vgsamverkan_publisher", ["expires"],
        postgresql_where=sa.text("state = 'approved' AND expires IS NOT NULL"),
    )


def downgrade():
    op.drop_table("vgsamverkan_publisher")
