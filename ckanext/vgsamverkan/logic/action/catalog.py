"""The open data catalogue for Sveriges dataportal (DCAT-AP-SE, ckanext/vgsamverkan/dcat):
what the coordinator needs to know before it is harvested."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.dcat import publishers
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import (  # the shared machinery
    _today,
    _validate,
    action,
)


@action
@tk.side_effect_free
def vgsamverkan_catalog_report(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """What the catalogue (/catalog.rdf) would publish without what DCAT-AP-SE asks
    (coordinator only).

    :param limit: at most this many datasets (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many datasets (default 0)
    :type offset: int
    :returns: ``{"catalog": {"address", "publisher": {"iri", "name", "problem"}},
        "publishers": [{"organization_id", "organization_name", "organization_title",
        "iri", "problem", "datasets"}], "count": N, "datasets": [{"id", "state", "created",
        "modified", "name", "title", "organization_id", "organization_name",
        "organization_title", "missing": [...]}]}``. ``publishers``: the
        organisations whose public datasets get the portal's IRI instead of Sveriges
        dataportal's (``problem``: ``no_participation``, ``not_taking_part`` today,
        ``no_org_number``); ``missing`` of a dataset, in this order: ``publisher``,
        ``description``, ``distribution`` (no resource with an address), ``licence`` (no
        canonical licence IRI), ``contact`` (no e-mail of its own nor its organisation's)
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_catalog_report", context, data_dict)
    data = _validate(data_dict, schema.catalog_report(), context)
    result = publishers.report(limit=data.get("limit", 20), offset=data.get("offset", 0), day=_today())
    own = publishers.catalogue_publisher()
    result["catalog"] = {"address": f"{config.site_url()}/catalog.rdf",
                         "publisher": {"iri": own.iri, "name": own.name, "problem": own.problem}}
    return result
