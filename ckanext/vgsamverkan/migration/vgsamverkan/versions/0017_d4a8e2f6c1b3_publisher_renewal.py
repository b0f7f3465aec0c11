"""Renewal and role change of publishing rights (issue 21): a request may replace the
user's approved rights in the organisation (``replaces_id``: a renewal of the same role,
or a change editor ⇄ admin), decided by the coordinator while the current rights stay
as they are; so a user may have one pending and one approved request in an organisation
at once (the one index of "pending or approved" becomes one of each). The role the user
had before the workflow granted one (``previous_role``) is given back when the rights
end, instead of removing the membership: a revocation removes only what was granted.

Data: existing rows replace nothing and had no role before (their end removes the
membership, as before). The downgrade refuses while a user has both a pending and an
approved request in one organisation (the old index cannot hold them), and drops the
columns.

Revision ID: d4a8e2f6c1b3
Revises: c2f7a9e4b1d8
Create Date: 2026-11-29
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d4a8e2f6c1b3"
down_revision = "c2f7a9e4b1d8"
branch_labels = None
depends_on = None

TABLE = "vgsamverkan_publisher"


def upgrade():
    op.add_column(TABLE, sa.Column("replaces_id", sa.UnicodeText, sa.ForeignKey(f"{TABLE}.id"), nullable=True))
    op.add_column(TABLE, sa.Column("previous_role", sa.UnicodeText, nullable=True))
    op.drop_index("vgsamverkan_publisher_one_active", TABLE)
    op.create_index("vgsamverkan_publisher_one_pending", TABLE, ["organization_id", "user_id"], unique=True,
                    postgresql_where=sa.text("state = 'pending'"))
    op.create_index("vgsamverkan_publisher_one_approved", TABLE, ["organization_id", "user_id"], unique=True,
                    postgresql_where=sa.text("state = 'approved'"))


def downgrade():
    both = op.get_bind().execute(sa.text(
        f"SELECT count(*) FROM (SELECT organization_id, user_id FROM {TABLE} WHERE state IN ('pending', 'approved') "
        "GROUP BY organization_id, user_id HAVING count(*) > 1) AS pairs")).scalar()
    if both:
        raise RuntimeError("vgsamverkan: renewals or role changes wait for a decision; the revision before "
                           "d4a8e2f6c1b3 cannot hold them (decide them first)")
    op.drop_index("vgsamverkan_publisher_one_approved", TABLE)
    op.drop_index("vgsamverkan_publisher_one_pending", TABLE)
    op.create_index("vgsamverkan_publisher_one_active", TABLE, ["organization_id", "user_id"], unique=True,
                    postgresql_where=sa.text("state IN ('pending','approved')"))
    op.drop_column(TABLE, "previous_role")
    op.drop_column(TABLE, "replaces_id")
