"""Lucene (Solr standard parser) and dismax queries to PostgreSQL, with luqum's parser.

Pure: takes query text, gives a SQL boolean expression over the table
``vgsamverkan_search_doc`` (alias ``d``: columns ``data`` jsonb, ``tsv`` tsvector) and its
bound parameters. A query it cannot understand raises :class:`QueryNotUnderstood`; the
connection turns that into CKAN's ``SearchQueryError`` (409), never a 500 and never a
silently different result.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from luqum import tree
from luqum.exceptions import ParseError
from luqum.parser import parser

from . import fields

# The text search configurations of the index, in this order: Swedish (inflections and
# compounds, migration f8c4a2e6b9d3) and simple (English words, codes, names as written).
# The Swedish one is configurable (ckanext.vgsamverkan.search_text_configuration).
SWEDISH = "vgsamverkan_swedish"
SIMPLE = "simple"
_CONFIG_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def configurations(swedish: str = SWEDISH) -> tuple[str, str]:
    """The configurations for a Swedish one's name; a name that is not a plain SQL
    identifier is refused (it is written into the SQL)."""
    if not _CONFIG_NAME.match(swedish or ""):
        raise ValueError(f"not a text search configuration name: {swedish!r}")
    return (swedish, SIMPLE)


def N_(message: str) -> str:
    """Marks a message for the catalogue (translated where it is shown: connection.py)."""
    return message


class QueryNotUnderstood(ValueError):
    """A query this backend cannot answer. ``template`` is an English message of the
    catalogue with ``{detail}`` (the part of the query at fault), translated where it is
    shown (``message``)."""

    def __init__(self, template: str, detail: Any = ""):
        super().__init__(template.format(detail=detail))
        self.template, self.detail = template, detail

    def message(self, gettext) -> str:
        return gettext(self.template).format(detail=self.detail)


# The size of a query (SPEC "Bounded work", issue 35): above these it is refused with a
# message naming the limit, before any SQL is built. Clauses: Solr's default
# maxBooleanClauses, counted over q and every fq together.
MAX_CHARACTERS = 4000  # q, and each fq the caller gives
MAX_WORDS = 100  # words of q
MAX_CLAUSES = 1024
MAX_DEPTH = 20  # levels of parentheses (the parser and the translator recurse per level)


class TooLarge(QueryNotUnderstood):
    """A query above a limit: ``what`` is ``characters``, ``words`` or ``clauses``;
    ``field`` ``q`` or ``fq``."""

    def __init__(self, what: str, size: int, limit: int, field: str = "q"):
        ValueError.__init__(self, f"{field}: {size} {what}, at most {limit}")
        self.what, self.size, self.limit, self.field = what, size, limit, field
        self.template, self.detail = str(self), ""


def _too_many_clauses(count: int) -> None:
    if count > MAX_CLAUSES:
        raise TooLarge("clauses", count, MAX_CLAUSES)


# a field name before its colon (``title:``, ``res_format:``, ``extras_x.y:``)
_FIELD_NAME = re.compile(r"[\w.-]+:")
# a word as PostgreSQL's text search parser cuts text: letters and digits, and no
# underscore (``a_b`` is two words to it)
_COUNTED_WORD = re.compile(r"[^\W_]+")


def count_words(query: str) -> int:
    """The words of a query: runs of letters and digits as the text search parser reads
    them (``_``, ``-`` and ``.`` separate words), not field names (``title:``) nor the
    operators AND, OR, NOT."""
    return sum(1 for word in _COUNTED_WORD.findall(_FIELD_NAME.sub(" ", query))
               if word not in ("AND", "OR", "NOT"))


def depth(query: str) -> int:
    """The deepest nesting of parentheses outside quotes."""
    deepest = level = 0
    quoted = escaped = False
    for character in query:
        if escaped:
            escaped = False
        elif character == "\\":
            escaped = True
        elif character == '"':
            quoted = not quoted
        elif not quoted and character == "(":
            level += 1
            deepest = max(deepest, level)
        elif not quoted and character == ")":
            level = max(0, level - 1)
    return deepest


def check_size(query: str, field: str = "q", words: bool = True) -> None:
    """Refuses a query above the limits of characters, levels of parentheses and (for q)
    words."""
    if len(query) > MAX_CHARACTERS:
        raise TooLarge("characters", len(query), MAX_CHARACTERS, field)
    if depth(query) > MAX_DEPTH:
        raise TooLarge("depth", depth(query), MAX_DEPTH, field)
    if words and count_words(query) > MAX_WORDS:
        raise TooLarge("words", count_words(query), MAX_WORDS, field)


def _leaves(node: tree.Item) -> int:
    count, stack = 0, [node]
    while stack:
        item = stack.pop()
        children = list(item.children)
        if children:
            stack.extend(children)
        else:
            count += 1
    return count


class Params:
    """Collects bound parameters and names them; carries the text search
    configurations the query is written for."""

    def __init__(self, configs: tuple[str, ...] = (SWEDISH, SIMPLE)) -> None:
        self.values: dict[str, Any] = {}
        self.configs = configs
        self.clauses = 0  # of every query translated with these parameters

    def count(self, clauses: int) -> None:
        """Clauses of one more query; refused above MAX_CLAUSES in all."""
        self.clauses += clauses
        _too_many_clauses(self.clauses)

    def add(self, value: Any) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return f":{name}"


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


def _field_name(name: str) -> str:
    if not fields.VALID_NAME.match(name):
        raise QueryNotUnderstood(N_("Not a field name: {detail}"), name)
    return name


def tsquery(text: str, params: Params, phrase: bool = False) -> str:
    """The text as a query over both configurations: Swedish stems or simple words."""
    fn = "phraseto_tsquery" if phrase else "plainto_tsquery"
    p = params.add(text)
    queries = [f"{fn}('{c}', {p})" for c in params.configs]
    if len(queries) == 2:
        # the same query twice when both read the words alike ("cykel", "WMS"): once, so
        # that ranking does not weigh every match twice over
        first, second = queries
        return f"(CASE WHEN {first} = {second} THEN {first} ELSE {first} || {second} END)"
    return "(" + " || ".join(queries) + ")"


def _field_tsvector(field: str, params: Params) -> str:
    p = params.add(field)
    return "(" + " || ".join(
        f"to_tsvector('{c}', coalesce(d.data ->> {p}, ''))" for c in params.configs
    ) + ")"


def text_match(field: str, text: str, params: Params, phrase: bool = False) -> str:
    """Full-text match of ``text`` in a text field (``text`` is the indexed catch-all)."""
    if not re.search(r"\w", text):
        return "TRUE"  # only punctuation: Solr's analyser drops it too
    query = tsquery(text, params, phrase)
    if field in fields.WEIGHTED:
        # a field that alone makes one weight of the indexed vector (the title: A): the
        # index finds the candidates, the weight keeps the field's own words; not the
        # field parsed again for every row (that cost 5 s at 10 000 datasets)
        return f"(d.tsv @@ {query} AND ts_filter(d.tsv, '{{{fields.WEIGHTED[field]}}}') @@ {query})"
    vector = "d.tsv" if field == "text" else _field_tsvector(field, params)
    return f"({vector} @@ {query})"


def ngram_match(field: str, text: str, params: Params) -> str:
    """A match in an n-gram field as Solr's ``text_ngram`` gives it: the query is cut at
    white space and made lower case, and each of its words (of two characters or more:
    the shortest n-gram) is a part of the lower-cased field the n-grams copy
    (``fields.NGRAM``). Solr's grams are at most 10 characters long, so a longer word
    finds nothing there; here it is found as well (it is a part of the title all the
    same). One ``strpos`` a word and a row, on the table's own columns (the name and the
    title's sort column): linear in both, without reading the stored dataset."""
    words = [w for w in text.lower().split() if len(w) >= 2]
    if not words:
        return "FALSE"
    source = f"lower(coalesce({fields.NGRAM[field]}, ''))"
    return "(" + " AND ".join(f"strpos({source}, {params.add(w)}) > 0" for w in words) + ")"


_NOW = re.compile(
    r"^NOW((?:[+-]\d+(?:YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?)*)(?:/(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?)?$"
)
_STEP = re.compile(r"([+-]\d+)(YEAR|MONTH|DAY|HOUR|MINUTE|SECOND)S?")


def parse_date(text: str, now: dt.datetime | None = None) -> dt.datetime:
    """A Solr date (``2024-01-31T00:00:00Z``, also without time or zone) or date math
    (``NOW``, ``NOW-7DAYS``, ``NOW/DAY``)."""
    now = now or dt.datetime.now(dt.timezone.utc)
    m = _NOW.match(text)
    if m:
        try:
            return _date_math(now, m)
        except (OverflowError, ValueError):  # beyond the years 1–9999
            raise QueryNotUnderstood(N_("A date out of range: {detail}"), text) from None
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise QueryNotUnderstood(N_("Not a date: {detail}"), text) from None
    return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)


def _date_math(now: dt.datetime, m: re.Match) -> dt.datetime:
    """``NOW`` moved by the steps of ``m`` and rounded down to its unit."""
    moment = now
    for amount, unit in _STEP.findall(m.group(1) or ""):
        n = int(amount)
        if unit == "YEAR":
            moment = moment.replace(year=moment.year + n)
        elif unit == "MONTH":
            month = moment.month - 1 + n
            moment = moment.replace(year=moment.year + month // 12, month=month % 12 + 1)
        else:
            moment += dt.timedelta(**{unit.lower() + "s": n})
    unit = m.group(2)
    if unit:
        keep = ["YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"].index(unit)
        parts: dict[str, Any] = {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0}
        names = ["month", "day", "hour", "minute", "second"]
        moment = moment.replace(**{k: parts[k] for k in names[keep:]}, microsecond=0)
    return moment


def _ordered(field: str, params: Params) -> tuple[str, Any]:
    """The SQL of a field's value for comparisons, and a converter for query values."""
    p = params.add(field)
    k = fields.kind(field)
    if k == "date":
        return f"vgsamverkan_search_ts(d.data ->> {p})", parse_date
    if k == "int":
        def number(text: str) -> float:
            try:
                return float(text)
            except ValueError:
                raise QueryNotUnderstood(N_("Not a number: {detail}"), text) from None
        return f"vgsamverkan_search_num(d.data ->> {p})", number
    return f"(d.data ->> {p})", str


def _string_equals(field: str, value: str, params: Params) -> str:
    return f"(d.terms @> CAST({params.add(json.dumps({field: [value]}))} AS jsonb))"


def _wildcard(field: str, pattern: str, params: Params) -> str:
    like = (
        pattern.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        .replace("*", "%").replace("?", "_")
    )
    return (
        f"EXISTS (SELECT 1 FROM jsonb_array_elements_text(d.terms -> {params.add(field)}) v "
        f"WHERE v LIKE {params.add(like)})"
    )


def _exists(field: str, params: Params) -> str:
    return f"(d.terms ? {params.add(field)})"


class Translator:
    """Walks a luqum tree. ``default_field`` is Solr's ``df``."""

    def __init__(self, params: Params, default_field: str = "text") -> None:
        self.params = params
        self.default_field = default_field

    def __call__(self, node: tree.Item, field: str | None = None) -> str:
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise QueryNotUnderstood(N_("This kind of search is not supported: {detail}"), node)
        return method(node, field or self.default_field)

    # structure
    def _SearchField(self, node, field):
        name = node.name
        if name == "*" and str(node.expr) == "*":
            return "TRUE"
        return self(node.expr, _field_name(_unescape(name)))

    def _Group(self, node, field):
        return self(node.expr, field)

    _FieldGroup = _Group

    def _AndOperation(self, node, field):
        return self._combine(node.children, field, "AND")

    def _OrOperation(self, node, field):
        positive = [c for c in node.children if not isinstance(c, (tree.Not, tree.Prohibit))]
        negative = [c for c in node.children if isinstance(c, (tree.Not, tree.Prohibit))]
        parts = [self(c, field) for c in positive]
        parts += [f"(NOT {self(c.a, field)})" for c in negative]
        return "(" + " OR ".join(parts) + ")"

    def _UnknownOperation(self, node, field):
        # q.op is AND (CKAN sets it): plain and + clauses are required, - clauses excluded
        return self._combine(node.children, field, "AND")

    def _combine(self, children, field, op):
        required, excluded = [], []
        for child in children:
            if isinstance(child, (tree.Not, tree.Prohibit)):
                excluded.append(self(child.a, field))
            elif isinstance(child, tree.Plus):
                required.append(self(child.a, field))
            else:
                required.append(self(child, field))
        parts = required + [f"(NOT {e})" for e in excluded]
        return "(" + f" {op} ".join(parts or ["TRUE"]) + ")"

    def _Plus(self, node, field):
        return self(node.a, field)

    def _Not(self, node, field):
        # a lone negative clause matches everything else (Solr adds *:*)
        return f"(NOT {self(node.a, field)})"

    _Prohibit = _Not

    def _Boost(self, node, field):
        return self(node.expr, field)  # relevance weights only; the match is the same

    # values
    def _Word(self, node, field):
        raw = node.value
        if raw == "*":
            return "TRUE" if field == "text" else _exists(field, self.params)
        value = _unescape(raw)
        k = fields.kind(field)
        if k == "ngram":  # parts of words already: a trailing * adds nothing
            return ngram_match(field, value.replace("*", " ").replace("?", " "), self.params)
        if node.has_wildcard() and k in ("string", "text"):
            if k == "text":
                stem = value.rstrip("*")
                if "*" in stem or "?" in stem or not stem:
                    raise QueryNotUnderstood(
                        N_("A wildcard is only supported as * at the end of a word: {detail}"), raw)
                p = self.params.add(re.sub(r"\W+", " ", stem).strip().replace(" ", " & ") + ":*")
                vector = "d.tsv" if field == "text" else _field_tsvector(field, self.params)
                return f"({vector} @@ to_tsquery('simple', {p}))"
            return _wildcard(field, raw, self.params)
        if k == "text":
            return text_match(field, value, self.params)
        if k in ("date", "int"):
            expr, convert = _ordered(field, self.params)
            return f"({expr} = {self.params.add(convert(value))})"
        return _string_equals(field, value, self.params)

    def _Phrase(self, node, field):
        value = _unescape(node.value[1:-1])
        k = fields.kind(field)
        if k == "ngram":
            return ngram_match(field, value, self.params)
        if k == "text":
            return text_match(field, value, self.params, phrase=True)
        if k in ("date", "int"):
            expr, convert = _ordered(field, self.params)
            return f"({expr} = {self.params.add(convert(value))})"
        return _string_equals(field, value, self.params)

    def _Range(self, node, field):
        expr, convert = _ordered(field, self.params)
        parts = []
        low, high = _unescape(str(node.low)), _unescape(str(node.high))
        if low != "*":
            op = ">=" if node.include_low else ">"
            parts.append(f"{expr} {op} {self.params.add(convert(low.strip(chr(34))))}")
        if high != "*":
            op = "<=" if node.include_high else "<"
            parts.append(f"{expr} {op} {self.params.add(convert(high.strip(chr(34))))}")
        if not parts:
            return _exists(field, self.params)
        return "(" + " AND ".join(parts) + ")"

    def _Fuzzy(self, node, field):
        raise QueryNotUnderstood(N_("Fuzzy search (~) is not supported: {detail}"), node)

    def _Proximity(self, node, field):
        raise QueryNotUnderstood(N_("Proximity search (~) is not supported: {detail}"), node)

    def _Regex(self, node, field):
        raise QueryNotUnderstood(N_("Regular expressions are not supported: {detail}"), node)


def lucene(query: str, params: Params, default_field: str = "text") -> str:
    """SQL for a query in Lucene syntax (``q`` with a field, every ``fq``)."""
    query = query.strip()
    if query in ("", "*:*", "*"):
        return "TRUE"
    _too_many_clauses(params.clauses + len(query.split()) // 2)  # before parsing: "a OR b" is two words a clause
    try:
        node = parser.parse(query)
    except (ParseError, Exception) as e:  # noqa: BLE001 (luqum raises several kinds on bad input)
        raise QueryNotUnderstood(
            N_("The search could not be read; check its parentheses and quotes: {detail}"), query) from e
    params.count(_leaves(node))
    return Translator(params, default_field)(node)


def exact_fields(query: str, default_field: str = "text") -> set[str] | None:
    """The fields a Lucene query filters on, when it only compares exact (string) values:
    boolean structure over ``field:value``, ``field:"value"``, ``field:val*``,
    ``field:*`` and ``*:*``. None when it does anything else (text, ranges, numbers,
    dates), so the caller knows the filter is not a plain exact-match one."""
    query = query.strip()
    if query in ("", "*:*", "*"):
        return set()
    try:
        node = parser.parse(query)
    except Exception:  # noqa: BLE001 (luqum raises several kinds: a query it cannot read names no fields)
        return None
    found: set[str] = set()

    def walk(item: tree.Item, field: str) -> bool:
        if isinstance(item, tree.SearchField):
            if item.name == "*" and str(item.expr) == "*":
                return True
            return walk(item.expr, _unescape(item.name))
        if isinstance(item, (tree.Word, tree.Phrase)):
            if fields.kind(field) != "string" or not fields.VALID_NAME.match(field):
                return False
            found.add(field)
            return True
        if isinstance(item, (tree.Group, tree.FieldGroup, tree.AndOperation, tree.OrOperation,
                             tree.UnknownOperation, tree.Plus, tree.Not, tree.Prohibit)):
            return all(walk(child, field) for child in item.children)
        return False

    return found if walk(node, default_field) else None


_DISMAX_TOKEN = re.compile(r'([+-]?)"([^"]*)"|([+-]?)(\S+)')


def minimum_match(optional: int, mm: str = "2<-1 5<80%") -> int:
    """How many of ``optional`` clauses must match under Solr's ``mm`` (e.g. CKAN's
    ``2<-1 5<80%``: up to 2 all, 3–5 all but one, more 80 %)."""
    required = optional
    try:
        for rule in str(mm).split():
            if "<" not in rule:
                required = _mm_value(rule, optional)
                continue
            limit, value = rule.split("<", 1)
            above, then = int(limit), _mm_value(value, optional)  # each rule read, used or not
            if optional > above:
                required = then
    except ValueError:
        raise QueryNotUnderstood(N_("Not a minimum match (mm) such as 2<-1 5<80%: {detail}"), mm) from None
    return max(0, min(optional, required))


def _mm_value(value: str, n: int) -> int:
    if value.endswith("%"):
        pct = int(value[:-1])
        return n * pct // 100 if pct >= 0 else n - (n * -pct // 100)
    number = int(value)
    return number if number >= 0 else n + number


def dismax_clauses(query: str, mm: str = "2<-1 5<80%") -> tuple[list, list, list, int]:
    """User text in dismax mode as its clauses: the required, the excluded and the optional
    ones, each ``(text, phrase)``, and how many of the optional must match (``mm``)."""
    required: list[tuple[str, bool]] = []
    excluded: list[tuple[str, bool]] = []
    optional: list[tuple[str, bool]] = []
    tokens = _DISMAX_TOKEN.findall(query)
    _too_many_clauses(len(tokens))
    for sign_q, phrase, sign_w, word in tokens:
        sign = sign_q or sign_w
        text = phrase if phrase or sign_q else word
        if text.upper() in ("AND", "OR", "NOT") and not phrase:
            continue
        if not re.search(r"\w", text):
            continue  # only punctuation: Solr's analyser drops it too (text_match)
        {"+": required, "-": excluded}.get(sign, optional).append((text, bool(sign_q or phrase)))
    return required, excluded, optional, minimum_match(len(optional), mm)


def dismax(query: str, params: Params, mm: str = "2<-1 5<80%") -> str:
    """SQL for user text in dismax mode (no field syntax): words and quoted phrases,
    ``+`` required, ``-`` excluded, the rest subject to minimum-match."""
    required, excluded, optional, need = dismax_clauses(query, mm)
    params.count(len(required) + len(excluded) + len(optional))
    required, excluded, optional = (
        [text_match("text", text, params, phrase=phrase) for text, phrase in clauses]
        for clauses in (required, excluded, optional)
    )
    parts = list(required) + [f"(NOT {e})" for e in excluded]
    if optional:
        if need >= len(optional):
            parts += optional
        elif need > 0:
            hits = " + ".join(f"(CASE WHEN {c} THEN 1 ELSE 0 END)" for c in optional)
            parts.append(f"(({hits}) >= {need})")
    return "(" + " AND ".join(parts or ["TRUE"]) + ")"
