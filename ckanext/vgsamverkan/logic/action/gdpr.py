"""Personal data: the contact data of closed requests anonymised after the retention (GDPR)."""
from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import (  # the shared machinery
    _actor,
    _commit,
    _validate,
    action,
)
from ckanext.vgsamverkan.model import Event
from ckanext.vgsamverkan.model.base import utcnow


@action
def vgsamverkan_gdpr_purge(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Anonymise the contact data of closed requests whose last change is older than the
    retention (coordinator): the contact person, e-mail and telephone of participations
    rejected, withdrawn or ended; the technical contact of connection requests declined,
    cancelled or disconnected; the contact of call-offs delivered or cancelled. The
    requests, their decisions, history, comments and all money stay; each anonymised
    request gets an event ``anonymise`` naming the fields. Running it again changes
    nothing more.

    :param older_than: days since the request's last change (optional, default
        ``ckanext.vgsamverkan.retention_days``, 730)
    :type older_than: int
    :param dry_run: only count, change nothing (optional, default false)
    :type dry_run: bool
    :returns: ``{"older_than", "before", "dry_run", "count", "anonymised":
        {"participation": [ids], "connection": [ids], "calloff": [ids]}}``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_gdpr_purge", context, data_dict)
    data = _validate(data_dict, schema.gdpr_purge(), context)
    days = data.get("older_than")
    days = config.retention_days() if days is None else days
    if days > 36_500:
        raise tk.ValidationError({"older_than": [tk._("Must be between 0 and 36500 days (100 years)")]})
    before = utcnow() - dt.timedelta(days=days)
    actor = _actor(context)
    found: dict[str, list[str]] = {}
    for kind in objects.KINDS.values():  # each kind's closed states and the personal data they keep
        if not kind.personal:
            continue
        object_type, cls, states, cleared = kind.name, kind.model, kind.closed, kind.personal
        still = sa.or_(*[sa.and_(getattr(cls, f).isnot(None), getattr(cls, f) != "") for f in cleared])
        rows = (model.Session.query(cls).filter(cls.state.in_(states), cls.modified < before, still)
                .order_by(cls.modified, cls.id).with_for_update().all())
        found[object_type] = [r.id for r in rows]
        if data.get("dry_run"):
            continue
        for row in rows:
            fields = sorted(f for f in cleared if getattr(row, f) not in (None, ""))
            for field, value in cleared.items():
                setattr(row, field, value)
            if kind.anonymise_more:
                kind.anonymise_more(row.id, set(cleared))
            Event.record(object_type, row.id, "anonymise", actor_id=actor.id if actor else None,
                         organization_id=row.organization_id, from_state=row.state, to_state=row.state,
                         details={"fields": fields, "older_than_days": days})
    if not data.get("dry_run"):
        _commit(context)
    return {"older_than": days, "before": before.isoformat(), "dry_run": bool(data.get("dry_run")),
            "count": sum(len(ids) for ids in found.values()), "anonymised": found}
