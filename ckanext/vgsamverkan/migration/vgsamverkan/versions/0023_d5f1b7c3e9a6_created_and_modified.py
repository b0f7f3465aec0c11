"""Every object dict has ``created`` and ``modified`` (issue 24, SPEC "API"): a fee
month gets both (it had only ``run_at`` and ``closed_at``), a population figure gets
``created`` (it had only ``modified``).

Data: a month was created when it was first run, by its oldest ``run`` event (else its
``run_at``, else the upgrade's time), and last modified when it was last run or closed;
a figure was created when it was last modified (the first import is not known).
The downgrade drops the columns.

Revision ID: d5f1b7c3e9a6
Revises: c7f3a9e1d5b8
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d5f1b7c3e9a6"
down_revision = "c7f3a9e1d5b8"
branch_labels = None
depends_on = None


def upgrade():
    for column in ("created", "modified"):
        op.add_column("vgsamverkan_fee_month", sa.Column(column, sa.DateTime(timezone=True), nullable=True))
    # A closed month's row refuses every update (vgsamverkan_fee_month_frozen); these two
    # columns are new facts about the row, not its money or state: filled past the
    # trigger for this transaction only (vgsamverkan.purge, which the triggers honour).
    op.execute("SELECT set_config('vgsamverkan.purge', 'on', true)")
    op.execute("""
        UPDATE vgsamverkan_fee_month m SET
          created = coalesce((SELECT min(e.created) FROM vgsamverkan_event e
                              WHERE e.object_type = 'fee_month' AND e.object_id = m.month AND e.action = 'run'),
                             m.run_at, m.closed_at, now()),
          modified = coalesce(greatest(m.run_at, m.closed_at), now())
    """)
    op.execute("UPDATE vgsamverkan_fee_month SET modified = created WHERE modified < created")
    op.execute("SELECT set_config('vgsamverkan.purge', 'off', true)")
    op.add_column("vgsamverkan_population", sa.Column("created", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE vgsamverkan_population SET created = modified")
    for table, column in (("vgsamverkan_fee_month", "created"), ("vgsamverkan_fee_month", "modified"),
                          ("vgsamverkan_population", "created")):
        op.alter_column(table, column, nullable=False, server_default=sa.func.now())


def downgrade():
    op.drop_column("vgsamverkan_population", "created")
    op.drop_column("vgsamverkan_fee_month", "modified")
    op.drop_column("vgsamverkan_fee_month", "created")
