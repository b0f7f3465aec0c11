"""The allocation arithmetic of the monthly access fee: pure functions, no database and
no CKAN, so that anyone can recompute an invoice from the rules in docs/fees.md.

Every amount is whole öre (``int``); every share before rounding is an exact
``fractions.Fraction``. Nothing is rounded early: the access shares are rounded once,
with the largest-remainder method, so that they add up exactly to the total.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Iterable, Sequence

KOMMUN = "kommun"
BOLAG = "kommunalt_bolag"
REGIONAL = "regional_forvaltning"


@dataclass(frozen=True)
class Period:
    """One participation of an organisation: it takes part from ``start`` to ``end``,
    both days included (``None``: open)."""

    organization_id: str
    name: str
    org_type: str
    municipality_code: str | None
    start: dt.date | None
    end: dt.date | None = None


@dataclass(frozen=True)
class Schedule:
    total: int  # öre a month, shared by the paying municipalities
    base_percent: Fraction = Fraction(0)  # of the total, split by day-weight alone
    regional_fixed: int = 0  # öre a month per regional administration, on top


@dataclass
class Share:
    """One payer's access share of a month."""

    organization_id: str
    name: str
    org_type: str
    municipality_code: str
    day_weight: Fraction  # days of the month it pays for (a shared day counts its share)
    population: int
    exact: Fraction  # öre, before rounding
    base_part: Fraction = Fraction(0)
    rest_part: Fraction = Fraction(0)
    amount: int = 0  # öre, after rounding
    days: list[dt.date] = field(default_factory=list)  # the days it takes part as a payer

    @property
    def remainder(self) -> Fraction:
        return self.exact - int(self.exact)


@dataclass
class RegionalCharge:
    organization_id: str
    name: str
    days: int
    days_in_month: int
    amount: int


@dataclass
class Allocation:
    month: tuple[int, int]
    total: int
    base: int  # öre of the total split by day-weight alone
    shares: list[Share]
    regional: list[RegionalCharge]
    weight_sum: Fraction  # Σ day-weight
    weighted_population: Fraction  # Σ day-weight × population

    @property
    def allocated(self) -> int:
        return sum(s.amount for s in self.shares)

    @property
    def nothing_to_allocate(self) -> bool:
        return not self.shares


def days_of(year: int, month: int) -> list[dt.date]:
    last = calendar.monthrange(year, month)[1]
    return [dt.date(year, month, d) for d in range(1, last + 1)]


def parse_month(text: str) -> tuple[int, int]:
    """``YYYY-MM`` as ``(year, month)``; ``ValueError`` otherwise."""
    if not isinstance(text, str) or not re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):  # ASCII digits only
        raise ValueError(text)
    year, month = int(text[:4]), int(text[5:])
    if not (1900 <= year <= 2200 and 1 <= month <= 12):
        raise ValueError(text)
    return year, month


def previous_month(month: tuple[int, int]) -> tuple[int, int]:
    """The month before ``(year, month)``."""
    year, mon = month
    return (year, mon - 1) if mon > 1 else (year - 1, 12)


def takes_part(period: Period, day: dt.date) -> bool:
    return (period.start is None or period.start <= day) and (period.end is None or day <= period.end)


def round_half_up(value: Fraction | Decimal | int) -> int:
    """To whole öre, half up (amounts here are never negative, except adjustments, which
    are whole öre already)."""
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return int(Decimal(value).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _fraction_half_up(value: Fraction) -> int:
    """Exact half-up rounding of a fraction (no decimal precision limits)."""
    floor = value.numerator // value.denominator
    return floor + (1 if value - floor >= Fraction(1, 2) else 0)


def allocate(month: tuple[int, int], periods: Iterable[Period], population: dict[str, int],
             schedule: Schedule) -> Allocation:
    """The access shares of ``month`` and the regional administrations' charges.

    :param periods: the participations (several per organisation are fine: a day counts
        when any of them covers it)
    :param population: inhabitants per municipality code (the year the month uses)
    :raises KeyError: a paying municipality has no population (its code is the key)
    """
    periods = list(periods)
    days = days_of(*month)
    # organisation -> its periods (an organisation has one type and one code)
    by_org: dict[str, list[Period]] = {}
    for period in periods:
        by_org.setdefault(period.organization_id, []).append(period)

    def present(org_id: str, day: dt.date) -> bool:
        return any(takes_part(p, day) for p in by_org[org_id])

    meta = {org_id: ps[0] for org_id, ps in by_org.items()}
    codes = sorted({p.municipality_code for p in periods
                    if p.org_type in (KOMMUN, BOLAG) and p.municipality_code})
    weights: dict[str, Fraction] = {}
    paid_days: dict[str, list[dt.date]] = {}
    for code in codes:
        kommuner = sorted(o for o, p in meta.items() if p.org_type == KOMMUN and p.municipality_code == code)
        bolag = sorted(o for o, p in meta.items() if p.org_type == BOLAG and p.municipality_code == code)
        for day in days:
            payers = [o for o in kommuner if present(o, day)] or [o for o in bolag if present(o, day)]
            for org_id in payers:
                weights[org_id] = weights.get(org_id, Fraction(0)) + Fraction(1, len(payers))
                paid_days.setdefault(org_id, []).append(day)

    shares = []
    for org_id, weight in weights.items():
        p = meta[org_id]
        code = p.municipality_code or ""
        if code not in population:
            raise KeyError(code)
        shares.append(Share(organization_id=org_id, name=p.name, org_type=p.org_type, municipality_code=code,
                            day_weight=weight, population=int(population[code]), exact=Fraction(0),
                            days=paid_days[org_id]))
    total = int(schedule.total)
    base = int(Fraction(total) * Fraction(schedule.base_percent) / 100) if shares else 0
    weight_sum = sum((s.day_weight for s in shares), Fraction(0))
    weighted = sum((s.day_weight * s.population for s in shares), Fraction(0))
    rest = total - base
    if shares:
        for s in shares:
            s.base_part = Fraction(base) * s.day_weight / weight_sum
            if weighted:
                s.rest_part = Fraction(rest) * s.day_weight * s.population / weighted
            else:  # every payer has 0 inhabitants: the rest is shared like the base
                s.rest_part = Fraction(rest) * s.day_weight / weight_sum
            s.exact = s.base_part + s.rest_part
        _largest_remainder(shares, total)
    shares.sort(key=lambda s: (s.municipality_code, s.name, s.organization_id))

    regional = []
    for org_id, p in sorted(meta.items(), key=lambda item: (item[1].name, item[0])):
        if p.org_type != REGIONAL:
            continue
        n = sum(1 for day in days if present(org_id, day))
        if n:
            amount = _fraction_half_up(Fraction(int(schedule.regional_fixed)) * n / len(days))
            regional.append(RegionalCharge(org_id, p.name, n, len(days), amount))
    return Allocation(month=month, total=total if shares else 0, base=base, shares=shares, regional=regional,
                      weight_sum=weight_sum, weighted_population=weighted)


def _largest_remainder(shares: Sequence[Share], total: int) -> None:
    """Floor every exact share, then give the öre left over one each to the largest
    fractional remainders; ties to the lower municipality code, then the name (then the
    organisation id, so that the result never depends on the order of the input)."""
    for s in shares:
        s.amount = s.exact.numerator // s.exact.denominator
    left = total - sum(s.amount for s in shares)
    ranked = sorted(shares, key=lambda s: (-s.remainder, s.municipality_code, s.name, s.organization_id))
    for s in ranked[:left]:
        s.amount += 1
