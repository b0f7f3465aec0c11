"""Bounded work for every search (issue 35, SPEC "Bounded work"): the messages of the
size limits (lucene.MAX_CHARACTERS, MAX_WORDS, MAX_CLAUSES), and the time and memory
every search statement runs under.

A query above a limit, or one that runs out of time, is CKAN's ``SearchQueryError``:
through the API a 400 "Search Query Error" with the message, on the dataset page CKAN's
"Invalid search query: …", both in the user's language.
"""
from __future__ import annotations

import re
import time
from typing import Any

import sqlalchemy as sa

import ckan.plugins.toolkit as tk
from ckan.lib.search.common import SearchQueryError

from ckanext.vgsamverkan import formats

from . import lucene

PREFIX = "ckanext.vgsamverkan."
DEFAULT_TIMEOUT = 5.0  # seconds
DEFAULT_WORK_MEM = "16MB"
_MEMORY = re.compile(r"^[1-9][0-9]{0,6}(kB|MB|GB)$")


def timeout_seconds() -> float:
    """``ckanext.vgsamverkan.search_statement_timeout``: seconds a search statement may run
    (the plugin may run without the extension's declaration: the default here too)."""
    value = tk.config.get(PREFIX + "search_statement_timeout")
    try:
        seconds = float(value) if value not in (None, "") else DEFAULT_TIMEOUT
    except (TypeError, ValueError):
        seconds = -1.0
    if not 0 < seconds <= 600:
        raise ValueError(f"{PREFIX}search_statement_timeout: between 0 and 600 seconds, not {value!r}")
    return seconds


def work_mem() -> str:
    """``ckanext.vgsamverkan.search_work_mem``: PostgreSQL's memory for each sort or hash
    of a search statement."""
    value = str(tk.config.get(PREFIX + "search_work_mem") or DEFAULT_WORK_MEM).strip()
    if not _MEMORY.match(value):
        raise ValueError(f"{PREFIX}search_work_mem: a size such as 16MB, not {value!r}")
    return value


def limit(conn) -> None:
    """The time and memory limits of the statements of this transaction (SET LOCAL: they
    end with it, and the pooled connection is as before)."""
    conn.execute(sa.text(f"SET LOCAL statement_timeout = {int(timeout_seconds() * 1000)}"))
    conn.execute(sa.text(f"SET LOCAL work_mem = '{work_mem()}'"))


def until(conn, deadline: float) -> None:
    """The next statements of this transaction within what is left of the search's time
    (``deadline``, time.monotonic()): the time limit is the whole search's, not each
    statement's."""
    left = deadline - time.monotonic()
    if left <= 0:
        raise timeout_error()
    conn.execute(sa.text(f"SET LOCAL statement_timeout = {max(1, int(left * 1000))}"))


def timed_out(error: sa.exc.DBAPIError) -> bool:
    """PostgreSQL cancelled the statement at its time limit (SQLSTATE 57014)."""
    return getattr(error.orig, "pgcode", None) == "57014"


def timeout_error() -> SearchQueryError:
    seconds = formats.number(timeout_seconds())  # "1,5" in Swedish
    return SearchQueryError(tk._(
        "The search took longer than {seconds} seconds and was stopped. "
        "Search with fewer or more specific words.").format(seconds=seconds))


def too_large(error: lucene.TooLarge) -> SearchQueryError:
    """The message of a query above a limit, naming the limit."""
    size, limit_ = error.size, error.limit
    if error.what == "words":
        text = tk._("The search has {size} words; at most {limit} are allowed.")
    elif error.what == "depth":
        text = tk._("The search has {size} levels of parentheses; at most {limit} are allowed.")
    elif error.what == "clauses":
        text = tk._("The search has {size} clauses in all; at most {limit} are allowed.")
    elif error.field == "fq":
        text = tk._("A filter (fq) has {size} characters; at most {limit} are allowed.")
    else:
        text = tk._("The search text has {size} characters; at most {limit} are allowed.")
    return SearchQueryError(text.format(size=size, limit=limit_))


def check_filters(search_params: dict[str, Any]) -> None:
    """The filters a caller of package_search gives (``fq``, ``fq_list``), each within
    lucene.MAX_CHARACTERS. Those CKAN adds itself (site, state, the caller's permission
    labels) are not the caller's text and are not measured; their clauses count."""
    filters = [search_params.get("fq")] + list(search_params.get("fq_list") or [])
    for value in filters:
        if isinstance(value, str):
            try:
                lucene.check_size(value, "fq", words=False)
            except lucene.TooLarge as e:
                raise too_large(e) from e
