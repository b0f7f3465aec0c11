"""Hits and facets of a query of plain words from the bitmaps of migration c7f3a9e1d5b8
(``vgsamverkan_search_bits``): bit operations on a few rows per chunk of 32 768
documents, whatever the number of hits.

Each word of the query is the tsquery the index would match it with (both configurations,
lucene.tsquery), read back from PostgreSQL as text and parsed here: lexemes combined with
``&``, ``|`` and ``!``. Its SQL is the same combination of the lexemes' bitmaps. Anything
else in a tsquery (a phrase's ``<->``, a prefix ``:*``, weights) is not this module's: the
caller counts by scanning instead. The words combine as dismax combines them (required,
excluded, at least ``need`` of the optional ones, counted in binary by
``vgsamverkan_search_at_least``: linear in the words); the filters select groups, as the
maintained counts do.
"""
from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa

from . import lucene

BITS = "vgsamverkan_search_bits"
NO_BITS = "vgsamverkan_search_no_bits()"


class NotBits(ValueError):
    """A tsquery with more than lexemes, ``&``, ``|``, ``!`` and parentheses."""


_TOKEN = re.compile(r"\s*(?:'((?:[^']|'')*)'|(&|\||!|\(|\)))")


def parse(text: str) -> Any:
    """A tsquery's text as a tree: ``("w", lexeme)``, ``("&", a, b)``, ``("|", a, b)``,
    ``("!", a)``; ``None`` for the empty query (a word of stop words only, which matches
    nothing). ``!`` binds tighter than ``&``, ``&`` than ``|``, as PostgreSQL prints them."""
    tokens: list[tuple[str, str]] = []
    position = 0
    text = text.strip()
    while position < len(text):
        m = _TOKEN.match(text, position)
        if m is None:
            raise NotBits(f"not a query of lexemes: {text!r}")
        tokens.append(("w", m.group(1).replace("''", "'")) if m.group(1) is not None else ("op", m.group(2)))
        position = m.end()
        if position < len(text) and text[position] == ":":
            raise NotBits(f"weights or a prefix: {text!r}")
    if not tokens:
        return None
    tree, rest = _or(tokens)
    if rest:
        raise NotBits(f"not a query of lexemes: {text!r}")
    return tree


def _infix(tokens, op: str, operand):
    left, tokens = operand(tokens)
    while tokens and tokens[0] == ("op", op):
        right, tokens = operand(tokens[1:])
        left = (op, left, right)
    return left, tokens


def _or(tokens):
    return _infix(tokens, "|", _and)


def _and(tokens):
    return _infix(tokens, "&", _not)


def _not(tokens):
    if not tokens:
        raise NotBits("a query ends early")
    if tokens[0] == ("op", "!"):
        inner, tokens = _not(tokens[1:])
        return ("!", inner), tokens
    if tokens[0] == ("op", "("):
        inner, tokens = _or(tokens[1:])
        if not tokens or tokens[0] != ("op", ")"):
            raise NotBits("a parenthesis is not closed")
        return inner, tokens[1:]
    if tokens[0][0] == "w":
        return tokens[0], tokens[1:]
    raise NotBits(f"unexpected {tokens[0][1]!r}")


def _lexemes(tree: Any, found: list[str]) -> list[str]:
    if tree is not None:
        if tree[0] == "w":
            if tree[1] not in found:
                found.append(tree[1])
        else:
            for child in tree[1:]:
                _lexemes(child, found)
    return found


def _sql(tree: Any, column: dict[str, str]) -> str:
    """The bitmap of a tree, over the lexemes' columns of one chunk."""
    if tree is None:
        return NO_BITS
    if tree[0] == "w":
        return column[tree[1]]
    if tree[0] == "!":
        return f"(~{_sql(tree[1], column)})"
    return f"({_sql(tree[1], column)} {tree[0]} {_sql(tree[2], column)})"


CHUNK = 32768  # documents a bitmap (migration c7f3a9e1d5b8)


class Counter:
    """The hits of user text in dismax mode (plain words, ``+``/``-``) with filters on
    group fields only: their number and facets (``counts``) and a page of them in the
    order of relevance (``page``), from the bitmaps."""

    def __init__(self, q: str, mm: str, filters: list[str]):
        self.clauses = lucene.dismax_clauses(q, mm)
        self.filters = filters
        self._trees: dict[str, Any] | None = None  # each word's tsquery, read once
        self._not_bits = False  # a word's tsquery is not one of lexemes only

    def _hits(self, conn, params: lucene.Params) -> tuple[list[str], dict[str, Any]] | None:
        """The statement's common table expressions up to ``h`` (each chunk's bitmap of the
        hits) and their values; None when a word's tsquery is not one of lexemes only (the
        caller scans)."""
        required, excluded, optional, need = self.clauses
        words = [text for clauses in (required, excluded, optional) for text, _ in clauses]
        if self._not_bits:
            return None
        if self._trees is None:
            trees: dict[str, Any] = {}
            if words:
                asked = lucene.Params(params.configs)
                queries = [f"CAST({lucene.tsquery(word, asked)} AS text)" for word in dict.fromkeys(words)]
                texts = conn.execute(sa.text(f"SELECT ARRAY[{', '.join(queries)}]"), asked.values).scalar()
                try:
                    trees = {word: parse(text) for word, text in zip(dict.fromkeys(words), texts, strict=True)}
                except NotBits:
                    self._not_bits = True
                    return None
            self._trees = trees
        trees = self._trees
        lexemes: list[str] = []
        for tree in trees.values():
            _lexemes(tree, lexemes)
        # the statement's own values beside the filters' (params is also read by the
        # title page's thread: not changed here)
        values = dict(params.values, vgs_lexemes=lexemes)
        for i, lexeme in enumerate(lexemes):
            values[f"vgs_w{i}"] = lexeme

        def word(text: str, source: str) -> str:
            return _sql(trees[text], {lexeme: f"{source}.w{i}" for i, lexeme in enumerate(lexemes)})

        # the words as dismax combines them; "at least ``need`` of the optional ones" by
        # counting each document's words in binary (migration e3a7c9f1b5d2): one array of
        # the words' bitmaps, linear in the words
        combined = ["x.g"] + [word(text, "x") for text, _ in required]
        combined += [f"(~{word(text, 'x')})" for text, _ in excluded]
        if optional and need >= len(optional):
            combined += [word(text, "x") for text, _ in optional]
        elif optional and need > 0:
            words_bits = ", ".join(word(text, "x") for text, _ in optional)
            combined.append(f"vgsamverkan_search_at_least(ARRAY[{words_bits}], {int(need)})")
        hits = " & ".join(combined)

        group_filter = " AND ".join(self.filters) or "TRUE"
        lexeme_columns = "".join(f", bit_or(b.bits) FILTER (WHERE b.key = :vgs_w{i}) AS w{i}"
                                 for i in range(len(lexemes)))
        coalesced = "".join(f", coalesce(w.w{i}, {NO_BITS}) AS w{i}" for i in range(len(lexemes)))
        ctes = [
            f"g AS (SELECT b.chunk, bit_or(b.bits) AS g FROM {BITS} b WHERE b.kind = 'g' AND b.key IN "
            f"(SELECT d.hash FROM vgsamverkan_search_group d WHERE {group_filter}) GROUP BY b.chunk)",
            f"w AS (SELECT b.chunk{lexeme_columns} FROM {BITS} b "
            "WHERE b.kind = 'w' AND b.key = ANY(CAST(:vgs_lexemes AS text[])) GROUP BY b.chunk)",
            f"x AS (SELECT g.chunk, g.g{coalesced} FROM g LEFT JOIN w ON w.chunk = g.chunk)",
            f"h AS MATERIALIZED (SELECT x.chunk, {hits} AS hits FROM x)",
        ]
        return ctes, values

    def counts(self, conn, params: lucene.Params, names: list[str]) -> dict[str, Any] | None:
        """``{"hits": n, "facets": {name: [[value, n], …]}}``, or None when a word's
        tsquery is not one of lexemes only (the caller scans)."""
        made = self._hits(conn, params)
        if made is None:
            return None
        ctes, values = made
        values["vgs_facet_fields"] = names
        ctes = [*ctes, "n AS MATERIALIZED (SELECT h.chunk, h.hits, bit_count(h.hits)::int AS n FROM h)"]
        selects = ["SELECT NULL AS f, NULL AS v, coalesce(sum(n.n), 0) AS n FROM n"]
        if names:
            # each value's count per chunk first, a number a row (grouping the 4 kB bitmaps
            # themselves sorted megabytes)
            ctes.append(
                f"c AS MATERIALIZED (SELECT b.key, bit_count(b.bits & n.hits)::int AS n FROM n JOIN {BITS} b "
                "ON b.kind = 'v' AND b.chunk = n.chunk AND b.key IN (SELECT CAST(v.id AS text) "
                "FROM vgsamverkan_search_value v WHERE v.field = ANY(CAST(:vgs_facet_fields AS text[]))) "
                "WHERE n.n > 0)")
            selects.append(
                "SELECT v.field, v.value, c.n FROM (SELECT c.key, sum(c.n) AS n FROM c GROUP BY c.key) c "
                "JOIN vgsamverkan_search_value v ON CAST(v.id AS text) = c.key WHERE c.n > 0")
        statement = "WITH " + ", ".join(ctes) + " " + " UNION ALL ".join(selects)
        counted: dict[str, Any] = {"facets": {name: [] for name in names}}
        for field, value, n in conn.execute(sa.text(statement), values):
            if field is None:
                counted["hits"] = int(n)
            else:
                counted["facets"][field].append([value, int(n)])
        return counted

    def page(self, conn, params: lucene.Params, text: str, docs: str, score: str, order: str,
             start: int, rows: int) -> list[tuple[Any, Any]] | None:
        """``rows`` hits from ``start`` in ``order`` (SQL over ``d``, the narrow copy of
        the words ``text``: its vector, ``metadata_modified`` and ``index_id``), with their
        ``score``: the hits' places from their bitmaps, then only the hits read and ranked,
        only the page's documents read from the wide table ``docs``. The cost is the number of
        documents over 32 768 plus the hits times the words, where a pass over the
        documents costs the documents times the words (each word reads each vector).
        None when the words are not of lexemes only (the caller scans)."""
        made = self._hits(conn, params)
        if made is None:
            return None
        ctes, values = made
        ctes = [*ctes,
                f"p AS (SELECT h.chunk * {CHUNK} + i AS slot FROM h, generate_series(0, length(h.hits) - 1) i "
                "WHERE get_bit(h.hits, i) = 1)",
                f"d AS (SELECT t.index_id, t.tsv, t.metadata_modified FROM p JOIN {text} t ON t.slot = p.slot)"]
        ranked = conn.execute(sa.text(
            "WITH " + ", ".join(ctes) + f" SELECT d.index_id, {score} AS score FROM d "
            f"ORDER BY {order} LIMIT {int(rows)} OFFSET {int(start)}"), values).all()
        if not ranked:
            return []
        found = dict(conn.execute(sa.text(
            f"SELECT doc.index_id, doc.data FROM {docs} doc WHERE doc.index_id = ANY(CAST(:ids AS text[]))"),
            {"ids": [index_id for index_id, _ in ranked]}).all())
        return [(found[index_id], score) for index_id, score in ranked if index_id in found]
