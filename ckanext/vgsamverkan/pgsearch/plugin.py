"""Plugin ``vgsamverkan_pgsearch``: CKAN's dataset search served from PostgreSQL.

Replaces CKAN's Solr connection at the one point every search path goes through
(``make_connection`` in ``ckan.lib.search.common``, ``.index`` and ``.query``, and the
schema-version check). CKAN's own indexing code keeps running, ``before_dataset_index``
hooks included. Without this plugin CKAN uses Solr exactly as before.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins as p

from . import bounds, connection


def install() -> None:
    import ckan.lib.search as search  # noqa: PLC0415 (CKAN's search modules are patched only when the plugin is loaded)
    import ckan.lib.search.common as common  # noqa: PLC0415 (CKAN's search modules are patched only when the plugin is loaded)
    import ckan.lib.search.index as index  # noqa: PLC0415 (CKAN's search modules are patched only when the plugin is loaded)
    import ckan.lib.search.query as query  # noqa: PLC0415 (CKAN's search modules are patched only when the plugin is loaded)

    for module in (common, index, query, search):
        module.make_connection = connection.make_connection
    search.check_solr_schema_version = connection.check_solr_schema_version


class PgSearchPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IPackageController, inherit=True)

    def update_config(self, config: Any) -> None:
        # a configuration name that cannot be written into the SQL stops the start, not a search
        connection.configs()
        # so do limits of time and memory it cannot use
        bounds.timeout_seconds()
        bounds.work_mem()
        install()

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        # the caller's own filters within their limit (issue 35); q is measured by the
        # backend, which every search reaches
        bounds.check_filters(search_params)
        return search_params
