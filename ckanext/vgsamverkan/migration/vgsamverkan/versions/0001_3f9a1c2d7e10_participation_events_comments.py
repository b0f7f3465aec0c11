"""Participation, the shared event log, comments and the population reference.

Revision ID: 3f9a1c2d7e10
Revises:
Create Date: 2026-11-26
"""
from __future__ import annotations

import csv
import datetime as dt
import os

import sqlalchemy as sa
from alembic import op

revision = "3f9a1c2d7e10"
down_revision = None
branch_labels = None
depends_on = None

_DATA = os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "data", "vg_population.csv"
)


def _tz():
    return sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "vgsamverkan_event",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("object_type", sa.UnicodeText, nullable=False),
        sa.Column("object_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText),
        sa.Column("actor_id", sa.UnicodeText),
        sa.Column("action", sa.UnicodeText, nullable=False),
        sa.Column("from_state", sa.UnicodeText),
        sa.Column("to_state", sa.UnicodeText),
        sa.Column("comment", sa.UnicodeText),
        sa.Column("created", _tz(), nullable=False),
    )
    op.create_index(
        "vgsamverkan_event_object_idx",
        "vgsamverkan_event",
        ["object_type", "object_id", "created"],
    )
    op.create_index(
        "vgsamverkan_event_org_idx", "vgsamverkan_event", ["organization_id", "created"]
    )

    op.create_table(
        "vgsamverkan_comment",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("object_type", sa.UnicodeText, nullable=False),
        sa.Column("object_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText),
        sa.Column("author_id", sa.UnicodeText, nullable=False),
        sa.Column("text", sa.UnicodeText, nullable=False),
        sa.Column("created", _tz(), nullable=False),
    )
    op.create_index(
        "vgsamverkan_comment_object_idx",
        "vgsamverkan_comment",
        ["object_type", "object_id", "created"],
    )

    op.create_table(
        "vgsamverkan_participation",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText),
        sa.Column("organization_name", sa.UnicodeText, nullable=False),
        sa.Column("organization_title", sa.UnicodeText, nullable=False),
        sa.Column("org_type", sa.UnicodeText, nullable=False),
        sa.Column("municipality_code", sa.UnicodeText),
        sa.Column("org_number", sa.UnicodeText, nullable=False),
        sa.Column("contact_name", sa.UnicodeText, nullable=False),
        sa.Column("contact_email", sa.UnicodeText, nullable=False),
        sa.Column("contact_phone", sa.UnicodeText),
        sa.Column("invoice_reference", sa.UnicodeText),
        sa.Column("motivation", sa.UnicodeText),
        sa.Column("applicant_id", sa.UnicodeText, nullable=False),
        sa.Column("language", sa.UnicodeText, nullable=False),
        sa.Column("decided_by", sa.UnicodeText),
        sa.Column("decided_at", _tz()),
        sa.Column("decision_comment", sa.UnicodeText),
        sa.Column("reason", sa.UnicodeText),
        sa.Column("effective_from", sa.Date),
        sa.Column("effective_to", sa.Date),
        sa.Column("created", _tz(), nullable=False),
        sa.Column("modified", _tz(), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending','approved','rejected','withdrawn','terminated')",
            name="vgsamverkan_participation_state_check",
        ),
        sa.CheckConstraint(
            "org_type IN ('kommun','kommunalt_bolag','regional_forvaltning')",
            name="vgsamverkan_participation_org_type_check",
        ),
    )
    op.create_index(
        "vgsamverkan_participation_one_active_org",
        "vgsamverkan_participation",
        ["organization_id"],
        unique=True,
        postgresql_where=sa.text(
            "state IN ('pending','approved') AND organization_id IS NOT NULL"
        ),
    )
    op.create_index(
        "vgsamverkan_participation_one_active_new_name",
        "vgsamverkan_participation",
        ["organization_name"],
        unique=True,
        postgresql_where=sa.text("state = 'pending' AND organization_id IS NULL"),
    )
    op.create_index(
        "vgsamverkan_participation_one_active_kommun",
        "vgsamverkan_participation",
        ["municipality_code"],
        unique=True,
        postgresql_where=sa.text("state IN ('pending','approved') AND org_type = 'kommun'"),
    )
    op.create_index(
        "vgsamverkan_participation_state_idx",
        "vgsamverkan_participation",
        ["state", "created"],
    )

    population = op.create_table(
        "vgsamverkan_population",
        sa.Column("municipality_code", sa.UnicodeText, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("population", sa.BigInteger, nullable=False),
        sa.Column("source", sa.UnicodeText),
        sa.Column("modified", _tz(), nullable=False),
        sa.CheckConstraint("population >= 0", name="vgsamverkan_population_positive"),
    )
    # The shipped default: SCB figures for the municipalities of Västra Götaland.
    now = dt.datetime.now(dt.timezone.utc)
    with open(_DATA, encoding="utf-8") as f:
        rows = [
            {
                "municipality_code": r["kommunkod"],
                "year": int(r["year"]),
                "name": r["kommun"],
                "population": int(r["population"]),
                "source": "SCB (shipped with ckanext-vgsamverkan)",
                "modified": now,
            }
            for r in csv.DictReader(f)
        ]
    op.bulk_insert(population, rows)


def downgrade():
    op.drop_table("vgsamverkan_population")
    op.drop_table("vgsamverkan_participation")
    op.drop_table("vgsamverkan_comment")
    op.drop_table("vgsamverkan_event")
