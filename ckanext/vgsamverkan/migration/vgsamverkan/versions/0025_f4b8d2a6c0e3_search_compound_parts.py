"""Swedish compound parts across a linking -s- and in inflected last parts (issue 35, SPEC
"Search"): ``vgsamverkan_search_parts(text)`` and its cache ``vgsamverkan_search_compound``.

PostgreSQL's ispell dictionary splits a compound only where Hunspell's affix rules let it
("cykelparkeringar" -> cykel, parkering) and keeps whole what the dictionary lists whole
or does not know ("laddplatser" -> laddplats; "bygglovsärenden" -> nothing, then the
snowball stem "bygglovsärend"). So "plats" did not find "Laddplatser", nor "bygglov"
"Bygglovsärenden".

``vgsamverkan_search_split(word)`` splits one word as Solr's dictionary compound filter
does, with the Hunspell dictionary as its word list: at each point that leaves at least
four letters on each side, the last part must be a word Hunspell knows in any form
("ärenden", "platser", "kontroller"), the first part a word it knows as written (also a
genitive: "bygglovs", "befolknings") or after a linking letter: -s- ("avfalls"), -e-
(only in words Hunspell does not know as a whole: "parke|ringar" is not a compound),
-u-/-o- for -a ("gatu" -> gata), or a dropped -a ("ladd" -> ladda, "skol" -> skola). A
first part that is, or whose stem is, a stop word is no part ("för|skolor", "under|sökning").
Where both "elbil|sladdning" and "elbils|laddning" hold, the linking -s- wins. The parts
are given as words ("bygglovs ärenden"), so the configuration reduces them as any word.

``vgsamverkan_search_parts(text)`` gives the parts of every word of a text (letters only,
8 to 40 of them), each word split once and kept in the cache table (a word's parts
depend only on the dictionary); without the Hunspell dictionary it gives nothing and
keeps nothing. The search backend adds the parts to a document's vector with weight D,
after the fields (pgsearch/connection.py): a part matches, and ranks below any whole word.

Data: the cache starts empty; documents get their parts at the next write or ``ckan
search-index rebuild``. The downgrade drops the functions and the cache.

Revision ID: f4b8d2a6c0e3
Revises: e3a7c9f1b5d2
Create Date: 2026-12-07
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "f4b8d2a6c0e3"
down_revision = "e3a7c9f1b5d2"
branch_labels = None
depends_on = None

HUNSPELL = "vgsamverkan_swedish_hunspell"  # f8c4a2e6b9d3
STOP = "vgsamverkan_swedish_stop"
MIN_PART = 4
MAX_WORD = 40

LEXEMES = """
CREATE OR REPLACE FUNCTION vgsamverkan_search_lexemes(word text, hunspell regdictionary) RETURNS text[]
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
-- A part's base forms as Hunspell gives them; where it gives the whole word and its own
-- parts ("vägledning" -> vägledning, väg, ledning), the whole word only: a part of a
-- compound found inside a longer one is no part of the longer one ("yrkesvägledning"
-- is no "väg"). Alternatives ("ringar" -> ring, ringa) and a compound given only as its
-- parts ("vattenförekomster" -> vatten, förekomst) are kept.
DECLARE
    found text[] := ts_lexize(hunspell, word);
BEGIN
    IF cardinality(found) >= 3 AND NOT EXISTS (
            SELECT 1 FROM unnest(found[2:]) e WHERE strpos(found[1], e) = 0) THEN
        RETURN found[1:1];
    END IF;
    RETURN found;
END $$
"""

SPLIT = f"""
CREATE OR REPLACE FUNCTION vgsamverkan_search_split(word text, hunspell regdictionary) RETURNS text
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $$
DECLARE
    n int := char_length(word);
    i int;
    head text;
    tail text;
    base text;
    candidate text;
    candidates text[];
    known_whole boolean;
    found text[];
    heads text[] := '{{}}';  -- [i]: the first part's base forms, of the split after letter i
    tails text[] := '{{}}';  -- [i]: the last part's
    parts text[] := '{{}}';
BEGIN
    IF n < {2 * MIN_PART} OR n > {MAX_WORD} OR word !~ '^[[:alpha:]]+$' THEN
        RETURN '';
    END IF;
    known_whole := ts_lexize(hunspell, word) IS NOT NULL;
    FOR i IN {MIN_PART} .. n - {MIN_PART} LOOP
        tail := substr(word, i + 1);
        IF ts_lexize('{STOP}', tail) IS NOT NULL OR ts_lexize(hunspell, tail) IS NULL THEN
            CONTINUE;
        END IF;
        head := substr(word, 1, i);
        base := left(head, -1);
        -- a stop word is no first part, nor is the stem of one before a linking letter
        IF ts_lexize('{STOP}', head) IS NOT NULL
           OR (right(head, 1) IN ('s', 'e') AND ts_lexize('{STOP}', base) IS NOT NULL) THEN
            CONTINUE;
        END IF;
        candidates := ARRAY[head];
        IF right(head, 1) = 's' AND i - 1 >= {MIN_PART} THEN
            candidates := candidates || base;
        END IF;
        IF right(head, 1) = 'e' AND i - 1 >= {MIN_PART} AND NOT known_whole THEN
            candidates := candidates || base;
        END IF;
        IF right(head, 1) IN ('u', 'o') THEN
            candidates := candidates || (base || 'a');
        END IF;
        candidates := candidates || (head || 'a') || (head || 'e');
        FOREACH candidate IN ARRAY candidates LOOP
            found := vgsamverkan_search_lexemes(candidate, hunspell);
            CONTINUE WHEN found IS NULL;
            -- a first part that ends in a stop word ("medborgarunder|sökning") is none
            EXIT WHEN EXISTS (SELECT 1 FROM unnest(found) e WHERE ts_lexize('{STOP}', e) IS NOT NULL);
            heads[i] := array_to_string(found, ' ');
            tails[i] := array_to_string(vgsamverkan_search_lexemes(tail, hunspell), ' ');
            EXIT;
        END LOOP;
    END LOOP;
    FOR i IN {MIN_PART} .. n - {MIN_PART} LOOP
        CONTINUE WHEN heads[i] IS NULL;
        -- "elbil|sladdning" beside "elbils|laddning": the linking -s- wins
        CONTINUE WHEN left(substr(word, i + 1), 1) = 's' AND heads[i + 1] IS NOT NULL;
        parts := parts || heads[i] || tails[i];
    END LOOP;
    RETURN array_to_string(parts, ' ');
END $$
"""

PARTS = f"""
CREATE OR REPLACE FUNCTION vgsamverkan_search_parts(body text) RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
-- The base forms of the parts of every word of body, as lexemes (for the configuration
-- 'simple'), each word split once and kept
DECLARE
    hunspell regdictionary;
    words text[];
    result text;
BEGIN
    SELECT d.oid::regdictionary INTO hunspell FROM pg_ts_dict d
    WHERE d.dictname = '{HUNSPELL}' AND pg_ts_dict_is_visible(d.oid);
    IF hunspell IS NULL OR body IS NULL THEN
        RETURN '';  -- no Hunspell dictionary (f8c4a2e6b9d3 without hunspell-sv): no parts, none kept
    END IF;
    words := ARRAY(SELECT DISTINCT w FROM regexp_split_to_table(lower(body), '[^[:alpha:]]+') w
                   WHERE char_length(w) BETWEEN {2 * MIN_PART} AND {MAX_WORD});
    INSERT INTO vgsamverkan_search_compound (word, parts)
    SELECT w, vgsamverkan_search_split(w, hunspell) FROM unnest(words) w
    WHERE NOT EXISTS (SELECT 1 FROM vgsamverkan_search_compound c WHERE c.word = w)
    ON CONFLICT (word) DO NOTHING;
    SELECT string_agg(c.parts, ' ') INTO result FROM vgsamverkan_search_compound c
    WHERE c.word = ANY(words) AND c.parts <> '';
    RETURN coalesce(result, '');
END $$
"""


def upgrade():
    op.create_table(
        "vgsamverkan_search_compound",
        sa.Column("word", sa.UnicodeText, primary_key=True),
        sa.Column("parts", sa.UnicodeText, nullable=False),
    )
    op.execute(LEXEMES)
    op.execute(SPLIT)
    op.execute(PARTS)


def downgrade():
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_search_parts(text)")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_search_split(text, regdictionary)")
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_search_lexemes(text, regdictionary)")
    op.drop_table("vgsamverkan_search_compound")
