"""A connection shaped like ``pysolr.Solr`` that keeps CKAN's search documents in
PostgreSQL (table ``vgsamverkan_search_doc``) and answers CKAN's Solr queries from it.

Writes go through their own short transaction on CKAN's engine, as writes to Solr are
independent of CKAN's session.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any, Iterable

import sqlalchemy as sa

from ckan.lib.search.common import SearchError, SearchQueryError, solr_datetime_decoder

from . import fields, lucene

log = logging.getLogger(__name__)

TABLE = "vgsamverkan_search_doc"
DEFAULT_SORT = "score desc, metadata_modified desc"
GAP = "vgsamverkangap"
CACHE_MINUTES = 15  # a cached count is dropped after this, or at the next write
_SORT_COLUMNS = {
    "metadata_modified": "d.metadata_modified",
    "metadata_created": "d.metadata_created",
    "title_string": "d.title_string",
    "name": "d.name",
    "index_id": "d.index_id",
    "id": "d.id",
}


def _engine():
    import ckan.model as model

    return model.meta.engine


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
        kept = [v for v in kept if len(v) <= _MAX_TERM]
        if kept:
            terms[key] = kept
    return terms


def _new_generation(conn) -> None:
    """Every write: a new generation of the index, and no cached answer of the old one."""
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

    def __init__(self, docs: list[dict[str, Any]], hits: int, facets: dict[str, list], start: int):
        self.docs = docs
        self.hits = hits
        self.facets = {"facet_fields": facets}
        self.stats: dict[str, Any] = {}
        self.highlighting: dict[str, Any] = {}
        self.raw_response = {
            "responseHeader": {"status": 0},
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
        rows = [self._row(doc) for doc in docs]
        if not rows:
            return ""
        # Parts are kept 100 positions apart (Solr's positionIncrementGap), so that a
        # phrase never matches across the title's end and the tags' start: a filler
        # lexeme makes the gap and is then deleted, its positions staying unused.
        gap = f" || '{GAP}:100'::tsvector || "
        weights = "ts_delete(" + gap.join(
            f"setweight(to_tsvector('{c}', :{part}), '{w}')"
            for c in lucene.TS_CONFIGS
            for part, w in (("a", "A"), ("b", "B"), ("c", "C"))
        ) + f", '{GAP}')"
        statement = sa.text(
            f"""
            INSERT INTO {TABLE} AS d (index_id, id, site_id, entity_type, name, title_string,
                metadata_created, metadata_modified, data, terms, tsv, indexed)
            VALUES (:index_id, :id, :site_id, :entity_type, :name, :title_string,
                :metadata_created, :metadata_modified, CAST(:data AS jsonb),
                CAST(:terms AS jsonb), {weights}, now())
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
            conn.execute(statement, rows)
            _new_generation(conn)
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
            "data": json.dumps(doc, default=_json_default),
            "terms": json.dumps(_terms(doc)),
            "a": " ".join(_text(doc.get(f)) for f in fields.TEXT_SOURCES_A),
            "b": " ".join(_text(doc.get(f)) for f in fields.TEXT_SOURCES_B),
            "c": " ".join(
                [_text(doc.get(f)) for f in fields.TEXT_SOURCES_C]
                + [_text(v) for k, v in doc.items() if k.startswith(fields.TEXT_PREFIXES)]
            ),
        }

    def delete(self, id: Any = None, q: Any = None, commit: bool = True, **kwargs: Any) -> str:
        with _engine().begin() as conn:
            if id is not None:
                ids = [id] if isinstance(id, str) else list(id)
                conn.execute(
                    sa.text(f"DELETE FROM {TABLE} WHERE index_id = ANY(:ids) OR id = ANY(:ids)"),
                    {"ids": ids},
                )
            if q is not None:
                params = lucene.Params()
                where = self._where(q, None, params)
                conn.execute(sa.text(f"DELETE FROM {TABLE} d WHERE {where}"), params.values)
            _new_generation(conn)
        return ""

    def commit(self, **kwargs: Any) -> str:
        return ""  # every write is committed when made

    def optimize(self, **kwargs: Any) -> str:
        return ""

    # -- searching ---------------------------------------------------------------------

    def _where(self, q: Any, fq: Any, params: lucene.Params, *, def_type: str = "lucene", mm: str = "2<-1 5<80%", df: str = "text") -> str:
        parts = []
        q = (q or "*:*") if isinstance(q, str) else "*:*"
        try:
            if def_type == "dismax":
                parts.append(lucene.dismax(q, params, mm))
            else:
                parts.append(lucene.lucene(q, params, df))
            for f in self._list(fq):
                parts.append(lucene.lucene(f, params, df))
        except lucene.QueryNotUnderstood as e:
            raise SearchQueryError(str(e))
        return " AND ".join(parts)

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
            raise SearchQueryError(f"{name} must be a whole number")

    def _order(self, sort: Any, score: str) -> str:
        clauses = []
        for part in (sort or DEFAULT_SORT).split(","):
            words = part.split()
            if not words:
                continue
            if len(words) != 2 or words[1].lower() not in ("asc", "desc"):
                raise SearchQueryError('Invalid "sort" parameter')
            field, direction = words[0], words[1].upper()
            if field == "score":
                if score == "0.0":
                    continue  # no text to rank by: every score is equal
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

    def search(self, q: Any = None, **kwargs: Any) -> Results:
        rows = self._int(kwargs.get("rows"), 10, "rows")
        start = self._int(kwargs.get("start"), 0, "start")
        if rows < 0 or start < 0:
            raise SearchQueryError("rows and start must not be negative")
        params = lucene.Params()
        where = self._where(
            q, kwargs.get("fq"), params,
            def_type=kwargs.get("defType") or "lucene",
            mm=kwargs.get("mm") or "2<-1 5<80%",
            df=kwargs.get("df") or "text",
        )
        score = self._score(q, params)
        order = self._order(kwargs.get("sort"), score)
        fl = self._fields(kwargs.get("fl"))
        facet_fields = self._facet_fields(kwargs)
        try:
            with _engine().begin() as conn:  # commits the cache entry, if any
                hits, facets = self._counts(conn, where, params, facet_fields)
                docs = []
                if rows > 0 and hits > start:
                    result = conn.execute(
                        sa.text(
                            f"SELECT d.data, {score} AS score FROM {TABLE} d WHERE {where} "
                            f"ORDER BY {order} LIMIT {rows} OFFSET {start}"
                        ),
                        params.values,
                    )
                    docs = [self._doc(data, s, fl) for data, s in result]
                    if self.decode_dates:
                        docs = [solr_datetime_decoder(doc) for doc in docs]
        except sa.exc.DBAPIError as e:
            log.exception("vgsamverkan_pgsearch: query failed")
            raise SearchError(f"search failed: {e.orig}")
        return Results(docs, hits, facets, start)

    @staticmethod
    def _score(q: Any, params: lucene.Params) -> str:
        if not isinstance(q, str) or q.strip() in ("", "*:*"):
            return "0.0"
        words = " ".join(
            w for w in q.replace('"', " ").split()
            if ":" not in w and w.upper() not in ("AND", "OR", "NOT") and not w.startswith("-")
        ).replace("+", " ")
        if not words.strip():
            return "0.0"
        return f"ts_rank(d.tsv, {lucene.tsquery(words, params)})"

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
                raise SearchQueryError(f"not a field name: {field!r}")
            limit = self._int(kwargs.get(f"f.{field}.facet.limit"), default_limit, "facet.limit")
            mincount = self._int(kwargs.get(f"f.{field}.facet.mincount"), default_min, "facet.mincount")
            result.append((field, limit, mincount))
        return result

    @staticmethod
    def _counts(conn, where: str, params: lucene.Params,
                facet_fields: list[tuple[str, int, int]]) -> tuple[int, dict[str, list]]:
        """The number of hits and the facets, in one pass over the hits, cached for the
        current generation of the index."""
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
            counted = cached if isinstance(cached, dict) else json.loads(cached)
        else:
            values = dict(params.values, facet_fields=names)
            result = conn.execute(
                sa.text(
                    f"WITH m AS MATERIALIZED (SELECT d.terms FROM {TABLE} d WHERE {where}) "
                    "SELECT NULL AS f, NULL AS v, count(*) AS n FROM m "
                    "UNION ALL "
                    "SELECT f, v, count(*) FROM m, unnest(CAST(:facet_fields AS text[])) f, "
                    "jsonb_array_elements_text(m.terms -> f) v GROUP BY f, v"
                ),
                values,
            )
            counted = {"hits": 0, "facets": {name: [] for name in names}}
            for field, value, n in result:
                if field is None:
                    counted["hits"] = n
                else:
                    counted["facets"][field].append([value, n])
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
        facets = {}
        for field, limit, mincount in facet_fields:
            pairs = sorted(
                (pair for pair in counted["facets"].get(field, []) if pair[1] >= max(mincount, 1)),
                key=lambda pair: (-pair[1], pair[0]),
            )
            if limit >= 0:
                pairs = pairs[:limit]
            facets[field] = [item for pair in pairs for item in pair]
        return counted["hits"], facets


def make_connection(decode_dates: bool = True) -> PgSolr:
    return PgSolr(decode_dates=decode_dates)


def check_solr_schema_version(schema_file: Any = None) -> bool:
    return True
