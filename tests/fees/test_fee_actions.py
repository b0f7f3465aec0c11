"""Fee runs through the actions and the database: statements with every kind of line and
hand-computed öre, idempotent re-runs, closing for ever (refused through every path, the
database's own triggers included), who sees statements, population years, exports (CSV
parsed back; SIE parsed back, every voucher balanced)."""
from __future__ import annotations

import pytest
import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan.fees import texts as feetext
from ckanext.vgsamverkan.fees.export import keep_missing_files
from ckanext.vgsamverkan.model import FeeFile, FeeLine, FeeMonth, FeeStatement
from tests.conftest import kept_with
from tests.factories import call, participant_org, request_rights, requested_on

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

MONTH = "2026-10"  # 31 days, in the past
POPULATION_2025 = [{"municipality_code": "1480", "name": "Göteborg", "population": 600_000},
                   {"municipality_code": "1401", "name": "Härryda", "population": 40_000},
                   {"municipality_code": "1402", "name": "Partille", "population": 60_000}]


@pytest.fixture
def world(coordinator):
    return kept_with(coordinator, ("test_fee_actions.world",), lambda: build_world(coordinator))


def build_world(coordinator):
    """Four participants (Göteborg, its company, Härryda from the 16th, the region), the
    population of 2025 and a schedule from January."""
    call("vgsamverkan_population_import", coordinator, year=2025, records=POPULATION_2025, source="Test")
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="100000.00",
         regional_fixed="5000.00")
    admins = {k: factories.User() for k in ("goteborg", "bolag", "harryda", "region")}
    orgs = {
        "goteborg": participant_org(admins["goteborg"], coordinator, effective_from="2026-01-01",
                                    org_type="kommun", municipality_code="1480", invoice_reference="GBG-1"),
        "bolag": participant_org(admins["bolag"], coordinator, effective_from="2026-01-01",
                                 org_type="kommunalt_bolag", municipality_code="1480"),
        "harryda": participant_org(admins["harryda"], coordinator, effective_from="2026-10-16",
                                   org_type="kommun", municipality_code="1401"),
        "region": participant_org(admins["region"], coordinator, effective_from="2026-10-01",
                                  org_type="regional_forvaltning", municipality_code=""),
    }
    return {"admins": admins, "orgs": orgs}


def _expert_work(coordinator, admin, org, **price):
    c = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="metadata",
             description="D", estimated_hours="8", period_start="2026-10-01", period_end="2026-10-31")
    requested_on(c["id"], "2025-01-01")  # time is logged on days long past
    call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="Eva Expert", planned_hours="8", **price)
    return c


def _statement(month, org, user="samordnare"):
    return call("vgsamverkan_fee_statement_show", user, organization_id=org["id"], month=month)


class TestRun:
    def test_every_kind_of_line_with_hand_computed_ore(self, world, coordinator):
        gbg, harryda, region = world["orgs"]["goteborg"], world["orgs"]["harryda"], world["orgs"]["region"]
        admins = world["admins"]
        # expert time in October at 950.01 kr: 2.25 h → 2137.5225 kr → 2137.52 kr
        hourly = _expert_work(coordinator, admins["goteborg"], gbg, hourly_rate="950.01")
        call("vgsamverkan_calloff_log_time", coordinator, id=hourly["id"], date="2026-10-05", hours="2")
        call("vgsamverkan_calloff_log_time", coordinator, id=hourly["id"], date="2026-10-06", hours="0.25")
        call("vgsamverkan_calloff_log_time", coordinator, id=hourly["id"], date="2026-11-02", hours="1")  # November
        # a fixed price delivered in October
        fixed = _expert_work(coordinator, admins["harryda"], harryda, fixed_price="12000")
        call("vgsamverkan_calloff_log_time", coordinator, id=fixed["id"], date="2026-10-20", hours="3")
        call("vgsamverkan_calloff_deliver", coordinator, id=fixed["id"], delivered_date="2026-10-30")
        # a connection of Härryda completed in October
        c = call("vgsamverkan_connection_create", admins["harryda"], organization_id=harryda["id"],
                 information_sets="Kartor", technical_contact="T")
        call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="I")
        call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="S", effort_hours="10",
             price="18500.50", valid_until="2099-01-01")
        call("vgsamverkan_connection_accept", admins["harryda"], id=c["id"])
        call("vgsamverkan_connection_complete", coordinator, id=c["id"], connected_date="2026-10-21")
        call("vgsamverkan_fee_adjust", coordinator, organization_id=gbg["id"], month=MONTH, amount="-250.00",
             reason="Avbrott i tjänsten 3 oktober")

        result = call("vgsamverkan_fee_run", coordinator, month=MONTH)
        assert (result["state"], result["population_year"], result["dry_run"]) == ("open", 2025, False)
        assert result["count"] == 3  # Göteborg, Härryda, the region; the bolag pays nothing
        # access, October (31 days): Göteborg 31 days × 600 000 = 18 600 000 inhabitant-days;
        # Härryda from the 16th: 16 × 40 000 = 640 000; total 19 240 000.
        # Göteborg 10 000 000 öre × 18 600 000 / 19 240 000 = 9 667 359.667… ; Härryda 332 640.33…
        # floors 9 999 999, the öre left to the larger remainder (.667, Göteborg)
        s = _statement(MONTH, gbg)
        assert [(line["kind"], line["amount"]) for line in s["lines"]] == [
            ("access", "96673.60"), ("expert", "2137.52"), ("adjustment", "-250.00")]
        assert s["population_year"] == 2025 and s["invoice_reference"] == "GBG-1"
        assert s["net"] == "98561.12" and s["vat"] == "24640.28" and s["total"] == "123201.40"
        access = s["lines"][0]
        assert access["quantity"] == "31" and access["unit"] == "days"
        assert access["reference"] == {"type": "participation", "id": gbg["participation_id"]}
        kept = access["text_kept"]
        assert "600\u00a0000" in kept and "Göteborg" in kept and "2025" in kept
        assert s["lines"][1]["reference"] == {"type": "calloff", "id": hourly["id"]}
        assert s["lines"][1]["quantity"] == "2.25" and s["lines"][1]["unit_price"] == "950.01"

        h = _statement(MONTH, harryda)
        assert [(line["kind"], line["amount"]) for line in h["lines"]] == [
            ("access", "3326.40"), ("connection", "18500.50"), ("expert", "12000.00")]
        assert h["lines"][0]["quantity"] == "16"
        # the region: 5000 kr × 31/31 days
        r = _statement(MONTH, region)
        assert [(line["kind"], line["amount"]) for line in r["lines"]] == [("regional", "5000.00")]
        assert r["vat"] == "1250.00" and r["total"] == "6250.00"
        with pytest.raises(tk.ObjectNotFound):
            _statement(MONTH, world["orgs"]["bolag"])

    def test_the_bolag_pays_the_days_its_kommun_does_not(self, world, coordinator):
        call("vgsamverkan_participation_terminate", coordinator, id=world["orgs"]["goteborg"]["participation_id"],
             effective_to="2026-10-10")
        call("vgsamverkan_fee_run", coordinator, month=MONTH)
        bolag = _statement(MONTH, world["orgs"]["bolag"])
        assert bolag["lines"][0]["kind"] == "access" and bolag["lines"][0]["quantity"] == "21"
        assert _statement(MONTH, world["orgs"]["goteborg"])["lines"][0]["quantity"] == "10"

    def test_a_rerun_gives_the_same_statements_and_a_dry_run_saves_nothing(self, world, coordinator):
        first = call("vgsamverkan_fee_run", coordinator, month=MONTH)
        rows_before = _rows(MONTH)
        again = call("vgsamverkan_fee_run", coordinator, month=MONTH)

        def content(statements):  # a run writes its statements anew: created/modified are its own
            return [{k: v for k, v in s.items() if k not in ("created", "modified")} for s in statements]

        assert content(again["statements"]) == content(first["statements"])
        assert again["statements"][0]["created"] > first["statements"][0]["created"]
        assert _rows(MONTH) == rows_before
        dry = call("vgsamverkan_fee_run", coordinator, month="2026-09", dry_run=True)
        assert dry["dry_run"] is True and dry["count"] >= 1
        assert model.Session.query(FeeStatement).filter_by(month="2026-09").count() == 0
        assert model.Session.get(FeeMonth, "2026-09") is None

    def test_population_year_used_and_fallback(self, world, coordinator):
        assert call("vgsamverkan_fee_run", coordinator, month="2026-10", dry_run=True)["population_year"] == 2025
        # 2030 uses 31 December 2029, and falls back to the newest earlier year: 2025
        assert call("vgsamverkan_fee_run", coordinator, month="2030-01", dry_run=True)["population_year"] == 2025

    def test_each_municipality_uses_its_own_newest_figure(self, world, coordinator):
        """SPEC (2026-11-29): October 2026 asks for 31 December 2025. Tanum (1435) has no
        figure for 2025 (nor 2024) but one for 2023 in the shipped data: it is billed with
        2023, its line says that 2025 is missing, and the others keep theirs."""
        tanum_admin = factories.User()
        tanum = participant_org(tanum_admin, coordinator, effective_from="2026-01-01", org_type="kommun",
                                municipality_code="1435")
        result = call("vgsamverkan_fee_run", coordinator, month=MONTH)
        assert result["population_year"] == 2025  # the newest year any payer used
        statement = _statement(MONTH, tanum)
        assert statement["population_year"] == 2023
        access = next(line for line in statement["lines"] if line["kind"] == "access")
        assert access["details"]["population_year"] == 2023 and access["details"]["population"] == 12865
        assert access["details"]["population_wanted_year"] == 2025
        assert "Tanum: 12\u00a0865 invånare (2023)" in access["text_kept"]
        assert "2025 saknas" in access["text_kept"]
        gbg = _statement(MONTH, world["orgs"]["goteborg"])
        gbg_access = next(line for line in gbg["lines"] if line["kind"] == "access")
        assert gbg["population_year"] == 2025 and gbg_access["details"]["population_wanted_year"] is None
        assert "saknas" not in gbg_access["text_kept"]

    def test_refusals_name_what_is_missing(self, coordinator):
        admin = factories.User()
        participant_org(admin, coordinator, effective_from="2023-01-01", org_type="kommun", municipality_code="1480")
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_fee_run", coordinator, month=MONTH)
        assert "schedule" in str(e.value.error_dict["month"])
        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2022-01", total="1000")
        # a municipality with no figure at all up to the year a month asks for blocks it:
        # June 2023 asks for 2022; the shipped figures of Göteborg (1480) begin with 2023
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_fee_run", coordinator, month="2023-06")
        message = str(e.value.error_dict["month"])
        assert "1480" in message and "2022" in message
        assert model.Session.query(FeeStatement).filter(FeeStatement.month == "2023-06").count() == 0

    def test_a_month_without_payers_allocates_nothing_and_says_so(self, coordinator):
        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="1000")
        result = call("vgsamverkan_fee_run", coordinator, month=MONTH)
        assert result["count"] == 0 and result["note"] == "no paying participant" and result["allocated"] == "0.00"

    @pytest.mark.parametrize("data,field", [
        ({"month": "2026-13"}, "month"), ({"month": "oktober"}, "month"), ({}, "month"),
        ({"month": MONTH, "dry_run": "kanske"}, "dry_run"), ({"month": MONTH, "colour": "red"}, "colour"),
    ])
    def test_bad_input(self, coordinator, data, field):
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_fee_run", coordinator, **data)
        assert field in e.value.error_dict

    @pytest.mark.parametrize("data,field", [
        ({"valid_from": "2026-1", "total": "1"}, "valid_from"), ({"valid_from": "2026-01", "total": "-1"}, "total"),
        ({"valid_from": "2026-01", "total": "1", "base_percent": "101"}, "base_percent"),
        ({"valid_from": "2026-01", "total": "1", "base_percent": "12.345"}, "base_percent"),
        ({"valid_from": "2026-01"}, "total"),
    ])
    def test_bad_schedules(self, coordinator, data, field):
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_fee_schedule_set", coordinator, **data)
        assert field in e.value.error_dict

    def test_a_new_schedule_for_the_same_month_supersedes_and_both_are_kept(self, coordinator):
        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="1000")
        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="2000", base_percent="12,5")
        listed = call("vgsamverkan_fee_schedule_list", None)["results"]
        assert [(s["total"], s["base_percent"], s["superseded"]) for s in listed] == [
            ("2000.00", "12.50", False), ("1000.00", "0.00", True)]


def _rows(month):
    model.Session.expire_all()
    return sorted((r.id, r.kind, r.amount_ore, r.text) for r in model.Session.query(FeeLine).filter_by(month=month))


class TestClose:
    def test_closed_for_ever_through_every_path(self, world, coordinator):
        admins, orgs = world["admins"], world["orgs"]
        running = _expert_work(coordinator, admins["goteborg"], orgs["goteborg"], hourly_rate="900")
        call("vgsamverkan_calloff_log_time", coordinator, id=running["id"], date="2026-10-02", hours="1")
        fixed = _expert_work(coordinator, admins["harryda"], orgs["harryda"], fixed_price="1000")
        call("vgsamverkan_calloff_log_time", coordinator, id=fixed["id"], date="2026-10-20", hours="1")
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_fee_close", coordinator, month=MONTH)
        assert "run it first" in str(e.value.error_dict["month"])
        call("vgsamverkan_fee_run", coordinator, month=MONTH)
        before = call("vgsamverkan_fee_export", coordinator, month=MONTH, format="csv")["content_base64"]
        closed = call("vgsamverkan_fee_close", coordinator, month=MONTH)
        assert closed["state"] == "closed" and closed["closed_by"] == coordinator["name"]
        rows = _rows(MONTH)

        refusals = [
            ("vgsamverkan_fee_run", {"month": MONTH}, "month"),
            ("vgsamverkan_fee_close", {"month": MONTH}, "month"),
            ("vgsamverkan_fee_adjust", {"organization_id": orgs["goteborg"]["id"], "month": MONTH, "amount": "10",
                                        "reason": "x"}, "month"),
            ("vgsamverkan_fee_schedule_set", {"valid_from": MONTH, "total": "1"}, "valid_from"),
            ("vgsamverkan_calloff_log_time", {"id": running["id"], "date": "2026-10-03", "hours": "1"}, "date"),
            ("vgsamverkan_calloff_deliver", {"id": fixed["id"], "delivered_date": "2026-10-25"}, "delivered_date"),
        ]
        for action, data, field in refusals:
            with pytest.raises(tk.ValidationError) as e:
                call(action, coordinator, **data)
            assert field in e.value.error_dict, action
            assert MONTH in str(e.value.error_dict[field]), action
        c = call("vgsamverkan_connection_create", admins["harryda"], organization_id=orgs["harryda"]["id"],
                 information_sets="K", technical_contact="T")
        call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="I")
        call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="S", effort_hours="1", price="100",
             valid_until="2099-01-01")
        call("vgsamverkan_connection_accept", admins["harryda"], id=c["id"])
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_connection_complete", coordinator, id=c["id"], connected_date="2026-10-31")
        assert "connected_date" in e.value.error_dict
        # the next month is open: the same work is dated there
        call("vgsamverkan_calloff_log_time", coordinator, id=running["id"], date="2026-11-02", hours="1")
        call("vgsamverkan_fee_adjust", coordinator, organization_id=orgs["goteborg"]["id"], month="2026-11",
             amount="-100", reason="Rättelse av oktober")
        # and nothing changed in October
        assert _rows(MONTH) == rows
        assert call("vgsamverkan_fee_export", coordinator, month=MONTH, format="csv")["content_base64"] == before

    @pytest.mark.parametrize("statement", [
        "UPDATE vgsamverkan_fee_line SET amount_ore = amount_ore + 1 WHERE month = '2026-10'",
        "DELETE FROM vgsamverkan_fee_line WHERE month = '2026-10'",
        "DELETE FROM vgsamverkan_fee_statement WHERE month = '2026-10'",
        "UPDATE vgsamverkan_fee_statement SET net_ore = 0 WHERE month = '2026-10'",
        "INSERT INTO vgsamverkan_fee_adjustment (id, month, organization_id, amount_ore, reason, created) "
        "VALUES ('x', '2026-10', 'o', 1, 'r', now())",
        "UPDATE vgsamverkan_fee_month SET state = 'open' WHERE month = '2026-10'",
        "DELETE FROM vgsamverkan_fee_month WHERE month = '2026-10'",
        "TRUNCATE vgsamverkan_fee_line, vgsamverkan_fee_statement",
    ])
    def test_the_database_refuses_changes_to_a_closed_month(self, world, coordinator, statement):
        call("vgsamverkan_fee_run", coordinator, month=MONTH)
        call("vgsamverkan_fee_close", coordinator, month=MONTH)
        rows = _rows(MONTH)
        model.Session.remove()
        with pytest.raises(sa.exc.DBAPIError) as e:
            with model.meta.engine.begin() as conn:
                conn.execute(sa.text(statement))
        assert "closed" in str(e.value)
        assert _rows(MONTH) == rows

    def test_close_is_refused_when_the_sources_changed_since_the_run(self, world, coordinator):
        call("vgsamverkan_fee_run", coordinator, month=MONTH)
        call("vgsamverkan_participation_terminate", coordinator, id=world["orgs"]["harryda"]["participation_id"],
             effective_to="2026-10-20")
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_fee_close", coordinator, month=MONTH)
        assert "run it again" in str(e.value.error_dict["month"])
        call("vgsamverkan_fee_run", coordinator, month=MONTH)
        assert call("vgsamverkan_fee_close", coordinator, month=MONTH)["state"] == "closed"


class TestAdjust:
    def test_an_adjustment_shows_at_once_in_a_run_month(self, world, coordinator):
        gbg = world["orgs"]["goteborg"]
        call("vgsamverkan_fee_run", coordinator, month=MONTH)
        net = _statement(MONTH, gbg)["net"]
        result = call("vgsamverkan_fee_adjust", coordinator, organization_id=gbg["name"], month=MONTH,
                      amount="1 000,50", reason="Utbildningsdag")
        assert result["amount"] == "1000.50" and result["statement"]["lines"][-1]["kind"] == "adjustment"
        from decimal import Decimal
        assert Decimal(_statement(MONTH, gbg)["net"]) == Decimal(net) + Decimal("1000.50")

    @pytest.mark.parametrize("data,field", [
        ({"amount": "0"}, "amount"), ({"amount": "tio"}, "amount"), ({"reason": ""}, "reason"),
        ({"organization_id": "finns-inte"}, "organization_id"), ({"month": "2026"}, "month"),
    ])
    def test_bad_adjustments(self, world, coordinator, data, field):
        payload = {"organization_id": world["orgs"]["goteborg"]["id"], "month": MONTH, "amount": "10",
                   "reason": "R", **data}
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_fee_adjust", coordinator, **payload)
        assert field in e.value.error_dict


class TestWhoSees:
    def test_statements_only_for_the_organisations_admins_and_the_coordinator(self, world, coordinator):
        call("vgsamverkan_fee_run", coordinator, month=MONTH)
        gbg = world["orgs"]["goteborg"]
        admin = world["admins"]["goteborg"]
        editor = factories.User()
        call("vgsamverkan_publisher_approve", coordinator, id=request_rights(editor, gbg)["id"])
        assert _statement(MONTH, gbg, admin)["organization_id"] == gbg["id"]
        for who in (world["admins"]["harryda"], editor, factories.User(), None):
            with pytest.raises(tk.NotAuthorized):
                _statement(MONTH, gbg, who)
        assert [s["organization_id"] for s in call("vgsamverkan_fee_statement_list", admin)["results"]] == [gbg["id"]]
        assert call("vgsamverkan_fee_statement_list", editor)["count"] == 0
        assert call("vgsamverkan_fee_statement_list", coordinator, month=MONTH)["count"] == 3
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_fee_statement_list", None)

    def test_every_line_in_words_in_both_languages(self, world, coordinator):
        call("vgsamverkan_fee_run", coordinator, month=MONTH)
        line = _statement(MONTH, world["orgs"]["goteborg"])["lines"][0]
        english = feetext.line_text("en", line["kind"], line["details"])
        assert english.startswith("Göteborg: 600,000 inhabitants (2025) × 31 of 31 days")
        assert "18,600,000 of 18,600,000 inhabitant-days" not in english  # Härryda's days count too
        assert "of 19,240,000 inhabitant-days" in english
        assert line["text_kept"].startswith("Göteborg: 600\u00a0000 invånare (2025)")


class TestExport:
    def test_a_closed_months_files_are_kept_as_closed(self, world, coordinator, ckan_config, monkeypatch):
        """The files are made at the close and kept: a later change of the SIE accounts or
        the company changes an open month's file, never a closed one's (it did before
        revision f6a2c8e4b7d1). The kept files cannot be changed or deleted."""
        import base64

        import sqlalchemy as sa

        def export(fmt):
            exported = call("vgsamverkan_fee_export", coordinator, month=MONTH, format=fmt)
            return base64.b64decode(exported["content_base64"])

        call("vgsamverkan_fee_run", coordinator, month=MONTH)
        call("vgsamverkan_fee_close", coordinator, month=MONTH)
        closed = {fmt: export(fmt) for fmt in ("csv", "sie")}
        assert b"#KONTO 1510" in closed["sie"]
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.sie_accounts", ["1511", "3011", "2612"])
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.sie_company_name", "Ett annat namn")
        assert {fmt: export(fmt) for fmt in ("csv", "sie")} == closed
        call("vgsamverkan_fee_run", coordinator, month="2026-09")  # an open month follows the configuration
        open_sie = base64.b64decode(call("vgsamverkan_fee_export", coordinator, month="2026-09",
                                         format="sie")["content_base64"])
        assert b"#KONTO 1511" in open_sie and b"Ett annat namn" in open_sie
        for statement in ("UPDATE vgsamverkan_fee_file SET content = 'x'", "DELETE FROM vgsamverkan_fee_file"):
            model.Session.remove()
            with pytest.raises(sa.exc.IntegrityError, match="are kept"):
                with model.meta.engine.begin() as conn:
                    conn.execute(sa.text(statement))
        # a month closed before the files were kept (the kept files removed here as only
        # the test harness can): the export, a GET action, writes nothing and says why;
        # the migration a3d7f1c9e5b2 keeps them, with the configuration of the day
        model.Session.remove()
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text("SET LOCAL vgsamverkan.purge = 'on'"))
            conn.execute(sa.text("DELETE FROM vgsamverkan_fee_file WHERE month = :m"), {"m": MONTH})
        with pytest.raises(tk.ValidationError, match="were not kept"):
            export("sie")
        model.Session.remove()
        assert model.Session.query(FeeFile).filter_by(month=MONTH).count() == 0
        assert keep_missing_files() == [(MONTH, "csv"), (MONTH, "sie")]
        model.Session.commit()
        first = export("sie")
        assert b"#KONTO 1511" in first  # made with the configuration of the day
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.sie_accounts", ["1512", "3012", "2613"])
        assert export("sie") == first
        assert keep_missing_files() == []

    # the files' contents: tests/fees/test_fee_export.py

    def test_export_needs_a_run(self, coordinator):
        with pytest.raises(tk.ValidationError):
            call("vgsamverkan_fee_export", coordinator, month=MONTH)


def _ore(amount: str) -> int:
    from decimal import Decimal

    return int(Decimal(amount) * 100)


class TestPopulationWarning:
    """The coordinator's workplace warns when a paying municipality lacks the population of
    the year the next fee month (this month) asks for (issue 19)."""

    def test_the_dashboard_and_the_workplace_name_what_is_missing(self, app, world, coordinator):
        from freezegun import freeze_time

        from tests.browser import Browser, as_user

        participant_org(factories.User(), coordinator, effective_from="2026-01-01", org_type="kommun",
                        municipality_code="1435")
        with freeze_time("2026-11-15"):
            gaps = call("vgsamverkan_dashboard_show", coordinator)["population"]
            assert (gaps["month"], gaps["year"]) == ("2026-11", 2025)
            assert gaps["older"] == [{"municipality_code": "1435", "name": "Tanum", "year": 2023}]
            assert gaps["none"] == []
            page = Browser(app).get("/ckan-admin/samverkan", extra_environ=as_user(coordinator)).body
            warning = page[page.index('id="vgs-population-warning"'):]
            warning = warning[:warning.index("</div>")]
            assert "31 december 2025" in warning and "Tanum (1435): siffran från 2023" in warning
            call("vgsamverkan_population_import", coordinator, year=2025, source="Test",
                 records=[{"municipality_code": "1435", "name": "Tanum", "population": 12_900}])
            assert call("vgsamverkan_dashboard_show", coordinator)["population"]["older"] == []
            page = Browser(app).get("/ckan-admin/samverkan", extra_environ=as_user(coordinator)).body
            assert 'id="vgs-population-warning"' not in page

    def test_a_municipality_without_any_figure_would_stop_the_month(self, world, coordinator):
        from ckanext.vgsamverkan.fees import run

        # June 2023 asks for 2022; Partille (1402), taking part since 2023, has figures from
        # 2023 on only: the month would stop. The world's payers start in 2026: not counted.
        org = participant_org(factories.User(), coordinator, effective_from="2023-01-01", org_type="kommun",
                              municipality_code="1402")
        gaps = run.population_gaps((2023, 6))
        # named by the organisation that takes part for it (no figure names it)
        assert (gaps["year"], gaps["none"], gaps["older"]) == (
            2022, [{"municipality_code": "1402", "name": org["title"]}], [])
        assert run.population_gaps((2026, 11)) == {"month": "2026-11", "year": 2025, "older": [], "none": []}


class TestLinesThatCanBeToldApart:
    """Issue 39: two connections of one month, each on its first quote, read "Anslutning …
    ansluten 2026-10-15 (offert 1) 6 400,00 kr" twice; now each line names its case
    reference and what it is about (a call-off's line the period worked)."""

    def test_two_connections_and_two_calloffs_of_a_month(self, world, coordinator):
        from ckanext.vgsamverkan.domain import objects

        gbg, admin = world["orgs"]["goteborg"], world["admins"]["goteborg"]
        made = []
        for sets in ("Detaljplaner", "Bygglov\noch\tkartor", '=HYPERLINK("x");{a}\r\n@b "c"'):
            c = call("vgsamverkan_connection_create", admin, organization_id=gbg["id"], information_sets=sets,
                     technical_contact="T")
            call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="I")
            call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="S", effort_hours="1",
                 price="6400", valid_until="2099-01-01")
            call("vgsamverkan_connection_accept", admin, id=c["id"])
            call("vgsamverkan_connection_complete", coordinator, id=c["id"], connected_date="2026-10-15")
            made.append(c)
        offs = [_expert_work(coordinator, admin, gbg, hourly_rate="1000") for _ in range(2)]
        for off in offs:
            call("vgsamverkan_calloff_log_time", coordinator, id=off["id"], date="2026-10-05", hours="1")
        call("vgsamverkan_fee_run", coordinator, month=MONTH)
        lines = _statement(MONTH, gbg)["lines"]
        connections = [line["text"] for line in lines if line["kind"] == "connection"]
        experts = [line["text"] for line in lines if line["kind"] == "expert"]
        assert len(set(connections)) == 3 and len(set(experts)) == 2
        for c, sets in zip(made, ("(Detaljplaner)", "(Bygglov och kartor)", '(=HYPERLINK("x");{a} @b "c")'),
                           strict=True):
            [text] = [t for t in connections if objects.reference("connection", c["id"]) in t]
            assert sets in text and "(offert 1)" in text
        # the text a person typed, now inside the line's words, leaves the CSV's structure
        # alone (read back with Python's csv reader: one row a line, the text whole)
        import base64
        import csv
        import io

        exported = call("vgsamverkan_fee_export", coordinator, month=MONTH, format="csv")
        data = base64.b64decode(exported["content_base64"])
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        texts = [r for r in rows if r["Radtyp"] == "Rad" and objects.reference("connection", made[2]["id"])
                 in " ".join(r.values())]
        assert len(texts) == 1 and '=HYPERLINK("x");{a} @b "c"' in " ".join(texts[0].values())
        for off in offs:
            [text] = [t for t in experts if objects.reference("calloff", off["id"]) in t]
            assert "arbetat 2026-10-05–2026-10-05" in text
