"""When a participation's dates took effect (issue 19, SPEC 2026-11-29 "Dates decide
rights"): ``began_at``, the moment its first day was reached (at the approval, or by
the daily job on an effective date in the future), and ``ended_at``, the moment its
end took effect (at a termination dated in the past, or by the daily job on the day
after its last day): the publishing rights approved in it ended then. The daily job
acts once on each: where the column is still empty.

Data: what was approved before this revision began at its decision, if its first day
had come; what was terminated ended at its termination (until now the rights ended at
once). A participation approved with a first day still to come keeps ``began_at``
empty, so the daily job records that day. The downgrade drops both columns.

Revision ID: b8e4c2a6f9d3
Revises: a3d7f1c9e5b2
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b8e4c2a6f9d3"
down_revision = "a3d7f1c9e5b2"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column("vgsamverkan_participation", sa.Column("began_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("vgsamverkan_participation", sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE vgsamverkan_participation SET began_at = COALESCE(decided_at, modified) "
        "WHERE state IN ('approved', 'terminated') "
        "AND (effective_from IS NULL OR effective_from <= CURRENT_DATE)"
    )
    op.execute(
        "UPDATE vgsamverkan_participation SET ended_at = modified WHERE state = 'terminated'"
    )


def downgrade():
    op.drop_column("vgsamverkan_participation", "ended_at")
    op.drop_column("vgsamverkan_participation", "began_at")
