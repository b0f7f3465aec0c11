"""The coordinator's fee pages: the schedule, a month (run, close, adjust) and its exports."""
from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

from flask import Response

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.fees import allocation as fees
from ckanext.vgsamverkan.logic import pages
from ckanext.vgsamverkan.views._common import (
    _act_and_flash,
    _context,
    _csrf_protected,
    _error_summary,
    _field_labels,
    _form,
    _in_order,
    _participants,
    coordinator_required,
)

_FEE_VERBS = ("run", "close", "adjust")


_SCHEDULE_FIELDS = ("valid_from", "total", "base_percent", "regional_fixed")
_ADJUST_FIELDS = ("organization_id", "amount", "corrects", "reason")


def _kept(verb: str, data: dict[str, Any], errors: dict[str, Any]) -> dict[str, Any]:
    """A refused form's values and errors (in the form's order), for the page to show
    again (issue 21; templates: h.vgsamverkan_kept)."""
    order = _SCHEDULE_FIELDS if verb == "schedule" else _ADJUST_FIELDS
    errors = _in_order(errors, order)
    return {"verb": verb, "data": data, "errors": errors, "summary": _error_summary(errors)}


@coordinator_required
def admin_fees(decided: dict[str, Any] | None = None):
    schedules = pages.every("vgsamverkan_fee_schedule_list", _context())
    months = pages.every("vgsamverkan_fee_month_list", _context())
    return tk.render("vgsamverkan/admin/fees.html", {
        "schedules": schedules, "months": months, "labels": _field_labels(), "decided": decided or {},
    })


@_csrf_protected
@coordinator_required
def admin_fee_schedule():
    form = _form()
    payload = {k: form[k] for k in _SCHEDULE_FIELDS if form.get(k)}
    try:
        tk.get_action("vgsamverkan_fee_schedule_set")(_context(), payload)
    except tk.ValidationError as e:
        return admin_fees(_kept("schedule", form, e.error_dict))
    tk.h.flash_success(tk._("The fee schedule was saved."))
    return tk.redirect_to("vgsamverkan_admin.fees")


@coordinator_required
def admin_fee_month(month: str, decided: dict[str, Any] | None = None):
    months = {m["month"]: m for m in pages.every("vgsamverkan_fee_month_list", _context())}
    saved = months.get(month)
    preview, error = None, None
    if not saved or saved["state"] == "open":
        try:
            preview = tk.get_action("vgsamverkan_fee_run")(_context(), {"month": month, "dry_run": True})
        except tk.ValidationError as e:
            error = "; ".join(f"{msg}" for msgs in e.error_dict.values()
                              for msg in (msgs if isinstance(msgs, list) else [msgs]))
    statements, invoices = [], []
    if saved and saved.get("run_at"):
        statements = tk.get_action("vgsamverkan_fee_statement_list")(
            _context(), {"month": month, "limit": 1000})["results"]
    if saved and saved["state"] == "closed":
        # in the order of their numbers (the list is newest first)
        invoices = list(reversed(pages.every("vgsamverkan_invoice_list", _context(), {"month": month})))
    participants = _participants()
    return tk.render("vgsamverkan/admin/fee_month.html", {
        "month": month, "saved": saved, "preview": preview, "error": error, "statements": statements,
        "sums": _sums(statements), "participants": participants, "labels": _field_labels(),
        # a month still running: run and close say what a run now leaves out
        "month_over": month < tk.h.vgsamverkan_this_month(), "previous_month": _previous(month),
        "decided": decided or {}, "invoices": invoices,
        # the customers whose invoices would carry no reference of their own (issue 37)
        "without_reference": [st for st in statements if not st.get("invoice_reference")
                              and Decimal(st["total"]) != 0],
    })


def _sums(statements: list[dict[str, Any]]) -> dict[str, str]:
    """The month's net, VAT and total: the sums of its statements', in SEK text."""
    total = {k: sum((Decimal(st[k]) for st in statements), Decimal("0.00")) for k in ("net", "vat", "total")}
    return {k: f"{v:.2f}" for k, v in total.items()}


def _previous(month: str) -> str:
    try:
        return "{:04d}-{:02d}".format(*fees.previous_month(fees.parse_month(month)))
    except ValueError:
        return ""


@_csrf_protected
@coordinator_required
def admin_fee_month_act(month: str, verb: str):
    if verb not in _FEE_VERBS:
        return tk.abort(404)
    form = _form()
    if verb in ("run", "close") and form.get("confirm") != "yes":  # a binding act is confirmed first
        tk.h.flash_error(tk._("Nothing was done: tick the box to confirm."))
        return tk.redirect_to("vgsamverkan_admin.fee_month", month=month)
    if verb == "run":
        payload: dict[str, Any] = {"month": month}
        success = tk._("The statements of {month} were saved.").format(month=month)
    elif verb == "close":
        payload = {"month": month}
        success = tk._("{month} is closed.").format(month=month)
    else:
        payload = {"month": month, **{k: form[k] for k in _ADJUST_FIELDS if form.get(k)}}
        try:
            tk.get_action("vgsamverkan_fee_adjust")(_context(), payload)
        except tk.ValidationError as e:
            return admin_fee_month(month, _kept("adjust", form, e.error_dict))
        tk.h.flash_success(tk._("The adjustment was added."))
        return tk.redirect_to("vgsamverkan_admin.fee_month", month=month)
    _act_and_flash(f"vgsamverkan_fee_{verb}", payload, success=success,
                   forbidden=tk._("Only the regional coordinator may see this page"))
    return tk.redirect_to("vgsamverkan_admin.fee_month", month=month)


@coordinator_required
def admin_fee_export(month: str, fmt: str):
    try:
        result = tk.get_action("vgsamverkan_fee_export")(_context(), {"month": month, "format": fmt})
    except tk.ValidationError as e:
        for label, msg in _error_summary(e.error_dict).items():
            tk.h.flash_error(f"{label}: {msg}")
        return tk.redirect_to("vgsamverkan_admin.fee_month", month=month)

    if result["encoding"] == "binary":  # the e-invoices' zip
        content_type = result["content_type"]
    else:
        content_type = f'{result["content_type"]}; charset={"utf-8" if result["encoding"] == "utf-8" else "IBM437"}'
    return Response(base64.b64decode(result["content_base64"]), content_type=content_type,
                    headers={"Content-Disposition": f'attachment; filename="{result["filename"]}"'})


def admin_fee_month_pick():
    month = (tk.request.args.get("month") or "").strip()
    return tk.redirect_to("vgsamverkan_admin.fee_month", month=month or tk.h.vgsamverkan_this_month())
