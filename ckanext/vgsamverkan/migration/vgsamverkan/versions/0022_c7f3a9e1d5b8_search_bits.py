"""Counting text hits and their facets without visiting the hits (issue 22): a bitmap per
word, per group of filter values and per facet value, over the documents' numbers.

Counting the hits of "cykel trafik" read each hit's row of the narrow copy (37 000 of
100 000 documents, about 25 ms), and their facets unnested each hit's value numbers
(about 100 ms): linear in the hits. Here each document of ``vgsamverkan_search_text`` has
a number (``slot``, kept while the document exists), and ``vgsamverkan_search_bits`` holds,
for each word of the copy (kind ``w``, the lexeme), each group (``g``, the group hash) and
each number of a facet value (``v``), the set of documents that have it: in chunks of
32 768 documents (``chunk`` = slot / 32 768), each a bit string of 32 768 bits (4 kB),
bit ``slot % 32 768`` set. A query of plain words is then bit operations on a few rows
per chunk: its words' bitmaps combined as its tsquery says, AND the OR of the groups its
filters select; the hits are the bits set, each facet value's count the bits set in its
bitmap AND the hits. At 100 000 documents that is 4 chunks, whatever the number of hits.

Bit strings of a rare word are nearly all zeros: every bitmap longer than 128 bytes is
compressed (storage MAIN, toast_tuple_target 128; lz4 where the server has it) and kept
in the row, so a word of one document takes a few dozen bytes.

Kept by statement triggers on ``vgsamverkan_search_text`` (itself kept by triggers on the
documents), in the same transaction as every write: an insert sets the new documents'
bits, a delete clears them, an update changes only the bits of what changed (the copy's
update trigger on the documents now updates the copy's rows in place instead of deleting
and inserting them, so that a document keeps its number). TRUNCATE empties the bitmaps
and numbers from 0 again, as does a delete of the last document ('ckan search-index
clear'). A deleted document's number is not given again until then; its bits are cleared
and a chunk whose bitmaps are all cleared has no rows.

The copy's vector now keeps its positions and weights (it was ``strip``ped): the first
page of a text query, when the documents whose title holds every word fill it, is ranked
with ts_rank in the copy, and only the page's documents are read from the wide table
(the ranking read all 1 300 such documents' wide rows at 100 000 documents, about 25 ms;
in the copy about 14 ms). The copy is about 60 % larger (59 -> 98 MB at 100 000).

Data: numbers given in index_id order and every bitmap built at the upgrade; the downgrade
drops both, strips the copy's vectors again and puts back b2e6f4a8d0c5's copy triggers.

Revision ID: c7f3a9e1d5b8
Revises: b2e6f4a8d0c5
Create Date: 2026-11-30
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "c7f3a9e1d5b8"
down_revision = "b2e6f4a8d0c5"
branch_labels = None
depends_on = None

CHUNK = 32768
SEQUENCE = "vgsamverkan_search_slot_seq"
FACET_FIELDS = "ARRAY['organization', 'groups', 'tags', 'res_format', 'license_id', 'owner_org']"

# b2e6f4a8d0c5's numbering of facet values and its row of the copy, as a SELECT; the
# vector now with its positions and weights ({tsv})
VALUES = f"""
INSERT INTO vgsamverkan_search_value (field, value)
SELECT DISTINCT f, v FROM new_rows r, unnest({FACET_FIELDS}) f, jsonb_array_elements_text(r.terms -> f) v
ORDER BY 1, 2
ON CONFLICT (field, value) DO NOTHING;
"""
_ROW = f"""
SELECT r.index_id, md5(vgsamverkan_search_group_key(r.terms)::text) AS group_hash, r.metadata_modified,
       {{tsv}} AS tsv, strip(ts_filter(r.tsv, '{{{{a}}}}')) AS title,
       ARRAY(SELECT DISTINCT n.id FROM unnest({FACET_FIELDS}) f, jsonb_array_elements_text(r.terms -> f) v,
             vgsamverkan_search_value n WHERE n.field = f AND n.value = v ORDER BY 1) AS facet_ids
FROM new_rows r
"""
ROW = _ROW.format(tsv="r.tsv")
OLD_ROW = _ROW.format(tsv="strip(r.tsv)")
COLUMNS = "index_id, group_hash, metadata_modified, tsv, title, facet_ids"
# the copy's update: in place (a document keeps its number); a row whose index_id the
# update changed (by hand) is deleted and inserted
COPY_UPDATE = (
    VALUES
    + f"UPDATE vgsamverkan_search_text t SET group_hash = x.group_hash, "
    f"metadata_modified = x.metadata_modified, tsv = x.tsv, title = x.title, facet_ids = x.facet_ids "
    f"FROM ({ROW}) x WHERE t.index_id = x.index_id; "
    "DELETE FROM vgsamverkan_search_text t USING old_rows o WHERE t.index_id = o.index_id "
    "AND NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.index_id = o.index_id); "
    f"INSERT INTO vgsamverkan_search_text ({COLUMNS}) SELECT x.* FROM ({ROW}) x "
    "WHERE NOT EXISTS (SELECT 1 FROM vgsamverkan_search_text t WHERE t.index_id = x.index_id);"
)
COPY_INSERT = VALUES + f"INSERT INTO vgsamverkan_search_text ({COLUMNS}) {ROW};"
# b2e6f4a8d0c5's, for the downgrade
OLD_COPY_UPDATE = (
    "DELETE FROM vgsamverkan_search_text t USING old_rows o WHERE t.index_id = o.index_id; "
    + VALUES + f"INSERT INTO vgsamverkan_search_text ({COLUMNS}) {OLD_ROW};"
)
OLD_COPY_INSERT = VALUES + f"INSERT INTO vgsamverkan_search_text ({COLUMNS}) {OLD_ROW};"

# what each document of a set of copy rows has: (slot, kind, key)
ITEMS = """
SELECT r.slot, 'w' AS kind, w AS key FROM {rows} r, unnest(tsvector_to_array(r.tsv)) w
UNION ALL SELECT r.slot, 'g', r.group_hash FROM {rows} r
UNION ALL SELECT r.slot, 'v', CAST(f AS text) FROM {rows} r, unnest(r.facet_ids) f
"""
# the bitmaps of a set of items, per (kind, key, chunk), in key order (rows are locked in
# one order by every writer)
MASKS = f"""
SELECT i.kind, i.key, i.slot / {CHUNK} AS chunk, vgsamverkan_search_bits_of(array_agg(i.slot % {CHUNK})) AS bits
FROM ({{items}}) i GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
"""
SET = ("INSERT INTO vgsamverkan_search_bits (kind, key, chunk, bits) " + MASKS
       + " ON CONFLICT (kind, key, chunk) DO UPDATE SET bits = vgsamverkan_search_bits.bits | EXCLUDED.bits;")
CLEAR = (
    "UPDATE vgsamverkan_search_bits b SET bits = b.bits & ~m.bits FROM (" + MASKS + ") m "
    "WHERE b.kind = m.kind AND b.key = m.key AND b.chunk = m.chunk; "
    # a bitmap with no bit set is no row
    f"DELETE FROM vgsamverkan_search_bits b USING (SELECT DISTINCT i.kind, i.key, i.slot / {CHUNK} AS chunk "
    "FROM ({items}) i) m WHERE b.kind = m.kind AND b.key = m.key AND b.chunk = m.chunk AND bit_count(b.bits) = 0;"
)
BITS_TRIGGERS = {
    "insert": ("REFERENCING NEW TABLE AS new_rows", SET.format(items=ITEMS.format(rows="new_rows"))),
    "delete": ("REFERENCING OLD TABLE AS old_rows", CLEAR.format(items=ITEMS.format(rows="old_rows"))
               # the last document gone ('ckan search-index clear'): numbers from 0 again
               + f"IF NOT EXISTS (SELECT FROM vgsamverkan_search_text) THEN PERFORM setval('{SEQUENCE}', 0, false); "
               "END IF;"),
    "update": ("REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows",
               # only what changed: cleared what the old rows had and the new have not, then set
               # what the new have and the old had not
               CLEAR.format(items=f"({ITEMS.format(rows='old_rows')}) EXCEPT ({ITEMS.format(rows='new_rows')})")
               + SET.format(items=f"({ITEMS.format(rows='new_rows')}) EXCEPT ({ITEMS.format(rows='old_rows')})")),
}


def _copy_functions(insert: str, update: str) -> None:
    for event, body in (("insert", insert), ("update", update)):
        op.execute(f"CREATE OR REPLACE FUNCTION vgsamverkan_search_text_{event}() RETURNS trigger "
                   f"LANGUAGE plpgsql AS $body$ BEGIN {body} RETURN NULL; END $body$")


def upgrade():
    # the page of a text query is ranked (ts_rank) in the copy: the vector with positions
    _copy_functions(COPY_INSERT, COPY_UPDATE)
    op.execute("UPDATE vgsamverkan_search_text t SET tsv = d.tsv FROM vgsamverkan_search_doc d "
               "WHERE d.index_id = t.index_id")
    op.execute(f"CREATE SEQUENCE {SEQUENCE} MINVALUE 0 START 0")
    op.add_column("vgsamverkan_search_text", sa.Column("slot", sa.Integer, nullable=True))
    op.execute(f"UPDATE vgsamverkan_search_text t SET slot = n.slot FROM ("
               f"SELECT index_id, nextval('{SEQUENCE}') AS slot FROM "
               f"(SELECT index_id FROM vgsamverkan_search_text ORDER BY index_id) o) n "
               "WHERE t.index_id = n.index_id")
    op.execute(f"ALTER TABLE vgsamverkan_search_text ALTER COLUMN slot SET DEFAULT nextval('{SEQUENCE}'), "
               "ALTER COLUMN slot SET NOT NULL")
    op.execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY vgsamverkan_search_text.slot")
    op.create_unique_constraint("vgsamverkan_search_text_slot_key", "vgsamverkan_search_text", ["slot"])

    op.create_table(
        "vgsamverkan_search_bits",
        sa.Column("kind", sa.Unicode(1), primary_key=True),
        sa.Column("key", sa.UnicodeText, primary_key=True),
        sa.Column("chunk", sa.Integer, primary_key=True),
        sa.Column("bits", postgresql.BIT(varying=True), nullable=False),
    )
    op.execute("ALTER TABLE vgsamverkan_search_bits SET (toast_tuple_target = 128), "
               "ALTER COLUMN bits SET STORAGE MAIN")
    # lz4 decompresses several times faster than pglz; a server built without it keeps pglz
    op.execute("DO $$ BEGIN ALTER TABLE vgsamverkan_search_bits ALTER COLUMN bits SET COMPRESSION lz4; "
               "EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN NULL; END $$")

    op.execute(
        "CREATE OR REPLACE FUNCTION vgsamverkan_search_no_bits() RETURNS bit varying "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT CAST(CAST(B'0' AS bit({CHUNK})) AS bit varying) $$")
    # a chunk's bitmap with the given bits set: bit by bit for a few, else written out in hex
    op.execute(f"""
        CREATE OR REPLACE FUNCTION vgsamverkan_search_bits_of(positions int[]) RETURNS bit varying
        LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $$
        DECLARE
            result bit varying := vgsamverkan_search_no_bits();
            p int;
        BEGIN
            IF cardinality(positions) > 200 THEN
                SELECT CAST('x' || rpad(coalesce(string_agg(repeat('0', n - prev - 1) || to_hex(v), ''
                                                             ORDER BY n), ''), {CHUNK // 4}, '0') AS bit varying)
                INTO result
                FROM (SELECT n, v, coalesce(lag(n) OVER (ORDER BY n), -1) AS prev
                      FROM (SELECT q / 4 AS n, sum(DISTINCT 8 >> (q % 4))::int AS v
                            FROM unnest(positions) q GROUP BY 1) x) y;
                RETURN result;
            END IF;
            FOREACH p IN ARRAY positions LOOP
                result := set_bit(result, p, 1);
            END LOOP;
            RETURN result;
        END $$""")

    for event, (referencing, body) in BITS_TRIGGERS.items():
        op.execute(
            f"CREATE OR REPLACE FUNCTION vgsamverkan_search_bits_{event}() RETURNS trigger LANGUAGE plpgsql "
            f"AS $body$ BEGIN {body} RETURN NULL; END $body$")
        op.execute(
            f"CREATE TRIGGER vgsamverkan_search_bits_{event} AFTER {event.upper()} ON vgsamverkan_search_text "
            f"{referencing} FOR EACH STATEMENT EXECUTE FUNCTION vgsamverkan_search_bits_{event}()")
    op.execute(
        "CREATE OR REPLACE FUNCTION vgsamverkan_search_bits_truncate() RETURNS trigger LANGUAGE plpgsql "
        # as vgsamverkan_search_text_truncate (a9d5e3f7c1b4); numbers from 0 again
        "AS $body$ BEGIN BEGIN TRUNCATE vgsamverkan_search_bits; "
        "EXCEPTION WHEN object_in_use THEN DELETE FROM vgsamverkan_search_bits; END; "
        f"PERFORM setval('{SEQUENCE}', 0, false); RETURN NULL; END $body$")
    op.execute(
        "CREATE TRIGGER vgsamverkan_search_bits_truncate AFTER TRUNCATE ON vgsamverkan_search_text "
        "FOR EACH STATEMENT EXECUTE FUNCTION vgsamverkan_search_bits_truncate()")
    op.execute(SET.format(items=ITEMS.format(rows="vgsamverkan_search_text")))


def downgrade():
    _copy_functions(OLD_COPY_INSERT, OLD_COPY_UPDATE)
    for event in (*BITS_TRIGGERS, "truncate"):
        op.execute(f"DROP TRIGGER IF EXISTS vgsamverkan_search_bits_{event} ON vgsamverkan_search_text")
        op.execute(f"DROP FUNCTION IF EXISTS vgsamverkan_search_bits_{event}()")
    op.drop_table("vgsamverkan_search_bits")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_search_bits_of(int[])")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_search_no_bits()")
    op.drop_column("vgsamverkan_search_text", "slot")  # and its sequence (OWNED BY)
    op.execute("UPDATE vgsamverkan_search_text SET tsv = strip(tsv)")
