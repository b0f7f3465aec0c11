"""Fee statements in words and as files for the finance system: line texts in Swedish or
English, the CSV export and the SIE 4I export. Pure: works on statement dicts (as
``vgsamverkan_fee_statement_show`` returns them) and the extension's catalogue."""
from __future__ import annotations

from typing import Any

from ckanext.vgsamverkan import formats, labels
from ckanext.vgsamverkan.translation import translations


def _translate(lang: str):
    return translations(lang).gettext


def _sek(ore: Any, lang: str) -> str:
    """Öre as kronor with the currency, written the language's one way (``18 500,00 kr``,
    ``SEK 18,500.00``): the English lines said "5,000.00 SEK" beside the pages' "SEK
    73,099.23" (issue 39)."""
    return formats.sek(formats.ore_to_kronor(ore), lang)


def line_text(lang: str, kind: str, details: dict[str, Any]) -> str:
    """What a line is, in words, in ``lang`` (``sv`` or ``en``)."""
    _ = _translate(lang)
    d = details or {}
    if kind == "access":
        text = _("{municipality}: {population} inhabitants ({year}) × {days} of {days_in_month} days = "
                 "{inhabitant_days} of {inhabitant_days_total} inhabitant-days; share of {total}").format(
            municipality=d.get("municipality", ""), population=formats.number(d.get("population"), lang),
            year=d.get("population_year", ""), days=formats.number(d.get("days"), lang),
            days_in_month=d.get("days_in_month", ""),
            inhabitant_days=formats.number(d.get("inhabitant_days"), lang),
            inhabitant_days_total=formats.number(d.get("inhabitant_days_total"), lang),
            total=_sek(d.get("total"), lang))
        if d.get("population_wanted_year"):
            text += _(" (the newest population there is: {wanted} is missing)").format(
                wanted=d["population_wanted_year"])
        if d.get("base"):
            text += _("; of it an equal base part of {amount}").format(amount=_sek(d.get("base_part"), lang))
        if d.get("shared_days"):
            text += _(" (days shared equally with the other municipal companies of the municipality)")
        return text
    if kind == "regional":
        return _("Fixed monthly amount for regional administrations, {fixed} × {days}/{days_in_month} days").format(
            fixed=_sek(d.get("fixed"), lang), days=d.get("days", ""), days_in_month=d.get("days_in_month", ""))
    # the request a line charges (issue 39): its case reference and what it is about, so
    # that two connections of one month, each on its first quote, are not alike. Lines of
    # runs before the reference was kept (their details) are said as they were.
    ref = f" {d['reference']}" if d.get("reference") else ""
    if kind == "connection":
        sets = " ".join(str(d.get("information_sets") or "").split())
        sets = sets if len(sets) <= 60 else sets[:59].rstrip() + "…"
        return _("Connection{reference} to the regional platform{sets}, connected {date} (quote {number})").format(
            reference=ref, sets=f" ({sets})" if sets and ref else "",
            date=d.get("connected_date", ""), number=d.get("quote_number") or "–")
    if kind == "expert":
        area = labels.competence_area(d.get("competence_area", ""), lang)
        if d.get("price") == "fixed":
            return _("Expert support{reference}, {area} ({expert}): fixed price, delivered {date}").format(
                reference=ref, area=area, expert=d.get("expert") or "", date=d.get("delivered_date", ""))
        text = _("Expert support{reference}, {area} ({expert}): {hours} hours × {rate}").format(
            reference=ref, area=area, expert=d.get("expert") or "", hours=formats.number(d.get("hours"), lang),
            rate=_sek(d.get("rate"), lang) if d.get("rate") is not None else _("several rates"))
        if ref and d.get("period"):
            text += _(", worked {period}").format(period=d["period"])
        return text
    if kind == "adjustment":
        if d.get("corrects"):
            return _("Adjustment of {month}: {reason}").format(month=d["corrects"], reason=d.get("reason", ""))
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

# -- SIE 4I --------------------------------------------------------------------------------
