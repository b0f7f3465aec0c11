"""Keep the export files of the months closed before revision f6a2c8e4b7d1 (which keeps
them at the close): until now the first download of such a month made and kept them,
so that ``vgsamverkan_fee_export``, a GET action, could write. Now the export only reads
(issue 18), and this revision keeps the missing files, made from the saved rows and the
configuration (SIE accounts, company) of the day of the upgrade, as that first download
would have.

Data only: the downgrade leaves the kept files (they are kept for ever; the table goes
with the downgrade of f6a2c8e4b7d1).

Revision ID: a3d7f1c9e5b2
Revises: f6a2c8e4b7d1
Create Date: 2026-11-29
"""
from __future__ import annotations

from alembic import op

revision = "a3d7f1c9e5b2"
down_revision = "f6a2c8e4b7d1"
branch_labels = None
depends_on = None


def upgrade():
    # The extension's own export code, run on the migration's connection (the schema of
    # this upgrade, in its transaction): CKAN's session is bound to it for the while.
    import ckan.model as model  # noqa: PLC0415 (alembic imports every revision to walk the history: the extension's code only when this one runs)

    from ckanext.vgsamverkan.fees.export import keep_missing_files  # noqa: PLC0415 (alembic imports every revision to walk the history: the extension's code only when this one runs)

    model.Session.remove()
    model.Session.configure(bind=op.get_bind())
    try:
        keep_missing_files()
    finally:
        model.Session.remove()
        model.Session.configure(bind=model.meta.engine)


def downgrade():
    pass
