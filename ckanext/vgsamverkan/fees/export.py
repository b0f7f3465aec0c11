"""The export files of a fee month for the finance system: CSV and SIE 4I made from the
saved statements, and the files of closed months, kept as they were made at the close
(issue 18: moved here from fees/texts.py and logic/action/fees.py)."""
from __future__ import annotations

import calendar
import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.fees import texts as feetext
from ckanext.vgsamverkan.model import FeeFile, FeeMonth, FeeStatement
from ckanext.vgsamverkan.model.base import utcnow

# (2026-11-29) a line row carries only that line's amount (Belopp); each statement ends
# with one total row (Radtyp "Summa") carrying net, VAT and total, so that the Belopp
# column of the line rows sums to the month's net and the Totalt column to its total
CSV_COLUMNS = ["Månad", "Radtyp", "Organisation", "Organisationsnummer", "Fakturareferens", "Typ", "Text",
               "Antal", "Enhet", "À-pris", "Belopp", "Referens", "Netto", "Moms", "Totalt"]
CSV_LINE, CSV_TOTAL = "Rad", "Summa"


def _comma(value: Any) -> str:
    """A decimal string with a Swedish decimal comma and no thousands separator."""
    return "" if value in (None, "") else str(value).replace(".", ",")


def _two_decimals(value: Any) -> str:
    """A unit price with two decimals, rounded half up (a share of a month's days has
    many: the amount, not the unit price, is what is charged)."""
    if value in (None, ""):
        return ""
    return _comma(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _reference(line: dict[str, Any]) -> str:
    """What a line points at, for a person: the quote (number and information sets) of a
    connection, the call-off and its period of an expert line, else type:id."""
    ref = line.get("reference") or {}
    d = line.get("details") or {}
    if line["kind"] == "connection":
        return "Offert {number}: {sets}".format(number=d.get("quote_number") or "–",
                                                sets=d.get("information_sets") or "").strip()
    if line["kind"] == "expert":
        period = d.get("delivered_date") or d.get("period") or ""
        return "Avrop {id}{period}".format(id=(ref.get("id") or "")[:8], period=f", {period}" if period else "")
    return f"{ref.get('type')}:{ref.get('id')}" if ref else ""


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _text_cell(value: Any) -> str:
    """A cell of text people typed (a title, a reference, a line's text): one that a
    spreadsheet would take for a formula (it begins with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return) begins with an apostrophe, which Excel and LibreOffice show as
    text (OWASP, "CSV injection"). Amounts are not passed through here: they stay numbers."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def to_csv(statements: Iterable[dict[str, Any]]) -> bytes:
    """One row per line with that line's amount only, then one total row per statement
    (Radtyp "Summa": net, VAT, total): UTF-8 with a BOM (so that Excel reads it as UTF-8),
    ``;`` separated, Swedish decimal comma, unit prices with two decimals. Texts are the
    Swedish texts kept on the lines."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for st in statements:
        if not st["lines"]:
            continue
        who = [_text_cell(st["organization_title"]), _text_cell(st.get("org_number") or ""),
               _text_cell(st.get("invoice_reference") or "")]
        for line in st["lines"]:
            writer.writerow([
                st["month"], CSV_LINE, *who, feetext.kind_label(line["kind"], "sv"), _text_cell(line["text"]),
                _comma(line.get("quantity")), feetext.unit_label(line.get("unit"), "sv"),
                _two_decimals(line.get("unit_price")), _comma(line["amount"]), _text_cell(_reference(line)),
                "", "", "",
            ])
        writer.writerow([st["month"], CSV_TOTAL, *who, "", f"Summa {st['organization_title']}", "", "", "", "", "",
                         _comma(st["net"]), _comma(st["vat"]), _comma(st["total"])])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def _sie_text(value: str) -> str:
    """A quoted SIE string: PC8 has no room for every character; quotes and backslashes
    are escaped, and control characters (a line break would end the record and begin
    another: an injected ``#TRANS``) become one space."""
    text = _CONTROL.sub(" ", str(value)).replace("\\", "\\\\").replace('"', '\\"')
    text = text.encode("cp437", errors="replace").decode("cp437")
    return f'"{text}"'


def _sie_amount(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    ore = abs(ore)
    return f"{sign}{ore // 100}.{ore % 100:02d}"


def _ore(amount: str) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


# SIE's reserved dimension for customers (SIE 4, "#DIM": 8 = Kund)
CUSTOMER_DIMENSION = "8"
_KIND_ORDER = ("access", "regional", "connection", "expert", "adjustment")


def customer_key(st: dict[str, Any]) -> str:
    """A statement's customer as a SIE object: its customer number (SPEC 2026-12-07:
    customers that share an organisationsnummer stay separate objects); a statement made
    before customer numbers (an open month not run again since) by its
    organisationsnummer, ten digits, or its organisation's name."""
    if st.get("customer_number") is not None:
        return str(st["customer_number"])
    digits = "".join(ch for ch in str(st.get("org_number") or "") if ch.isdigit())
    return digits or st["organization_name"]


def to_sie(month: str, statements: Iterable[dict[str, Any]], *, accounts: list[str], company: str,
           org_number: str, generated: str, program_version: str = "1",
           revenue_accounts: dict[str, str] | None = None) -> bytes:
    """A SIE 4I file (``#FORMAT PC8``, CP437): one ``#VER`` per statement with lines,
    dated the last day of the month, with balanced ``#TRANS`` rows: the receivable
    (debit, the total), the revenue of each kind of line on its account (credit; a
    credit note debits), the output VAT (credit). The customer is an object of dimension
    8 (``#DIM 8 "Kund"``, ``#OBJEKT`` per customer keyed by its customer number),
    named on every ``#TRANS``."""

    receivable, revenue, vat_account = accounts[:3]
    per_kind = {kind: revenue for kind in _KIND_ORDER}
    per_kind.update(revenue_accounts or {})
    statements = [st for st in statements if st["lines"]]  # no voucher for a statement without lines
    year, mon = int(month[:4]), int(month[5:])
    date = f"{year:04d}{mon:02d}{calendar.monthrange(year, mon)[1]:02d}"
    rows = [
        "#FLAGGA 0",
        "#FORMAT PC8",
        "#SIETYP 4",
        f"#PROGRAM {_sie_text('ckanext-vgsamverkan')} {_sie_text(program_version)}",
        f"#GEN {generated}",
        f"#FNAMN {_sie_text(company or 'Dataportal Väst')}",
    ]
    if org_number:
        rows.append(f"#ORGNR {org_number}")
    names: dict[str, list[str]] = {}
    for kind in _KIND_ORDER:
        names.setdefault(per_kind[kind], []).append(feetext.kind_label(kind, "sv"))
    rows.append(f"#KONTO {receivable} {_sie_text('Kundfordringar')}")
    for account, kinds in names.items():
        if account not in (receivable, vat_account):
            label = "Försäljning av tjänster" if account == revenue and len(kinds) > 1 else ", ".join(kinds)
            rows.append(f"#KONTO {account} {_sie_text(label)}")
    rows.append(f"#KONTO {vat_account} {_sie_text('Utgående moms')}")
    rows.append(f"#DIM {CUSTOMER_DIMENSION} {_sie_text('Kund')}")
    customers: dict[str, str] = {}
    for st in statements:
        customers.setdefault(customer_key(st), st["organization_title"])
    for key, title in customers.items():
        rows.append(f"#OBJEKT {CUSTOMER_DIMENSION} {_sie_text(key)} {_sie_text(title)}")
    for st in statements:
        net, vat, total = _ore(st["net"]), _ore(st["vat"]), _ore(st["total"])
        customer = f"{{{CUSTOMER_DIMENSION} {_sie_text(customer_key(st))}}}"
        by_kind: dict[str, int] = {}
        for line in st["lines"]:
            by_kind[line["kind"]] = by_kind.get(line["kind"], 0) + _ore(line["amount"])
        assert sum(by_kind.values()) == net, "a statement's lines sum to its net"
        trans = []
        if total:
            reference = _sie_text(st.get("invoice_reference") or st["organization_title"])
            trans.append(f"   #TRANS {receivable} {customer} {_sie_amount(total)} {date} {reference}")
        for kind in _KIND_ORDER:
            if by_kind.get(kind):
                trans.append(f"   #TRANS {per_kind[kind]} {customer} {_sie_amount(-by_kind[kind])} {date} "
                             f"{_sie_text(feetext.kind_label(kind, 'sv'))}")
        if vat:
            trans.append(f"   #TRANS {vat_account} {customer} {_sie_amount(-vat)} {date} {_sie_text('Utgående moms')}")
        if not trans:  # lines that sum to nothing: nothing to book
            continue
        title = f"Avgifter {month}: {st['organization_title']}"
        rows.append(f'#VER "" "" {date} {_sie_text(title)}')
        rows.append("{")
        rows += trans
        rows.append("}")
    return ("\r\n".join(rows) + "\r\n").encode("cp437", errors="replace")


EXPORT_FORMATS = ("csv", "sie")


def export_month(month_text: str, fmt: str) -> tuple[bytes, str, str, str]:
    """The export file of a saved month: (bytes, file name, content type, encoding).
    A closed month's file is the one kept at its close (FeeFile): the same bytes for
    ever, whatever the configuration (SIE accounts, company) says later. Reads only:
    the files are kept by the close, and for months closed before that by the migration
    a3d7f1c9e5b2."""
    month = model.Session.get(FeeMonth, month_text)
    if month is None or month.run_at is None:
        raise tk.ValidationError({"month": [tk._("{month} has not been run: run it first").format(month=month_text)]})
    if fmt == "peppol" and month.state != "closed":
        raise tk.ValidationError({"format": [tk._(
            "The e-invoices of {month} are issued when the month is closed").format(month=month_text)]})
    if month.state != "closed":
        return make_export(month_text, fmt)
    kept = model.Session.get(FeeFile, (month_text, fmt))
    if kept is None and fmt == "peppol":
        raise tk.ValidationError({"format": [tk._(
            "{month} was closed before the portal issued e-invoices: it has none").format(month=month_text)]})
    if kept is None:  # cannot happen after the migrations: said, and nothing is made up
        raise tk.ValidationError({"month": [tk._(
            "The files of the closed month {month} were not kept: run the database migrations "
            "(ckan db upgrade -p vgsamverkan)").format(month=month_text)]})
    return kept.file()


def keep_file(month_text: str, fmt: str, made: tuple[bytes, str, str, str]) -> None:
    content, filename, content_type, encoding = made
    model.Session.add(FeeFile(month=month_text, format=fmt, filename=filename, content_type=content_type,
                              encoding=encoding, content=content, created=utcnow()))


def keep_missing_files() -> list[tuple[str, str]]:
    """Keep the export files of every closed month that has none (months closed before
    the files were kept at the close, revision f6a2c8e4b7d1), made now from the saved
    rows and the configuration of today, in the caller's transaction. Used by the
    migration a3d7f1c9e5b2. Returns the (month, format) pairs it kept."""
    kept = {(f.month, f.format) for f in model.Session.query(FeeFile.month, FeeFile.format)}
    made = []
    for (month_text,) in (model.Session.query(FeeMonth.month).filter(FeeMonth.state == "closed")
                          .order_by(FeeMonth.month)):
        for fmt in EXPORT_FORMATS:
            if (month_text, fmt) not in kept:
                keep_file(month_text, fmt, make_export(month_text, fmt, schema_of_a3d7=True))
                made.append((month_text, fmt))
    model.Session.flush()
    return made


def sie_settings() -> dict[str, str]:
    """The revenue account of each kind, checked: a wrong setting is a ValidationError on
    ``sie_accounts`` that names it (the close and the export stop; nothing is kept)."""
    try:
        return config.sie_revenue_accounts()
    except ValueError as e:
        raise tk.ValidationError({"sie_accounts": [str(e)]}) from e


def make_export(month_text: str, fmt: str, *, schema_of_a3d7: bool = False) -> tuple[bytes, str, str, str]:
    """The export file made from the saved rows (and, for SIE, the configured accounts).
    ``schema_of_a3d7``: read the statements as the migration a3d7f1c9e5b2 finds them."""

    # the columns it needs, not the row: the migration a3d7f1c9e5b2 runs this on the
    # schema of its day, without the month's later columns (created, modified: d5f1b7c3e9a6)
    month = (model.Session.query(FeeMonth.closed_at, FeeMonth.run_at)
             .filter(FeeMonth.month == month_text).one())
    query = model.Session.query(FeeStatement).filter(FeeStatement.month == month_text)
    if schema_of_a3d7:  # the migration a3d7f1c9e5b2 runs before b3e9d5a1c7f2 adds customer_number
        query = query.options(sa.orm.defer(FeeStatement.customer_number, raiseload=True))
    rows = query.order_by(FeeStatement.organization_title, FeeStatement.id).all()
    statements = [r.dictize() for r in rows]
    if fmt == "sie":
        generated = (month.closed_at or month.run_at).strftime("%Y%m%d")
        content = to_sie(month_text, statements, accounts=config.sie_accounts(),
                         company=config.sie_company_name(), org_number=config.sie_org_number(),
                         generated=generated, revenue_accounts=sie_settings())
        return content, f"avgifter-{month_text}.si", "text/plain", "cp437"
    return to_csv(statements), f"avgifter-{month_text}.csv", "text/csv", "utf-8"
