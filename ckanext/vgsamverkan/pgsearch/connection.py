"""A connection shaped like ``pysolr.Solr`` that keeps CKAN's search documents in
PostgreSQL (table ``vgsamverkan_search_doc``) and answers CKAN's Solr queries from it.

Writes go through their own short transaction on CKAN's engine, as writes to Solr are
independent of CKAN's session.
"""
from __future__ import annotations

import concurrent.futures
import datetime as dt
import hashlib
import json
import logging
import os
import re
import time
from typing import Any, Iterable

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchError, SearchQueryError, solr_datetime_decoder

from ckanext.vgsamverkan import config, formats
from ckanext.vgsamverkan.guard import has_bad_text

from . import bits, bounds, fields, lucene

log = logging.getLogger(__name__)

TABLE = "vgsamverkan_search_doc"
DEFAULT_SORT = "score desc, metadata_modified desc"
GAP = "vgsamverkangap"
CACHE_MINUTES = 15  # a cached count is dropped after this, or at the next write
MAX_START = 1_000_000  # the first row asked for (PostgreSQL's OFFSET reads every row before it)
MAX_SORT_FIELDS = 20

_SORT_COLUMNS = {
    "metadata_modified": "d.metadata_modified",
    "metadata_created": "d.metadata_created",
    "title_string": "d.title_string",
    "name": "d.name",
    "index_id": "d.index_id",
    "id": "d.id",
}


def _engine():
    import ckan.model as model  # noqa: PLC0415 (the engine CKAN binds once configured, read at each call)

    return model.meta.engine


def configs() -> tuple[str, str]:
    """The text search configurations, read at each call (a test compares two)."""
    return lucene.configurations(config.search_text_configuration())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return " ".join(_text(v) for v in value)
    return str(value)


def _timestamp(value: Any) -> dt.datetime | None:
    if not value:
        return None
    try:
        return lucene.parse_date(str(value))
    except lucene.QueryNotUnderstood:
        return None


def _solr_date(value: Any) -> Any:
    """A date as Solr stores it: UTC, millisecond precision (``…T08:24:12.782Z``)."""
    moment = _timestamp(value) if isinstance(value, str) else None
    if moment is None:
        return value
    moment = moment.astimezone(dt.timezone.utc)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    millis = moment.microsecond // 1000
    return f"{text}.{millis:03d}Z" if millis else f"{text}Z"


def _json_default(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


def _term(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.isoformat()
    return str(value)


_NOT_TERMS = {"validated_data_dict", "data_dict"}
_MAX_TERM = 1000


def _terms(doc: dict[str, Any]) -> dict[str, list[str]]:
    """The values of the exact-match fields (Solr's string, date and number fields) as
    lists of strings. Analysed text and CKAN's stored package dicts are left out: they
    are matched through the text vector, and would only make every row heavy."""
    terms = {}
    for key, value in doc.items():
        if value is None or isinstance(value, dict) or key in _NOT_TERMS:
            continue
        if fields.kind(key) == "text":
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        kept = [_term(v) for v in values if v is not None and not isinstance(v, dict)]
        # each value once: a facet counts documents (two CSV resources are one CSV dataset)
        kept = list(dict.fromkeys(v for v in kept if len(v) <= _MAX_TERM))
        if kept:
            terms[key] = kept
    return terms


def _new_generation(conn) -> None:
    """Every write: a new generation of the index, and no cached answer of the old one.

    Called first in every writing transaction: the lock on the one state row makes index
    writes take turns. Without it, an upsert whose insert and update triggers lock count
    groups in two passes could deadlock with another (the concurrency test found it)."""
    conn.execute(sa.text(
        "INSERT INTO vgsamverkan_search_state (id, generation) VALUES (1, 1) "
        "ON CONFLICT (id) DO UPDATE SET generation = vgsamverkan_search_state.generation + 1"
    ))
    conn.execute(sa.text("DELETE FROM vgsamverkan_search_cache"))


def _generation(conn) -> int:
    value = conn.execute(sa.text("SELECT generation FROM vgsamverkan_search_state WHERE id = 1")).scalar()
    return int(value or 0)


class Results:
    """Shaped like ``pysolr.Results``."""

    def __init__(self, docs: list[dict[str, Any]], hits: int, facets: dict[str, list], start: int,
                 counted: str = "scan", paged: str = "none"):
        self.docs = docs
        self.hits = hits
        self.facets = {"facet_fields": facets}
        self.stats: dict[str, Any] = {}
        self.highlighting: dict[str, Any] = {}
        self.raw_response = {
            # how hits and facets were counted: "groups" (maintained counts), "cache",
            # "words" (the narrow copy of the words) or "scan" (a pass over the hits); how
            # the page was found: "title" (among the documents whose title holds every
            # word), "bits" (the hits' places from their bitmaps, only they ranked), "scan"
            # or "none" (no rows asked for, or none left)
            "responseHeader": {"status": 0, "vgsamverkan_counts": counted, "vgsamverkan_page": paged},
            "response": {"numFound": hits, "start": start, "docs": docs},
            "facet_counts": {"facet_fields": facets},
        }

    def __len__(self) -> int:
        return len(self.docs)

    def __iter__(self):
        return iter(self.docs)


class PgSolr:
    """The search backend. Accepts the arguments CKAN gives ``pysolr.Solr``."""

    url = "postgresql://vgsamverkan_search_doc"

    def __init__(self, *args: Any, decode_dates: bool = False, **kwargs: Any) -> None:
        # as CKAN's Solr connection: dates in returned documents as datetimes on request
        self.decode_dates = decode_dates

    # -- writing -----------------------------------------------------------------------

    def add(self, docs: Iterable[dict[str, Any]], commit: bool = True, **kwargs: Any) -> str:
        # one row per document, the last one where CKAN sends the same document twice
        rows = list({row["index_id"]: row for row in (self._row(doc) for doc in docs)}.values())
        if not rows:
            return ""
        # Parts are kept 100 positions apart (Solr's positionIncrementGap), so that a
        # phrase never matches across the title's end and the tags' start: a filler
        # lexeme makes the gap and is then deleted, its positions staying unused.
        gap = f" || '{GAP}:100'::tsvector || "
        swedish = configs()[0]
        vectors = [f"setweight(to_tsvector('{c}', r.{part}), '{w}')"
                   for c in configs() for part, w in (("a", "A"), ("b", "B"), ("c", "C"))]
        if swedish == lucene.SWEDISH and config.search_compound_parts():
            # the base forms of the parts of Swedish compounds ("bygglov ärende"; migration
            # f4b8d2a6c0e3), weight D: found, and ranked below every whole word
            vectors.append("setweight(to_tsvector('simple', "
                           "vgsamverkan_search_parts(concat_ws(' ', r.a, r.b, r.c))), 'D')")
        weights = "ts_delete(" + gap.join(vectors) + f", '{GAP}')"
        # One statement for the whole batch, rows in index_id order: the count triggers
        # (migration e5a9c3b7d2f1) see the batch at once and update each count once, and
        # concurrent batches lock documents and counts in the same order (no deadlock).
        statement = sa.text(
            f"""
            INSERT INTO {TABLE} AS d (index_id, id, site_id, entity_type, name, title_string,
                metadata_created, metadata_modified, data, terms, tsv, indexed)
            SELECT r.index_id, r.id, r.site_id, r.entity_type, r.name, r.title_string,
                r.metadata_created, r.metadata_modified, r.data, r.terms, {weights}, now()
            FROM jsonb_to_recordset(CAST(:rows AS jsonb)) AS r(
                index_id text, id text, site_id text, entity_type text, name text,
                title_string text, metadata_created timestamptz, metadata_modified timestamptz,
                data jsonb, terms jsonb, a text, b text, c text)
            ORDER BY r.index_id
            ON CONFLICT (index_id) DO UPDATE SET
                id = EXCLUDED.id, site_id = EXCLUDED.site_id,
                entity_type = EXCLUDED.entity_type, name = EXCLUDED.name,
                title_string = EXCLUDED.title_string,
                metadata_created = EXCLUDED.metadata_created,
                metadata_modified = EXCLUDED.metadata_modified,
                data = EXCLUDED.data, terms = EXCLUDED.terms, tsv = EXCLUDED.tsv,
                indexed = EXCLUDED.indexed
            """
        )
        with _engine().begin() as conn:
            _new_generation(conn)
            conn.execute(statement, {"rows": json.dumps(rows, default=_json_default)})
        return ""

    @staticmethod
    def _row(doc: dict[str, Any]) -> dict[str, Any]:
        doc = {k: _solr_date(v) if fields.kind(k) == "date" else v for k, v in doc.items()}
        doc.setdefault("title_string", doc.get("title"))
        index_id = doc.get("index_id") or doc.get("id")
        if not index_id:
            raise SearchError("a search document needs index_id or id")
        return {
            "index_id": str(index_id),
            "id": doc.get("id"),
            "site_id": doc.get("site_id"),
            "entity_type": doc.get("entity_type"),
            "name": doc.get("name"),
            "title_string": _text(doc.get("title_string")) or None,
            "metadata_created": _timestamp(doc.get("metadata_created")),
            "metadata_modified": _timestamp(doc.get("metadata_modified")),
            "data": doc,
            "terms": _terms(doc),
            "a": " ".join(_text(doc.get(f)) for f in fields.TEXT_SOURCES_A),
            "b": " ".join(_text(doc.get(f)) for f in fields.TEXT_SOURCES_B),
            "c": " ".join(
                [_text(doc.get(f)) for f in fields.TEXT_SOURCES_C]
                + [_text(v) for k, v in doc.items() if k.startswith(fields.TEXT_PREFIXES)]
            ),
        }

    def delete(self, id: Any = None, q: Any = None, commit: bool = True, **kwargs: Any) -> str:
        with _engine().begin() as conn:
            _new_generation(conn)
            if id is not None:
                ids = [id] if isinstance(id, str) else list(id)
                conn.execute(
                    sa.text(f"DELETE FROM {TABLE} WHERE index_id = ANY(:ids) OR id = ANY(:ids)"),
                    {"ids": ids},
                )
            if q is not None:
                params = lucene.Params(configs())
                where = self._where(q, None, params)
                conn.execute(sa.text(f"DELETE FROM {TABLE} d WHERE {where}"), params.values)
        return ""

    def commit(self, **kwargs: Any) -> str:
        return ""  # every write is committed when made

    def optimize(self, **kwargs: Any) -> str:
        return ""

    # -- searching ---------------------------------------------------------------------

    def _where(self, q: Any, fq: Any, params: lucene.Params, *, def_type: str = "lucene", mm: str = "2<-1 5<80%",
               df: str = "text") -> str:
        query, filters = self._parts(q, fq, params, def_type=def_type, mm=mm, df=df)
        return " AND ".join([query, *filters])

    def _parts(self, q: Any, fq: Any, params: lucene.Params, *, def_type: str = "lucene", mm: str = "2<-1 5<80%",
               df: str = "text") -> tuple[str, list[str]]:
        """The SQL of ``q`` and of each ``fq``."""
        q = (q or "*:*") if isinstance(q, str) else "*:*"
        try:
            query = lucene.dismax(q, params, mm) if def_type == "dismax" else lucene.lucene(q, params, df)
            return query, [lucene.lucene(f, params, df) for f in self._list(fq)]
        except lucene.TooLarge as e:
            raise bounds.too_large(e) from e
        except lucene.QueryNotUnderstood as e:
            raise SearchQueryError(e.message(tk._)) from e
        except RecursionError as e:  # a limit of lucene.check_size should come first
            raise SearchQueryError(tk._("The search is nested too deeply.")) from e

    @staticmethod
    def _list(value: Any) -> list[str]:
        if value is None:
            return []
        if isinstance(value, str):
            return [value] if value.strip() else []
        return [v for v in value if isinstance(v, str) and v.strip()]

    @staticmethod
    def _int(value: Any, default: int, name: str) -> int:
        if value is None or value == "":
            return default
        try:
            return int(value)
        except (TypeError, ValueError):
            raise SearchQueryError(tk._("{name} must be a whole number.").format(name=name)) from None

    def _order(self, sort: Any, score: str, ranked: str | None = None) -> str:
        clauses = []
        parts = str(sort or DEFAULT_SORT).split(",")
        if len(parts) > MAX_SORT_FIELDS:
            raise SearchQueryError(tk._("A sort has at most {limit} fields.").format(limit=MAX_SORT_FIELDS))
        for part in parts:
            words = part.split()
            if not words:
                continue
            if len(words) != 2 or words[1].lower() not in ("asc", "desc"):
                raise SearchQueryError('Invalid "sort" parameter')
            field, direction = words[0], words[1].upper()
            if field == "score":
                if score == "0.0":
                    continue  # no text to rank by: every score is equal
                # a document whose title holds every word first (docs/search.md), then ts_rank
                clauses.append(f"(ts_filter(d.tsv, '{{a}}') @@ {ranked}) {direction}")
                expr = score
            elif field in _SORT_COLUMNS:
                expr = _SORT_COLUMNS[field]
            elif fields.VALID_NAME.match(field):
                k = fields.kind(field)
                quoted = field.replace("'", "''")
                if k == "date":
                    expr = f"vgsamverkan_search_ts(d.data ->> '{quoted}')"
                elif k == "int":
                    expr = f"vgsamverkan_search_num(d.data ->> '{quoted}')"
                else:
                    expr = f"(d.data ->> '{quoted}')"
            else:
                raise SearchQueryError('Invalid "sort" parameter')
            # each direction's natural NULL order (ASC NULLS LAST, DESC NULLS FIRST), so that
            # a B-tree index can serve the sort forwards or backwards
            clauses.append(f"{expr} {direction}")
        clauses.append("d.index_id")
        return ", ".join(clauses)

    @staticmethod
    def _refuse_bad_characters(q: Any, kwargs: dict[str, Any]) -> None:
        """NUL and surrogate halves cannot be bound to a PostgreSQL query (a 500): the
        query is refused as Solr refuses one it cannot parse."""
        for name, value in (("q", q), *kwargs.items()):
            if has_bad_text(list(value) if isinstance(value, tuple) else value):
                raise SearchQueryError(tk._("{name} contains a character that is not allowed (NUL or a "
                                            "surrogate).").format(name=name))

    def search(self, q: Any = None, **kwargs: Any) -> Results:
        self._refuse_bad_characters(q, kwargs)
        if isinstance(q, str):
            try:
                lucene.check_size(q)
            except lucene.TooLarge as e:
                raise bounds.too_large(e) from e
        rows = self._int(kwargs.get("rows"), 10, "rows")
        start = self._int(kwargs.get("start"), 0, "start")
        if rows < 0 or start < 0:
            raise SearchQueryError(tk._("rows and start must not be negative."))
        if start > MAX_START:
            raise SearchQueryError(tk._("start is at most {limit}.").format(limit=formats.number(MAX_START)))
        deadline = time.monotonic() + bounds.timeout_seconds()  # the whole search's time
        params = lucene.Params(configs())
        def_type = kwargs.get("defType") or "lucene"
        query, filters = self._parts(
            q, kwargs.get("fq"), params,
            def_type=def_type,
            mm=kwargs.get("mm") or "2<-1 5<80%",
            df=kwargs.get("df") or "text",
        )
        where = " AND ".join([query, *filters])
        score, ranked = self._score(q, params)
        order = self._order(kwargs.get("sort"), score, ranked)
        fl = self._fields(kwargs.get("fl"))
        facet_fields = self._facet_fields(kwargs)
        df = kwargs.get("df") or "text"
        filtered = self._filtered_fields(q, kwargs.get("fq"), def_type, df)
        filtered_by_fq = self._filtered_fields("*:*", kwargs.get("fq"), "lucene", df)
        try:
            with _engine().begin() as conn:  # commits the cache entry, if any
                bounds.limit(conn)  # time and memory (SET LOCAL: this transaction only)
                # plain words and filters on group fields only: counted and ranked from the
                # narrow copy of the words (migration a9d5e3f7c1b4)
                words = None
                if _plain_words(q, def_type) and filtered_by_fq is not None \
                        and filtered_by_fq <= _counted_fields(conn)[0]:
                    words = Words(query, filters, q, kwargs.get("mm") or "2<-1 5<80%")
                # the title page on a second connection while this one counts: neither
                # waits for the other (a few tens of ms each at 100 000 datasets)
                page = None
                if (words is not None and ranked is not None and rows > 0
                        and (kwargs.get("sort") or DEFAULT_SORT) == DEFAULT_SORT):
                    page = _beside(lambda: words.title_page(params, ranked, start, rows))
                hits, facets, counted = self._counts(conn, where, params, facet_fields, filtered, words)
                docs, paged = [], "none"
                result = page.result() if page is not None else None
                if rows > 0 and hits > start:
                    bounds.until(conn, deadline)  # what is left of the search's time
                    paged = "scan" if result is None else "title"
                    if result is None and words is not None and _sorted_by(kwargs.get("sort")) <= _IN_TEXT:
                        # from the hits' bitmaps: the hits alone ranked, not every document
                        result = words.counter.page(conn, params, TEXT, TABLE, score, order, start, rows)
                        paged = "scan" if result is None else "bits"
                    if result is None:
                        result = conn.execute(
                            sa.text(
                                f"SELECT d.data, {score} AS score FROM {TABLE} d WHERE {where} "
                                f"ORDER BY {order} LIMIT {rows} OFFSET {start}"
                            ),
                            params.values,
                        ).all()
                    docs = [self._doc(data, s, fl) for data, s in result]
                    if self.decode_dates:
                        docs = [solr_datetime_decoder(doc) for doc in docs]
        except sa.exc.DBAPIError as e:
            if bounds.timed_out(e):
                log.warning("vgsamverkan_pgsearch: a search ran out of time: q=%.200r", q)
                raise bounds.timeout_error() from e
            log.exception("vgsamverkan_pgsearch: query failed")
            raise SearchError(tk._("The search failed. Try again, or search with other words.")) from e
        return Results(docs, hits, facets, start, counted, paged)

    @staticmethod
    def _score(q: Any, params: lucene.Params) -> tuple[str, str | None]:
        """The relevance of a document (SQL over ``d``) and the query it ranks by (None
        when there is no text to rank by)."""
        if not isinstance(q, str) or q.strip() in ("", "*:*"):
            return "0.0", None
        words = " ".join(
            w for w in q.replace('"', " ").split()
            if ":" not in w and w.upper() not in ("AND", "OR", "NOT") and not w.startswith("-")
        ).replace("+", " ")
        if not words.strip():
            return "0.0", None
        ranked = lucene.tsquery(words, params)
        return f"ts_rank(d.tsv, {ranked})", ranked

    @staticmethod
    def _fields(fl: Any) -> list[str] | None:
        if not fl:
            return None
        names = fl if isinstance(fl, (list, tuple)) else str(fl).replace(",", " ").split()
        return None if "*" in names else list(names)

    @staticmethod
    def _doc(data: Any, score: Any, fl: list[str] | None) -> dict[str, Any]:
        doc = data if isinstance(data, dict) else json.loads(data)
        if fl is None:
            result = dict(doc)
        else:
            result = {k: doc[k] for k in fl if k in doc}
            if "score" in fl:
                result["score"] = float(score or 0)
        return result

    def _facet_fields(self, kwargs: dict[str, Any]) -> list[tuple[str, int, int]]:
        if str(kwargs.get("facet", "false")).lower() != "true":
            return []
        result = []
        default_limit = self._int(kwargs.get("facet.limit"), 100, "facet.limit")
        default_min = self._int(kwargs.get("facet.mincount"), 0, "facet.mincount")
        for field in self._list(kwargs.get("facet.field")):
            if not fields.VALID_NAME.match(field):
                raise SearchQueryError(tk._("Not a field name: {detail}").format(detail=field))
            limit = self._int(kwargs.get(f"f.{field}.facet.limit"), default_limit, "facet.limit")
            mincount = self._int(kwargs.get(f"f.{field}.facet.mincount"), default_min, "facet.mincount")
            result.append((field, limit, mincount))
        return result

    def _filtered_fields(self, q: Any, fq: Any, def_type: str, df: str) -> set[str] | None:
        """The fields that ``q`` and ``fq`` filter on, if they are only exact-value
        filters; None if they search text or compare ranges."""
        q = q if isinstance(q, str) else "*:*"
        if def_type == "dismax" and q.strip() not in ("", "*:*"):
            return None
        result: set[str] = set()
        for query in [q, *self._list(fq)]:
            found = lucene.exact_fields(query, df)
            if found is None:
                return None
            result |= found
        return result

    @staticmethod
    def _counts(conn, where: str, params: lucene.Params, facet_fields: list[tuple[str, int, int]],
                filtered: set[str] | None = None, words: Words | None = None) -> tuple[int, dict[str, list], str]:
        """The number of hits and the facets, cached for the current generation of the
        index. On a miss: from the counts maintained on write when the query only filters
        on the fields that define groups of documents (listings, organisation pages, the
        home page), else in one pass over the hits (text searches, ranges)."""
        names = sorted({f for f, _, _ in facet_fields})
        key = hashlib.sha256(
            json.dumps([where, params.values, names], default=str, sort_keys=True).encode()
        ).hexdigest()
        generation = _generation(conn)
        cached = conn.execute(
            sa.text("SELECT result FROM vgsamverkan_search_cache WHERE key = :k AND generation = :g"),
            {"k": key, "g": generation},
        ).scalar()
        if cached is not None:
            cached = cached if isinstance(cached, dict) else json.loads(cached)
            return cached["hits"], _facet_lists(cached, facet_fields), "cache"
        group_fields, facet_names = _counted_fields(conn)
        if filtered is not None and filtered <= group_fields and set(names) <= facet_names:
            how, counted = "groups", _group_counts(conn, where, params, names)
        else:
            how, counted = "scan", None
            if words is not None and set(names) <= facet_names:
                how, counted = "bits", words.counter.counts(conn, params, names)
            if counted is None:
                how, counted = "scan", _scan_counts(conn, where, params, names)
        assert counted is not None  # the scan always counts
        conn.execute(sa.text(
            "DELETE FROM vgsamverkan_search_cache "
            f"WHERE created < now() - interval '{CACHE_MINUTES} minutes'"
        ))
        conn.execute(
            sa.text(
                "INSERT INTO vgsamverkan_search_cache (key, generation, result) "
                "VALUES (:k, :g, CAST(:r AS jsonb)) ON CONFLICT (key) DO UPDATE "
                "SET generation = EXCLUDED.generation, result = EXCLUDED.result, created = now()"
            ),
            {"k": key, "g": generation, "r": json.dumps(counted)},
        )
        return counted["hits"], _facet_lists(counted, facet_fields), how


_COUNTED_FIELDS: tuple[frozenset[str], frozenset[str]] | None = None


def _counted_fields(conn) -> tuple[frozenset[str], frozenset[str]]:
    """The fields that define the groups of maintained counts, and the facet fields
    counted per group (as migration e5a9c3b7d2f1 made them), read once per process."""
    global _COUNTED_FIELDS
    if _COUNTED_FIELDS is None:
        lists = conn.execute(sa.text("SELECT vgsamverkan_search_counted_fields()")).scalar()
        lists = lists if isinstance(lists, dict) else json.loads(lists)
        _COUNTED_FIELDS = (frozenset(lists["groups"]), frozenset(lists["facets"]))
    return _COUNTED_FIELDS


def _scan_counts(conn, where: str, params: lucene.Params, names: list[str]) -> dict[str, Any]:
    """Hits and facet counts in one pass over the hits."""
    if not names:  # the hits only: a plain count, which PostgreSQL may share between processes
        hits = conn.execute(sa.text(f"SELECT count(*) FROM {TABLE} d WHERE {where}"), params.values).scalar()
        return {"hits": int(hits), "facets": {}}
    result = conn.execute(
        sa.text(
            f"WITH m AS MATERIALIZED (SELECT d.terms FROM {TABLE} d WHERE {where}) "
            "SELECT NULL AS f, NULL AS v, count(*) AS n FROM m "
            "UNION ALL "
            "SELECT f, v, count(*) FROM m, unnest(CAST(:facet_fields AS text[])) f, "
            "jsonb_array_elements_text(m.terms -> f) v GROUP BY f, v"
        ),
        dict(params.values, facet_fields=names),
    )
    counted: dict[str, Any] = {"hits": 0, "facets": {name: [] for name in names}}
    for field, value, n in result:
        if field is None:
            counted["hits"] = n
        else:
            counted["facets"][field].append([value, n])
    return counted


def _group_counts(conn, where: str, params: lucene.Params, names: list[str]) -> dict[str, Any]:
    """Hits and facet counts summed over the groups the filter selects. ``where`` only
    refers to ``d.terms`` (the query filters on group fields only), so it selects from the
    groups exactly as it would from their documents."""
    groups = conn.execute(
        sa.text(f"SELECT d.id, d.n FROM vgsamverkan_search_group d WHERE {where}"), params.values
    ).all()
    counted: dict[str, Any] = {"hits": sum(n for _, n in groups),
                               "facets": {name: [] for name in names}}
    if names and groups:
        result = conn.execute(
            sa.text(
                "SELECT field, value, sum(n) FROM vgsamverkan_search_facet "
                "WHERE group_id = ANY(:ids) AND field = ANY(:names) GROUP BY field, value"
            ),
            {"ids": [i for i, _ in groups], "names": names},
        )
        for field, value, n in result:
            counted["facets"][field].append([value, int(n)])
    return counted


def _facet_lists(counted: dict[str, Any], facet_fields: list[tuple[str, int, int]]) -> dict[str, list]:
    """Solr's flat facet lists (value, count, value, count…), most frequent first."""
    facets = {}
    for field, limit, mincount in facet_fields:
        pairs = sorted(
            (pair for pair in counted["facets"].get(field, []) if pair[1] >= max(mincount, 1)),
            key=lambda pair: (-pair[1], pair[0]),
        )
        if limit >= 0:
            pairs = pairs[:limit]
        facets[field] = [item for pair in pairs for item in pair]
    return facets


# sort fields whose order the narrow copy of the words can give (Words, bits.Counter.page)
_IN_TEXT = frozenset({"score", "metadata_modified", "index_id"})


def _sorted_by(sort: Any) -> set[str]:
    """The fields of a sort (already checked by PgSolr._order)."""
    return {part.split()[0] for part in str(sort or DEFAULT_SORT).split(",") if part.split()}


_PLAIN_WORD = re.compile(r"^[+-]?\w+$")


def _plain_words(q: Any, def_type: str) -> bool:
    """User text of plain words (``+``/``-`` allowed): no phrase, no field, nothing a
    vector without positions could answer differently."""
    return (def_type == "dismax" and isinstance(q, str) and q.strip() not in ("", "*:*")
            and all(_PLAIN_WORD.match(token) for token in q.split()))


TEXT = "vgsamverkan_search_text"


class Words:
    """A query of plain words with filters on group fields only: its hits and facets
    counted from the bitmaps (bits.Counter, migration c7f3a9e1d5b8), its first page from
    the narrow copy of the words (``vgsamverkan_search_text``, alias ``d`` as the
    documents', so the query's SQL reads its vector ``d.tsv``) when the documents whose
    title holds every word fill it."""

    def __init__(self, query: str, filters: list[str], q: str, mm: str):
        self.query = query
        self.counter = bits.Counter(q, mm, filters)
        # the filters select groups: over the groups' terms, as _group_counts does
        self.groups = (f"d.group_hash IN (SELECT d.hash FROM vgsamverkan_search_group d "
                       f"WHERE {' AND '.join(filters) or 'TRUE'})")

    def title_page(self, params: lucene.Params, ranked: str, start: int, rows: int):
        """The page when the documents whose title holds every word fill it (they come
        first in the order of relevance, _order); None when they do not. On a connection
        of its own (it runs beside the count: _beside)."""
        wanted = start + rows
        # the titles first, from their own index; the query's words checked on those rows
        # only (through the index of every word the plan would read all the hits' places)
        with _engine().begin() as conn:
            bounds.limit(conn)
            result = conn.execute(sa.text(
                f"WITH titled AS MATERIALIZED (SELECT * FROM {TEXT} d WHERE d.title @@ {ranked}), "
                # ranked in the copy (its vector has the positions and weights: c7f3a9e1d5b8);
                # only the page's documents read from the wide table
                f"page AS (SELECT d.index_id, ts_rank(d.tsv, {ranked}) AS score, d.metadata_modified "
                f"FROM titled d WHERE {self.query} AND {self.groups} "
                f"ORDER BY score DESC, d.metadata_modified DESC, d.index_id LIMIT {wanted}) "
                f"SELECT doc.data, page.score FROM page JOIN {TABLE} doc ON doc.index_id = page.index_id "
                "ORDER BY page.score DESC, page.metadata_modified DESC, page.index_id"),
                params.values).all()
        return result[start:] if len(result) == wanted else None


_EXECUTOR: tuple[int, concurrent.futures.ThreadPoolExecutor] | None = None


def _beside(work) -> concurrent.futures.Future:
    """``work`` in a thread of this process (made after a fork: a worker of gunicorn has
    its own), while the caller goes on."""
    global _EXECUTOR
    if _EXECUTOR is None or _EXECUTOR[0] != os.getpid():
        _EXECUTOR = (os.getpid(), concurrent.futures.ThreadPoolExecutor(
            max_workers=2, thread_name_prefix="vgsamverkan-search"))
    return _EXECUTOR[1].submit(work)


def make_connection(decode_dates: bool = True) -> PgSolr:
    return PgSolr(decode_dates=decode_dates)


def check_solr_schema_version(schema_file: Any = None) -> bool:
    return True
