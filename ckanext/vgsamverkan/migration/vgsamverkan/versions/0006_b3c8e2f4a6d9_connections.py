"""Connection requests and their quotes.

Revision ID: b3c8e2f4a6d9
Revises: a7d3f9e1c4b8
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b3c8e2f4a6d9"
down_revision = "a7d3f9e1c4b8"
branch_labels = None
depends_on = None


def _tz():
    return sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "vgsamverkan_connection",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("applicant_id", sa.UnicodeText, nullable=False),
        sa.Column("language", sa.UnicodeText, nullable=False),
        sa.Column("information_sets", sa.UnicodeText, nullable=False),
        sa.Column("proposed_solution", sa.UnicodeText),
        sa.Column("technical_contact", sa.UnicodeText, nullable=False),
        sa.Column("description", sa.UnicodeText),
        sa.Column("investigator", sa.UnicodeText),
        sa.Column("current_quote_id", sa.UnicodeText),
        sa.Column("accepted_quote_id", sa.UnicodeText),
        sa.Column("accepted_by", sa.UnicodeText),
        sa.Column("accepted_at", _tz()),
        sa.Column("price_ore", sa.BigInteger),
        sa.Column("connected_date", sa.Date),
        sa.Column("harvest_url", sa.UnicodeText),
        sa.Column("disconnected_date", sa.Date),
        sa.Column("created", _tz(), nullable=False),
        sa.Column("modified", _tz(), nullable=False),
        sa.CheckConstraint(
            "state IN ('submitted','investigating','quoted','accepted','connected','declined',"
            "'cancelled','disconnected')",
            name="vgsamverkan_connection_state_check",
        ),
        sa.CheckConstraint("price_ore IS NULL OR price_ore >= 0", name="vgsamverkan_connection_price_check"),
    )
    op.create_index("vgsamverkan_connection_org_idx", "vgsamverkan_connection", ["organization_id", "state"])
    op.create_index("vgsamverkan_connection_state_idx", "vgsamverkan_connection", ["state", "created"])
    op.create_table(
        "vgsamverkan_connection_quote",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("connection_id", sa.UnicodeText, sa.ForeignKey("vgsamverkan_connection.id"), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("solution", sa.UnicodeText, nullable=False),
        sa.Column("effort_hours", sa.Numeric(8, 2), nullable=False),
        sa.Column("price_ore", sa.BigInteger, nullable=False),
        sa.Column("valid_until", sa.Date, nullable=False),
        sa.Column("author_id", sa.UnicodeText),
        sa.Column("created", _tz(), nullable=False),
        sa.CheckConstraint("price_ore >= 0", name="vgsamverkan_connection_quote_price_check"),
        sa.CheckConstraint("effort_hours > 0", name="vgsamverkan_connection_quote_hours_check"),
    )
    op.create_index("vgsamverkan_connection_quote_number", "vgsamverkan_connection_quote",
                    ["connection_id", "number"], unique=True)


def downgrade():
    op.drop_table("vgsamverkan_connection_quote")
    op.drop_table("vgsamverkan_connection")
