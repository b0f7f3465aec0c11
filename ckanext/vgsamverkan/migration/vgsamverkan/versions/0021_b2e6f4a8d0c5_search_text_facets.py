"""Facets of a text query from the narrow copy of the words (issue 22): each document's
values of the counted facet fields as numbers (``vgsamverkan_search_text.facet_ids``, one
per value, distinct), numbered in ``vgsamverkan_search_value`` (field, value).

A text query of plain words that asks for the dataset page's facets (organisation,
groups, tags, formats, licence) counted them by reading every matching document's terms
(0.45 s cold at 100 000 datasets, bench/search.py); the numbers of its hits' values are
about 40 bytes a document in the narrow row.

The facet fields are those of e5a9c3b7d2f1 (vgsamverkan_search_counted_fields). Values
are numbered when first seen and never renumbered (a value no document has any more
keeps its number, unused).

Data: every value of every document numbered and every row's numbers filled at the
upgrade; the downgrade drops both and puts back a9d5e3f7c1b4's triggers.

Revision ID: b2e6f4a8d0c5
Revises: a9d5e3f7c1b4
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "b2e6f4a8d0c5"
down_revision = "a9d5e3f7c1b4"
branch_labels = None
depends_on = None

FACET_FIELDS = "ARRAY['organization', 'groups', 'tags', 'res_format', 'license_id', 'owner_org']"

VALUES = f"""
INSERT INTO vgsamverkan_search_value (field, value)
SELECT DISTINCT f, v FROM {{source}} r, unnest({FACET_FIELDS}) f, jsonb_array_elements_text(r.terms -> f) v
ORDER BY 1, 2
ON CONFLICT (field, value) DO NOTHING
"""
ROW = f"""
INSERT INTO vgsamverkan_search_text (index_id, group_hash, metadata_modified, tsv, title, facet_ids)
SELECT r.index_id, md5(vgsamverkan_search_group_key(r.terms)::text), r.metadata_modified,
       strip(r.tsv), strip(ts_filter(r.tsv, '{{{{a}}}}')),
       ARRAY(SELECT DISTINCT n.id FROM unnest({FACET_FIELDS}) f, jsonb_array_elements_text(r.terms -> f) v,
             vgsamverkan_search_value n WHERE n.field = f AND n.value = v ORDER BY 1)
FROM {{source}} r
"""
# a9d5e3f7c1b4's, for the downgrade
OLD_ROW = """
INSERT INTO vgsamverkan_search_text (index_id, group_hash, metadata_modified, tsv, title)
SELECT r.index_id, md5(vgsamverkan_search_group_key(r.terms)::text), r.metadata_modified,
       strip(r.tsv), strip(ts_filter(r.tsv, '{{a}}'))
FROM {source} r
"""
DELETE_OLD = "DELETE FROM vgsamverkan_search_text t USING old_rows o WHERE t.index_id = o.index_id; "


def _functions(insert: str, values: bool) -> None:
    numbered = VALUES.format(source="new_rows") + "; " if values else ""
    bodies = {
        "insert": numbered + insert.format(source="new_rows") + ";",
        "update": DELETE_OLD + numbered + insert.format(source="new_rows") + ";",
    }
    for event, body in bodies.items():
        op.execute(
            f"CREATE OR REPLACE FUNCTION vgsamverkan_search_text_{event}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $body$ BEGIN {body} RETURN NULL; END $body$")


def upgrade():
    op.create_table(
        "vgsamverkan_search_value",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("field", sa.UnicodeText, nullable=False),
        sa.Column("value", sa.UnicodeText, nullable=False),
        sa.UniqueConstraint("field", "value", name="vgsamverkan_search_value_field_value_key"),
    )
    op.add_column("vgsamverkan_search_text",
                  sa.Column("facet_ids", postgresql.ARRAY(sa.Integer), nullable=False, server_default="{}"))
    _functions(ROW, values=True)
    op.execute(VALUES.format(source="vgsamverkan_search_doc"))
    op.execute("DELETE FROM vgsamverkan_search_text")
    op.execute(ROW.format(source="vgsamverkan_search_doc"))


def downgrade():
    _functions(OLD_ROW, values=False)
    op.drop_column("vgsamverkan_search_text", "facet_ids")
    op.drop_table("vgsamverkan_search_value")
