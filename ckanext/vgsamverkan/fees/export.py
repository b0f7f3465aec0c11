"""The export files of a fee month for the finance system: CSV and SIE 4I made from the
saved statements, and the files of closed months, kept as they were made at the close
(issue 18: moved here from fees/texts.py and logic/action/fees.py)."""
from __future__ import annotations

import calendar
import csv
import io
import shlex
from decimal import Decimal
from typing import Any, Iterable

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.fees import texts as feetext
from ckanext.vgsamverkan.model import FeeFile, FeeMonth, FeeStatement
from ckanext.vgsamverkan.model.base import utcnow

CSV_COLUMNS = ["Månad", "Organisation", "Organisationsnummer", "Fakturareferens", "Typ", "Text", "Antal",
               "Enhet", "À-pris", "Belopp", "Referens", "Netto", "Moms", "Totalt"]


def _comma(value: str | None) -> str:
    """A decimal string with a Swedish decimal comma and no thousands separator."""
    return "" if value in (None, "") else str(value).replace(".", ",")


def to_csv(statements: Iterable[dict[str, Any]]) -> bytes:
    """One row per line: UTF-8 with a BOM (so that Excel reads it as UTF-8), ``;``
    separated, Swedish decimal comma. Texts are the Swedish texts kept on the lines."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for st in statements:
        for line in st["lines"]:
            ref = line.get("reference") or {}
            writer.writerow([
                st["month"], st["organization_title"], st.get("org_number") or "", st.get("invoice_reference") or "",
                feetext.kind_label(line["kind"], "sv"), line["text"], _comma(line.get("quantity")),
                feetext.unit_label(line.get("unit"), "sv"), _comma(line.get("unit_price")), _comma(line["amount"]),
                f"{ref.get('type')}:{ref.get('id')}" if ref else "", _comma(st["net"]), _comma(st["vat"]),
                _comma(st["total"]),
            ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _sie_text(value: str) -> str:
    """A quoted SIE string: PC8 has no room for every character; quotes and backslashes
    are escaped."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    text = text.encode("cp437", errors="replace").decode("cp437")
    return f'"{text}"'


def _sie_amount(ore: int) -> str:
    sign = "-" if ore < 0 else ""
    ore = abs(ore)
    return f"{sign}{ore // 100}.{ore % 100:02d}"


def _ore(amount: str) -> int:
    return int((Decimal(amount) * 100).to_integral_value())


def to_sie(month: str, statements: Iterable[dict[str, Any]], *, accounts: list[str], company: str,
           org_number: str, generated: str, program_version: str = "1") -> bytes:
    """A SIE 4I file (``#FORMAT PC8``, CP437): one ``#VER`` per statement dated the last
    day of the month, with balanced ``#TRANS`` rows: the receivable (debit, the total),
    the revenue (credit, the net) and the output VAT (credit, the VAT)."""

    receivable, revenue, vat_account = accounts[:3]
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
    rows += [
        f"#KONTO {receivable} {_sie_text('Kundfordringar')}",
        f"#KONTO {revenue} {_sie_text('Försäljning av tjänster')}",
        f"#KONTO {vat_account} {_sie_text('Utgående moms')}",
    ]
    for st in statements:
        net, vat, total = _ore(st["net"]), _ore(st["vat"]), _ore(st["total"])
        title = f"Avgifter {month}: {st['organization_title']}"
        rows.append(f'#VER "" "" {date} {_sie_text(title)}')
        rows.append("{")
        reference = _sie_text(st.get("invoice_reference") or st["organization_title"])
        rows.append(f"   #TRANS {receivable} {{}} {_sie_amount(total)} {date} {reference}")
        rows.append(f"   #TRANS {revenue} {{}} {_sie_amount(-net)}")
        rows.append(f"   #TRANS {vat_account} {{}} {_sie_amount(-vat)}")
        rows.append("}")
    return ("\r\n".join(rows) + "\r\n").encode("cp437", errors="replace")


def parse_sie(data: bytes) -> dict[str, Any]:
    """Read a SIE file back (what the tests use to check an export): header items,
    accounts and vouchers with their transactions in öre."""

    text = data.decode("cp437")
    result: dict[str, Any] = {"items": {}, "accounts": {}, "vouchers": []}
    voucher = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line == "{":
            continue
        if line == "}":
            voucher = None
            continue
        line = line.replace("{}", '""')
        parts = shlex.split(line, posix=True)
        tag = parts[0]
        if tag == "#VER":
            voucher = {"date": parts[3], "text": parts[4], "trans": []}
            result["vouchers"].append(voucher)
        elif tag == "#TRANS":
            assert voucher is not None, "a #TRANS outside a voucher"
            voucher["trans"].append((parts[1], _ore(parts[3])))
        elif tag == "#KONTO":
            result["accounts"][parts[1]] = parts[2]
        else:
            result["items"][tag] = parts[1:]
    return result


EXPORT_FORMATS = ("csv", "sie")


def _export_month(month_text: str, fmt: str) -> tuple[bytes, str, str, str]:
    """The export file of a saved month: (bytes, file name, content type, encoding).
    A closed month's file is the one kept at its close (FeeFile): the same bytes for
    ever, whatever the configuration (SIE accounts, company) says later. Reads only:
    the files are kept by the close, and for months closed before that by the migration
    a3d7f1c9e5b2."""
    month = model.Session.get(FeeMonth, month_text)
    if month is None or month.run_at is None:
        raise tk.ValidationError({"month": [tk._("{month} has not been run: run it first").format(month=month_text)]})
    if month.state != "closed":
        return _make_export(month_text, fmt)
    kept = model.Session.get(FeeFile, (month_text, fmt))
    if kept is None:  # cannot happen after the migrations: said, and nothing is made up
        raise tk.ValidationError({"month": [tk._(
            "The files of the closed month {month} were not kept: run the database migrations "
            "(ckan db upgrade -p vgsamverkan)").format(month=month_text)]})
    return kept.file()


def _keep_file(month_text: str, fmt: str, made: tuple[bytes, str, str, str]) -> None:
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
                _keep_file(month_text, fmt, _make_export(month_text, fmt))
                made.append((month_text, fmt))
    model.Session.flush()
    return made


def _make_export(month_text: str, fmt: str) -> tuple[bytes, str, str, str]:
    """The export file made from the saved rows (and, for SIE, the configured accounts)."""

    month = model.Session.get(FeeMonth, month_text)
    rows = (model.Session.query(FeeStatement).filter(FeeStatement.month == month_text)
            .order_by(FeeStatement.organization_title, FeeStatement.id).all())
    statements = [r.dictize() for r in rows]
    if fmt == "sie":
        generated = (month.closed_at or month.run_at).strftime("%Y%m%d")
        content = to_sie(month_text, statements, accounts=config.sie_accounts(),
                                 company=config.sie_company_name(), org_number=config.sie_org_number(),
                                 generated=generated)
        return content, f"avgifter-{month_text}.si", "text/plain", "cp437"
    return to_csv(statements), f"avgifter-{month_text}.csv", "text/csv", "utf-8"
