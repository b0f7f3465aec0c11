"""The allocation arithmetic (ckanext/vgsamverkan/fees.py): property tests over thousands
of random months, and the worked examples of docs/fees.md with hand-computed öre. Pure: no
database, no CKAN."""
from __future__ import annotations

import datetime as dt
import random
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ckanext.vgsamverkan.fees import allocation as fees
from ckanext.vgsamverkan.fees.allocation import BOLAG, KOMMUN, REGIONAL, Period, Schedule

CODES = ["1401", "1402", "1407", "1415", "1480", "1490"]


# The strategies are made once, here: a strategy made inside ``months`` at every draw is
# validated again at every draw (that was two thirds of this file's time).
YEARS, MONTH_NUMBERS, HOW_MANY = st.integers(2020, 2030), st.integers(1, 12), st.integers(0, 12)
ORG_TYPES = st.sampled_from([KOMMUN, KOMMUN, BOLAG, REGIONAL])
MUNICIPALITIES = st.sampled_from(CODES)
NAMES = st.sampled_from(["Alingsås", "Borås", "Göteborg", "Härryda", "Lerum", "Mölndal"])
# a day: none, a day of the month (its index) or, past the month's last index, a day
# outside the month (40 days before it for a start, 3 days after it for an end)
DAYS = st.one_of(st.none(), st.integers(0, 31))
POPULATIONS = st.tuples(*[st.integers(0, 700_000)] * len(CODES))
TOTALS, BASE_PERCENTS, FIXED = st.integers(0, 10**9), st.integers(0, 10000), st.integers(0, 10**7)


def _day(index: int | None, days: list[dt.date], outside: dt.date) -> dt.date | None:
    return None if index is None else days[index] if index < len(days) else outside


@st.composite
def months(draw):
    """A random month: kommuner and bolag of a few municipalities joining and leaving on
    random days, regional administrations, populations, a schedule."""
    year = draw(YEARS)
    month = draw(MONTH_NUMBERS)
    days = fees.days_of(year, month)
    periods = []
    n = draw(HOW_MANY)
    for i in range(n):
        org_type = draw(ORG_TYPES)
        code = draw(MUNICIPALITIES) if org_type != REGIONAL else None
        start = _day(draw(DAYS), days, days[0] - dt.timedelta(days=40))
        end = _day(draw(DAYS), days, days[-1] + dt.timedelta(days=3))
        if start and end and end < start:
            start, end = end, start
        name = draw(NAMES)
        periods.append(Period(f"org-{i}", f"{name} {i}", org_type, code, start, end))
    population = dict(zip(CODES, draw(POPULATIONS), strict=False))
    schedule = Schedule(total=draw(TOTALS), base_percent=Fraction(draw(BASE_PERCENTS), 100),
                        regional_fixed=draw(FIXED))
    return (year, month), periods, population, schedule


SETTINGS = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# The properties below are checked together on each random month: drawing a month is most
# of the time (hypothesis' draws, not the arithmetic), and each property still sees 1 000
# months; a failure names its property and hypothesis shrinks the month for it.


def the_parts_add_up_exactly_to_the_total(case, result, rnd):
    month, periods, population, schedule = case
    if result.shares:
        assert sum(s.amount for s in result.shares) == schedule.total
        assert sum((s.exact for s in result.shares), Fraction(0)) == schedule.total
    else:
        assert result.allocated == 0 and result.total == 0


def no_amount_is_a_whole_ore_from_its_exact_share(case, result, rnd):
    for s in result.shares:
        assert abs(s.amount - s.exact) < 1
        assert s.amount >= 0


def the_order_of_the_input_does_not_matter(case, result, rnd):
    month, periods, population, schedule = case
    shuffled = list(periods)
    rnd.shuffle(shuffled)

    def key(result):
        return ([(s.organization_id, s.amount, s.exact) for s in result.shares],
                [(r.organization_id, r.amount) for r in result.regional])

    assert key(result) == key(fees.allocate(month, shuffled, population, schedule))


def more_inhabitants_over_the_same_days_never_pays_less(case, result, rnd):
    """Where population plays a part: when the equal base part is the whole total
    (100 %), the shares of equal day-weights are equal whatever the population, and the
    SPEC's tie rule (the lower municipality code) gives the odd öre (found by hypothesis:
    one öre, two kommuner, 100 %)."""
    if result.total - result.base == 0:
        return
    shares = result.shares
    for a in shares:
        for b in shares:
            if a.day_weight == b.day_weight and a.population > b.population:
                assert a.amount >= b.amount, (a, b)


def regional_administrations_pay_the_fixed_amount_by_days(case, result, rnd):
    schedule = case[3]
    for r in result.regional:
        exact = Fraction(schedule.regional_fixed * r.days, r.days_in_month)
        assert abs(r.amount - exact) <= Fraction(1, 2)
        assert r.amount == fees.round_half_up(exact)


def a_municipality_pays_each_day_at_most_once(case, result, rnd):
    month = case[0]
    per_code: dict[str, Fraction] = {}
    for s in result.shares:
        per_code[s.municipality_code] = per_code.get(s.municipality_code, Fraction(0)) + s.day_weight
    assert all(w <= len(fees.days_of(*month)) for w in per_code.values())


PROPERTIES = [the_parts_add_up_exactly_to_the_total, no_amount_is_a_whole_ore_from_its_exact_share,
              the_order_of_the_input_does_not_matter, more_inhabitants_over_the_same_days_never_pays_less,
              regional_administrations_pay_the_fixed_amount_by_days, a_municipality_pays_each_day_at_most_once]


@SETTINGS
@given(months(), st.randoms(use_true_random=False))
def test_every_property_of_1000_random_months(case, rnd):
    month, periods, population, schedule = case
    result = fees.allocate(month, periods, population, schedule)
    for prop in PROPERTIES:
        try:
            prop(case, result, rnd)
        except AssertionError as e:
            raise AssertionError(f"{prop.__name__}: {e}") from e


def test_each_property_can_fail():
    """Each check finds a wrong allocation (a share one öre off, the regional amount off,
    a day counted twice…), so that the test above can fail."""
    import dataclasses

    case = ((2026, 11), [Period("a", "A 1", KOMMUN, "1401", None, None),
                         Period("b", "B 2", KOMMUN, "1402", None, None),
                         Period("r", "R 3", REGIONAL, None, None, None)],
            {"1401": 10, "1402": 20}, Schedule(total=1001, base_percent=Fraction(0), regional_fixed=3000))
    right = fees.allocate(*case)
    for prop in PROPERTIES:
        prop(case, right, random.Random(1))
    first, second = right.shares
    wrong = {
        the_parts_add_up_exactly_to_the_total: [dataclasses.replace(first, amount=first.amount + 1), second],
        no_amount_is_a_whole_ore_from_its_exact_share: [dataclasses.replace(first, amount=first.amount + 2),
                                                        dataclasses.replace(second, amount=second.amount - 2)],
        more_inhabitants_over_the_same_days_never_pays_less: [dataclasses.replace(first, amount=second.amount + 1),
                                                              dataclasses.replace(second, amount=first.amount - 1)],
        a_municipality_pays_each_day_at_most_once: [first, dataclasses.replace(second, municipality_code="1401")],
    }
    for prop, shares in wrong.items():
        with pytest.raises(AssertionError):
            prop(case, dataclasses.replace(right, shares=shares), random.Random(1))
    regional = [dataclasses.replace(right.regional[0], amount=right.regional[0].amount + 1)]
    with pytest.raises(AssertionError):
        regional_administrations_pay_the_fixed_amount_by_days(case, dataclasses.replace(right, regional=regional), None)
    with pytest.raises(AssertionError):  # a result that is not the allocation of the input
        the_order_of_the_input_does_not_matter(case, dataclasses.replace(right, shares=[second, first]),
                                               random.Random(1))


# -- worked examples (docs/fees.md, "How fees are computed"): the expected öre are computed by
#    hand in the comments ------------------------------------------------------------

NOV = (2026, 11)  # 30 days
POP = {"1480": 600_000, "1401": 40_000, "1402": 60_000}


def _by_name(result):
    return {s.name: s.amount for s in result.shares}


def test_example_a_kommun_and_its_bolag():
    """The kommun pays while it takes part; its bolag pays the days it does not."""
    periods = [
        Period("g", "Göteborgs Stad", KOMMUN, "1480", dt.date(2020, 1, 1), dt.date(2026, 11, 10)),
        Period("ge", "Göteborg Energi AB", BOLAG, "1480", dt.date(2020, 1, 1)),
        Period("h", "Härryda kommun", KOMMUN, "1401", dt.date(2020, 1, 1)),
    ]
    result = fees.allocate(NOV, periods, POP, Schedule(total=1_000_000))
    # weights: Göteborgs Stad 10 days, Göteborg Energi 20, Härryda 30; weighted population
    # 10·600 000 + 20·600 000 + 30·40 000 = 19 200 000
    # Göteborgs Stad 1 000 000 · 6 000 000 / 19 200 000 = 312 500
    # Göteborg Energi 1 000 000 · 12 000 000 / 19 200 000 = 625 000
    # Härryda 1 000 000 · 1 200 000 / 19 200 000 = 62 500
    assert _by_name(result) == {"Göteborgs Stad": 312_500, "Göteborg Energi AB": 625_000, "Härryda kommun": 62_500}


def test_example_two_bolag_share_a_day_equally():
    periods = [
        Period("b1", "Alfa AB", BOLAG, "1480", dt.date(2026, 11, 1)),
        Period("b2", "Beta AB", BOLAG, "1480", dt.date(2026, 11, 16)),
    ]
    result = fees.allocate(NOV, periods, POP, Schedule(total=900_000))
    # Alfa: 15 whole days + 15 half days = 22.5; Beta: 7.5; same population, so by days:
    # Alfa 900 000 · 22.5 / 30 = 675 000; Beta 225 000
    assert _by_name(result) == {"Alfa AB": 675_000, "Beta AB": 225_000}
    assert {s.name: s.day_weight for s in result.shares} == {"Alfa AB": Fraction(45, 2), "Beta AB": Fraction(15, 2)}


def test_example_a_member_joining_on_the_15th():
    periods = [
        Period("h", "Härryda kommun", KOMMUN, "1401", dt.date(2020, 1, 1)),
        Period("p", "Partille kommun", KOMMUN, "1402", dt.date(2026, 11, 15)),
    ]
    result = fees.allocate(NOV, periods, POP, Schedule(total=1_000_000))
    # Härryda 30 days · 40 000 = 1 200 000; Partille 16 days (15th–30th) · 60 000 = 960 000
    # Härryda 1 000 000 · 1 200 000 / 2 160 000 = 555 555.55…; Partille 444 444.44…
    # floors 555 555 + 444 444 = 999 999: the öre left goes to the larger remainder (.55…)
    assert _by_name(result) == {"Härryda kommun": 555_556, "Partille kommun": 444_444}


def test_example_a_termination():
    periods = [
        Period("h", "Härryda kommun", KOMMUN, "1401", dt.date(2020, 1, 1), dt.date(2026, 11, 20)),
        Period("p", "Partille kommun", KOMMUN, "1402", dt.date(2020, 1, 1)),
    ]
    result = fees.allocate(NOV, periods, POP, Schedule(total=1_000_000))
    # Härryda takes part 1st–20th (the end day included): 20 · 40 000 = 800 000;
    # Partille 30 · 60 000 = 1 800 000; Härryda 1 000 000 · 800 000 / 2 600 000 = 307 692.30…,
    # Partille 692 307.69…; floors 999 999; the öre to Partille (.69 > .30)
    assert _by_name(result) == {"Härryda kommun": 307_692, "Partille kommun": 692_308}


def test_example_the_equal_base_part():
    periods = [
        Period("g", "Göteborgs Stad", KOMMUN, "1480", None),
        Period("h", "Härryda kommun", KOMMUN, "1401", None),
    ]
    result = fees.allocate(NOV, periods, POP, Schedule(total=1_000_000, base_percent=Fraction(20)))
    # base floor(1 000 000 · 20 / 100) = 200 000, split by day-weight: 100 000 each;
    # the rest 800 000 by population: Göteborg 800 000 · 600/640 = 750 000, Härryda 50 000
    assert result.base == 200_000
    assert _by_name(result) == {"Göteborgs Stad": 850_000, "Härryda kommun": 150_000}


def test_example_rounding_with_a_tie():
    periods = [Period(f"k{i}", name, KOMMUN, code, None)
               for i, (name, code) in enumerate([("Partille kommun", "1402"), ("Härryda kommun", "1401"),
                                                ("Öckerö kommun", "1407")])]
    population = {"1401": 10_000, "1402": 10_000, "1407": 10_000}
    result = fees.allocate(NOV, periods, population, Schedule(total=100))
    # 100 / 3 = 33.33… each: floors 99, one öre left, three equal remainders: it goes to
    # the lowest municipality code, 1401 Härryda
    assert _by_name(result) == {"Härryda kommun": 34, "Partille kommun": 33, "Öckerö kommun": 33}


def test_example_regional_administration_and_nobody_paying():
    periods = [Period("r", "Västra Götalandsregionen", REGIONAL, None, dt.date(2026, 11, 16))]
    result = fees.allocate(NOV, periods, POP, Schedule(total=1_000_000, regional_fixed=50_001))
    # 15 of 30 days: 50 001 · 15 / 30 = 25 000.5 → half up 25 001; no paying municipality
    assert [(r.name, r.days, r.amount) for r in result.regional] == [("Västra Götalandsregionen", 15, 25_001)]
    assert result.nothing_to_allocate and result.allocated == 0


def test_a_paying_municipality_without_population_is_named():
    with pytest.raises(KeyError) as e:
        fees.allocate(NOV, [Period("x", "X", KOMMUN, "1499", None)], POP, Schedule(total=100))
    assert e.value.args[0] == "1499"


@pytest.mark.parametrize("text", ["2026-13", "2026-1", "26-11", "2026/11", "", "abcd-ef"])
def test_bad_months(text):
    with pytest.raises(ValueError):
        fees.parse_month(text)


def test_large_random_month_is_exact():
    """A realistic size: every municipality of Sweden ten times over, with bolag."""
    rnd = random.Random(7)
    codes = [f"{i:04d}" for i in range(1000, 1290)]
    periods = []
    for i in range(2900):
        code = codes[i % len(codes)]
        kind = KOMMUN if i < len(codes) else BOLAG
        start = dt.date(2026, 11, rnd.randint(1, 30)) if rnd.random() < 0.1 else None
        periods.append(Period(f"o{i}", f"Org {i}", kind, code, start))
    population = {c: rnd.randint(2_000, 1_000_000) for c in codes}
    result = fees.allocate(NOV, periods, population, Schedule(total=123_456_789, base_percent=Fraction(15)))
    assert result.allocated == 123_456_789
