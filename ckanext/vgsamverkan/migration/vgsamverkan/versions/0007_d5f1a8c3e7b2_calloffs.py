"""Expert call-offs and the time logged on them.

Revision ID: d5f1a8c3e7b2
Revises: b3c8e2f4a6d9
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d5f1a8c3e7b2"
down_revision = "b3c8e2f4a6d9"
branch_labels = None
depends_on = None


def _tz():
    return sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "vgsamverkan_calloff",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("applicant_id", sa.UnicodeText, nullable=False),
        sa.Column("language", sa.UnicodeText, nullable=False),
        sa.Column("competence_area", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText, nullable=False),
        sa.Column("estimated_hours", sa.Numeric(8, 2), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("contact", sa.UnicodeText),
        sa.Column("expert_name", sa.UnicodeText),
        sa.Column("expert_user_id", sa.UnicodeText),
        sa.Column("hourly_rate_ore", sa.BigInteger),
        sa.Column("fixed_price_ore", sa.BigInteger),
        sa.Column("planned_hours", sa.Numeric(8, 2)),
        sa.Column("assigned_by", sa.UnicodeText),
        sa.Column("assigned_at", _tz()),
        sa.Column("delivered_date", sa.Date),
        sa.Column("created", _tz(), nullable=False),
        sa.Column("modified", _tz(), nullable=False),
        sa.CheckConstraint(
            "state IN ('requested','assigned','in_progress','delivered','cancelled')",
            name="vgsamverkan_calloff_state_check",
        ),
        sa.CheckConstraint("estimated_hours > 0", name="vgsamverkan_calloff_estimate_check"),
        sa.CheckConstraint("period_end >= period_start", name="vgsamverkan_calloff_period_check"),
        sa.CheckConstraint(
            "(hourly_rate_ore IS NULL OR fixed_price_ore IS NULL) AND "
            "(hourly_rate_ore IS NULL OR hourly_rate_ore >= 0) AND "
            "(fixed_price_ore IS NULL OR fixed_price_ore >= 0)",
            name="vgsamverkan_calloff_price_check",
        ),
    )
    op.create_index("vgsamverkan_calloff_org_idx", "vgsamverkan_calloff", ["organization_id", "state"])
    op.create_index("vgsamverkan_calloff_state_idx", "vgsamverkan_calloff", ["state", "created"])
    op.create_index("vgsamverkan_calloff_expert_idx", "vgsamverkan_calloff", ["expert_user_id"])
    op.create_table(
        "vgsamverkan_calloff_time",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("calloff_id", sa.UnicodeText, sa.ForeignKey("vgsamverkan_calloff.id"), nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("hours", sa.Numeric(6, 2), nullable=False),
        sa.Column("note", sa.UnicodeText),
        sa.Column("expert_key", sa.UnicodeText, nullable=False),
        sa.Column("expert_name", sa.UnicodeText, nullable=False),
        sa.Column("hourly_rate_ore", sa.BigInteger),
        sa.Column("author_id", sa.UnicodeText),
        sa.Column("created", _tz(), nullable=False),
        sa.CheckConstraint("hours > 0 AND hours <= 24 AND hours * 4 = trunc(hours * 4)",
                           name="vgsamverkan_calloff_time_hours_check"),
    )
    op.create_index("vgsamverkan_calloff_time_calloff_idx", "vgsamverkan_calloff_time", ["calloff_id", "date"])
    op.create_index("vgsamverkan_calloff_time_expert_idx", "vgsamverkan_calloff_time", ["expert_key", "date"])
    op.create_index("vgsamverkan_calloff_time_org_idx", "vgsamverkan_calloff_time", ["organization_id", "date"])


def downgrade():
    op.drop_table("vgsamverkan_calloff_time")
    op.drop_table("vgsamverkan_calloff")
