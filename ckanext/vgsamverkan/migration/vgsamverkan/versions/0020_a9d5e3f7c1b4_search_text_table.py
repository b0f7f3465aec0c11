"""Ranked text search at scale (issue 22): a narrow copy of each search document's words,
``vgsamverkan_search_text``, for counting the hits of a text query and finding the
documents whose title holds every word of it, without reading the wide documents.

Where the time went (bench/search.py, 100 000 documents, "cykel trafik" matching 37 % of
them): counting the hits read every matching document's row (1.8 kB: the stored package,
its terms, its vector), about 100 ms; ranking them all with ts_rank about as much again.
One row here is about 400 bytes: the words without positions (``tsv``, ``strip`` of the
document's vector, enough for a query of plain words; a phrase needs the positions and
goes to the documents), the words of the title (``title``), the document's group of
filter values (``group_hash``, as ``vgsamverkan_search_group.hash``: a filter on those
fields selects whole groups) and its time of change.

Kept by statement triggers on ``vgsamverkan_search_doc`` in the same transaction as
every write, whichever path writes (CKAN's indexer, a delete by query, SQL by hand,
TRUNCATE), as the counts of e5a9c3b7d2f1 are.

Data: filled from the documents at the upgrade; the downgrade drops it.

Revision ID: a9d5e3f7c1b4
Revises: f8c4a2e6b9d3
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "a9d5e3f7c1b4"
down_revision = "f8c4a2e6b9d3"
branch_labels = None
depends_on = None

ROW = """
SELECT r.index_id, md5(vgsamverkan_search_group_key(r.terms)::text), r.metadata_modified,
       strip(r.tsv), strip(ts_filter(r.tsv, '{{a}}'))
FROM {source} r
"""
INSERT = "INSERT INTO vgsamverkan_search_text (index_id, group_hash, metadata_modified, tsv, title) " + ROW

TRIGGERS = {
    "insert": ("REFERENCING NEW TABLE AS new_rows", INSERT.format(source="new_rows") + ";"),
    "update": ("REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
               "DELETE FROM vgsamverkan_search_text t USING old_rows o WHERE t.index_id = o.index_id; "
               + INSERT.format(source="new_rows") + ";"),
    "delete": ("REFERENCING OLD TABLE AS old_rows",
               "DELETE FROM vgsamverkan_search_text t USING old_rows o WHERE t.index_id = o.index_id;"),
}


def upgrade():
    op.create_table(
        "vgsamverkan_search_text",
        sa.Column("index_id", sa.UnicodeText, primary_key=True),
        sa.Column("group_hash", sa.UnicodeText, nullable=False),
        sa.Column("metadata_modified", sa.DateTime(timezone=True)),
        sa.Column("tsv", postgresql.TSVECTOR, nullable=False),
        sa.Column("title", postgresql.TSVECTOR, nullable=False),
    )
    op.create_index("vgsamverkan_search_text_tsv_idx", "vgsamverkan_search_text", ["tsv"],
                    postgresql_using="gin")
    op.create_index("vgsamverkan_search_text_title_idx", "vgsamverkan_search_text", ["title"],
                    postgresql_using="gin")
    for event, (referencing, body) in TRIGGERS.items():
        op.execute(
            f"CREATE OR REPLACE FUNCTION vgsamverkan_search_text_{event}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $body$ BEGIN {body} RETURN NULL; END $body$")
        op.execute(
            f"CREATE TRIGGER vgsamverkan_search_text_{event} AFTER {event.upper()} ON vgsamverkan_search_doc "
            f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION vgsamverkan_search_text_{event}()")
    op.execute(
        "CREATE OR REPLACE FUNCTION vgsamverkan_search_text_truncate() RETURNS trigger LANGUAGE plpgsql "
        # TRUNCATE (a DELETE leaves every row dead until a vacuum); a DELETE where the same
        # statement truncates this table too (a TRUNCATE of both, as the tests' reset does)
        "AS $body$ BEGIN BEGIN TRUNCATE vgsamverkan_search_text; "
        "EXCEPTION WHEN object_in_use THEN DELETE FROM vgsamverkan_search_text; END; "
        "RETURN NULL; END $body$")
    op.execute(
        "CREATE TRIGGER vgsamverkan_search_text_truncate AFTER TRUNCATE ON vgsamverkan_search_doc "
        "FOR EACH STATEMENT EXECUTE FUNCTION vgsamverkan_search_text_truncate()")
    op.execute(INSERT.format(source="vgsamverkan_search_doc"))


def downgrade():
    for event in (*TRIGGERS, "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS vgsamverkan_search_text_{event} ON vgsamverkan_search_doc")
        op.execute(f"DROP FUNCTION IF EXISTS vgsamverkan_search_text_{event}()")
    op.drop_table("vgsamverkan_search_text")
