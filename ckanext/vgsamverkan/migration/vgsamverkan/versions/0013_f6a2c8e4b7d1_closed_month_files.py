"""The export files of a closed fee month, kept as they were made at the close, so that a
closed month's export is the same bytes for ever: before, the SIE file was made anew at
each download with the accounts, company name and organisation number of the
configuration then (changing ckanext.vgsamverkan.sie_accounts changed every closed
month's file; found by tests/closed_month.py).

Rows are written once (at the close, or at the first download of a month closed before
this revision) and never changed or deleted; only the test suite's deliberate
``SET LOCAL vgsamverkan.purge = 'on'`` lifts that, as for the other fee tables.

Revision ID: f6a2c8e4b7d1
Revises: e4c7a1f9d3b5
Create Date: 2026-11-27
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f6a2c8e4b7d1"
down_revision = "e4c7a1f9d3b5"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "vgsamverkan_fee_file",
        sa.Column("month", sa.UnicodeText, primary_key=True),
        sa.Column("format", sa.UnicodeText, primary_key=True),
        sa.Column("filename", sa.UnicodeText, nullable=False),
        sa.Column("content_type", sa.UnicodeText, nullable=False),
        sa.Column("encoding", sa.UnicodeText, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created", sa.TIMESTAMP(timezone=True), nullable=False),
    )
    op.execute("""
        CREATE OR REPLACE FUNCTION vgsamverkan_fee_file_kept() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('vgsamverkan.purge', true) = 'on' THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            IF TG_OP = 'INSERT' THEN
                IF NOT EXISTS (SELECT 1 FROM vgsamverkan_fee_month WHERE month = NEW.month AND state = 'closed') THEN
                    RAISE EXCEPTION 'vgsamverkan: fee month % is not closed', NEW.month
                        USING ERRCODE = 'check_violation';
                END IF;
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'vgsamverkan: the files of closed fee month % are kept', OLD.month
                USING ERRCODE = 'check_violation';
        END $$;
    """)
    op.execute("CREATE TRIGGER vgsamverkan_fee_file_kept BEFORE INSERT OR UPDATE OR DELETE ON vgsamverkan_fee_file "
               "FOR EACH ROW EXECUTE FUNCTION vgsamverkan_fee_file_kept()")
    op.execute("CREATE TRIGGER vgsamverkan_fee_file_no_truncate BEFORE TRUNCATE ON vgsamverkan_fee_file "
               "FOR EACH STATEMENT EXECUTE FUNCTION vgsamverkan_fee_no_truncate()")


def downgrade():
    op.drop_table("vgsamverkan_fee_file")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_fee_file_kept()")
