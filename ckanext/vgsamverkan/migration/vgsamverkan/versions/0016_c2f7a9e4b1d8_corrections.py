"""Corrections (issue 20, SPEC 2026-11-29): an adjustment names the month it corrects
(``vgsamverkan_fee_adjustment.corrects``, earlier than the month it goes into); a time
entry can be corrected before its month is closed by a correction entry
(``vgsamverkan_calloff_time.corrects_id`` and ``reason``): its hours are the change, so
that sums over the entries (fees, the 24-hour day, the call-off's hours) are the
corrected figures while the original stays as it was logged.

Data: adjustments made before this revision name no month (their line says nothing
more than before); the hours check allows a negative change only on a correction. The
downgrade refuses while corrections exist (they would break the old check) and drops
the columns.

Revision ID: c2f7a9e4b1d8
Revises: b8e4c2a6f9d3
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c2f7a9e4b1d8"
down_revision = "b8e4c2a6f9d3"
branch_labels = None
depends_on = None

OLD_CHECK = "hours > 0 AND hours <= 24 AND hours * 4 = trunc(hours * 4)"
# a logged entry: more than 0, at most a day; a correction: a change, not 0, that keeps
# within a day; both in quarter hours
NEW_CHECK = ("hours <> 0 AND hours <= 24 AND hours >= -24 AND hours * 4 = trunc(hours * 4) "
             "AND (hours > 0 OR corrects_id IS NOT NULL)")


def upgrade():
    op.add_column("vgsamverkan_fee_adjustment", sa.Column("corrects", sa.UnicodeText, nullable=True))
    op.add_column("vgsamverkan_calloff_time", sa.Column(
        "corrects_id", sa.UnicodeText, sa.ForeignKey("vgsamverkan_calloff_time.id"), nullable=True))
    op.add_column("vgsamverkan_calloff_time", sa.Column("reason", sa.UnicodeText, nullable=True))
    op.drop_constraint("vgsamverkan_calloff_time_hours_check", "vgsamverkan_calloff_time", type_="check")
    op.create_check_constraint("vgsamverkan_calloff_time_hours_check", "vgsamverkan_calloff_time", NEW_CHECK)
    op.create_index("vgsamverkan_calloff_correct_times_idx", "vgsamverkan_calloff_time", ["corrects_id"])


def downgrade():
    if op.get_bind().execute(sa.text(
            "SELECT count(*) FROM vgsamverkan_calloff_time WHERE corrects_id IS NOT NULL")).scalar():
        raise RuntimeError("vgsamverkan: time corrections exist; the revision before c2f7a9e4b1d8 cannot hold them")
    op.drop_index("vgsamverkan_calloff_correct_times_idx", "vgsamverkan_calloff_time")
    op.drop_constraint("vgsamverkan_calloff_time_hours_check", "vgsamverkan_calloff_time", type_="check")
    op.create_check_constraint("vgsamverkan_calloff_time_hours_check", "vgsamverkan_calloff_time", OLD_CHECK)
    op.drop_column("vgsamverkan_calloff_time", "reason")
    op.drop_column("vgsamverkan_calloff_time", "corrects_id")
    op.drop_column("vgsamverkan_fee_adjustment", "corrects")
