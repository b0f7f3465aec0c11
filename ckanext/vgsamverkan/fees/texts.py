"""Fee statements in words and as files for the finance system: line texts in Swedish or
English, the CSV export and the SIE 4I export. Pure: works on statement dicts (as
``vgsamverkan_fee_statement_show`` returns them) and the extension's catalogue."""
from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any, Iterable

from ckanext.vgsamverkan import formats, labels
from ckanext.vgsamverkan.translation import translations


def _translate(lang: str):
    return translations(lang).gettext


def _sek(ore: Any, lang: str) -> str:
    """Öre as kronor, without the currency (the line's text names it)."""
    return formats.number(formats.ore_to_kronor(ore), lang, decimals=2)


def line_text(lang: str, kind: str, details: dict[str, Any]) -> str:
    """What a line is, in words, in ``lang`` (``sv`` or ``en``)."""
    _ = _translate(lang)
    d = details or {}
    if kind == "access":
        text = _("{municipality}: {population} inhabitants ({year}) × {days} of {days_in_month} days = "
                 "{inhabitant_days} of {inhabitant_days_total} inhabitant-days; share of {total} SEK").format(
            municipality=d.get("municipality", ""), population=formats.number(d.get("population"), lang),
            year=d.get("population_year", ""), days=formats.number(d.get("days"), lang), days_in_month=d.get("days_in_month", ""),
            inhabitant_days=formats.number(d.get("inhabitant_days"), lang),
            inhabitant_days_total=formats.number(d.get("inhabitant_days_total"), lang), total=_sek(d.get("total"), lang))
        if d.get("base"):
            text += _("; of it an equal base part of {amount} SEK").format(amount=_sek(d.get("base_part"), lang))
        if d.get("shared_days"):
            text += _(" (days shared equally with the other municipal companies of the municipality)")
        return text
    if kind == "regional":
        return _("Fixed monthly amount for regional administrations, {fixed} SEK × {days}/{days_in_month} days").format(
            fixed=_sek(d.get("fixed"), lang), days=d.get("days", ""), days_in_month=d.get("days_in_month", ""))
    if kind == "connection":
        return _("Connection to the regional platform, connected {date} (quote {number})").format(
            date=d.get("connected_date", ""), number=d.get("quote_number") or "–")
    if kind == "expert":
        area = labels.competence_area(d.get("competence_area", ""), lang)
        if d.get("price") == "fixed":
            return _("Expert support, {area} ({expert}): fixed price, delivered {date}").format(
                area=area, expert=d.get("expert") or "", date=d.get("delivered_date", ""))
        return _("Expert support, {area} ({expert}): {hours} hours × {rate} SEK").format(
            area=area, expert=d.get("expert") or "", hours=formats.number(d.get("hours"), lang),
            rate=_sek(d.get("rate"), lang) if d.get("rate") is not None else _("several rates"))
    if kind == "adjustment":
        return _("Adjustment: {reason}").format(reason=d.get("reason", ""))
    return kind


def kind_label(kind: str, lang: str) -> str:
    _ = _translate(lang)
    return {"access": _("Access fee"), "regional": _("Regional administration"), "connection": _("Connection"),
            "expert": _("Expert support"), "adjustment": _("Adjustment")}.get(kind, kind)


def unit_label(unit: str | None, lang: str) -> str:
    _ = _translate(lang)
    return {"days": _("days"), "hours": _("hours"), "each": _("pcs")}.get(unit or "", unit or "")


# -- CSV ---------------------------------------------------------------------------------

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
                kind_label(line["kind"], "sv"), line["text"], _comma(line.get("quantity")),
                unit_label(line.get("unit"), "sv"), _comma(line.get("unit_price")), _comma(line["amount"]),
                f"{ref.get('type')}:{ref.get('id')}" if ref else "", _comma(st["net"]), _comma(st["vat"]),
                _comma(st["total"]),
            ])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# -- SIE 4I --------------------------------------------------------------------------------

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
    import calendar

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
        rows.append(f"   #TRANS {receivable} {{}} {_sie_amount(total)} {date} {_sie_text(st.get('invoice_reference') or st['organization_title'])}")
        rows.append(f"   #TRANS {revenue} {{}} {_sie_amount(-net)}")
        rows.append(f"   #TRANS {vat_account} {{}} {_sie_amount(-vat)}")
        rows.append("}")
    return ("\r\n".join(rows) + "\r\n").encode("cp437", errors="replace")


def parse_sie(data: bytes) -> dict[str, Any]:
    """Read a SIE file back (what the tests use to check an export): header items,
    accounts and vouchers with their transactions in öre."""
    import shlex

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
