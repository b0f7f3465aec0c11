"""The fee actions: schedules, the monthly run and its close, adjustments, statements and
their exports (the arithmetic is fees/allocation.py; the run's reading of the data
fees/run.py; the files fees/export.py)."""
from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import formats, money
from ckanext.vgsamverkan.domain import roles
from ckanext.vgsamverkan.fees import allocation as fees
from ckanext.vgsamverkan.fees import invoices
from ckanext.vgsamverkan.fees import run as feerun
from ckanext.vgsamverkan.fees import texts as feetext
from ckanext.vgsamverkan.fees.export import EXPORT_FORMATS, export_month, keep_file, make_export
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import (  # the shared machinery
    _actor,
    _closed,
    _commit,
    _existing_org,
    _org_key,
    _page,
    _sliced,
    _today,
    _validate,
    action,
)
from ckanext.vgsamverkan.model import (
    Event,
    FeeAdjustment,
    FeeLine,
    FeeMonth,
    FeeSchedule,
    FeeStatement,
)
from ckanext.vgsamverkan.model.base import iso, utcnow
from ckanext.vgsamverkan.model.fee import plain_number, unit_price


def _run_error(e: Any) -> tk.ValidationError:
    """feerun's refusal in the user's language (the messages are written out here, so
    that the catalogue has them)."""
    messages = {
        "No fee schedule is valid for {month}: set one first":
            tk._("No fee schedule is valid for {month}: set one first"),
        "There is no population of municipality {code} for {year} or any year before: import it first":
            tk._("There is no population of municipality {code} for {year} or any year before: import it first"),
    }
    return tk.ValidationError({e.field: [messages.get(e.message, e.message).format(**e.params)]})


@action
@tk.side_effect_free
def vgsamverkan_fee_schedule_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The fee schedules, newest first (public: the collaboration's price list). A later
    schedule for the same month supersedes an earlier one; both are kept.

    :param state: only ``active`` or only ``superseded`` schedules (optional)
    :type state: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [{"id", "valid_from", "total", "base_percent",
        "regional_fixed", "state" (``active`` or ``superseded``), "superseded", "created",
        "modified"}]}``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_fee_schedule_list", context, data_dict)
    data = _validate(data_dict, schema.fee_schedule_list(), context)
    rows = (model.Session.query(FeeSchedule)
            .order_by(FeeSchedule.valid_from.desc(), FeeSchedule.created.desc(), FeeSchedule.id.desc()).all())
    seen: set = set()
    results = []
    for row in rows:
        d = row.dictize(superseded=row.valid_from in seen)
        seen.add(row.valid_from)
        if not data.get("state") or d["state"] == data["state"]:
            results.append(d)
    return _sliced(results, data)


@action
def vgsamverkan_fee_schedule_set(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Set the fee schedule valid from a month (coordinator): the platform's monthly
    total to share between the paying municipalities, the percent of it split equally
    (by days) before the rest is split by population, and the fixed monthly amount each
    regional administration pays on top. It applies until a later schedule; a new one for
    the same month supersedes the earlier (kept in the list). Not for a closed month.

    :param valid_from: the first month it applies to, ``YYYY-MM``
    :type valid_from: string
    :param total: SEK a month before VAT, a decimal string
    :type total: string
    :param base_percent: 0–100, at most two decimals (optional, default 0)
    :type base_percent: string
    :param regional_fixed: SEK a month per regional administration (optional, default 0)
    :type regional_fixed: string
    :returns: the schedule
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_fee_schedule_set", context, data_dict)
    data = _validate(data_dict, schema.fee_schedule_set(), context)
    year, month = data["valid_from"]
    month_text = f"{year:04d}-{month:02d}"
    if _closed(month_text):
        raise tk.ValidationError({"valid_from": [tk._("The fees of {month} are closed").format(month=month_text)]})
    actor = _actor(context)
    row = FeeSchedule(valid_from=dt.date(year, month, 1), total_ore=data["total"],
                      base_percent=data.get("base_percent") or 0, regional_fixed_ore=data.get("regional_fixed") or 0,
                      author_id=actor.id if actor else None, created=utcnow())
    model.Session.add(row)
    model.Session.flush()
    Event.record("fee_schedule", row.id, "set", actor_id=actor.id if actor else None, organization_id=None,
                 details={"month": month_text, "total": row.dictize()["total"],
                          "percent": row.dictize()["base_percent"], "fixed": row.dictize()["regional_fixed"]})
    _commit(context)
    return row.dictize()


def _statement_dicts(run: Any, state: str, at: Any, lang: str | None = None) -> list[dict[str, Any]]:
    """A computed run as the dicts ``fee_statement_show`` returns (nothing saved):
    ``state`` the month's, or ``draft`` for a dry run; ``at`` when it was computed."""

    lang = lang or formats.current_lang()
    results = []
    for st in run.statements:
        lines = []
        for position, line in enumerate(st.lines, 1):
            lines.append({
                "position": position, "kind": line.kind,
                "text": feetext.line_text(lang, line.kind, line.details),
                "quantity": plain_number(line.quantity), "unit": line.unit,
                "unit_price": unit_price(line.unit_price), "amount": money.to_text(line.amount),
                "reference": {"type": line.reference_type, "id": line.reference_id} if line.reference_id else None,
                "details": line.details,
            })
        results.append({
            "id": st.id, "state": state, "created": iso(at), "modified": iso(at), "month": run.month,
            "organization_id": st.organization_id,
            "organization_name": st.organization_name, "organization_title": st.organization_title,
            "org_type": st.org_type, "org_number": st.org_number, "invoice_reference": st.invoice_reference,
            "population_year": st.population_year, "lines": lines, "net": money.to_text(st.net),
            "vat_rate": str(Decimal(st.vat_rate).quantize(Decimal("0.01"))), "vat": money.to_text(st.vat),
            "total": money.to_text(st.total),
        })
    return results


def _save_run(context: Context, run: Any) -> FeeMonth:
    """Replace the month's statements with ``run``'s, in the caller's transaction (the
    month row is locked first: runs of one month take turns)."""

    month = _lock_month(run.month)
    if month.state == "closed":
        raise tk.ValidationError({"month": [tk._("The fees of {month} are closed").format(month=run.month)]})
    ids = [r[0] for r in model.Session.query(FeeStatement.id).filter(FeeStatement.month == run.month)]
    if ids:
        model.Session.query(FeeLine).filter(FeeLine.statement_id.in_(ids)).delete(synchronize_session=False)
        model.Session.query(FeeStatement).filter(FeeStatement.id.in_(ids)).delete(synchronize_session=False)
    now = utcnow()
    for st in run.statements:
        model.Session.add(FeeStatement(
            id=st.id, month=run.month, organization_id=st.organization_id,
            organization_name=st.organization_name, organization_title=st.organization_title,
            org_type=st.org_type, org_number=st.org_number, invoice_reference=st.invoice_reference,
            customer_number=st.customer_number,
            population_year=st.population_year, net_ore=st.net, vat_rate=st.vat_rate, vat_ore=st.vat,
            total_ore=st.total, created=now))
    model.Session.flush()
    for st in run.statements:
        for position, line in enumerate(st.lines, 1):
            model.Session.add(FeeLine(
                id=feerun.line_id(st.id, position), statement_id=st.id, month=run.month,
                organization_id=st.organization_id, position=position, kind=line.kind,
                text=feetext.line_text("sv", line.kind, line.details), quantity=line.quantity, unit=line.unit,
                unit_price_ore=line.unit_price, amount_ore=line.amount, reference_type=line.reference_type,
                reference_id=line.reference_id, details=line.details))
    actor = _actor(context)
    month.schedule_id = run.schedule.id if run.schedule else None
    month.population_year = run.population_year
    month.vat_rate = run.vat_rate
    month.note = run.note
    month.run_by = actor.id if actor else None
    month.run_at = month.modified = now
    model.Session.flush()
    return month


def _lock_month(month_text: str) -> FeeMonth:
    """The month's row, created when missing, locked for the transaction."""
    model.Session.execute(
        sa.text("INSERT INTO vgsamverkan_fee_month (month, state) VALUES (:m, 'open') ON CONFLICT DO NOTHING"),
        {"m": month_text})
    return (model.Session.query(FeeMonth).filter(FeeMonth.month == month_text)
            .with_for_update().populate_existing().one())


@action
def vgsamverkan_fee_run(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Compute the fee statements of a month (coordinator): one per organisation, with
    its lines (access share, regional amount, connections completed in the month, expert
    time logged in it or fixed prices delivered in it, adjustments), net, VAT and total.
    Saved unless ``dry_run``; running an open month again replaces its statements (the
    same result when nothing changed). A closed month is refused.

    :param month: ``YYYY-MM``
    :type month: string
    :param dry_run: compute and return without saving (optional, default false)
    :type dry_run: bool
    :returns: ``{"month", "state", "dry_run", "schedule", "population_year", "note",
        "statements": [...], "net", "vat", "total", "allocated", "count"}``
    :rtype: dictionary
    """

    tk.check_access("vgsamverkan_fee_run", context, data_dict)
    data = _validate(data_dict, schema.fee_run(), context)
    month_text = "{:04d}-{:02d}".format(*data["month"])
    if _closed(month_text):
        raise tk.ValidationError({"month": [tk._(
            "The fees of {month} are closed and cannot be run again: corrections are adjustments in an open "
            "month").format(month=month_text)]})
    try:
        run = feerun.compute(month_text)
    except feerun.RunError as e:
        raise _run_error(e) from e
    state, at = "draft", utcnow()
    if not data.get("dry_run"):
        row = _save_run(context, run)
        at = row.run_at
        actor = _actor(context)
        Event.record("fee_month", month_text, "run", actor_id=actor.id if actor else None, organization_id=None,
                     details={"count": len(run.statements), "net": _sek_text(sum(s.net for s in run.statements))})
        state = row.state
        _commit(context)
    statements = _statement_dicts(run, state, at)
    return _run_dict(month_text, "open" if state == "draft" else state, bool(data.get("dry_run")), run, statements)


def _sek_text(ore: int) -> str:

    return money.to_text(ore) or "0.00"


def _run_dict(month_text: str, state: str, dry_run: bool, run: Any, statements: list[dict[str, Any]]):
    allocation = run.allocation
    return {
        "month": month_text, "state": state, "dry_run": dry_run,
        "schedule": run.schedule.dictize() if run.schedule else None,
        "population_year": run.population_year, "note": run.note,
        "allocated": _sek_text(allocation.allocated if allocation else 0),
        "count": len(statements), "statements": statements,
        "net": _sek_text(sum(s.net for s in run.statements)),
        "vat": _sek_text(sum(s.vat for s in run.statements)),
        "total": _sek_text(sum(s.total for s in run.statements)),
    }


def _saved_key(month_text: str) -> list[tuple]:
    """What a close compares with a run now: every line, and each statement's VAT (which
    the VAT-exempt kinds of the configuration decide) and invoice reference (its
    e-invoice's buyer reference: one changed since the run asks for a new run)."""
    rows = (model.Session.query(FeeLine.organization_id, FeeLine.position, FeeLine.kind, FeeLine.amount_ore,
                                FeeLine.reference_id)
            .filter(FeeLine.month == month_text).order_by(FeeLine.organization_id, FeeLine.position))
    saved = (model.Session.query(FeeStatement.organization_id, FeeStatement.vat_ore, FeeStatement.invoice_reference)
             .filter(FeeStatement.month == month_text))
    return sorted([tuple(r) for r in rows]
                  + [(org, 0, "vat", int(amount), reference or "") for org, amount, reference in saved])


def _run_key(run: Any) -> list[tuple]:
    return sorted([(st.organization_id, position, line.kind, line.amount, line.reference_id)
                   for st in run.statements for position, line in enumerate(st.lines, 1)]
                  + [(st.organization_id, 0, "vat", st.vat, st.invoice_reference or "") for st in run.statements])


@action
def vgsamverkan_fee_close(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Close a month for ever (coordinator): its statements can no longer be re-run,
    adjusted or changed by any path; corrections are adjustments in a later open month.
    The month must have been run, and its saved statements must still be what a run
    would give now (otherwise run it again and look before closing).

    Closing issues the month's e-invoices (Peppol BIS Billing 3.0): an invoice for every
    statement with a positive total, a credit note for every negative one (naming the
    invoice it corrects), numbered in one gapless series; the seller's settings
    (``ckanext.vgsamverkan.invoice.*``) must be set and valid, or the close is refused
    naming them and nothing changes (event ``invoice`` of the month).

    :param month: ``YYYY-MM``
    :type month: string
    :returns: the month: ``{"month", "state": "closed", "closed_at", "closed_by", …,
        "invoices": [the numbers issued]}``
    :rtype: dictionary
    """

    tk.check_access("vgsamverkan_fee_close", context, data_dict)
    data = _validate(data_dict, schema.fee_close(), context)
    month_text = "{:04d}-{:02d}".format(*data["month"])
    row = model.Session.get(FeeMonth, month_text)
    if row is None or row.run_at is None:
        raise tk.ValidationError({"month": [tk._("{month} has not been run: run it first").format(month=month_text)]})
    row = _lock_month(month_text)
    if row.state == "closed":
        raise tk.ValidationError({"month": [tk._("The fees of {month} are already closed").format(month=month_text)]})
    try:
        run = feerun.compute(month_text)
    except feerun.RunError as e:
        raise _run_error(e) from e
    if _run_key(run) != _saved_key(month_text):
        raise tk.ValidationError({"month": [tk._(
            "Something has changed since {month} was run: run it again and check the statements before "
            "closing").format(month=month_text)]})
    invoices.refuse_if_not_ready()  # the seller's settings, before anything changes
    actor = _actor(context)
    row.state = "closed"
    row.closed_by = actor.id if actor else None
    row.closed_at = row.modified = utcnow()
    Event.record("fee_month", month_text, "close", actor_id=actor.id if actor else None, organization_id=None,
                 from_state="open", to_state="closed")
    model.Session.flush()
    try:
        # the e-invoices (numbers, documents) and the files as closed, kept for ever, in
        # the same transaction
        issued = invoices.issue(month_text, _today())
        for fmt in EXPORT_FORMATS:
            keep_file(month_text, fmt, make_export(month_text, fmt))
        keep_file(month_text, "peppol", invoices.zip_of(month_text))
    except tk.ValidationError:
        model.Session.rollback()  # the month stays open: nothing half-written
        raise
    Event.record("fee_month", month_text, "invoice", actor_id=actor.id if actor else None, organization_id=None,
                 from_state="closed", to_state="closed",
                 details={"count": len(issued), "first": issued[0].number if issued else None,
                          "last": issued[-1].number if issued else None})
    _commit(context)
    return {**row.dictize(), "invoices": [i.number for i in issued]}


@action
@tk.side_effect_free
def vgsamverkan_fee_month_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """The months that have been run, newest first, with their state (coordinator).

    :param state: only months in this state, ``open`` or ``closed`` (optional)
    :type state: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [{"month", "state", "run_at", "closed_at",
        "population_year", "note", "statements", "net"}]}``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_fee_month_list", context, data_dict)
    data = _validate(data_dict, schema.fee_month_list(), context)
    totals = dict(
        (m, (n, net)) for m, n, net in model.Session.query(
            FeeStatement.month, sa.func.count(FeeStatement.id), sa.func.sum(FeeStatement.net_ore))
        .group_by(FeeStatement.month))
    results = []
    months = model.Session.query(FeeMonth).order_by(FeeMonth.month.desc())
    if data.get("state"):
        months = months.filter(FeeMonth.state == data["state"])
    for row in months:
        d = row.dictize()
        n, net = totals.get(row.month, (0, 0))
        d.update(statements=n, net=_sek_text(int(net or 0)))
        results.append(d)
    return _sliced(results, data)


@action
def vgsamverkan_fee_adjust(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Add a credit (negative) or debit line with a reason to an organisation's
    statement of an open month (coordinator), correcting an earlier month, which it names
    (SPEC 2026-11-29: an adjustment goes into a month later than the one it corrects).
    When the month has been run, it is run again at once so that the statement shows the
    line.

    :param organization_id: id or name of the organisation
    :type organization_id: string
    :param month: ``YYYY-MM`` (an open month)
    :type month: string
    :param amount: SEK, a decimal string; negative for a credit, not 0
    :type amount: string
    :param reason: why (shown on the statement)
    :type reason: string
    :param corrects: the month it corrects, ``YYYY-MM``, earlier than ``month`` (optional,
        default the month before ``month``); the line names it
    :type corrects: string
    :returns: the adjustment, with ``statement`` (the organisation's statement when the
        month has been run)
    :rtype: dictionary
    """

    tk.check_access("vgsamverkan_fee_adjust", context, data_dict)
    data = _validate(data_dict, schema.fee_adjust(), context)
    month_text = "{:04d}-{:02d}".format(*data["month"])
    org = _existing_org(data["organization_id"])
    if data["amount"] == 0:
        raise tk.ValidationError({"amount": [tk._("An adjustment cannot be 0")]})
    corrects = data.get("corrects") or fees.previous_month(data["month"])
    corrects_text = "{:04d}-{:02d}".format(*corrects)
    if corrects >= data["month"]:
        raise tk.ValidationError({"corrects": [tk._(
            "An adjustment goes into a month later than the one it corrects: {corrects} is not before "
            "{month}").format(corrects=corrects_text, month=month_text)]})
    row = _lock_month(month_text)
    if row.state == "closed":
        raise tk.ValidationError({"month": [tk._(
            "The fees of {month} are closed: adjust in an open month").format(month=month_text)]})
    actor = _actor(context)
    adjustment = FeeAdjustment(month=month_text, organization_id=org.id, amount_ore=data["amount"],
                               reason=data["reason"], corrects=corrects_text,
                               author_id=actor.id if actor else None, created=utcnow())
    model.Session.add(adjustment)
    model.Session.flush()
    Event.record("fee_month", month_text, "adjust", actor_id=actor.id if actor else None,
                 organization_id=org.id, comment=data["reason"],
                 details={"amount": adjustment.dictize()["amount"], "corrects": corrects_text})
    statement = None
    if row.run_at is not None:
        try:
            _save_run(context, feerun.compute(month_text))
        except feerun.RunError as e:
            raise _run_error(e) from e
        saved = model.Session.get(FeeStatement, feerun.statement_id(month_text, org.id))
        statement = saved.dictize() if saved else None
    _commit(context)
    return dict(adjustment.dictize(), statement=statement)


@action
@tk.side_effect_free
def vgsamverkan_fee_statement_list(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Saved fee statements, newest month first. The coordinator sees all; an
    organisation's admins their organisation's; nobody else any.

    :param month: only this month, ``YYYY-MM`` (optional)
    :type month: string
    :param state: only statements of ``open`` or of ``closed`` months (optional)
    :type state: string
    :param organization_id: only this organisation (optional)
    :type organization_id: string
    :param limit: at most this many (default 20, at most 1000)
    :type limit: int
    :param offset: skip this many (default 0)
    :type offset: int
    :returns: ``{"count": N, "results": [...]}`` (each with its lines and the month's
        ``month_state``)
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_fee_statement_list", context, data_dict)
    data = _validate(data_dict, schema.fee_statement_list(), context)
    user = _actor(context)
    q = model.Session.query(FeeStatement)
    if not roles.is_coordinator(user):
        q = q.filter(FeeStatement.organization_id.in_(roles.admin_org_ids(user)))
    if data.get("month"):
        q = q.filter(FeeStatement.month == "{:04d}-{:02d}".format(*data["month"]))
    org_key = _org_key(data)
    if org_key:
        q = q.filter(FeeStatement.organization_id == org_key)
    if data.get("state"):
        q = q.filter(FeeStatement.month.in_(sa.select(FeeMonth.month).where(FeeMonth.state == data["state"])))
    q = q.order_by(FeeStatement.month.desc(), FeeStatement.organization_title, FeeStatement.id)
    return _page(q, data, _statement_dict)


def _statement_dict(row: FeeStatement, lines: list[FeeLine] | None = None) -> dict[str, Any]:

    lang = formats.current_lang()
    month = model.Session.get(FeeMonth, row.month)
    result = row.dictize(lines=lines, state=month.state if month else "open")
    for line in result["lines"]:
        line["text_kept"] = line["text"]
        if lang != "sv":
            line["text"] = feetext.line_text(lang, line["kind"], line["details"])
    result["month_state"] = result["state"]
    return result


@action
@tk.side_effect_free
def vgsamverkan_fee_statement_show(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """One organisation's saved statement of a month: lines (``kind``, ``text`` in the
    request's language, ``quantity``, ``unit``, ``unit_price``, ``amount``,
    ``reference``), ``net``, ``vat``, ``total`` and ``population_year``. The coordinator
    and the organisation's admins only.

    :param organization_id: id or name of the organisation
    :type organization_id: string
    :param month: ``YYYY-MM``
    :type month: string
    :returns: the statement, with ``month_state`` (``open`` or ``closed``)
    :rtype: dictionary
    """
    data = _validate(data_dict, schema.fee_statement_show(), context)
    tk.check_access("vgsamverkan_fee_statement_show", context, data_dict)
    month_text = "{:04d}-{:02d}".format(*data["month"])
    row = (model.Session.query(FeeStatement)
           .filter(FeeStatement.organization_id == _org_key(data),
                   FeeStatement.month == month_text).one_or_none())
    if row is None:
        raise tk.ObjectNotFound(tk._("No statement for this organisation and month"))
    return _statement_dict(row)


@action
@tk.side_effect_free
def vgsamverkan_fee_export(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """A month's saved statements as a file for the finance system (coordinator): CSV
    (UTF-8 with BOM, ``;``, decimal comma, one row per line), SIE 4I (``#FORMAT PC8``,
    CP437, one ``#VER`` per statement; accounts from ``ckanext.vgsamverkan.sie_accounts``)
    or, for a closed month, its e-invoices (``peppol``: a zip of the Peppol BIS Billing 3.0
    documents issued at the close, one file per document named by its number; the same
    bytes at every download).

    :param month: ``YYYY-MM`` (it must have been run; closed, for ``peppol``)
    :type month: string
    :param format: ``csv`` (default), ``sie`` or ``peppol``
    :type format: string
    :returns: ``{"filename", "content_type", "encoding", "content_base64", "month_state"}``
    :rtype: dictionary
    """

    tk.check_access("vgsamverkan_fee_export", context, data_dict)
    data = _validate(data_dict, schema.fee_export(), context)
    month_text = "{:04d}-{:02d}".format(*data["month"])
    fmt = data.get("format") or "csv"
    content, filename, content_type, encoding = export_month(month_text, fmt)
    month = model.Session.get(FeeMonth, month_text)
    return {"filename": filename, "content_type": content_type, "encoding": encoding,
            "content_base64": base64.b64encode(content).decode("ascii"),
            "month_state": month.state if month else None}

