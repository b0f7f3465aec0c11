"""The population actions: the SCB figures per municipality and year, listed and imported."""
from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import (  # the shared machinery
    _actor,
    _commit,
    _validate,
    _written_once,
    action,
)
from ckanext.vgsamverkan.model import (
    Event,
    Population,
)
from ckanext.vgsamverkan.model.base import utcnow
from ckanext.vgsamverkan.population_file import is_municipality_code

log = logging.getLogger(__name__)


@action
@tk.side_effect_free
def vgsamverkan_population_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Population (folkmängd on 31 December) per municipality and year (public).

    :param year: only this year (optional)
    :type year: int
    :param municipality_code: only this municipality (optional)
    :type municipality_code: string
    :param state: only objects in this state; a figure is always ``active`` (optional)
    :type state: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "years": [...], "results": [{municipality_code, name, year,
        population, source}]}`` ordered by code and year (``years``: every year that has
        figures)
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_population_list", context, data_dict)
    data = _validate(data_dict, schema.population_list(), context)
    q = model.Session.query(Population)
    if data.get("year"):
        q = q.filter(Population.year == data["year"])
    if data.get("municipality_code"):
        q = q.filter(Population.municipality_code == data["municipality_code"])
    q = _written_once(q, data)
    years = [
        y for (y,) in model.Session.query(Population.year).distinct().order_by(Population.year)
    ]
    rows = (q.order_by(Population.municipality_code, Population.year)
            .offset(data.get("offset", 0)).limit(data.get("limit", 20)).all())
    return {"count": q.order_by(None).count(), "years": years, "results": [r.dictize() for r in rows]}


@action
def vgsamverkan_population_import(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Import the population of one year (coordinator). All records or none: a bad
    record refuses the whole import, naming each bad record by its position.

    Existing figures of that year and municipality are replaced; the replaced values
    stay in the event log.

    :param year: the year (population on 31 December of it)
    :type year: int
    :param records: ``[{"municipality_code": "1480", "name": "Göteborg",
        "population": 608993}, …]``
    :type records: list of dictionaries
    :param source: where the figures come from (optional)
    :type source: string
    :returns: ``{"year": Y, "imported": N, "created": N, "updated": N}``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_population_import", context, data_dict)
    if not isinstance(data_dict, dict):
        raise tk.ValidationError({"__all__": [tk._("Expected an object of parameters")]})
    records = data_dict.get("records")
    try:
        data = _validate(
            {k: v for k, v in data_dict.items() if k != "records"},
            schema.population_import(),
            context,
        )
    except tk.ValidationError as e:
        if not isinstance(records, list) or not records:
            e.error_dict["records"] = [tk._("Must be a non-empty list of records")]
        raise
    if not isinstance(records, list) or not records:
        raise tk.ValidationError({"records": [tk._("Must be a non-empty list of records")]})
    errors: list[str] = []
    clean: dict[str, dict[str, Any]] = {}
    record_schema = schema.population_record()
    for i, record in enumerate(records, start=1):
        if not isinstance(record, dict):
            errors.append(tk._("Record {n}: must be an object").format(n=i))
            continue
        try:
            row = _validate(record, record_schema, context)
        except tk.ValidationError as e:
            for field, msgs in e.error_dict.items():
                errors.append(
                    tk._("Record {n}: {field}: {msg}").format(
                        n=i, field=field, msg="; ".join(map(str, msgs))
                    )
                )
            continue
        code = row["municipality_code"]
        if not is_municipality_code(code):
            errors.append(
                tk._("Record {n}: municipality_code: {msg}").format(
                    n=i, msg=tk._("A municipality code has four digits, e.g. 1480")
                )
            )
        elif code in clean:
            errors.append(
                tk._("Record {n}: municipality {code} appears twice").format(n=i, code=code)
            )
        else:
            clean[code] = row
    if errors:
        raise tk.ValidationError({"records": errors})

    year = data["year"]
    existing = {
        p.municipality_code: p
        for p in model.Session.query(Population).filter(Population.year == year)
    }
    created = updated = 0
    now = utcnow()
    for code, row in clean.items():
        current = existing.get(code)
        if current is None:
            model.Session.add(
                Population(
                    municipality_code=code,
                    year=year,
                    name=row["name"],
                    population=row["population"],
                    source=data.get("source"),
                    modified=now,
                )
            )
            created += 1
        elif (current.name, current.population) != (row["name"], row["population"]):
            current.name = row["name"]
            current.population = row["population"]
            current.source = data.get("source")
            current.modified = now
            updated += 1
    actor = _actor(context)
    Event.record(
        "population",
        str(year),
        "import",
        actor_id=actor.id if actor else None,
        organization_id=None,
        comment=tk._("{n} records: {created} new, {updated} changed").format(
            n=len(clean), created=created, updated=updated
        ),
    )
    _commit(context)
    return {"year": year, "imported": len(clean), "created": created, "updated": updated}
