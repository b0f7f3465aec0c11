"""The number of requests per table, organisation and state, kept on write, so that the
coordinator's lists say how many there are without counting them (an exact count(*) reads
every row: 10 ms at 100 000 stored, bench/load.py).

The tallies are kept by statement triggers with transition tables, in the same transaction
as the write, whichever path writes (actions, CKAN's test reset, SQL by hand); each
statement updates its keys in one order, so two writers cannot deadlock on them. A
TRUNCATE empties the table's tallies. The upgrade counts the rows already stored. (The
functions are created or replaced: CKAN's test reset drops tables, not functions.)

Revision ID: e4c7a1f9d3b5
Revises: d9b3f5a7c2e8
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "e4c7a1f9d3b5"
down_revision = "d9b3f5a7c2e8"
branch_labels = None
depends_on = None

# the requests a coordinator lists whole (each has organization_id and state)
TABLES = ("vgsamverkan_participation", "vgsamverkan_publisher", "vgsamverkan_connection",
          "vgsamverkan_calloff")

UPSERT = """
    INSERT INTO vgsamverkan_tally AS t (tbl, organization_id, state, n)
    SELECT TG_TABLE_NAME, d.organization_id, d.state, sum(d.sign)
    FROM ({delta}) d
    GROUP BY d.organization_id, d.state
    HAVING sum(d.sign) <> 0
    ORDER BY d.organization_id, d.state
    ON CONFLICT (tbl, organization_id, state) DO UPDATE SET n = t.n + EXCLUDED.n;
"""
NEW = "SELECT coalesce(organization_id, '') AS organization_id, state, 1 AS sign FROM new_rows"
OLD = "SELECT coalesce(organization_id, '') AS organization_id, state, -1 AS sign FROM old_rows"

FUNCTIONS = {
    "vgsamverkan_tally_insert": UPSERT.format(delta=NEW),
    "vgsamverkan_tally_delete": UPSERT.format(delta=OLD),
    "vgsamverkan_tally_update": UPSERT.format(delta=f"{NEW} UNION ALL {OLD}"),
    "vgsamverkan_tally_truncate": "DELETE FROM vgsamverkan_tally WHERE tbl = TG_TABLE_NAME;",
}
# function -> the trigger's event and transition tables
TRIGGERS = {
    "vgsamverkan_tally_insert": "AFTER INSERT ON {table} REFERENCING NEW TABLE AS new_rows",
    "vgsamverkan_tally_delete": "AFTER DELETE ON {table} REFERENCING OLD TABLE AS old_rows",
    "vgsamverkan_tally_update": "AFTER UPDATE ON {table} REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
    "vgsamverkan_tally_truncate": "AFTER TRUNCATE ON {table}",
}


def upgrade():
    op.create_table(
        "vgsamverkan_tally",
        sa.Column("tbl", sa.UnicodeText, primary_key=True),
        sa.Column("organization_id", sa.UnicodeText, primary_key=True),
        sa.Column("state", sa.UnicodeText, primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    for function, body in FUNCTIONS.items():
        op.execute(f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                   f"BEGIN\n{body}\n  RETURN NULL;\nEND\n$$")
    for table in TABLES:
        for function, event in TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {function.replace('vgsamverkan_tally', table + '_tally')} "
                       f"{event.format(table=table)} FOR EACH STATEMENT EXECUTE FUNCTION {function}()")
        op.execute(
            "INSERT INTO vgsamverkan_tally (tbl, organization_id, state, n) "
            f"SELECT '{table}', coalesce(organization_id, ''), state, count(*) FROM {table} "
            "GROUP BY 2, 3")


def downgrade():
    for table in TABLES:
        for function in TRIGGERS:
            op.execute(f"DROP TRIGGER {function.replace('vgsamverkan_tally', table + '_tally')} ON {table}")
    for function in FUNCTIONS:
        op.execute(f"DROP FUNCTION {function}()")
    op.drop_table("vgsamverkan_tally")
