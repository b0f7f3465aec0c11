"""The command line (through CKAN's click runner) and the migration, up and down."""
from __future__ import annotations

import contextlib
import os

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.cli.cli import ckan

from ckanext.vgsamverkan.model import Participation, Population

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

SEARCH_TABLES = {"vgsamverkan_search_doc", "vgsamverkan_search_state", "vgsamverkan_search_cache",
                 "vgsamverkan_search_group", "vgsamverkan_search_facet"}
TABLES = {"vgsamverkan_participation", "vgsamverkan_event", "vgsamverkan_comment",
          "vgsamverkan_population", "vgsamverkan_publisher", "vgsamverkan_connection",
          "vgsamverkan_connection_quote", "vgsamverkan_calloff", "vgsamverkan_calloff_time"} | SEARCH_TABLES
FEE_TABLES = {"vgsamverkan_fee_schedule", "vgsamverkan_fee_month", "vgsamverkan_fee_statement",
              "vgsamverkan_fee_line", "vgsamverkan_fee_adjustment"}
# the outbox (revision c7e2a9f4b1d6), the list tallies (e4c7a1f9d3b5), the closed
# months' files (f6a2c8e4b7d1) and the narrow copy of the search documents' words
# (a9d5e3f7c1b4, b2e6f4a8d0c5), its bitmaps (c7f3a9e1d5b8) and the compound parts
# (f4b8d2a6c0e3), the newest tables: gone
# in every downgrade below
OUTBOX_TABLES = {"vgsamverkan_outbox", "vgsamverkan_tally", "vgsamverkan_fee_file", "vgsamverkan_search_text",
                 "vgsamverkan_search_value", "vgsamverkan_search_bits", "vgsamverkan_search_compound"}
FEE_TABLES = FEE_TABLES | OUTBOX_TABLES
TABLES = TABLES | FEE_TABLES


# the tables from the call-off revision on
CALLOFF_TABLES = {"vgsamverkan_calloff", "vgsamverkan_calloff_time"} | FEE_TABLES
# tables of the revisions after the search ones (publisher, connection, call-off)
LATER_TABLES = {"vgsamverkan_publisher", "vgsamverkan_connection", "vgsamverkan_connection_quote"} | CALLOFF_TABLES


def _tables() -> set[str]:
    return set(sa.inspect(model.meta.engine).get_table_names()) & TABLES


def text_dictionaries(name: str = "vgsamverkan_swedish") -> list[str]:
    """The dictionaries of a text search configuration, by name."""
    rows = model.Session.execute(sa.text(
        "SELECT DISTINCT d.dictname FROM pg_ts_config c JOIN pg_ts_config_map m ON m.mapcfg = c.oid "
        "JOIN pg_ts_dict d ON d.oid = m.mapdict WHERE c.cfgname = :name ORDER BY 1"), {"name": name})
    found = [row[0] for row in rows]
    model.Session.rollback()
    return found


def lexemes(text: str) -> list[str]:
    found = model.Session.execute(sa.text(
        "SELECT array_agg(lexeme ORDER BY lexeme) FROM unnest(to_tsvector('vgsamverkan_swedish', :t))"),
        {"t": text}).scalar()
    model.Session.rollback()
    return list(found or [])


def _alembic(step: str, revision: str) -> None:
    """Our branch's migrations run in this process (they read this test's configuration;
    ``ckan db`` of CKAN 2.12 reads test.ini afresh)."""
    from alembic import command
    from alembic.config import Config

    from ckan.plugins.toolkit import config

    import conftest as root

    folder = next(f for f in root._migrations() if f.rstrip("/").endswith("vgsamverkan"))
    alembic_config = Config(os.path.join(folder, "alembic.ini"))
    alembic_config.set_main_option("script_location", folder)
    alembic_config.set_main_option("sqlalchemy.url", config["sqlalchemy.url"])
    model.Session.remove()
    getattr(command, step)(alembic_config, revision)


@contextlib.contextmanager
def without_hunspell():
    """vgsamverkan_swedish made as on a database server without the Swedish Hunspell
    files (their name in the configuration is one that is not there); afterwards made
    again with them."""
    import ckan.plugins.toolkit as tk

    option = "ckanext.vgsamverkan.search_hunspell_dictionary"
    _alembic("downgrade", "e7b3c9d1f5a2")
    before = tk.config.get(option)
    tk.config[option] = "sv_saknas"
    try:
        _alembic("upgrade", "head")
        yield
    finally:
        tk.config[option] = before
        _alembic("downgrade", "e7b3c9d1f5a2")
        _alembic("upgrade", "head")


class TestPopulationImport:
    def test_import_a_scb_file(self, cli, tmp_path):
        f = tmp_path / "scb.csv"
        f.write_bytes("\ufeffRegion;Invånartal\n1480 Göteborg;612 345\n1401 Härryda;40 600\n".encode())
        # no column named as a population: refused, naming the header line…
        result = cli.invoke(ckan, ["vgsamverkan", "population", "import", str(f), "--year", "2025"])
        assert result.exit_code == 1 and "line 1" in result.output
        # …SCB's own title ("Folkmängd 31 december 2025") with a title line above the header
        f.write_bytes("\ufeffFolkmängd i riket, län och kommuner 31 december 2025\nRegion;Folkmängd 31 december 2025\n"
                      "00 Riket;10 600 000\n14 Västra Götalands län;1 790 000\n"
                      "1480 Göteborg;612 345\n1401 Härryda;40 600\n".encode())
        result = cli.invoke(ckan, ["vgsamverkan", "population", "import", str(f), "--year", "2025"])
        assert result.exit_code == 0, result.output
        assert "Imported 2 municipalities for 2025" in result.output
        assert model.Session.get(Population, ("1480", 2025)).population == 612345

    def test_malformed_file_imports_nothing(self, cli, tmp_path):
        f = tmp_path / "bad.csv"
        f.write_text("kommunkod;folkmängd\n1480;612345\n1401;fel\n", encoding="utf-8")
        result = cli.invoke(ckan, ["vgsamverkan", "population", "import", str(f), "--year", "2025"])
        assert result.exit_code == 1
        assert "line 3" in result.output and "Nothing was imported" in result.output
        assert model.Session.query(Population).filter_by(year=2025).count() == 0

    def test_unknown_file(self, cli):
        result = cli.invoke(ckan, ["vgsamverkan", "population", "import", "/nonexistent.csv", "--year", "2025"])
        assert result.exit_code != 0


class TestDemoSeed:
    def test_seed_is_idempotent(self, cli, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinators", ["samordnare"])
        first = cli.invoke(ckan, ["vgsamverkan", "demo", "seed"])
        assert first.exit_code == 0, first.output
        states = sorted(p.state for p in model.Session.query(Participation))
        # (two of the approved: the administrations sharing an organisationsnummer, issue 37)
        assert states == ["approved", "approved", "approved", "pending", "pending", "rejected", "terminated",
                          "terminated", "withdrawn"]
        assert model.User.get("samordnare") is not None
        # Tanum takes part until the end of this month (a termination dated ahead), and last
        # month's statement uses its newest population, of 2023, and says so
        import datetime as dt

        from ckan.tests import helpers as ckan_helpers

        from ckanext.vgsamverkan.domain import taking_part
        tanum = model.Group.get("tanums-kommun")
        assert taking_part.takes_part(tanum.id)
        last = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
        statement = ckan_helpers.call_action("vgsamverkan_fee_statement_show", context={"user": "samordnare"},
                                             organization_id="tanums-kommun", month=last)
        assert statement["population_year"] == 2023
        assert "2023" in statement["lines"][0]["text_kept"], statement["lines"][0]
        from ckanext.vgsamverkan.model import Calloff

        assert sorted(c.state for c in model.Session.query(Calloff)) == [
            "assigned", "cancelled", "delivered", "in_progress", "requested"]
        from ckanext.vgsamverkan.model import Connection, PublisherRequest

        assert {c.state for c in model.Session.query(Connection)} == {
            "submitted", "investigating", "quoted", "accepted", "connected", "declined", "cancelled", "disconnected"}
        assert {r.state for r in model.Session.query(PublisherRequest)} == {
            "pending", "approved", "rejected", "withdrawn", "revoked"}
        from ckanext.vgsamverkan.model import FeeMonth, FeeStatement
        from tests.closed_month import MONTH

        assert sorted(m.state for m in model.Session.query(FeeMonth).filter(FeeMonth.month != MONTH)) == [
            "closed", "closed", "open"]
        assert model.Session.query(FeeStatement).count() >= 1
        # e-invoices of the two closed months, a credit note among them (issue 37)
        from ckanext.vgsamverkan.model import Invoice

        assert {i.type for i in model.Session.query(Invoice)} == {"invoice", "credit_note"}
        credit = model.Session.query(Invoice).filter(Invoice.type == "credit_note").one()
        corrected = model.Session.query(Invoice).filter(Invoice.number == credit.corrects).one()
        assert corrected.organization_id == credit.organization_id and corrected.sequence < credit.sequence
        # the demo datasets are found by search, the private one only by members
        from ckan.tests import helpers
        public = helpers.call_action("package_search", context={"user": "", "ignore_auth": False},
                                     q="*:*", **{"facet.field": ["organization"]})
        assert public["count"] == 9  # with the energy company's map, which needs no connection (issue 21)
        assert public["facets"]["organization"] == {"exempelstads-kommun": 7, "exempelstads-energi": 2}

        def found(query):
            result = helpers.call_action("package_search", context={"user": "", "ignore_auth": False}, q=query)
            return sorted(r["name"] for r in result["results"])

        # what Swedes type (issue 22): inflections and the parts of compound words
        assert found("cykelväg") == ["cykelvagar", "snorojning"]
        assert found("cyklar") == ["cykelparkeringar", "cykelvagar", "snorojning"]
        assert found("vatten") == ["badplatser", "vattenkvalitet-sjoar"]
        assert found("parkering") == ["cykelparkeringar"]
        assert found("sjö") == ["vattenkvalitet-sjoar"]
        from tests.logic.test_portal_actor import demo_seed_stamps_only_the_portal

        demo_seed_stamps_only_the_portal()  # the portal's acts name the command (issue 24)
        second = cli.invoke(ckan, ["vgsamverkan", "demo", "seed"])
        assert second.exit_code == 0, second.output
        assert "created" not in second.output
        assert model.Session.query(Participation).count() == 9


@pytest.mark.without_closed_month("downgrades take the fee tables, or the kept files, away")
class TestMigration:
    def test_search_revision_down_and_up(self, cli):
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "3f9a1c2d7e10"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        assert _tables() == TABLES - SEARCH_TABLES - LATER_TABLES
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        assert _tables() == TABLES

    def test_publisher_revision_down_and_up(self, cli):
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "e5a9c3b7d2f1"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        assert _tables() == TABLES - LATER_TABLES
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        assert _tables() == TABLES

    def test_connection_revision_down_and_up(self, cli):
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "a7d3f9e1c4b8"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        assert _tables() == TABLES - {"vgsamverkan_connection", "vgsamverkan_connection_quote"} - CALLOFF_TABLES
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        assert _tables() == TABLES

    def test_calloff_revision_down_and_up(self, cli):
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "b3c8e2f4a6d9"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        assert _tables() == TABLES - CALLOFF_TABLES
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        assert _tables() == TABLES
        # the quarter-hour rule is in the table too, not only in the action
        model.Session.remove()
        with pytest.raises(sa.exc.IntegrityError):
            with model.meta.engine.begin() as conn:
                conn.execute(sa.text(
                    "INSERT INTO vgsamverkan_calloff (id, state, organization_id, applicant_id, language, "
                    "competence_area, description, estimated_hours, period_start, period_end, created, modified) "
                    "VALUES ('c', 'assigned', 'o', 'u', 'sv', 'teknik', 'd', 1, '2026-01-01', '2026-01-31', "
                    "now(), now())"))
                conn.execute(sa.text(
                    "INSERT INTO vgsamverkan_calloff_time (id, calloff_id, organization_id, date, hours, "
                    "expert_key, expert_name, created) VALUES ('t', 'c', 'o', '2026-01-02', 1.1, 'k', 'E', now())"))

    def test_fee_revision_down_and_up(self, cli):
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "d5f1a8c3e7b2"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        assert _tables() == TABLES - FEE_TABLES
        functions = {r[0] for r in model.Session.execute(sa.text(
            "SELECT proname FROM pg_proc WHERE proname LIKE 'vgsamverkan_fee%'"))}
        assert functions == set()
        model.Session.remove()
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        assert _tables() == TABLES
        triggers = {r[0] for r in model.Session.execute(sa.text(
            "SELECT tgname FROM pg_trigger WHERE tgname LIKE 'vgsamverkan_fee%'"))}
        assert {"vgsamverkan_fee_line_frozen", "vgsamverkan_fee_month_frozen",
                "vgsamverkan_fee_statement_no_truncate"} <= triggers

    def test_list_index_revision_down_and_up(self, cli):
        def indexes():
            model.Session.remove()
            return {r[0] for r in model.Session.execute(sa.text(
                "SELECT indexname FROM pg_indexes WHERE indexname LIKE 'vgsamverkan_%newest_idx'"))}

        assert len(indexes()) == 10
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "c7e2a9f4b1d6"])
        assert down.exit_code == 0, down.output
        assert indexes() == set()
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        assert "vgsamverkan_participation_newest_idx" in indexes() and len(indexes()) == 10

    def test_tally_revision_down_and_up(self, cli, coordinator):
        """The upgrade counts what is stored; from then on the triggers keep the count."""
        from tests.factories import apply_new, call

        apply_new(coordinator)
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "d9b3f5a7c2e8"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        assert "vgsamverkan_tally" not in _tables()
        assert model.Session.execute(sa.text(
            "SELECT count(*) FROM pg_proc WHERE proname LIKE 'vgsamverkan_tally%'")).scalar() == 0
        model.Session.remove()
        with model.meta.engine.begin() as conn:  # written while there were no tallies
            conn.execute(sa.text("UPDATE vgsamverkan_participation SET state = 'withdrawn'"))
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        model.Session.remove()
        assert model.Session.execute(sa.text(
            "SELECT tbl, state, n FROM vgsamverkan_tally WHERE n <> 0")).fetchall() == [
            ("vgsamverkan_participation", "withdrawn", 1)]
        assert call("vgsamverkan_participation_list", coordinator, state="withdrawn")["count"] == 1
        assert call("vgsamverkan_participation_list", coordinator, state="pending")["count"] == 0

    def test_files_of_earlier_closed_months_are_kept_by_the_upgrade(self, cli, coordinator):
        """A month closed before revision f6a2c8e4b7d1 has no kept files; the upgrade to
        a3d7f1c9e5b2 makes and keeps them (the export itself never writes)."""
        import base64

        from tests.factories import call

        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="1000.00")
        call("vgsamverkan_fee_run", coordinator, month="2026-03")
        call("vgsamverkan_fee_close", coordinator, month="2026-03")
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "f6a2c8e4b7d1"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        with model.meta.engine.begin() as conn:  # as if closed before the files were kept
            conn.execute(sa.text("SET LOCAL vgsamverkan.purge = 'on'"))
            conn.execute(sa.text("DELETE FROM vgsamverkan_fee_file"))
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        model.Session.remove()
        assert model.Session.execute(sa.text(
            "SELECT month, format FROM vgsamverkan_fee_file ORDER BY 1, 2")).fetchall() == [
            ("2026-03", "csv"), ("2026-03", "sie")]
        sie = call("vgsamverkan_fee_export", coordinator, month="2026-03", format="sie")
        assert b"#KONTO 1510" in base64.b64decode(sie["content_base64"])

    def test_began_and_ended_revision_down_and_up_with_data(self, cli, coordinator):
        """b8e4c2a6f9d3 (issue 19): what was approved before it began at its decision if
        its first day had come; what was terminated ended then (the rights ended at once
        before); an approval dated in the future is left to the daily job."""
        import datetime as dt

        from ckan.tests import factories

        from tests.factories import call, participant_org

        later = (dt.date.today() + dt.timedelta(days=5)).isoformat()
        running = participant_org(factories.User(), coordinator)
        future = participant_org(factories.User(), coordinator, effective_from=later)
        ended = participant_org(factories.User(), coordinator)
        call("vgsamverkan_participation_terminate", coordinator, id=ended["participation_id"],
             effective_to=(dt.date.today() - dt.timedelta(days=1)).isoformat())

        def columns():
            model.Session.remove()
            return {c["name"] for c in sa.inspect(model.meta.engine).get_columns("vgsamverkan_participation")}

        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "a3d7f1c9e5b2"])
        assert down.exit_code == 0, down.output
        assert not {"began_at", "ended_at"} & columns()
        assert model.Session.execute(sa.text("SELECT count(*) FROM vgsamverkan_participation")).scalar() == 3
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        assert {"began_at", "ended_at"} <= columns()
        rows = dict(model.Session.execute(sa.text(
            "SELECT id, (began_at IS NOT NULL, ended_at IS NOT NULL) FROM vgsamverkan_participation")).fetchall())
        rows = {k: tuple(v.strip("()").split(",")) for k, v in rows.items()}
        assert rows == {running["participation_id"]: ("t", "f"), future["participation_id"]: ("f", "f"),
                        ended["participation_id"]: ("t", "t")}

    def test_corrections_revision_down_and_up_with_data(self, cli, coordinator):
        """c2f7a9e4b1d8 (issue 20): an adjustment's month corrected, time corrections. The
        downgrade refuses while a correction exists (the old check cannot hold it); without
        one it drops the columns, and the upgrade brings them back empty."""
        import datetime as dt

        from ckan.tests import factories

        from tests.factories import call, participant_org, requested_on

        admin = factories.User()
        org = participant_org(admin, coordinator, effective_from="2025-01-01")
        c = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="teknik",
                 description="D", estimated_hours="4", period_start="2025-01-01", period_end="2027-12-31")
        requested_on(c["id"], "2025-01-01")
        call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="E", hourly_rate="900",
             planned_hours="4")
        day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
        logged = call("vgsamverkan_calloff_log_time", coordinator, id=c["id"], date=day, hours="2")
        month = dt.date.today().strftime("%Y-%m")
        call("vgsamverkan_fee_adjust", coordinator, organization_id=org["id"], month=month, amount="-10",
             reason="R")
        call("vgsamverkan_calloff_correct_time", coordinator, id=logged["time_log"][0]["id"], hours="-1",
             reason="Kortare")
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "b8e4c2a6f9d3"])
        assert down.exit_code != 0 and "time corrections exist" in str(down.exception or down.output)
        model.Session.remove()
        with model.meta.engine.begin() as conn:  # without the correction it goes down
            conn.execute(sa.text("DELETE FROM vgsamverkan_calloff_time WHERE corrects_id IS NOT NULL"))
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "b8e4c2a6f9d3"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        columns = {c["name"] for c in sa.inspect(model.meta.engine).get_columns("vgsamverkan_calloff_time")}
        assert not {"corrects_id", "reason"} & columns
        assert model.Session.execute(sa.text("SELECT hours FROM vgsamverkan_calloff_time")).scalar() == 2
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        model.Session.remove()
        assert model.Session.execute(sa.text(
            "SELECT amount_ore, corrects FROM vgsamverkan_fee_adjustment WHERE reason = 'R'")).fetchall() == [
            (-1000, None)]

    def test_renewal_revision_down_and_up_with_data(self, cli, coordinator):
        """d4a8e2f6c1b3 (issue 21): renewals and role changes. The downgrade refuses while a
        user has both a pending and an approved request in one organisation (the old index
        cannot hold them); once decided it goes down, keeping every row, and up again."""
        from ckan.tests import factories

        from tests.factories import call, participant_org, request_rights

        user = factories.User()
        org = participant_org(factories.User(), coordinator)
        first = request_rights(user, org)
        call("vgsamverkan_publisher_approve", coordinator, id=first["id"], expires="2099-01-31")
        renewal = request_rights(user, org)
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "c2f7a9e4b1d8"])
        assert down.exit_code != 0 and "wait for a decision" in str(down.exception or down.output)
        model.Session.remove()
        call("vgsamverkan_publisher_approve", coordinator, id=renewal["id"])
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "c2f7a9e4b1d8"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        columns = {c["name"] for c in sa.inspect(model.meta.engine).get_columns("vgsamverkan_publisher")}
        assert not {"replaces_id", "previous_role"} & columns
        states = sorted(model.Session.execute(sa.text("SELECT state FROM vgsamverkan_publisher")).scalars())
        assert states == ["approved", "revoked"]
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        model.Session.remove()
        assert model.Session.execute(sa.text(
            "SELECT count(*) FROM vgsamverkan_publisher WHERE replaces_id IS NULL")).scalar() == 2

    def test_swedish_search_revision_down_and_up_with_data(self, cli):
        """f8c4a2e6b9d3 (issue 22): the text search configuration vgsamverkan_swedish.
        Down: gone, the indexed documents kept (the option names 'swedish' until the
        upgrade); up: Hunspell's base forms and compound parts again."""
        from ckan.tests import factories

        factories.Dataset(title="Cykelparkeringar", notes="Platser vid stationer.")
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "e7b3c9d1f5a2"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        assert text_dictionaries() == []
        assert model.Session.execute(sa.text("SELECT count(*) FROM vgsamverkan_search_doc")).scalar() == 1
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        model.Session.remove()
        assert text_dictionaries() == ["simple", "swedish_stem", "vgsamverkan_swedish_hunspell",
                                       "vgsamverkan_swedish_stop"]
        assert lexemes("cykelparkeringar sjöar mannen och") == ["cykel", "man", "parkering", "sjö"]

    def test_without_hunspell_files_the_swedish_search_is_snowball(self, capfd):
        """A database server without the Swedish Hunspell files: the upgrade goes on, with
        the snowball stemmer alone, and says so; installing them and upgrading again gives
        the whole configuration."""
        with without_hunspell():
            assert text_dictionaries() == ["simple", "swedish_stem", "vgsamverkan_swedish_stop"]
            assert lexemes("cykelparkeringar sjöar mannen och") == ["cykelparkering", "mann", "sjöar"]
            # the migration's log goes where alembic.ini sends alembic's: standard error
            said = capfd.readouterr().err
            assert "Swedish search without Hunspell" in said and "sv_saknas.dict" in said
        assert "vgsamverkan_swedish_hunspell" in text_dictionaries()

    def test_outbox_revision_down_and_up(self, cli):
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "a1c5e9d3f7b4"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        assert _tables() == TABLES - OUTBOX_TABLES
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        assert _tables() == TABLES

    def test_event_details_revision_down_and_up(self, cli, coordinator):
        from tests.factories import call

        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="1000.00")

        def columns():
            model.Session.remove()
            return {c["name"] for c in sa.inspect(model.meta.engine).get_columns("vgsamverkan_event")}

        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "f2b6d8a4c1e9"])
        assert down.exit_code == 0, down.output
        assert "details" not in columns() and "comment" in columns()
        assert model.Session.execute(sa.text("SELECT count(*) FROM vgsamverkan_event")).scalar() == 1
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        assert "details" in columns()

    def test_down_and_up(self, cli):
        assert _tables() == TABLES
        down = cli.invoke(ckan, ["db", "downgrade", "-p", "vgsamverkan", "-v", "base"])
        assert down.exit_code == 0, down.output
        model.Session.remove()
        assert _tables() == set()
        up = cli.invoke(ckan, ["db", "upgrade", "-p", "vgsamverkan"])
        assert up.exit_code == 0, up.output
        assert _tables() == TABLES
        # the shipped population comes with the upgrade
        assert model.Session.query(Population).count() == 90
        version = cli.invoke(ckan, ["db", "version", "-p", "vgsamverkan"])
        from tests.test_migration_data import revisions

        assert f"{revisions()[0][0]} (head)" in version.output  # the newest revision

    def test_model_matches_migration(self):
        """Every column the models declare exists in the migrated table, with the same
        nullability: a model change without a migration fails here."""
        inspector = sa.inspect(model.meta.engine)
        from ckanext.vgsamverkan import model as vgs_model

        for cls in (vgs_model.Participation, vgs_model.Event, vgs_model.Comment,
                    vgs_model.Population, vgs_model.SearchDoc, vgs_model.SearchState,
                    vgs_model.SearchCache, vgs_model.SearchGroup, vgs_model.SearchFacet, vgs_model.SearchText,
                    vgs_model.SearchCompound,
                    vgs_model.SearchValue,
                    vgs_model.PublisherRequest, vgs_model.Connection, vgs_model.ConnectionQuote,
                    vgs_model.Calloff, vgs_model.CalloffTime, vgs_model.FeeSchedule, vgs_model.FeeMonth,
                    vgs_model.FeeStatement, vgs_model.FeeLine, vgs_model.FeeAdjustment, vgs_model.Outbox,
                    vgs_model.FeeFile, vgs_model.Tally):
            columns = {c["name"]: c for c in inspector.get_columns(cls.__tablename__)}
            for column in cls.__table__.columns:
                assert column.name in columns, f"{cls.__tablename__}.{column.name} not migrated"
                assert columns[column.name]["nullable"] == column.nullable, column.name
            assert set(columns) == {c.name for c in cls.__table__.columns}


class TestFeesCli:
    def test_run_close_export(self, cli, tmp_path, coordinator):
        from ckan.tests import factories

        from tests.factories import call, participant_org

        call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="1000.00")
        participant_org(factories.User(), coordinator, effective_from="2026-01-01", org_type="kommun",
                        municipality_code="1480")
        bad = cli.invoke(ckan, ["vgsamverkan", "fees", "run", "--month", "2026-13"])
        assert bad.exit_code == 1 and "YYYY-MM" in bad.output
        dry = cli.invoke(ckan, ["vgsamverkan", "fees", "run", "--month", "2026-10", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        assert "net 1000.00" in dry.output and "dry run: nothing saved" in dry.output
        refused = cli.invoke(ckan, ["vgsamverkan", "fees", "close", "--month", "2026-10"])
        assert refused.exit_code == 1 and "run it first" in refused.output
        assert cli.invoke(ckan, ["vgsamverkan", "fees", "run", "--month", "2026-10"]).exit_code == 0
        closed = cli.invoke(ckan, ["vgsamverkan", "fees", "close", "--month", "2026-10"])
        assert closed.exit_code == 0 and "closed; e-invoices VGS-1 to VGS-1 issued" in closed.output
        invoices = tmp_path / "oktober.zip"
        zipped = cli.invoke(ckan, ["vgsamverkan", "fees", "export", "--month", "2026-10", "--format", "peppol",
                                   "--output", str(invoices)])
        assert zipped.exit_code == 0, zipped.output
        import zipfile

        with zipfile.ZipFile(invoices) as z:
            assert z.namelist() == ["VGS-1.xml"] and b"<cbc:ID>VGS-1</cbc:ID>" in z.read("VGS-1.xml")
        open_month = cli.invoke(ckan, ["vgsamverkan", "fees", "export", "--month", "2026-11", "--format", "peppol"])
        assert open_month.exit_code == 1
        again = cli.invoke(ckan, ["vgsamverkan", "fees", "run", "--month", "2026-10"])
        assert again.exit_code == 1 and "closed" in again.output
        out = tmp_path / "oktober.si"
        exported = cli.invoke(ckan, ["vgsamverkan", "fees", "export", "--month", "2026-10", "--format", "sie",
                                     "--output", str(out)])
        assert exported.exit_code == 0, exported.output
        assert out.read_bytes().startswith(b"#FLAGGA 0\r\n#FORMAT PC8\r\n#SIETYP 4\r\n")
        csv_out = cli.invoke(ckan, ["vgsamverkan", "fees", "export", "--month", "2026-10"])
        assert csv_out.exit_code == 0 and "Månad;Radtyp;Organisation" in csv_out.output


def test_the_configuration_page_shows_every_declared_option(cli):
    """docs/configuration.md's reference is what ``ckan config docs -f md vgsamverkan``
    prints from config_declaration.yaml (python scripts/config_docs.py writes it), so the
    page cannot drift from the declarations."""
    import os

    result = cli.invoke(ckan, ["config", "docs", "-f", "md", "vgsamverkan"])
    assert result.exit_code == 0, result.output
    page = open(os.path.join(os.path.dirname(os.path.dirname(__file__)), "docs", "configuration.md"),
                encoding="utf-8").read()
    start, end = "<!-- config-docs: generated by scripts/config_docs.py -->\n", "\n<!-- /config-docs -->"
    assert start in page and end in page, "docs/configuration.md has no generated reference"
    assert page.split(start, 1)[1].split(end, 1)[0] == result.output.strip(), "run: python scripts/config_docs.py"
