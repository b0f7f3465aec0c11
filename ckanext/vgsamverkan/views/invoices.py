"""The pages of an e-invoice (issue 37): what it says, read back from the document as
issued; its XML to download; marking it sent (the coordinator). Its organisation's admins
and the coordinator see it (``vgsamverkan_invoice_show``)."""
from __future__ import annotations

from typing import Any

from flask import Response

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import peppol
from ckanext.vgsamverkan.views._common import (
    _act_and_flash,
    _context,
    _csrf_protected,
    coordinator_required,
    when_refused,
)


def _shown(id: str) -> Any:
    """The invoice (refused: log-in, 403, 404, by the blueprint's handlers)."""
    when_refused(not_found=tk._("No such invoice"),
                 forbidden=tk._("Only the organisation's admins and the coordinator may see its invoices"))
    return tk.get_action("vgsamverkan_invoice_show")(_context(), {"id": id})


def invoice_read(id: str):
    invoice = _shown(id)
    if not isinstance(invoice, dict):
        return invoice
    document = peppol.readable(invoice["document"].encode("utf-8"))
    return tk.render("vgsamverkan/invoice_read.html", {"invoice": invoice, "document": document})


def invoice_download(id: str):
    invoice = _shown(id)
    if not isinstance(invoice, dict):
        return invoice
    return Response(invoice["document"].encode("utf-8"), content_type="application/xml; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{invoice["filename"]}"'})


@_csrf_protected
@coordinator_required
def invoice_mark_sent(id: str):
    invoice = _shown(id)
    if not isinstance(invoice, dict):
        return invoice
    if tk.request.form.get("confirm") != "yes":  # a binding act (it cannot be undone) is confirmed first
        tk.h.flash_error(tk._("Nothing was done: tick the box to confirm."))
        return tk.redirect_to("vgsamverkan.invoice_read", id=invoice["id"])
    _act_and_flash("vgsamverkan_invoice_mark_sent", {"id": invoice["id"]},
                   success=tk._("{number} is marked as sent.").format(number=invoice["number"]),
                   forbidden=tk._("Only the regional coordinator may see this page"))
    return tk.redirect_to(tk.url_for("vgsamverkan_admin.fee_month", month=invoice["month"]) + "#vgs-invoices")
