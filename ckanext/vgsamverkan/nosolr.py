"""A STAND-IN for Solr, for machines that have none (see README, "Known limits").

Not a search engine. CKAN cannot create organisations or datasets, nor render its home,
dataset or organisation pages, without a Solr connection. This plugin replaces CKAN's
Solr connection at the one point every path goes through (``make_connection`` in
``ckan.lib.search.common``, ``.index`` and ``.query``, and the schema-version check) with
an object that accepts every document CKAN indexes and answers every search with no
results. All of CKAN's own indexing code still runs.

What it cannot do: find anything. Dataset search, facets and dataset counts are empty.
The embedded PostgreSQL search backend (a later issue) replaces it.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins as p

log = logging.getLogger(__name__)


class StandInResults:
    """Shaped like ``pysolr.Results``."""

    def __init__(self, facet_fields: list[str] | None = None) -> None:
        self.hits = 0
        self.docs: list[dict[str, Any]] = []
        # every facet asked for, with no counts (CKAN 2.12 reads them back)
        self.facets: dict[str, Any] = {"facet_fields": {f: [] for f in facet_fields or []}}
        self.stats: dict[str, Any] = {}
        self.highlighting: dict[str, Any] = {}
        self.raw_response: dict[str, Any] = {
            "responseHeader": {"status": 0},
            "response": {"numFound": 0, "start": 0, "docs": []},
        }

    def __len__(self) -> int:
        return 0

    def __iter__(self):
        return iter(())


class StandInSolr:
    """Shaped like ``pysolr.Solr``: accepts documents, finds nothing."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def add(self, docs: Any, commit: bool = True, **kwargs: Any) -> str:
        return ""

    def delete(self, id: Any = None, q: Any = None, commit: bool = True, **kwargs: Any) -> str:
        return ""

    def commit(self, **kwargs: Any) -> str:
        return ""

    def optimize(self, **kwargs: Any) -> str:
        return ""

    def search(self, q: Any = None, **kwargs: Any) -> StandInResults:
        fields = kwargs.get("facet.field") or []
        if isinstance(fields, str):
            fields = [fields]
        return StandInResults(list(fields))


def make_connection(decode_dates: bool = True) -> StandInSolr:
    return StandInSolr()


def check_solr_schema_version(schema_file: Any = None) -> bool:
    return True


_installed = False


def install() -> None:
    """Replace CKAN's Solr connection everywhere it was imported."""
    global _installed
    import ckan.lib.search as search
    import ckan.lib.search.common as common
    import ckan.lib.search.index as index
    import ckan.lib.search.query as query

    for module in (common, index, query, search):
        module.make_connection = make_connection  # type: ignore[attr-defined]
    search.check_solr_schema_version = check_solr_schema_version  # type: ignore
    if not _installed:
        log.warning(
            "vgsamverkan_nosolr: Solr is replaced by a stand-in that finds nothing "
            "(dataset search, facets and counts are empty)."
        )
    _installed = True


class NoSolrStandInPlugin(p.SingletonPlugin):
    """Load this plugin where no Solr exists (tests, ``make run``)."""

    p.implements(p.IConfigurer)

    def update_config(self, config: Any) -> None:
        install()
