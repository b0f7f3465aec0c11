"""Search: hit and facet counts maintained on write, per group of documents.

A group is every document that has the same values in the fields CKAN's standard listings
filter on (site, entity and dataset type, state, capacity, permission labels, owner
organisation). Any filter on only those fields is true or false for a whole group, so the
number of hits of such a query is the sum of its groups' sizes, and its facet counts the
sums of the groups' counts: a listing, the home page or an organisation page never has to
scan its hits, whatever the size of the index.

The counts are kept by statement triggers on ``vgsamverkan_search_doc`` (with transition
tables), in the same transaction as the write, so they are right whichever path writes:
CKAN's indexer, a delete by query, ``search-index clear``, or SQL by hand.

Revision ID: e5a9c3b7d2f1
Revises: c4d1e7a2b5f6
Create Date: 2026-11-26
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "e5a9c3b7d2f1"
down_revision = "c4d1e7a2b5f6"
branch_labels = None
depends_on = None

# The search reads both lists from vgsamverkan_search_counted_fields(), so they live only
# here; changing them is a new revision that replaces the functions and recounts. (Not in
# tables: CKAN's test reset empties every table it knows of.)
GROUP_FIELDS = ("site_id", "entity_type", "dataset_type", "state", "capacity",
                "permission_labels", "owner_org")
# CKAN's default facets (search.facets), and owner_org for the organisation lists' counts;
# other facet fields are counted by a scan.
FACET_FIELDS = ("organization", "groups", "tags", "res_format", "license_id", "owner_org")

GROUP_KEY = """
CREATE OR REPLACE FUNCTION vgsamverkan_search_group_key(terms jsonb)
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(jsonb_object_agg(
           e.key, (SELECT jsonb_agg(DISTINCT v ORDER BY v) FROM jsonb_array_elements(e.value) v)),
         '{{}}'::jsonb)
  FROM jsonb_each(terms) e
  WHERE e.key = ANY(ARRAY[{group_fields}])
$$
"""

COUNTED_FIELDS = """
CREATE OR REPLACE FUNCTION vgsamverkan_search_counted_fields()
RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT jsonb_build_object('groups', jsonb_build_array({group_fields}),
                            'facets', jsonb_build_array({facet_fields}))
$$
"""

# {delta}: rows (terms jsonb, sign int), +1 for a document added, -1 for one removed
APPLY = """
DECLARE touched integer[];
BEGIN
  WITH delta AS ({delta}),
  keyed AS (
    SELECT k.key, md5(k.key::text) AS hash, delta.terms, delta.sign
    FROM delta, LATERAL (SELECT vgsamverkan_search_group_key(delta.terms) AS key) k
  ),
  groups AS (
    INSERT INTO vgsamverkan_search_group AS g (hash, terms, n)
    SELECT hash, min(key::text)::jsonb, sum(sign) FROM keyed GROUP BY hash ORDER BY hash
    ON CONFLICT (hash) DO UPDATE SET n = g.n + EXCLUDED.n
    RETURNING g.id, g.hash
  ),
  facets AS (
    INSERT INTO vgsamverkan_search_facet AS f (group_id, field, value, n)
    SELECT groups.id, ff.field, v.value, sum(keyed.sign)
    FROM keyed
    JOIN groups ON groups.hash = keyed.hash
    CROSS JOIN unnest(ARRAY[{facet_fields}]) ff(field)
    CROSS JOIN LATERAL (
      SELECT DISTINCT value FROM jsonb_array_elements_text(keyed.terms -> ff.field)
    ) v
    GROUP BY 1, 2, 3
    HAVING sum(keyed.sign) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (group_id, field, value) DO UPDATE SET n = f.n + EXCLUDED.n
  )
  SELECT array_agg(id) INTO touched FROM groups;
  -- n <= 0, not = 0: CKAN's test reset deletes table by table, counts possibly first
  DELETE FROM vgsamverkan_search_facet WHERE group_id = ANY(touched) AND n <= 0;
  DELETE FROM vgsamverkan_search_group WHERE id = ANY(touched) AND n <= 0;
  {tail}
END
"""

TRIGGERS = {
    "insert": ("SELECT terms, 1 AS sign FROM new_rows", "REFERENCING NEW TABLE AS new_rows"),
    "update": ("SELECT terms, -1 AS sign FROM old_rows UNION ALL SELECT terms, 1 FROM new_rows",
               "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    "delete": ("SELECT terms, -1 AS sign FROM old_rows", "REFERENCING OLD TABLE AS old_rows"),
}


def _sql_list(names) -> str:
    return ", ".join(f"'{name}'" for name in names)


def _apply(delta: str, tail: str) -> str:
    return APPLY.format(delta=delta, tail=tail, facet_fields=_sql_list(FACET_FIELDS))


def create_functions() -> None:
    lists = {"group_fields": _sql_list(GROUP_FIELDS), "facet_fields": _sql_list(FACET_FIELDS)}
    op.execute(GROUP_KEY.format(**lists))
    op.execute(COUNTED_FIELDS.format(**lists))
    for event, (delta, _) in TRIGGERS.items():
        body = _apply(delta, "RETURN NULL;")
        op.execute(
            f"CREATE OR REPLACE FUNCTION vgsamverkan_search_counted_{event}() RETURNS trigger "
            f"LANGUAGE plpgsql AS $body${body}$body$"
        )
    # every count from the documents, from scratch (after a change of the field lists)
    body = _apply("SELECT terms, 1 AS sign FROM vgsamverkan_search_doc", "")
    op.execute(
        "CREATE OR REPLACE FUNCTION vgsamverkan_search_recount() RETURNS void "
        "LANGUAGE plpgsql AS $body$ BEGIN "
        "DELETE FROM vgsamverkan_search_facet; DELETE FROM vgsamverkan_search_group; "
        "PERFORM vgsamverkan_search_recount_apply(); END $body$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION vgsamverkan_search_recount_apply() RETURNS void "
        f"LANGUAGE plpgsql AS $body${body}$body$"
    )
    op.execute(
        "CREATE OR REPLACE FUNCTION vgsamverkan_search_counted_truncate() RETURNS trigger "
        "LANGUAGE plpgsql AS $body$ BEGIN "
        "DELETE FROM vgsamverkan_search_facet; DELETE FROM vgsamverkan_search_group; "
        "RETURN NULL; END $body$"
    )


def upgrade():
    op.create_table(
        "vgsamverkan_search_group",
        sa.Column("id", sa.Integer, primary_key=True),
        # md5 of ``terms`` as text (jsonb text is canonical; arrays are sorted): unique,
        # and short, however many permission labels a group has
        sa.Column("hash", sa.UnicodeText, nullable=False, unique=True),
        # the group's values of the group fields, shaped as a document's terms
        sa.Column("terms", postgresql.JSONB, nullable=False),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    op.create_table(
        "vgsamverkan_search_facet",
        sa.Column("group_id", sa.Integer,
                  sa.ForeignKey("vgsamverkan_search_group.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("field", sa.UnicodeText, primary_key=True),
        sa.Column("value", sa.UnicodeText, primary_key=True),
        sa.Column("n", sa.BigInteger, nullable=False),
    )
    create_functions()
    for event, (_, referencing) in TRIGGERS.items():
        op.execute(
            f"CREATE TRIGGER vgsamverkan_search_counted_{event} AFTER {event.upper()} "
            f"ON vgsamverkan_search_doc {referencing} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION vgsamverkan_search_counted_{event}()"
        )
    op.execute(
        "CREATE TRIGGER vgsamverkan_search_counted_truncate AFTER TRUNCATE "
        "ON vgsamverkan_search_doc FOR EACH STATEMENT "
        "EXECUTE FUNCTION vgsamverkan_search_counted_truncate()"
    )
    op.execute("SELECT vgsamverkan_search_recount()")


def downgrade():
    for event in (*TRIGGERS, "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS vgsamverkan_search_counted_{event} ON vgsamverkan_search_doc")
        op.execute(f"DROP FUNCTION IF EXISTS vgsamverkan_search_counted_{event}()")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_search_recount()")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_search_recount_apply()")
    op.drop_table("vgsamverkan_search_facet")
    op.drop_table("vgsamverkan_search_group")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_search_group_key(jsonb)")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_search_counted_fields()")
