"""Indexes for the lists, so that a page of the newest requests stays as quick with
100 000 stored as with 1 000 (bench/load.py): the order of every list (newest first, then
id), and the "mine" filters (who asked; which organisation).

Revision ID: d9b3f5a7c2e8
Revises: c7e2a9f4b1d6
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "d9b3f5a7c2e8"
down_revision = "c7e2a9f4b1d6"
branch_labels = None
depends_on = None

# table -> the columns ("who asked", "which organisation") its list filters on
TABLES = {
    "vgsamverkan_participation": ("applicant_id", "organization_id"),
    "vgsamverkan_publisher": ("applicant_id", "organization_id"),
    "vgsamverkan_connection": ("applicant_id",),
    "vgsamverkan_calloff": ("applicant_id",),
}


def _indexes():
    for table, columns in TABLES.items():
        yield f"{table}_newest_idx", table, [sa.text("created DESC"), "id"]
        for column in columns:
            yield f"{table}_{column.split('_')[0]}_newest_idx", table, [column, sa.text("created DESC")]


def upgrade():
    for name, table, columns in _indexes():
        op.create_index(name, table, columns)


def downgrade():
    for name, table, _columns in _indexes():
        op.drop_index(name, table_name=table)
