""""At least k of n words" in time linear in n (issue 35): the function
``vgsamverkan_search_at_least(words bit varying[], need int)``.

A query of plain words is counted from the bitmaps of c7f3a9e1d5b8. CKAN's minimum match
(``mm`` = ``2<-1 5<80%``) asks for at least ``need`` of the ``n`` optional words. That was
one SQL step per word, each step's ``a{j}`` ("at least j of the words so far") written
from two of the step before: PostgreSQL inlines such steps, so the expression of the last
step held 2^n copies of the first (16 words 4 s, 50 words a backend of 21.7 GB and a lost
cluster).

Here each document's number of words is kept as a binary number, one bit string per
binary digit (bit-sliced addition): adding a word's bitmap is a ripple of AND and XOR
through at most log2(n) + 1 digits, stopping when the carry is empty; then "count >=
need" is compared from the highest digit down. n words cost at most n * (log2(n) + 1)
bit operations per chunk (with the 100-word limit: at most 7 digits), and the SQL that
calls it is one array of the words' bitmaps: linear in the query.

Data: none; a function only. The downgrade drops it (the code before this revision does
not call it).

Revision ID: e3a7c9f1b5d2
Revises: d5f1b7c3e9a6
Create Date: 2026-12-07
"""
from __future__ import annotations

from alembic import op

revision = "e3a7c9f1b5d2"
down_revision = "d5f1b7c3e9a6"
branch_labels = None
depends_on = None

AT_LEAST = """
CREATE OR REPLACE FUNCTION vgsamverkan_search_at_least(words bit varying[], need int) RETURNS bit varying
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    n int := coalesce(cardinality(words), 0);
    zero bit varying;
    digits bit varying[] := '{}';  -- digits[i]: bit i - 1 of each document's count
    word bit varying;
    carry bit varying;
    digit bit varying;
    width int := 0;                -- the binary digits of need
    more bit varying;              -- count > need in the digits compared so far
    same bit varying;              -- count = need in the digits compared so far
    i int;
BEGIN
    IF n = 0 THEN
        RAISE EXCEPTION 'vgsamverkan_search_at_least: no words';
    END IF;
    zero := words[1] # words[1];
    IF need <= 0 THEN
        RETURN ~zero;
    ELSIF need > n THEN
        RETURN zero;
    END IF;
    FOREACH word IN ARRAY words LOOP
        carry := word;
        i := 1;
        WHILE carry <> zero LOOP
            IF i > cardinality(digits) THEN
                digits := array_append(digits, carry);
                EXIT;
            END IF;
            digit := digits[i];
            digits[i] := digit # carry;
            carry := digit & carry;
            i := i + 1;
        END LOOP;
    END LOOP;
    WHILE (need >> width) > 0 LOOP
        width := width + 1;
    END LOOP;
    more := zero;
    same := ~zero;
    FOR i IN REVERSE greatest(width, cardinality(digits)) .. 1 LOOP
        digit := CASE WHEN i <= cardinality(digits) THEN digits[i] ELSE zero END;
        IF ((need >> (i - 1)) & 1) = 1 THEN
            same := same & digit;
        ELSE
            more := more | (same & digit);
            same := same & ~digit;
        END IF;
    END LOOP;
    RETURN more | same;
END $$
"""


def upgrade():
    op.execute(AT_LEAST)


def downgrade():
    op.execute("DROP FUNCTION IF EXISTS vgsamverkan_search_at_least(bit varying[], int)")
