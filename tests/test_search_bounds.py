"""Search nobody can take down (issue 35, SPEC "Bounded work"): the cost of a query grows
linearly with its words, its size is limited with a message naming the limit, every
search statement runs under a time limit, and a request body above its limit is refused
before it is read."""
from __future__ import annotations

import random

import pytest
import sqlalchemy as sa

import ckan.model as model

from ckanext.vgsamverkan.pgsearch import bits, connection, lucene
from tests.conftest import kept
from tests.test_pgsearch import _corpus, observe, search

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

MM = "2<-1 5<80%"  # CKAN's minimum match


class _Stopped(Exception):
    pass


def bits_statement(q: str) -> str:
    """The SQL the bitmaps would count ``q`` with, captured and never run (on the code
    before issue 35 a query of 40 words would not end)."""
    captured: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if f"FROM {bits.BITS} b" in statement:
            captured.append(statement)
            raise _Stopped

    sa.event.listen(model.meta.engine, "before_cursor_execute", before)
    try:
        with model.meta.engine.begin() as conn, pytest.raises(_Stopped):
            bits.Counter(q, MM, []).counts(conn, lucene.Params(connection.configs()), [])
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", before)
    return captured[0]


def words(n: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    return " ".join(f"ord{rnd.randrange(10**6)}x{i}" for i in range(n))


class TestLinearInTheWords:
    def test_the_statement_of_at_least_k_of_n_words_grows_linearly(self):
        """Structural: doubling the optional words (CKAN's mm asks for 80 % of them)
        at most doubles the statement, plus a constant. Before issue 35 each word was a
        step holding every 'at least j' of the step before (quadratic text, which
        PostgreSQL's inlining made exponential work)."""
        sizes = {n: len(bits_statement(words(n))) for n in (10, 20, 40, 80)}
        growth = [(sizes[2 * n] - sizes[n]) / (sizes[n] - sizes[n // 2]) for n in (20, 40)]
        assert all(g < 2.3 for g in growth), sizes

    def test_at_least_counts_each_documents_words(self):
        """The function against a count per document, on random bitmaps: every number of
        words, every need (none, some, all, more than all)."""
        rnd = random.Random(35)
        with model.meta.engine.begin() as conn:
            for n in (1, 2, 3, 7, 8, 9, 31, 100):
                width = 64
                maps = ["".join(rnd.choice("0001") for _ in range(width)) for _ in range(n)]
                counts = [sum(m[i] == "1" for m in maps) for i in range(width)]
                for need in sorted({-1, 0, 1, 2, n // 2, n - 1, n, n + 1}):
                    got = conn.execute(sa.text(
                        "SELECT CAST(vgsamverkan_search_at_least(CAST(:maps AS bit varying[]), :need) AS text)"),
                        {"maps": maps, "need": need}).scalar()
                    assert got == "".join("1" if c >= need else "0" for c in counts), (n, need)

    def test_many_words_counted_from_the_bitmaps_as_scanned(self, monkeypatch):
        """Up to 100 words, with CKAN's minimum match and others: the bitmaps count what a
        pass over the documents counts, and the query answers (on the code before issue 35
        40 words would not)."""
        kept(("test_pgsearch.corpus",), _corpus)  # the search tests' corpus
        vocabulary = ("cykel cykelvägar kommunen skolor förskolor luft mätningar kvävedioxid bicycle "
                      "counts budget adresser cykelbanor automatic timvisa").split()
        rnd = random.Random(7)
        seen = observe(monkeypatch, "vgsamverkan_counts")
        found = 0
        for n in (3, 6, 12, 25, 40, 100):
            chosen = [rnd.choice(vocabulary) if rnd.random() < 0.6 else f"saknas{i}" for i in range(n)]
            for mm in (None, "1", "2", "3", "50%"):
                extra = {"mm": mm} if mm else {}
                seen.clear()
                with model.meta.engine.begin() as conn:  # counted afresh, not from the cache
                    conn.execute(sa.text("DELETE FROM vgsamverkan_search_cache"))
                counted = search(q=" ".join(chosen), **extra)
                scanned = search(q=" ".join(chosen), fq="+metadata_modified:[* TO *]", **extra)
                assert seen == ["bits", "scan"], (n, mm, seen)
                assert counted["count"] == scanned["count"], (n, mm)
                found += counted["count"]
        assert found > 10
