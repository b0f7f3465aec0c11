"""A fee run: gathers a month's participations, population, schedule, connections,
call-off time and adjustments from the database, lets :mod:`fees` allocate the access
fee, and builds one statement per organisation. Saving, closing and the refusals are the
actions' (logic/action/); this module only computes."""
from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.domain import objects, taking_part
from ckanext.vgsamverkan.fees import allocation as fees
from ckanext.vgsamverkan.model import (
    Calloff,
    CalloffTime,
    Connection,
    ConnectionQuote,
    FeeAdjustment,
    FeeMonth,
    FeeSchedule,
    Participation,
    Population,
)
from ckanext.vgsamverkan.model.base import iso

# statement and line ids are derived from what they are, so that a re-run of an
# unchanged month writes the very same rows
_NAMESPACE = uuid.UUID("5b0d1f52-7c1e-4a55-9d0b-3f3a4f6c2e11")
KIND_ORDER = {kind: i for i, kind in enumerate(("access", "regional", "connection", "expert", "adjustment"))}


class RunError(Exception):
    """The month cannot be computed; ``field`` and ``message`` say why (in English; the
    action translates)."""

    def __init__(self, field_: str, message: str, **params: Any) -> None:
        super().__init__(message)
        self.field = field_
        self.message = message
        self.params = params


@dataclass
class Line:
    kind: str
    amount: int
    details: dict[str, Any]
    quantity: Decimal | None = None
    unit: str | None = None
    unit_price: Decimal | None = None  # öre, may have decimals
    reference_type: str | None = None
    reference_id: str | None = None


@dataclass
class Statement:
    organization_id: str
    organization_name: str
    organization_title: str
    org_type: str | None
    org_number: str | None
    invoice_reference: str | None
    population_year: int | None
    lines: list[Line] = field(default_factory=list)
    customer_number: int | None = None
    exempt: frozenset[str] = frozenset()  # kinds of line without VAT (invoice.vat_exempt)
    vat_rate: Decimal = Decimal(25)

    month: str = ""

    @property
    def id(self) -> str:
        return statement_id(self.month, self.organization_id)

    @property
    def net(self) -> int:
        return sum(line.amount for line in self.lines)

    @property
    def taxable(self) -> int:
        """The net of the lines that carry VAT (all but the exempt kinds')."""
        return sum(line.amount for line in self.lines if line.kind not in self.exempt)

    @property
    def vat(self) -> int:
        return fees.round_half_up(Decimal(self.taxable) * self.vat_rate / 100)

    @property
    def total(self) -> int:
        return self.net + self.vat


@dataclass
class Run:
    month: str
    schedule: FeeSchedule | None
    population_year: int | None
    allocation: fees.Allocation | None
    statements: list[Statement]
    vat_rate: Decimal
    note: str | None  # e.g. no paying participant


def month_bounds(month: tuple[int, int]) -> tuple[dt.date, dt.date]:
    days = fees.days_of(*month)
    return days[0], days[-1]


def schedule_for(month: tuple[int, int]) -> FeeSchedule | None:
    first, _ = month_bounds(month)
    return (model.Session.query(FeeSchedule).filter(FeeSchedule.valid_from <= first)
            .order_by(FeeSchedule.valid_from.desc(), FeeSchedule.created.desc(), FeeSchedule.id.desc())
            .first())


def population_of(month: tuple[int, int], codes: set[str]) -> dict[str, Population]:
    """For each municipality, the figure a month uses (SPEC, 2026-11-29): its own
    population of 31 December of the year before the month, or its newest earlier year
    there is. A municipality without any figure up to then is not in the answer."""
    rows = (model.Session.query(Population)
            .filter(Population.municipality_code.in_(codes), Population.year <= month[0] - 1)
            .order_by(Population.municipality_code, Population.year))
    return {row.municipality_code: row for row in rows}  # the newest year of each code wins


def population_gaps(month: tuple[int, int]) -> dict[str, Any]:
    """What the population lacks for ``month``: the paying municipalities (a kommun or
    kommunalt bolag taking part in the month) without a figure of the year the month asks
    for, with the older year they would fall back to, or none (the run would stop).
    ``{"month", "year", "older": [{"municipality_code", "name", "year"}],
    "none": [{"municipality_code", "name"}]}``, by code (a municipality without any
    figure is named by the organisation taking part for it)."""
    first, last = month_bounds(month)
    paying = [p for p in _participations(last)
              if p.municipality_code and p.org_type in ("kommun", "kommunalt_bolag")
              and (p.effective_to is None or p.effective_to >= first)]
    codes = {p.municipality_code for p in paying}
    titles = {p.municipality_code: p.organization_title for p in paying if p.org_type == "kommun"}
    figures = population_of(month, codes)
    wanted = month[0] - 1
    return {
        "month": "{:04d}-{:02d}".format(*month), "year": wanted,
        "older": [{"municipality_code": code, "name": figures[code].name, "year": figures[code].year}
                  for code in sorted(codes) if code in figures and figures[code].year < wanted],
        "none": [{"municipality_code": code, "name": titles.get(code)} for code in sorted(codes)
                 if code not in figures],
    }


def _participations(last: dt.date) -> list[Participation]:
    """The decided participations that may take part on a day up to ``last``; the
    allocation then counts each day as domain/taking_part.py decides it (from
    ``effective_from`` to ``effective_to``, both included)."""
    return (model.Session.query(Participation)
            .filter(Participation.state.in_(taking_part.DECIDED))
            .filter(Participation.organization_id.isnot(None))
            .filter(sa.or_(Participation.effective_from.is_(None), Participation.effective_from <= last))
            .order_by(Participation.created, Participation.id)
            .all())


def compute(month_text: str) -> Run:
    """The statements of ``month_text`` (``YYYY-MM``) as the sources stand now."""
    month = fees.parse_month(month_text)
    first, last = month_bounds(month)
    vat_rate = config.vat_rate()
    try:
        exempt = frozenset(config.vat_exempt())
    except ValueError as e:
        raise RunError("ckanext.vgsamverkan.invoice.vat_exempt",
                       str(e).replace("{", "{{").replace("}", "}}")) from e
    statements: dict[str, Statement] = {}
    orgs = {g.id: g for g in model.Session.query(model.Group).filter(model.Group.is_organization.is_(True))}

    participations = _participations(last)
    latest: dict[str, Participation] = {}
    for p in participations:  # the newest participation names the payer's facts
        latest[p.organization_id] = p

    def statement(org_id: str) -> Statement:
        if org_id not in statements:
            org = orgs.get(org_id)
            p = latest.get(org_id)
            statements[org_id] = Statement(
                organization_id=org_id, organization_name=org.name if org else org_id,
                organization_title=(org.title or org.name) if org else org_id,
                org_type=p.org_type if p else None, org_number=p.org_number if p else None,
                invoice_reference=p.invoice_reference if p else None, population_year=None,
                vat_rate=vat_rate, month=month_text, customer_number=p.customer_number if p else None,
                exempt=exempt)
        return statements[org_id]

    # -- access and regional ----------------------------------------------------------
    schedule = schedule_for(month)
    periods = [
        fees.Period(p.organization_id, _org_title(orgs, p), p.org_type, p.municipality_code,
                    p.effective_from, p.effective_to)
        for p in participations
        if p.effective_to is None or p.effective_to >= first
    ]
    allocation = None
    population_year = None
    note = None
    if periods:
        if schedule is None:
            raise RunError("month", "No fee schedule is valid for {month}: set one first", month=month_text)
        wanted_year = month[0] - 1
        figures = population_of(month, {p.municipality_code for p in periods if p.municipality_code})
        population = {code: int(row.population) for code, row in figures.items()}
        try:
            allocation = fees.allocate(month, periods, population, fees.Schedule(
                total=int(schedule.total_ore), base_percent=Fraction(Decimal(schedule.base_percent)),
                regional_fixed=int(schedule.regional_fixed_ore)))
        except KeyError as e:
            raise RunError("month", "There is no population of municipality {code} for {year} or any year "
                           "before: import it first", code=e.args[0], year=wanted_year) from e
        used = {figures[share.municipality_code].year for share in allocation.shares}
        population_year = max(used) if used else None  # the month's: the newest year any payer used
        days_in_month = len(fees.days_of(*month))
        for share in allocation.shares:
            st = statement(share.organization_id)
            figure = figures[share.municipality_code]
            st.population_year = figure.year
            st.lines.append(Line(
                kind="access", amount=share.amount,
                quantity=_decimal(share.day_weight), unit="days",
                unit_price=_decimal(share.exact / share.day_weight) if share.day_weight else None,
                reference_type="participation", reference_id=latest[share.organization_id].id,
                details={
                    "municipality_code": share.municipality_code,
                    "municipality": figure.name or share.municipality_code,
                    "population": share.population, "population_year": figure.year,
                    # an older figure than the month asks for: the line says so
                    "population_wanted_year": wanted_year if figure.year < wanted_year else None,
                    "days": _fraction_text(share.day_weight), "days_in_month": days_in_month,
                    "inhabitant_days": _fraction_text(share.day_weight * share.population),
                    "inhabitant_days_total": _fraction_text(allocation.weighted_population),
                    "total": int(schedule.total_ore), "base": allocation.base,
                    "base_part": _fraction_text(share.base_part), "exact": _fraction_text(share.exact),
                    "shared_days": share.day_weight != int(share.day_weight) or None,
                }))
        for charge in allocation.regional:
            if not int(schedule.regional_fixed_ore):
                continue  # a regional line only where the fixed amount is not zero (SPEC 2026-11-29)
            st = statement(charge.organization_id)
            st.lines.append(Line(
                kind="regional", amount=charge.amount, quantity=Decimal(charge.days), unit="days",
                unit_price=_decimal(Fraction(int(schedule.regional_fixed_ore), charge.days_in_month)),
                reference_type="participation", reference_id=latest[charge.organization_id].id,
                details={"fixed": int(schedule.regional_fixed_ore), "days": charge.days,
                         "days_in_month": charge.days_in_month}))
        if allocation.nothing_to_allocate:
            note = "no paying participant"
    else:
        note = "no paying participant"

    # -- connections completed in the month --------------------------------------------
    connections = (model.Session.query(Connection)
                   .filter(Connection.connected_date >= first, Connection.connected_date <= last)
                   .filter(Connection.price_ore.isnot(None))
                   .order_by(Connection.connected_date, Connection.id))
    for c in connections:
        quote = model.Session.get(ConnectionQuote, c.accepted_quote_id) if c.accepted_quote_id else None
        statement(c.organization_id).lines.append(Line(
            kind="connection", amount=int(c.price_ore), quantity=Decimal(1), unit="each",
            unit_price=Decimal(int(c.price_ore)), reference_type="connection", reference_id=c.id,
            details={"reference": objects.reference("connection", c.id),
                     "connected_date": c.connected_date.isoformat(),
                     "quote_number": quote.number if quote else None,
                     "information_sets": (c.information_sets or "")[:200]}))

    # -- expert time logged in the month, fixed prices delivered in it -----------------
    hourly = (model.Session.query(CalloffTime.calloff_id, sa.func.sum(CalloffTime.hours),
                                  sa.func.sum(CalloffTime.hours * CalloffTime.hourly_rate_ore),
                                  sa.func.min(CalloffTime.hourly_rate_ore), sa.func.max(CalloffTime.hourly_rate_ore),
                                  sa.func.min(CalloffTime.date), sa.func.max(CalloffTime.date))
              .filter(CalloffTime.date >= first, CalloffTime.date <= last)
              .filter(CalloffTime.hourly_rate_ore.isnot(None))
              .group_by(CalloffTime.calloff_id).all())
    calloffs = {c.id: c for c in model.Session.query(Calloff).filter(
        Calloff.id.in_([row[0] for row in hourly]))} if hourly else {}
    for calloff_id, hours, exact, low, high, first_day, last_day in sorted(hourly, key=lambda r: r[0]):
        c = calloffs[calloff_id]
        rate = Decimal(low) if low == high else None
        statement(c.organization_id).lines.append(Line(
            kind="expert", amount=fees.round_half_up(Decimal(exact)), quantity=Decimal(hours), unit="hours",
            unit_price=rate, reference_type="calloff", reference_id=c.id,
            details={"reference": objects.reference("calloff", c.id),
                     "competence_area": c.competence_area, "expert": c.expert_name,
                     "hours": str(Decimal(hours)), "rate": int(low) if rate is not None else None,
                     "price": "hourly",
                     # the days worked that this line charges
                     "period": f"{first_day.isoformat()}–{last_day.isoformat()}"}))
    fixed = (model.Session.query(Calloff)
             .filter(Calloff.state == "delivered", Calloff.fixed_price_ore.isnot(None))
             .filter(Calloff.delivered_date >= first, Calloff.delivered_date <= last)
             .order_by(Calloff.delivered_date, Calloff.id))
    for c in fixed:
        statement(c.organization_id).lines.append(Line(
            kind="expert", amount=int(c.fixed_price_ore), quantity=Decimal(1), unit="each",
            unit_price=Decimal(int(c.fixed_price_ore)), reference_type="calloff", reference_id=c.id,
            details={"reference": objects.reference("calloff", c.id),
                     "competence_area": c.competence_area, "expert": c.expert_name,
                     "delivered_date": c.delivered_date.isoformat(), "price": "fixed"}))

    # -- adjustments -------------------------------------------------------------------
    for a in (model.Session.query(FeeAdjustment).filter(FeeAdjustment.month == month_text)
              .order_by(FeeAdjustment.created, FeeAdjustment.id)):
        statement(a.organization_id).lines.append(Line(
            kind="adjustment", amount=int(a.amount_ore), quantity=Decimal(1), unit="each",
            unit_price=Decimal(int(a.amount_ore)), reference_type="adjustment", reference_id=a.id,
            details={"reason": a.reason, "corrects": a.corrects}))

    result = sorted(statements.values(), key=lambda s: (s.organization_title, s.organization_id))
    for st in result:
        st.lines.sort(key=lambda line: (KIND_ORDER[line.kind], line.reference_id or ""))
    return Run(month=month_text, schedule=schedule, population_year=population_year, allocation=allocation,
               statements=result, vat_rate=vat_rate, note=note)


def statement_id(month: str, organization_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"statement:{month}:{organization_id}"))


def line_id(statement_id_: str, position: int) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"line:{statement_id_}:{position}"))


def _org_title(orgs: dict[str, Any], p: Participation) -> str:
    org = orgs.get(p.organization_id)
    return (org.title or org.name) if org else p.organization_title


def _decimal(value: Fraction) -> Decimal:
    """A fraction as a decimal with six places (for display quantities and unit prices;
    amounts are never computed from it)."""
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.000001"))


def _fraction_text(value: Fraction) -> str:
    return str(value.numerator) if value.denominator == 1 else f"{value.numerator}/{value.denominator}"


def unbilled_months(today: dt.date) -> list[dict[str, Any]]:
    """The open months that have money not on their saved statements (issue 20): time
    logged, a connection made, a fixed price delivered or an adjustment added in a month
    that was never run (a month already over), or added after the month's last run. Each
    ``{"month", "items", "run_at"}`` (run_at None: never run), oldest first. Closed
    months take nothing new (refused when dated in them)."""
    this_month = today.strftime("%Y-%m")
    runs = {m.month: m for m in model.Session.query(FeeMonth)}
    found: dict[str, int] = {}

    def count(month: str, added: dt.datetime) -> None:
        run = runs.get(month)
        if run is not None and run.state == "closed":
            return
        if run is None or run.run_at is None:
            if month < this_month:
                found[month] = found.get(month, 0) + 1
        elif added > run.run_at:
            found[month] = found.get(month, 0) + 1

    for day, added in model.Session.query(CalloffTime.date, CalloffTime.created).filter(
            CalloffTime.hourly_rate_ore.isnot(None)):
        count(day.strftime("%Y-%m"), added)
    for day, added in model.Session.query(Connection.connected_date, Connection.modified).filter(
            Connection.connected_date.isnot(None), Connection.price_ore.isnot(None)):
        count(day.strftime("%Y-%m"), added)
    for day, added in model.Session.query(Calloff.delivered_date, Calloff.modified).filter(
            Calloff.state == "delivered", Calloff.fixed_price_ore.isnot(None)):
        count(day.strftime("%Y-%m"), added)
    for month, added in model.Session.query(FeeAdjustment.month, FeeAdjustment.created):
        count(month, added)
    return [{"month": month, "items": n, "run_at": iso(runs[month].run_at) if month in runs else None}
            for month, n in sorted(found.items())]

