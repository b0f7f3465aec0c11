"""Expert call-offs through their actions: every transition and refusal, hours (quarter
hours, at most 24 per expert and day over all call-offs), money per month, who sees and
does what (the assigned expert among them), and a participation that ends while a
call-off runs."""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan.model import Calloff, CalloffTime, Event
from tests.conftest import kept_with
from tests.factories import call, org_with_admin, participant_org, request_rights, requested_on

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

PAST = (dt.date.today() - dt.timedelta(days=400)).isoformat()  # participation starts long ago


def _today() -> dt.date:
    """Today when the test runs (a constant made at import went stale when a run crossed
    midnight: three tests of test_dates failed so at 00:02)."""
    return dt.date.today()


def _events(calloff_id: str) -> list[tuple]:
    rows = (model.Session.query(Event).filter_by(object_type="calloff", object_id=calloff_id)
            .order_by(Event.created, Event.id))
    return [(e.action, e.from_state, e.to_state) for e in rows]


def day(n: int) -> str:
    """``n`` days ago."""
    return (_today() - dt.timedelta(days=n)).isoformat()


def _base(coordinator):
    admin = factories.User()
    return {"admin": admin, "expert": factories.User(fullname="Eva Expert"),
            "org": participant_org(admin, coordinator, effective_from=PAST)}


@pytest.fixture
def base(coordinator):
    """An organisation taking part since PAST, its admin and an expert: built once, put
    back for each test (tests/conftest.py ``kept``)."""
    return kept_with(coordinator, ("test_calloff.base",), lambda: _base(coordinator))


@pytest.fixture
def admin(base):
    return base["admin"]


@pytest.fixture
def expert(base):
    return base["expert"]


@pytest.fixture
def org(base):
    return base["org"]


def create(admin, org, **data):
    payload = {"organization_id": org["id"], "competence_area": "metadata",
               "description": "Hjälp att beskriva våra data enligt DCAT-AP-SE",
               "estimated_hours": "16", "period_start": "2026-10-01", "period_end": "2026-12-31",
               "contact": "Dora Data, dora@example.org"}
    payload.update(data)
    created = call("vgsamverkan_calloff_create", admin, **payload)
    requested_on(created["id"], PAST)  # time is logged on days long past in these tests
    return created


def assigned(admin, org, coordinator, expert=None, **price):
    c = create(admin, org)
    params = {"expert_name": "Eva Expert", "planned_hours": "12", **(price or {"hourly_rate": "950.00"})}
    if expert is not None:
        params["expert_user_id"] = expert["name"]
    return call("vgsamverkan_calloff_assign", coordinator, id=c["id"], **params)


class TestWorkflow:
    def test_hourly_from_request_to_delivery(self, org, admin, coordinator, expert):
        c = create(admin, org)
        assert (c["state"], c["competence_area"], c["estimated_hours"]) == ("requested", "metadata", "16.00")
        assert c["competence_area_label"] == "Metadata och DCAT-AP-SE"
        c = call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="Eva Expert",
                 expert_user_id=expert["name"], hourly_rate="950", planned_hours="12")
        assert (c["state"], c["expert_user_id"], c["hourly_rate"], c["price_kind"]) == (
            "assigned", expert["id"], "950.00", "hourly")
        c = call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=day(40), hours="2.5", note="Workshop")
        assert c["state"] == "in_progress"
        c = call("vgsamverkan_calloff_log_time", coordinator, id=c["id"], date=day(39), hours="1,25")
        c = call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=day(1), hours="0.25")
        assert c["state"] == "in_progress"
        assert (c["planned_hours"], c["logged_hours"]) == ("12.00", "4.00")
        assert c["amount"] == "3800.00"  # 4 h × 950 kr
        assert [(e["date"], e["hours"], e["hourly_rate"]) for e in c["time_log"]] == [
            (day(40), "2.50", "950.00"), (day(39), "1.25", "950.00"), (day(1), "0.25", "950.00")]
        assert c["time_log"][0]["note"] == "Workshop" and c["time_log"][1]["author_name"] == coordinator["name"]
        rows = model.Session.query(CalloffTime).all()
        assert {r.organization_id for r in rows} == {org["id"]} and {r.hourly_rate_ore for r in rows} == {95000}
        c = call("vgsamverkan_calloff_deliver", coordinator, id=c["id"], comment="Klart")
        assert (c["state"], c["delivered_date"]) == ("delivered", _today().isoformat())
        assert [e[0] for e in _events(c["id"])] == ["create", "assign", "log_time", "log_time", "log_time",
                                                   "deliver"]
        assert _events(c["id"])[2] == ("log_time", "assigned", "in_progress")
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=day(0), hours="1")
        assert "delivered" in str(e.value.error_dict["state"]) or "levererad" in str(e.value.error_dict["state"])
        assert model.Session.query(CalloffTime).count() == 3

    def test_each_month_is_rounded_once_half_up(self, org, admin, coordinator, expert):
        # 100.01 kr an hour: two quarter hours in one month are 50.005 kr, rounded once to
        # 50.01 kr (each quarter hour rounded alone would give 50.00 kr)
        c = assigned(admin, org, coordinator, expert, hourly_rate="100.01")
        first = dt.date(_today().year, _today().month, 1) - dt.timedelta(days=1)  # last day of last month
        for date in (first.replace(day=2), first.replace(day=3), first):
            call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=date.isoformat(), hours="0.25")
        c = call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=_today().replace(day=1).isoformat(),
                 hours="0.25")
        months = {m["month"]: (m["hours"], m["amount"]) for m in c["months"]}
        assert months == {first.strftime("%Y-%m"): ("0.75", "75.01"),  # 75.0075 → 75.01
                          _today().strftime("%Y-%m"): ("0.25", "25.00")}  # 25.0025 → 25.00
        assert c["amount"] == "100.01"

    def test_fixed_price_is_the_amount_whatever_the_hours(self, org, admin, coordinator, expert):
        c = assigned(admin, org, coordinator, expert, fixed_price="12 000")
        assert (c["price_kind"], c["fixed_price"], c["hourly_rate"]) == ("fixed", "12000.00", None)
        c = call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=day(3), hours="7.5")
        assert c["months"][0]["amount"] is None and c["amount"] == "12000.00"
        assert model.Session.query(CalloffTime).one().hourly_rate_ore is None
        c = call("vgsamverkan_calloff_deliver", coordinator, id=c["id"], delivered_date=day(2))
        assert c["delivered_date"] == day(2)
        assert model.Session.get(Calloff, c["id"]).fixed_price_ore == 1200000

    def test_cancel_by_the_organisation_or_the_coordinator(self, org, admin, coordinator):
        c = create(admin, org)
        assert call("vgsamverkan_calloff_cancel", admin, id=c["id"], comment="Löst internt")["state"] == "cancelled"
        c = assigned(admin, org, coordinator)
        assert call("vgsamverkan_calloff_cancel", coordinator, id=c["id"])["state"] == "cancelled"
        assert _events(c["id"])[-1] == ("cancel", "assigned", "cancelled")

    @pytest.mark.parametrize(
        "state,verb",
        [("requested", "log_time"), ("requested", "deliver"), ("assigned", "deliver"), ("assigned", "assign"),
         ("in_progress", "assign"), ("in_progress", "cancel"), ("delivered", "log_time"),
         ("delivered", "cancel"), ("delivered", "deliver"), ("delivered", "assign"),
         ("cancelled", "assign"), ("cancelled", "log_time"), ("cancelled", "cancel")],
    )
    def test_refused_transitions_name_the_state(self, org, admin, coordinator, state, verb):
        c = create(admin, org)
        steps = {"requested": [], "assigned": ["assign"], "in_progress": ["assign", "log_time"],
                 "delivered": ["assign", "log_time", "deliver"], "cancelled": ["cancel"]}[state]
        params = {"assign": {"expert_name": "E", "hourly_rate": "1", "planned_hours": "1"},
                  "log_time": {"date": day(1), "hours": "1"}}
        for step in steps:
            call(f"vgsamverkan_calloff_{step}", coordinator, id=c["id"], **params.get(step, {}))
        before = _events(c["id"]), model.Session.query(CalloffTime).count()
        with pytest.raises(tk.ValidationError) as e:
            call(f"vgsamverkan_calloff_{verb}", coordinator, id=c["id"], **params.get(verb, {}))
        label = {"in_progress": "pågår"}.get(state, None)
        assert "state" in e.value.error_dict
        if label:
            assert label in str(e.value.error_dict["state"]) or "in progress" in str(e.value.error_dict["state"])
        assert (_events(c["id"]), model.Session.query(CalloffTime).count()) == before
        assert call("vgsamverkan_calloff_show", coordinator, id=c["id"])["state"] == state


class TestHours:
    @pytest.mark.parametrize("hours", ["0", "-1", "0.3", "1.1", "2.10", "24.25", "25", "mycket", ["1"], True, ""])
    def test_bad_hours_are_refused_and_nothing_is_written(self, org, admin, coordinator, expert, hours):
        c = assigned(admin, org, coordinator, expert)
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=day(1), hours=hours)
        assert "hours" in e.value.error_dict
        assert model.Session.query(CalloffTime).count() == 0
        assert call("vgsamverkan_calloff_show", expert, id=c["id"])["state"] == "assigned"

    @pytest.mark.parametrize("date,why", [("tomorrow", "today or earlier"), ("2026-13-01", "YYYY-MM-DD"),
                                          ("igår", "YYYY-MM-DD"), ("", "Missing")])
    def test_bad_dates(self, org, admin, coordinator, expert, date, why):
        # tomorrow as the test runs (made at import, it went stale when a run crossed midnight)
        date = day(-1) if date == "tomorrow" else date
        c = assigned(admin, org, coordinator, expert)
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=date, hours="1")
        assert why in str(e.value.error_dict["date"])
        assert model.Session.query(CalloffTime).count() == 0

    def test_quarter_hours_are_fine(self, org, admin, coordinator, expert):
        c = assigned(admin, org, coordinator, expert)
        for n, hours in enumerate(["0.25", "0.5", "0.75", "7.75", "24"]):
            c = call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=day(n + 1), hours=hours)
        assert c["logged_hours"] == "33.25"

    def test_at_most_24_hours_a_day_per_expert_over_all_calloffs(self, org, admin, coordinator, expert):
        first = assigned(admin, org, coordinator, expert)
        second = assigned(admin, org, coordinator, expert)
        call("vgsamverkan_calloff_log_time", expert, id=first["id"], date=day(1), hours="16")
        call("vgsamverkan_calloff_log_time", coordinator, id=second["id"], date=day(1), hours="8")
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_log_time", expert, id=second["id"], date=day(1), hours="0.25")
        message = str(e.value.error_dict["hours"])
        assert "24" in message and "Eva Expert" in message and day(1) in message
        call("vgsamverkan_calloff_log_time", expert, id=second["id"], date=day(2), hours="0.25")
        # another expert has a day of their own
        third = assigned(admin, org, coordinator, factories.User())
        call("vgsamverkan_calloff_log_time", coordinator, id=third["id"], date=day(1), hours="24")

    def test_an_expert_without_an_account_is_known_by_name(self, org, admin, coordinator):
        a = call("vgsamverkan_calloff_assign", coordinator, id=create(admin, org)["id"], expert_name="Olle Extern",
                 fixed_price="1000", planned_hours="4")
        b = call("vgsamverkan_calloff_assign", coordinator, id=create(admin, org)["id"], expert_name=" olle  EXTERN ",
                 fixed_price="1000", planned_hours="4")
        call("vgsamverkan_calloff_log_time", coordinator, id=a["id"], date=day(1), hours="20")
        with pytest.raises(tk.ValidationError):
            call("vgsamverkan_calloff_log_time", coordinator, id=b["id"], date=day(1), hours="4.25")


class TestInput:
    @pytest.mark.parametrize(
        "data,field",
        [({"competence_area": "astrologi"}, "competence_area"), ({"description": "  "}, "description"),
         ({"estimated_hours": "0"}, "estimated_hours"), ({"period_start": "2026-12-01", "period_end": "2026-11-30"},
                                                        "period_end"),
         ({"period_start": "1 december"}, "period_start"),
         ({"colour": "red"}, "colour"), ({"description": "x" * 5001}, "description"),
         ({"estimated_hours": None}, "estimated_hours")],
    )
    def test_bad_requests_are_refused_per_field(self, org, admin, data, field):
        payload = {"organization_id": org["id"], "competence_area": "juridik", "description": "D",
                   "estimated_hours": "4", "period_start": "2026-11-01", "period_end": "2026-11-30"}
        payload.update(data)
        payload = {k: v for k, v in payload.items() if v is not None}
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_create", admin, **payload)
        assert field in e.value.error_dict
        assert model.Session.query(Calloff).count() == 0

    def test_an_unknown_organisation(self, org, admin, coordinator):
        """Refused, never allowed "because the schema will refuse it": an admin is refused
        (403: authorisation fails closed on what it cannot resolve); the coordinator, who
        may call off for any organisation, is told which field is wrong."""
        payload = {"organization_id": "finns-inte", "competence_area": "juridik", "description": "D",
                   "estimated_hours": "4", "period_start": "2026-11-01", "period_end": "2026-11-30"}
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_calloff_create", admin, **payload)
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_create", coordinator, **payload)
        assert "organization_id" in e.value.error_dict
        assert model.Session.query(Calloff).count() == 0

    @pytest.mark.parametrize(
        "price,field",
        [({}, "hourly_rate"), ({"hourly_rate": "900", "fixed_price": "9000"}, "fixed_price"),
         ({"hourly_rate": "-900"}, "hourly_rate"), ({"fixed_price": "12.345"}, "fixed_price"),
         ({"hourly_rate": "900", "expert_user_id": "finns-inte"}, "expert_user_id"),
         ({"hourly_rate": "900", "planned_hours": "0"}, "planned_hours"),
         ({"hourly_rate": "900", "expert_name": ""}, "expert_name")],
    )
    def test_bad_assignments(self, org, admin, coordinator, price, field):
        c = create(admin, org)
        params = {"expert_name": "E", "planned_hours": "10", **price}
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_assign", coordinator, id=c["id"], **params)
        assert field in e.value.error_dict
        row = model.Session.get(Calloff, c["id"])
        model.Session.refresh(row)
        assert (row.state, row.expert_name, row.hourly_rate_ore, row.fixed_price_ore) == ("requested", None, None, None)
        assert [e[0] for e in _events(c["id"])] == ["create"]

    def test_delivery_date(self, org, admin, coordinator, expert):
        c = assigned(admin, org, coordinator, expert)
        call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=day(2), hours="1")
        for bad in (day(3), day(-1)):
            with pytest.raises(tk.ValidationError) as e:
                call("vgsamverkan_calloff_deliver", coordinator, id=c["id"], delivered_date=bad)
            assert "delivered_date" in e.value.error_dict
        delivered = call("vgsamverkan_calloff_deliver", coordinator, id=c["id"], delivered_date=day(2))
        assert delivered["state"] == "delivered"

    def test_only_participants_call_off(self, coordinator):
        outsider = factories.User()
        org = org_with_admin(outsider)
        with pytest.raises(tk.ValidationError) as e:
            create(outsider, org)
        assert "not approved" in str(e.value.error_dict["organization_id"])

    def test_competence_areas_from_config(self, ckan_config, monkeypatch):
        areas = call("vgsamverkan_competence_area_list", None)
        assert [a["key"] for a in areas["results"]] == ["juridik", "teknik", "informationshantering", "metadata",
                                                       "verksamhetsutveckling", "utbildning"]
        assert areas["results"][0]["label_en"] == "Legal and licensing"
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.competence_areas",
                            "geodata | Geodata och kartor | Geodata and maps\n\nstatistik\n")
        areas = call("vgsamverkan_competence_area_list", None)["results"]
        assert [(a["key"], a["label_sv"], a["label_en"]) for a in areas] == [
            ("geodata", "Geodata och kartor", "Geodata and maps"), ("statistik", "statistik", "statistik")]
        with pytest.raises(tk.ValidationError):
            call("vgsamverkan_competence_area_list", None, colour="red")


class TestParticipationEnds:
    """A participation terminated while a call-off runs: the work done while the
    organisation took part is logged, delivered and charged; nothing after its last day,
    and nothing new."""

    def test_time_until_the_last_day_then_nothing_new(self, org, admin, coordinator, expert):
        running = assigned(admin, org, coordinator, expert)
        waiting = create(admin, org)
        call("vgsamverkan_calloff_log_time", expert, id=running["id"], date=day(10), hours="2")
        call("vgsamverkan_participation_terminate", coordinator, id=org["participation_id"], effective_to=day(5))
        call("vgsamverkan_calloff_log_time", expert, id=running["id"], date=day(5), hours="1")  # its last day
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_log_time", expert, id=running["id"], date=day(4), hours="1")
        assert day(4) in str(e.value.error_dict["date"]) and org["title"] in str(e.value.error_dict["date"])
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_assign", coordinator, id=waiting["id"], expert_name="E", hourly_rate="1",
                 planned_hours="1")
        assert "organization_id" in e.value.error_dict
        with pytest.raises(tk.ValidationError):
            create(admin, org)
        done = call("vgsamverkan_calloff_deliver", coordinator, id=running["id"], delivered_date=day(5))
        assert (done["state"], done["logged_hours"], done["amount"]) == ("delivered", "3.00", "2850.00")
        assert call("vgsamverkan_calloff_cancel", admin, id=waiting["id"])["state"] == "cancelled"

    def test_no_time_before_the_participation_began(self, coordinator, admin, expert):
        org = participant_org(admin, coordinator, effective_from=day(3))
        c = assigned(admin, org, coordinator, expert)
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=day(4), hours="1")
        assert "date" in e.value.error_dict
        call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=day(3), hours="1")


class TestWhoSeesAndDoes:
    def test_the_expert_sees_and_logs_only_what_is_assigned(self, org, admin, coordinator, expert):
        mine = assigned(admin, org, coordinator, expert)
        other = assigned(admin, org, coordinator, factories.User())
        listed = call("vgsamverkan_calloff_list", expert)
        assert [r["id"] for r in listed["results"]] == [mine["id"]]
        assert "time_log" not in listed["results"][0] and listed["results"][0]["logged_hours"] == "0.00"
        assert call("vgsamverkan_calloff_show", expert, id=mine["id"])["allowed"] == ["log_time"]
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_calloff_show", expert, id=other["id"])
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_calloff_log_time", expert, id=other["id"], date=day(1), hours="1")
        call("vgsamverkan_calloff_log_time", expert, id=mine["id"], date=day(1), hours="1")
        for verb, extra in (("deliver", {}), ("cancel", {}),
                            ("assign", {"expert_name": "E", "hourly_rate": "1", "planned_hours": "1"})):
            with pytest.raises(tk.NotAuthorized):
                call(f"vgsamverkan_calloff_{verb}", expert, id=mine["id"], **extra)
        call("vgsamverkan_comment_create", expert, object_type="calloff", object_id=mine["id"], text="Klart snart")
        history = call("vgsamverkan_event_list", expert, object_type="calloff", object_id=mine["id"])
        assert [e["action"] for e in history["results"]] == ["create", "assign", "log_time"]

    def test_the_organisation_sees_its_own(self, org, admin, coordinator, expert):
        c = assigned(admin, org, coordinator, expert)
        editor = factories.User()
        r = request_rights(editor, org)
        call("vgsamverkan_publisher_approve", coordinator, id=r["id"])
        other_admin = factories.User()
        other_org = participant_org(other_admin, coordinator)
        create(other_admin, other_org)
        for who in (editor, other_admin, factories.User(), None):
            with pytest.raises(tk.NotAuthorized):
                call("vgsamverkan_calloff_show", who, id=c["id"])
        assert call("vgsamverkan_calloff_list", editor)["count"] == 0
        assert [r["id"] for r in call("vgsamverkan_calloff_list", admin)["results"]] == [c["id"]]
        assert call("vgsamverkan_calloff_list", coordinator)["count"] == 2
        assert call("vgsamverkan_calloff_list", coordinator, expert_user_id=expert["name"])["count"] == 1
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_calloff_log_time", admin, id=c["id"], date=day(1), hours="1")
        with pytest.raises(tk.NotAuthorized):
            create(editor, org)
        assert call("vgsamverkan_calloff_show", admin, id=c["id"])["allowed"] == ["cancel"]

    def test_the_dashboard_counts_calloffs(self, org, admin, coordinator, expert):
        create(admin, org)
        running = assigned(admin, org, coordinator, expert)
        call("vgsamverkan_calloff_log_time", expert, id=running["id"], date=day(1), hours="1.5")
        d = call("vgsamverkan_dashboard_show", coordinator)
        assert d["calloff"]["requested"] == 1 and d["calloff"]["running"] == 1
        assert d["calloff"]["running_hours"] == "1.50"
        assert d["waiting"] == (1 + d["connection"]["waiting"] + d["participation"]["pending"]
                                + d["publisher"]["pending"])


class TestIssue20:
    """A fixed price without fake hours; no time before the call-off was requested."""

    def test_a_fixed_price_is_delivered_without_time_and_charged_in_that_month(self, org, admin, coordinator):
        c = assigned(admin, org, coordinator, fixed_price="8000")
        assert c["state"] == "assigned"
        d = call("vgsamverkan_calloff_deliver", coordinator, id=c["id"], delivered_date=day(3))
        assert d["state"] == "delivered" and model.Session.query(CalloffTime).count() == 0
        assert _events(c["id"])[-1] == ("deliver", "assigned", "delivered")
        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2020-01", total="0")
        month = (_today() - dt.timedelta(days=3)).strftime("%Y-%m")
        run = call("vgsamverkan_fee_run", coordinator, month=month, dry_run=True)
        [st] = [s for s in run["statements"] if s["organization_id"] == org["id"]]
        assert [(line["kind"], line["amount"]) for line in st["lines"] if line["kind"] != "access"] == [
            ("expert", "8000.00")]

    @pytest.mark.parametrize("delivered", ["1900-01-01", "before"])
    def test_a_fixed_price_is_not_delivered_before_it_was_requested(self, org, admin, coordinator, delivered):
        """Issue 36, part 4: the price would be charged in a month that is never run."""
        c = create(admin, org)  # requested 400 days ago (create's requested_on)
        c = call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="E", fixed_price="8000",
                 planned_hours="4")
        requested = model.Session.get(Calloff, c["id"]).created.date()
        day_before = (requested - dt.timedelta(days=1)).isoformat() if delivered == "before" else delivered
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_deliver", coordinator, id=c["id"], delivered_date=day_before)
        assert "requested on" in e.value.error_dict["delivered_date"][0]
        assert call("vgsamverkan_calloff_show", coordinator, id=c["id"])["state"] == "assigned"
        assert _events(c["id"])[-1][0] == "assign"
        done = call("vgsamverkan_calloff_deliver", coordinator, id=c["id"], delivered_date=requested.isoformat())
        assert done["state"] == "delivered"

    def test_a_fixed_price_is_not_delivered_in_a_closed_month(self, org, admin, coordinator):
        c = assigned(admin, org, coordinator, fixed_price="8000")
        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2020-01", total="0")
        month = (_today() - dt.timedelta(days=40)).strftime("%Y-%m")
        call("vgsamverkan_fee_run", coordinator, month=month)
        call("vgsamverkan_fee_close", coordinator, month=month)
        closed_day = f"{month}-15"
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_deliver", coordinator, id=c["id"], delivered_date=closed_day)
        assert "delivered_date" in e.value.error_dict
        assert call("vgsamverkan_calloff_show", coordinator, id=c["id"])["state"] == "assigned"

    def test_an_hourly_one_is_not_delivered_without_time(self, org, admin, coordinator):
        c = assigned(admin, org, coordinator)
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_deliver", coordinator, id=c["id"])
        assert "state" in e.value.error_dict
        assert call("vgsamverkan_calloff_show", coordinator, id=c["id"])["state"] == "assigned"

    def test_time_on_a_fixed_price_is_kept_not_charged(self, org, admin, coordinator):
        c = assigned(admin, org, coordinator, fixed_price="8000")
        call("vgsamverkan_calloff_log_time", coordinator, id=c["id"], date=day(2), hours="3")
        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2020-01", total="0")
        month = (_today() - dt.timedelta(days=2)).strftime("%Y-%m")
        run = call("vgsamverkan_fee_run", coordinator, month=month, dry_run=True)
        assert not [line for s in run["statements"] if s["organization_id"] == org["id"] for line in s["lines"]
                    if line["kind"] == "expert"]

    def test_no_time_before_the_call_off_was_requested(self, org, admin, coordinator):
        c = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="metadata",
                 description="D", estimated_hours="4", period_start=day(30), period_end=day(0))
        requested_on(c["id"], day(10))
        call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="E", hourly_rate="900",
             planned_hours="4")
        for before in (day(11), day(200)):
            with pytest.raises(tk.ValidationError) as e:
                call("vgsamverkan_calloff_log_time", coordinator, id=c["id"], date=before, hours="1")
            assert day(10) in str(e.value.error_dict["date"])
        assert model.Session.query(CalloffTime).count() == 0
        assert call("vgsamverkan_calloff_log_time", coordinator, id=c["id"], date=day(10),
                    hours="1")["state"] == "in_progress"


class TestCorrections:
    """The coordinator corrects a time entry before its month is closed: a correction of
    its own beside the original, with why; refused when it would make the hours negative,
    break the 24-hour day, or touch a closed month; nobody else may."""

    @pytest.fixture
    def logged(self, org, admin, coordinator, expert):
        c = assigned(admin, org, coordinator, expert=expert)
        c = call("vgsamverkan_calloff_log_time", expert, id=c["id"], date=day(3), hours="4", note="Workshop")
        return c

    def test_fewer_hours_beside_the_original_in_the_history_and_the_fee(self, logged, coordinator):
        entry = logged["time_log"][0]
        c = call("vgsamverkan_calloff_correct_time", coordinator, id=entry["id"], hours="-1.5",
                 reason="Workshopen blev kortare")
        assert [(e["hours"], e["corrects_id"], e["reason"]) for e in c["time_log"]] == [
            ("4.00", None, None), ("-1.50", entry["id"], "Workshopen blev kortare")]
        assert c["logged_hours"] == "2.50"
        assert _events(c["id"])[-1] == ("correct_time", "in_progress", "in_progress")
        event = model.Session.query(Event).filter_by(object_id=c["id"], action="correct_time").one()
        assert event.comment == "Workshopen blev kortare" and event.details == {
            "date": day(3), "before": "4.00", "after": "2.50"}
        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2020-01", total="0")
        month = (_today() - dt.timedelta(days=3)).strftime("%Y-%m")
        run = call("vgsamverkan_fee_run", coordinator, month=month, dry_run=True)
        [line] = [line for s in run["statements"] for line in s["lines"] if line["kind"] == "expert"]
        assert (line["quantity"], line["amount"]) == ("2.5", "2375.00")  # 2.5 h × 950 kr

    @pytest.mark.parametrize("hours,field", [("-4.25", "hours"), ("0", "hours"), ("1.1", "hours"), ("abc", "hours"),
                                             ("-25", "hours"), (["1"], "hours")])
    def test_bad_changes_write_nothing(self, logged, coordinator, hours, field):
        before = model.Session.query(CalloffTime).count()
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_correct_time", coordinator, id=logged["time_log"][0]["id"], hours=hours,
                 reason="Fel")
        assert field in e.value.error_dict
        assert model.Session.query(CalloffTime).count() == before

    def test_a_negative_total_is_refused_after_an_earlier_correction(self, logged, coordinator):
        entry = logged["time_log"][0]["id"]
        call("vgsamverkan_calloff_correct_time", coordinator, id=entry, hours="-3", reason="Kortare")
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_correct_time", coordinator, id=entry, hours="-1.25", reason="Ännu kortare")
        assert "negativ" in str(e.value.error_dict["hours"]) or "negative" in str(e.value.error_dict["hours"])
        assert call("vgsamverkan_calloff_correct_time", coordinator, id=entry, hours="-1",
                    reason="Inget arbete")["logged_hours"] == "0.00"

    def test_not_a_correction_of_a_correction_nor_reason_missing(self, logged, coordinator):
        c = call("vgsamverkan_calloff_correct_time", coordinator, id=logged["time_log"][0]["id"], hours="1",
                 reason="Längre")
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_correct_time", coordinator, id=c["time_log"][1]["id"], hours="1", reason="X")
        assert "id" in e.value.error_dict
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_correct_time", coordinator, id=c["time_log"][0]["id"], hours="1", reason=" ")
        assert "reason" in e.value.error_dict

    def test_only_the_coordinator(self, logged, admin, expert):
        entry = logged["time_log"][0]["id"]
        for who in (admin, expert, None, factories.User()):
            with pytest.raises(tk.NotAuthorized):
                call("vgsamverkan_calloff_correct_time", who, id=entry, hours="-1", reason="Nej")
        # (a spelling with spaces names the same entry, as the action strips ids: not a variant here)
        for variant in (entry.upper(), entry[:-1] + ("0" if entry[-1] != "0" else "1"), 7, ["x"]):
            with pytest.raises((tk.ObjectNotFound, tk.ValidationError)):
                call("vgsamverkan_calloff_correct_time", "samordnare", id=variant, hours="-1", reason="Nej")
        assert model.Session.query(CalloffTime).count() == 1

    def test_not_in_a_closed_month(self, org, admin, coordinator):
        from tests.closed_month import MONTH as CLOSED

        c = assigned(admin, org, coordinator)
        requested_on(c["id"], "2020-01-01")
        # an entry of the closed month, planted as logged before it closed (only the harness can)
        entry = CalloffTime(calloff_id=c["id"], organization_id=org["id"], date=dt.date.fromisoformat(f"{CLOSED}-10"),
                            hours=2, expert_key="eva expert", expert_name="Eva Expert", hourly_rate_ore=95000)
        model.Session.add(entry)
        model.Session.commit()
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_calloff_correct_time", coordinator, id=entry.id, hours="-1", reason="För sent")
        assert CLOSED in str(e.value.error_dict["hours"])
