"""The facts of an event (a quote's price and hours, an assignment's expert and rate, the
hours logged…) kept as data, so that the history says them in the reader's language.

Until now such a summary was written into the event's comment in the language of the
one who acted. From this revision the comment holds only what a person wrote, and
``details`` the facts; earlier events keep their comment as it was.

Revision ID: a1c5e9d3f7b4
Revises: f2b6d8a4c1e9
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "a1c5e9d3f7b4"
down_revision = "f2b6d8a4c1e9"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("vgsamverkan_event", sa.Column("details", JSONB, nullable=True))


def downgrade():
    # the facts are also in the rows they describe (quotes, call-offs, time, schedules,
    # statements); dropping the copy loses nothing a person wrote
    op.drop_column("vgsamverkan_event", "details")
