"""The search's conversions of a value to a date or a number may not run in a parallel
plan (issue 35, found by an outside attack).

``vgsamverkan_search_ts(text)`` and ``vgsamverkan_search_num(text)`` (8b2e4d6f1a93) turn
a value that is not a date or a number into NULL with an ``EXCEPTION`` block, which opens
a subtransaction; they were declared ``PARALLEL SAFE``. Once the document table is large
enough for PostgreSQL to plan a parallel scan (about 400 MB here), every date or number
range and every sort on such a field failed with "cannot start subtransactions during a
parallel operation". PostgreSQL's rule for such a function (CREATE FUNCTION: "change the
transaction state even temporarily, e.g. a PL/pgSQL function that establishes an
EXCEPTION block") is ``PARALLEL UNSAFE``: even in the leader a subtransaction is refused
while a parallel plan runs. A query that calls them is planned without parallel workers.

Data: none; only the functions' declarations. The downgrade declares them ``PARALLEL
SAFE`` again.

Revision ID: a6c2e8f4d0b7
Revises: f4b8d2a6c0e3
Create Date: 2026-12-07
"""
from __future__ import annotations

from alembic import op

revision = "a6c2e8f4d0b7"
down_revision = "f4b8d2a6c0e3"
branch_labels = None
depends_on = None

FUNCTIONS = ("vgsamverkan_search_ts(text)", "vgsamverkan_search_num(text)")


def upgrade():
    for function in FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} PARALLEL UNSAFE")


def downgrade():
    for function in FUNCTIONS:
        op.execute(f"ALTER FUNCTION {function} PARALLEL SAFE")
