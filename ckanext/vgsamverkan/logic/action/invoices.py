"""E-invoices (issue 37; SPEC "E-invoices"): the invoices and credit notes issued when a
fee month is closed (fees/invoices.py issues them), listed, shown with their document,
and marked sent when the region's e-invoice service has taken them (coordinator). An
organisation's admins see their organisation's."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan.domain import objects, roles
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import _actor, _commit, _org_key, _page, _validate, action
from ckanext.vgsamverkan.model import Event, Invoice
from ckanext.vgsamverkan.model.base import utcnow


def _load(key: Any, *, lock: bool = False) -> Invoice:
    if objects.text(key) is None:
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    found = objects.invoice(key)
    if found is None:
        raise tk.ObjectNotFound(tk._("No such invoice"))
    if lock:
        found = (model.Session.query(Invoice).filter(Invoice.id == found.id).with_for_update()
                 .populate_existing().one())
    return found


@action
@tk.side_effect_free
def vgsamverkan_invoice_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The e-invoices and credit notes issued, newest first (the coordinator all of them;
    an organisation's admins their organisation's; nobody else any).

    :param month: only this month's, ``YYYY-MM`` (optional)
    :type month: string
    :param organization_id: only this organisation's (id or name; optional)
    :type organization_id: string
    :param state: ``issued`` or ``sent`` (optional)
    :type state: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [{"id", "number", "type" (``invoice`` or
        ``credit_note``), "state", "month", "organization_id", "customer_number",
        "buyer_name", "buyer_reference", "issue_date", "due_date", "net", "vat", "total"
        (a credit note's negative), "corrects", "sent_at", "filename", …}]}``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_invoice_list", context, data_dict)
    data = _validate(data_dict, schema.invoice_list(), context)
    user = _actor(context)
    q = model.Session.query(Invoice)
    if not roles.is_coordinator(user):
        q = q.filter(Invoice.organization_id.in_(roles.admin_org_ids(user)))
    if data.get("month"):
        q = q.filter(Invoice.month == "{:04d}-{:02d}".format(*data["month"]))
    org_key = _org_key(data)
    if org_key:
        q = q.filter(Invoice.organization_id == org_key)
    if data.get("state"):
        q = q.filter(Invoice.state == data["state"])
    return _page(q.order_by(Invoice.sequence.desc()), data, lambda row: row.dictize())


@action
@tk.side_effect_free
def vgsamverkan_invoice_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One invoice or credit note with its document as issued (the coordinator; the
    admins of its organisation).

    :param id: the invoice's id or its number (``VGS-17``)
    :type id: string
    :returns: the invoice (as in ``vgsamverkan_invoice_list``) with ``document``: the
        Peppol BIS Billing 3.0 XML, as issued
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_invoice_show", context, data_dict)
    data = _validate(data_dict, schema.object_id(), context)
    return _load(data["id"]).dictize(with_document=True)


@action
def vgsamverkan_invoice_mark_sent(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Record that an invoice was handed to the region's e-invoice service (coordinator):
    ``issued`` → ``sent``, once; nothing else of an invoice ever changes. In the event
    log (object type ``invoice``, ``mark_sent``).

    :param id: the invoice's id or its number
    :type id: string
    :param comment: a note (optional; kept in the history)
    :type comment: string
    :returns: the invoice, ``sent``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_invoice_mark_sent", context, data_dict)
    data = _validate(data_dict, schema.decision(), context)
    invoice = _load(data["id"], lock=True)
    if invoice.state != "issued":
        model.Session.rollback()
        raise tk.ValidationError({"state": [tk._("The invoice {number} is already marked as sent").format(
            number=invoice.number)]})
    actor = _actor(context)
    invoice.state = "sent"
    invoice.sent_at = invoice.modified = utcnow()
    invoice.sent_by = actor.id if actor else None
    Event.record("invoice", invoice.id, "mark_sent", actor_id=actor.id if actor else None,
                 organization_id=invoice.organization_id, from_state="issued", to_state="sent",
                 comment=data.get("comment") or None, details={"number": invoice.number})
    _commit(context)
    return invoice.dictize()
