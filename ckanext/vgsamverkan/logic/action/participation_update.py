"""A participation's master data, changed (issue 18's one module per workflow; moved out of
participation.py unchanged when the customer's fields made that module too long)."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import workflow
from ckanext.vgsamverkan.domain import customers
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import _actor, _commit, _lock, _validate, action
from ckanext.vgsamverkan.logic.action.participation import UPDATABLE, updatable
from ckanext.vgsamverkan.model import Event, Participation
from ckanext.vgsamverkan.model.base import utcnow


@action
def vgsamverkan_participation_update(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Change a participation's master data (the organisation's admin or the coordinator;
    while a new organisation's application is pending, its applicant too).

    Only the coordinator may change the organisationsnummer. Only a pending or approved
    participation changes, or a terminated one until its last day has passed (after
    that it keeps the data it ended with). Each field is
    optional; a field left out keeps its value, a telephone or invoice reference given
    empty is cleared. The history keeps the old and the new value of each field that
    changed (event ``update``); a call that changes nothing writes nothing. Fee months
    still open use the new data when they are run again; closed months keep theirs.

    :param id: the participation's id
    :type id: string
    :param contact_name: the contact person
    :type contact_name: string
    :param contact_email: the contact's e-mail address
    :type contact_email: string
    :param contact_phone: the contact's telephone number (empty: none)
    :type contact_phone: string
    :param invoice_reference: the reference to print on invoices (empty: none)
    :type invoice_reference: string
    :param org_number: organisationsnummer, ``NNNNNN-NNNN`` (coordinator only)
    :type org_number: string
    :param address_street: the customer's street address (empty: none)
    :type address_street: string
    :param address_postcode: postcode, five digits (empty: none)
    :type address_postcode: string
    :param address_city: city (empty: none)
    :type address_city: string
    :param peppol_endpoint: ``scheme:identifier`` for e-invoices (empty: ``0007:`` and the
        organisationsnummer)
    :type peppol_endpoint: string
    :param legal_name: the legal name of the organisationsnummer, for every customer that
        carries it (coordinator only; empty: none recorded, the organisation's title is used)
    :type legal_name: string
    :param comment: why (optional; kept in the history)
    :type comment: string
    :returns: the participation, with ``changed``: the fields that changed
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_participation_update", context, data_dict)
    data = _validate(data_dict, schema.participation_update(), context)
    obj = _lock(Participation, data["id"])
    if not updatable(obj):
        model.Session.rollback()
        raise tk.ValidationError({"state": [tk._(
            "Only a pending or approved participation, or one terminated whose last day has not "
            "passed, can be changed; this one is {state}").format(state=workflow.state_label(obj.state))]})
    changes = []
    for field in UPDATABLE:
        if field not in data:
            continue
        new = data[field] or None
        old = getattr(obj, field) or None
        if new != old:
            changes.append({"field": field, "old": old, "new": new})
            setattr(obj, field, new)  # None only for the fields that may be empty (the schema)
    if "legal_name" in data:
        old, new = customers.legal_name_of(obj.org_number), data["legal_name"] or None
        if new != old:
            changes.append({"field": "legal_name", "old": old, "new": new})
            actor = _actor(context)
            customers.set_legal_name(obj.org_number, new, actor.id if actor else None)
    if changes:
        obj.modified = utcnow()
        actor = _actor(context)
        Event.record("participation", obj.id, "update", actor_id=actor.id if actor else None,
                     organization_id=obj.organization_id, from_state=obj.state, to_state=obj.state,
                     comment=data.get("comment") or None, details={"changes": changes})
        # the legal name belongs to the organisationsnummer: every other customer that
        # carries it has the change in its history too
        named = [c for c in changes if c["field"] == "legal_name"]
        if named:
            for other in customers.sharing(obj):
                Event.record("participation", other.id, "update", actor_id=actor.id if actor else None,
                             organization_id=other.organization_id, from_state=other.state, to_state=other.state,
                             comment=data.get("comment") or None, details={"changes": named})
        _commit(context)
    else:
        model.Session.rollback()
    result = obj.dictize()
    result["changed"] = [c["field"] for c in changes]
    return result
