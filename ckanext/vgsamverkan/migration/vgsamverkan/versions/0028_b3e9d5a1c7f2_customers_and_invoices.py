"""Customers and e-invoices (issue 37; SPEC "Participation" and "E-invoices", 2026-12-07).

- Every participation is a customer: ``customer_number`` (given once, from 1001, from a
  sequence; existing participations numbered in the order they were made), a postal
  address (``address_street``, ``address_postcode``, ``address_city``) and a Peppol
  endpoint (``peppol_endpoint``, ``scheme:id``; empty: ``0007:<organisationsnummer>``).
- ``vgsamverkan_legal_name``: the legal name the coordinator records for an
  organisationsnummer that several customers share.
- A statement names its customer (``customer_number``): the SIE objects are keyed by it.
  Open months' statements get it here; closed months keep what they have (their files are
  kept as they were made).
- ``vgsamverkan_invoice``: the invoices and credit notes issued at a close, each with its
  document (UBL 2.1, Peppol BIS Billing 3.0) as issued; ``vgsamverkan_invoice_series``: the
  last number of the one gapless series. An invoice is never deleted, and nothing of it
  changes but its state (``issued`` → ``sent``): triggers refuse the rest, as for the
  closed months (only the test suite's ``SET LOCAL vgsamverkan.purge`` lifts it).

The downgrade drops the new tables and columns (the invoices with them: a downgrade below
this revision gives up the e-invoices issued).

Revision ID: b3e9d5a1c7f2
Revises: c8d4f0a2e6b1
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "b3e9d5a1c7f2"
down_revision = "c8d4f0a2e6b1"
branch_labels = None
depends_on = None

FIRST_CUSTOMER_NUMBER = 1001


def _tz():
    return sa.TIMESTAMP(timezone=True)


def upgrade():
    op.execute(f"CREATE SEQUENCE vgsamverkan_customer_number_seq START {FIRST_CUSTOMER_NUMBER}")
    op.add_column("vgsamverkan_participation", sa.Column("customer_number", sa.Integer, nullable=True))
    for column in ("address_street", "address_postcode", "address_city", "peppol_endpoint"):
        op.add_column("vgsamverkan_participation", sa.Column(column, sa.UnicodeText, nullable=True))
    op.execute(f"""
        UPDATE vgsamverkan_participation p SET customer_number = n.number
        FROM (SELECT id, {FIRST_CUSTOMER_NUMBER} - 1 + row_number() OVER (ORDER BY created, id) AS number
              FROM vgsamverkan_participation) n
        WHERE p.id = n.id
    """)
    op.execute("SELECT setval('vgsamverkan_customer_number_seq', "
               f"(SELECT coalesce(max(customer_number), {FIRST_CUSTOMER_NUMBER} - 1) + 1 "
               "FROM vgsamverkan_participation), false)")
    op.execute("ALTER TABLE vgsamverkan_participation ALTER COLUMN customer_number "
               "SET DEFAULT nextval('vgsamverkan_customer_number_seq')")
    op.execute("ALTER SEQUENCE vgsamverkan_customer_number_seq OWNED BY vgsamverkan_participation.customer_number")
    op.alter_column("vgsamverkan_participation", "customer_number", nullable=False)
    op.create_index("vgsamverkan_participation_customer_number", "vgsamverkan_participation",
                    ["customer_number"], unique=True)

    op.create_table(
        "vgsamverkan_legal_name",
        sa.Column("org_number", sa.UnicodeText, primary_key=True),
        sa.Column("legal_name", sa.UnicodeText, nullable=False),
        sa.Column("modified_by", sa.UnicodeText, nullable=True),
        sa.Column("modified", _tz(), nullable=False, server_default=sa.func.now()),
    )

    op.add_column("vgsamverkan_fee_statement", sa.Column("customer_number", sa.Integer, nullable=True))
    # the open months' statements name their customer as a run would now (the newest
    # participation of the organisation); closed months are frozen and keep their files
    op.execute("""
        UPDATE vgsamverkan_fee_statement s SET customer_number = (
            SELECT p.customer_number FROM vgsamverkan_participation p
            WHERE p.organization_id = s.organization_id
              AND p.state IN ('approved', 'terminated')
            ORDER BY p.created DESC, p.id DESC LIMIT 1)
        WHERE s.month IN (SELECT month FROM vgsamverkan_fee_month WHERE state = 'open')
    """)

    op.create_table(
        "vgsamverkan_invoice_series",
        sa.Column("name", sa.UnicodeText, primary_key=True),
        sa.Column("last", sa.Integer, nullable=False),
        sa.CheckConstraint("last >= 0", name="vgsamverkan_invoice_series_last_check"),
    )
    op.create_table(
        "vgsamverkan_invoice",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("number", sa.UnicodeText, nullable=False, unique=True),
        sa.Column("sequence", sa.Integer, nullable=False, unique=True),
        sa.Column("type", sa.UnicodeText, nullable=False),
        sa.Column("month", sa.UnicodeText, nullable=False),
        sa.Column("statement_id", sa.UnicodeText, nullable=False),
        sa.Column("organization_id", sa.UnicodeText, nullable=False),
        sa.Column("customer_number", sa.Integer, nullable=True),
        sa.Column("buyer_name", sa.UnicodeText, nullable=False),
        sa.Column("buyer_reference", sa.UnicodeText, nullable=True),
        sa.Column("issue_date", sa.Date, nullable=False),
        sa.Column("due_date", sa.Date, nullable=True),
        sa.Column("net_ore", sa.BigInteger, nullable=False),
        sa.Column("vat_ore", sa.BigInteger, nullable=False),
        sa.Column("total_ore", sa.BigInteger, nullable=False),
        sa.Column("corrects", sa.UnicodeText, nullable=True),
        sa.Column("state", sa.UnicodeText, nullable=False),
        sa.Column("sent_at", _tz(), nullable=True),
        sa.Column("sent_by", sa.UnicodeText, nullable=True),
        sa.Column("filename", sa.UnicodeText, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created", _tz(), nullable=False, server_default=sa.func.now()),
        sa.Column("modified", _tz(), nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint("type IN ('invoice','credit_note')", name="vgsamverkan_invoice_type_check"),
        sa.CheckConstraint("state IN ('issued','sent')", name="vgsamverkan_invoice_state_check"),
    )
    op.create_index("vgsamverkan_invoice_month_idx", "vgsamverkan_invoice", ["month", "sequence"])
    op.create_index("vgsamverkan_invoice_org_idx", "vgsamverkan_invoice", ["organization_id", "month"])
    op.execute("""
        CREATE OR REPLACE FUNCTION vgsamverkan_invoice_kept() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF current_setting('vgsamverkan.purge', true) = 'on' THEN
                RETURN COALESCE(NEW, OLD);
            END IF;
            IF TG_OP = 'UPDATE'
               AND (NEW.id, NEW.number, NEW.sequence, NEW.type, NEW.month, NEW.statement_id, NEW.organization_id,
                    NEW.customer_number, NEW.buyer_name, NEW.buyer_reference, NEW.issue_date, NEW.due_date,
                    NEW.net_ore, NEW.vat_ore, NEW.total_ore, NEW.corrects, NEW.filename, NEW.content, NEW.created)
                   IS NOT DISTINCT FROM
                   (OLD.id, OLD.number, OLD.sequence, OLD.type, OLD.month, OLD.statement_id, OLD.organization_id,
                    OLD.customer_number, OLD.buyer_name, OLD.buyer_reference, OLD.issue_date, OLD.due_date,
                    OLD.net_ore, OLD.vat_ore, OLD.total_ore, OLD.corrects, OLD.filename, OLD.content, OLD.created)
               AND (NEW.state = OLD.state OR (OLD.state = 'issued' AND NEW.state = 'sent')) THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'vgsamverkan: invoice % is kept as issued', OLD.number USING ERRCODE = 'check_violation';
        END $$;
    """)
    op.execute("CREATE TRIGGER vgsamverkan_invoice_kept BEFORE UPDATE OR DELETE ON vgsamverkan_invoice "
               "FOR EACH ROW EXECUTE FUNCTION vgsamverkan_invoice_kept()")
    op.execute("CREATE TRIGGER vgsamverkan_invoice_no_truncate BEFORE TRUNCATE ON vgsamverkan_invoice "
               "FOR EACH STATEMENT EXECUTE FUNCTION vgsamverkan_fee_no_truncate()")


def downgrade():
    op.drop_table("vgsamverkan_invoice")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_invoice_kept()")
    op.drop_table("vgsamverkan_invoice_series")
    op.drop_column("vgsamverkan_fee_statement", "customer_number")
    op.drop_table("vgsamverkan_legal_name")
    op.drop_index("vgsamverkan_participation_customer_number", table_name="vgsamverkan_participation")
    for column in ("peppol_endpoint", "address_city", "address_postcode", "address_street", "customer_number"):
        op.drop_column("vgsamverkan_participation", column)
    op.execute("DROP SEQUENCE IF EXISTS vgsamverkan_customer_number_seq")
