"""Money and hours between the database and the API (issue 18): whole öre ⇄ SEK as a
decimal string (``"12500.00"``), hours as a decimal string, and what a call-off's logged
time comes to. Pure. Display in a language (``18 500,00 kr``) is formats.sek."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable


def to_text(ore: int | None) -> str | None:
    """Whole öre as a decimal string in SEK (``12500.00``); None for none."""
    if ore is None:
        return None
    return str((Decimal(ore) / 100).quantize(Decimal("0.01")))


def hours_text(value: Decimal | None) -> str | None:
    """Hours as a decimal string with two decimals (``"7.50"``); None for none."""
    return None if value is None else str(Decimal(value).quantize(Decimal("0.01")))


def round_ore(exact: Decimal) -> int:
    """An exact amount in öre (hours × rate), rounded half up to whole öre: SPEC rounds
    once per call-off and month."""
    return int(Decimal(exact).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def calloff_amounts(entries: Iterable[Any], fixed_price_ore: int | None,
                    hourly_rate_ore: int | None) -> dict[str, Any]:
    """What a call-off's time entries (each with ``date``, ``hours`` and the
    ``hourly_rate_ore`` it was logged at) come to, for the API: ``logged_hours``,
    ``months`` (per month its hours and, at an hourly rate, its amount, rounded once) and
    ``amount`` (the fixed price, or the sum of the months; None without a price)."""
    entries = list(entries)
    months: dict[str, dict[str, Any]] = {}
    for e in entries:
        m = months.setdefault(e.date.strftime("%Y-%m"), {"hours": Decimal(0), "exact": None})
        m["hours"] += e.hours
        if e.hourly_rate_ore is not None:
            m["exact"] = (m["exact"] or Decimal(0)) + e.hours * e.hourly_rate_ore
    if fixed_price_ore is not None:
        amount = fixed_price_ore
    elif hourly_rate_ore is not None:
        amount = sum(round_ore(m["exact"]) for m in months.values() if m["exact"] is not None)
    else:
        amount = None
    return {
        "logged_hours": hours_text(sum((e.hours for e in entries), Decimal(0))),
        "amount": to_text(amount),
        "months": [{"month": month, "hours": hours_text(m["hours"]),
                    "amount": to_text(round_ore(m["exact"])) if m["exact"] is not None else None}
                   for month, m in sorted(months.items())],
    }
