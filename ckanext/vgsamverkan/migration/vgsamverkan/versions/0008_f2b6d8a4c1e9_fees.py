"""Fee accounting: schedules, months, statements and lines, adjustments; a closed month
is frozen by triggers, whatever path writes.

Revision ID: f2b6d8a4c1e9
Revises: d5f1a8c3e7b2
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "f2b6d8a4c1e9"
down_revision = "d5f1a8c3e7b2"
branch_labels = None
depends_on = None

FROZEN_TABLES = ("vgsamverkan_fee_statement", "vgsamverkan_fee_line", "vgsamverkan_fee_adjustment")


def _tz():
    return sa.DateTime(timezone=True)


def upgrade():
    op.create_table(
        "vgsamverkan_fee_schedule",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("total_ore", sa.BigInteger, nullable=False),
        sa.Column("base_percent", sa.Numeric(5, 2), nullable=False),
        sa.Column("regional_fixed_ore", sa.BigInteger, nullable=False),
        sa.Column("author_id", sa.UnicodeText),
        sa.Column("created", _tz(), nullable=False),
        sa.CheckConstraint("total_ore >= 0 AND regional_fixed_ore >= 0 AND base_percent >= 0 "
                           "AND base_percent <= 100 AND extract(day from valid_from) = 1",
                           name="vgsamverkan_fee_schedule_check"),
    )
    op.create_index("vgsamverkan_fee_schedule_valid_idx", "vgsamverkan_fee_schedule", ["valid_from", "created"])
    op.create_table(
        "vgsamverkan_fee_month",
        sa.Column("month", sa.UnicodeText, primary_key=True),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("schedule_id", sa.UnicodeText),
        sa.Column("population_year", sa.Integer),
        sa.Column("vat_rate", sa.Numeric(5, 2)),
        sa.Column("note", sa.UnicodeText),
        sa.Column("run_by", sa.UnicodeText),
        sa.Column("run_at", _tz()),
        sa.Column("closed_by", sa.UnicodeText),
        sa.Column("closed_at", _tz()),
        sa.CheckConstraint("state IN ('open','closed')", name="vgsamverkan_fee_month_state_check"),
        sa.CheckConstraint("month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'", name="vgsamverkan_fee_month_month_check"),
    )
    op.create_table(
        "vgsamverkan_fee_statement",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("month", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_name", sa.UnicodeText, nullable=False),
        sa.Column("organization_title", sa.UnicodeText, nullable=False),
        sa.Column("org_type", sa.UnicodeText),
        sa.Column("org_number", sa.UnicodeText),
        sa.Column("invoice_reference", sa.UnicodeText),
        sa.Column("population_year", sa.Integer),
        sa.Column("net_ore", sa.BigInteger, nullable=False),
        sa.Column("vat_rate", sa.Numeric(5, 2), nullable=False),
        sa.Column("vat_ore", sa.BigInteger, nullable=False),
        sa.Column("total_ore", sa.BigInteger, nullable=False),
        sa.Column("created", _tz(), nullable=False),
    )
    op.create_index("vgsamverkan_fee_statement_month_org", "vgsamverkan_fee_statement",
                    ["month", "organization_id"], unique=True)
    op.create_index("vgsamverkan_fee_statement_org_idx", "vgsamverkan_fee_statement", ["organization_id", "month"])
    op.create_table(
        "vgsamverkan_fee_line",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("statement_id", sa.UnicodeText, sa.ForeignKey("vgsamverkan_fee_statement.id"), nullable=False),
        sa.Column("month", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("kind", sa.UnicodeText, nullable=False),
        sa.Column("text", sa.UnicodeText, nullable=False),
        sa.Column("quantity", sa.Numeric(14, 6)),
        sa.Column("unit", sa.UnicodeText),
        sa.Column("unit_price_ore", sa.Numeric(20, 6)),
        sa.Column("amount_ore", sa.BigInteger, nullable=False),
        sa.Column("reference_type", sa.UnicodeText),
        sa.Column("reference_id", sa.UnicodeText),
        sa.Column("details", JSONB),
        sa.CheckConstraint("kind IN ('access','regional','connection','expert','adjustment')",
                           name="vgsamverkan_fee_line_kind_check"),
    )
    op.create_index("vgsamverkan_fee_line_statement_idx", "vgsamverkan_fee_line", ["statement_id", "position"])
    op.create_index("vgsamverkan_fee_line_month_idx", "vgsamverkan_fee_line", ["month"])
    op.create_table(
        "vgsamverkan_fee_adjustment",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("month", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("amount_ore", sa.BigInteger, nullable=False),
        sa.Column("reason", sa.UnicodeText, nullable=False),
        sa.Column("author_id", sa.UnicodeText),
        sa.Column("created", _tz(), nullable=False),
        sa.CheckConstraint("amount_ore <> 0", name="vgsamverkan_fee_adjustment_amount_check"),
    )
    op.create_index("vgsamverkan_fee_adjustment_month_idx", "vgsamverkan_fee_adjustment", ["month", "organization_id"])

    # A closed month is frozen: no row of it is inserted, changed or deleted, and it is not
    # reopened, by any path (the actions refuse first, with a message; this is the floor).
    # Only a deliberate `SET LOCAL vgsamverkan.purge = 'on'` lifts it (used by the test
    # suite's database reset, never by the extension).
    op.execute("""
        CREATE OR REPLACE FUNCTION vgsamverkan_fee_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('vgsamverkan.purge', true) = 'on' THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            IF TG_OP IN ('UPDATE', 'DELETE') AND EXISTS (
                    SELECT 1 FROM vgsamverkan_fee_month WHERE month = OLD.month AND state = 'closed') THEN
                RAISE EXCEPTION 'vgsamverkan: fee month % is closed', OLD.month USING ERRCODE = 'check_violation';
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') AND EXISTS (
                    SELECT 1 FROM vgsamverkan_fee_month WHERE month = NEW.month AND state = 'closed') THEN
                RAISE EXCEPTION 'vgsamverkan: fee month % is closed', NEW.month USING ERRCODE = 'check_violation';
            END IF;
            RETURN COALESCE(NEW, OLD);
        END $$;
    """)
    op.execute("""
        CREATE OR REPLACE FUNCTION vgsamverkan_fee_month_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('vgsamverkan.purge', true) = 'on' THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            IF OLD.state = 'closed' THEN
                RAISE EXCEPTION 'vgsamverkan: fee month % is closed', OLD.month USING ERRCODE = 'check_violation';
            END IF;
            RETURN COALESCE(NEW, OLD);
        END $$;
    """)
    op.execute("""
        CREATE OR REPLACE FUNCTION vgsamverkan_fee_no_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('vgsamverkan.purge', true) = 'on' THEN
                RETURN NULL;
            END IF;
            IF EXISTS (SELECT 1 FROM vgsamverkan_fee_month WHERE state = 'closed') THEN
                RAISE EXCEPTION 'vgsamverkan: there are closed fee months' USING ERRCODE = 'check_violation';
            END IF;
            RETURN NULL;
        END $$;
    """)
    for table in FROZEN_TABLES:
        op.execute(f"CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table} "
                   "FOR EACH ROW EXECUTE FUNCTION vgsamverkan_fee_frozen()")
    for table in FROZEN_TABLES + ("vgsamverkan_fee_month",):
        op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                   "FOR EACH STATEMENT EXECUTE FUNCTION vgsamverkan_fee_no_truncate()")
    op.execute("CREATE TRIGGER vgsamverkan_fee_month_frozen BEFORE UPDATE OR DELETE ON vgsamverkan_fee_month "
               "FOR EACH ROW EXECUTE FUNCTION vgsamverkan_fee_month_frozen()")


def downgrade():
    op.drop_table("vgsamverkan_fee_adjustment")
    op.drop_table("vgsamverkan_fee_line")
    op.drop_table("vgsamverkan_fee_statement")
    op.drop_table("vgsamverkan_fee_month")
    op.drop_table("vgsamverkan_fee_schedule")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_fee_month_frozen()")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_fee_no_truncate()")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_fee_frozen()")
