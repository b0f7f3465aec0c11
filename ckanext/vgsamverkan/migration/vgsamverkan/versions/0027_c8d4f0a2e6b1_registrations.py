"""Registrations waiting for their mailed link (issue 36: registration does not tell
whether an address has an account).

A registration from the web form makes no account: it waits here (user name, full name,
address, the password's hash, the language of its mail, the SHA-256 of the link's key)
until the link mailed to the address is followed and the password chosen is typed again;
then the account is made and the row removed. A few wrong passwords give the registration
up (``attempts``): whoever sees the link cannot guess the password at leisure. Rows older than the link's validity
(``ckanext.vgsamverkan.activation_days``) are removed by the daily job.

Data: none before. The downgrade drops the table (registrations not yet activated are
given up: their links stop working).

Revision ID: c8d4f0a2e6b1
Revises: a6c2e8f4d0b7
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "c8d4f0a2e6b1"
down_revision = "a6c2e8f4d0b7"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "vgsamverkan_registration",
        sa.Column("id", sa.UnicodeText, primary_key=True),
        sa.Column("key_digest", sa.UnicodeText, nullable=False),
        sa.Column("name", sa.UnicodeText, nullable=False),
        sa.Column("fullname", sa.UnicodeText, nullable=True),
        sa.Column("email", sa.UnicodeText, nullable=False),
        sa.Column("password_hash", sa.UnicodeText, nullable=False),
        sa.Column("language", sa.UnicodeText, nullable=True),
        # wrong passwords typed at activation: the registration is given up at the limit
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("created", sa.TIMESTAMP(timezone=True), nullable=False, server_default=sa.func.now()),
    )
    op.create_index("vgsamverkan_registration_created_idx", "vgsamverkan_registration", ["created"])


def downgrade():
    op.drop_table("vgsamverkan_registration")
