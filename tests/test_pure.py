"""Pure modules: organisationsnummer, population files, the workflow table."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ckanext.vgsamverkan import orgnumber
from ckanext.vgsamverkan.domain.kinds import participation
from ckanext.vgsamverkan.population_file import PopulationFileError, parse, shipped_rows


class TestOrgNumber:
    @pytest.mark.parametrize("value", ["212000-1355", "2120001355", "232100-0131", " 212000-1355 "])
    def test_valid(self, value):
        assert orgnumber.problem(value) is None
        assert orgnumber.normalise(value) in ("212000-1355", "232100-0131")

    @pytest.mark.parametrize(
        "value,why",
        [("212000-1356", "checksum"), ("21200-1355", "format"), ("212000+1355", "format"),
         ("abcdef-ghij", "format"), ("", "format"), ("850101-1236", "personal")],
    )
    def test_invalid(self, value, why):
        assert orgnumber.problem(value) == why

    @given(st.text(alphabet="0123456789", min_size=9, max_size=9).filter(lambda s: s[2] >= "2"))
    def test_check_digit_completes_any_number(self, first_nine):
        number = first_nine + orgnumber.check_digit(first_nine)
        assert orgnumber.problem(number) is None
        # changing the last digit always breaks the checksum
        wrong = number[:-1] + str((int(number[-1]) + 1) % 10)
        assert orgnumber.problem(wrong) == "checksum"


class TestPopulationFile:
    def test_scb_style_with_bom_semicolons_and_thousands(self):
        content = "\ufeffRegion;Folkmängd\n1480 Göteborg;608 993\n1401 Härryda;40\u00a0003\n".encode()
        records, skipped = parse(content, 2024)
        assert records == [
            {"municipality_code": "1480", "name": "Göteborg", "population": 608993},
            {"municipality_code": "1401", "name": "Härryda", "population": 40003},
        ]
        assert skipped == 0

    def test_english_columns_and_year_filter(self):
        content = "code,name,year,population\n1480,Gothenburg,2023,604616\n1480,Gothenburg,2024,608993\n"
        records, skipped = parse(content, 2024)
        assert records == [{"municipality_code": "1480", "name": "Gothenburg", "population": 608993}]
        assert skipped == 1

    def test_cp1252_file(self):
        content = "kommunkod;kommun;folkmängd\n1480;Göteborg;608993\n".encode("cp1252")
        assert parse(content, 2024)[0][0]["name"] == "Göteborg"

    @pytest.mark.parametrize(
        "content,line",
        [
            ("kommunkod;folkmängd\n1480;608993\n148;5\n", 3),
            ("kommunkod;folkmängd\n1480;608993\n1401;många\n", 3),
            ("kommunkod;folkmängd\n1480;608993\n1480;5\n", 3),
            ("kommunkod;antal\n1480\n", 2),
            ("namn;antal\nGöteborg;5\n", 1),
            ("kommunkod;kommun\n1480;Göteborg\n", 1),
            ("", 1),
            ("kommunkod;folkmängd\n", 1),
        ],
    )
    def test_malformed_file_is_refused_with_its_line(self, content, line):
        with pytest.raises(PopulationFileError) as e:
            parse(content, 2024)
        assert e.value.line == line

    def test_shipped_data_has_49_municipalities(self):
        rows = shipped_rows()
        assert len({r["municipality_code"] for r in rows}) == 49
        assert sum(r["population"] for r in rows if r["year"] == 2024) < 1_772_821  # gaps documented


class TestWorkflowTable:
    def test_participation_transitions_are_the_specified_ones(self):
        assert participation.WORKFLOW.transitions == {
            ("pending", "approve"): "approved",
            ("pending", "reject"): "rejected",
            ("pending", "withdraw"): "withdrawn",
            ("approved", "terminate"): "terminated",
        }

    def test_every_target_is_a_state(self):
        for (src, _), dst in participation.WORKFLOW.transitions.items():
            assert src in participation.WORKFLOW.states and dst in participation.WORKFLOW.states

    def test_final_states_allow_nothing(self):
        for state in ("rejected", "withdrawn", "terminated"):
            assert participation.WORKFLOW.allowed_verbs(state) == []


def test_an_scb_workbook_with_title_lines_country_and_county_rows():
    """SCB publishes the table as XLSX: title lines above the header, the country and the
    counties among the municipalities, numbers stored as numbers (issue 19)."""
    from tests.xlsx import workbook

    content = workbook([
        ["Folkmängd i riket, län och kommuner 31 december 2025"],
        [],
        ["Region", "Folkmängd 31 december 2025"],
        ["00 Riket", 10_600_000],
        ["14 Västra Götalands län", 1_790_000],
        ["1480 Göteborg", 612_345.0],
        ["1435 Tanum", 12_901],
    ])
    records, skipped = parse(content, 2025)
    assert records == [{"municipality_code": "1480", "name": "Göteborg", "population": 612345},
                       {"municipality_code": "1435", "name": "Tanum", "population": 12901}]
    assert skipped == 0
    with pytest.raises(PopulationFileError, match="line 7, column .Region.: municipality 1480 appears twice"):
        parse(workbook([["Region", "Folkmängd"], ["1480 Göteborg", 1], ["1401 Härryda", 2], ["1402 Partille", 3],
                        ["1407 Öckerö", 4], ["1415 Stenungsund", 5], ["1480 Göteborg", 6]]), 2025)
    with pytest.raises(PopulationFileError, match="line 1: not a readable XLSX workbook"):
        parse(b"PK\x03\x04 not really a zip", 2025)
    with pytest.raises(PopulationFileError, match="no population column"):
        parse(workbook([["Kommun", "Yta"], ["1480 Göteborg", 447]]), 2025)


def test_every_problem_of_a_population_file_can_be_said_on_a_page():
    """The population page translates each problem a file can have (views/coordinator.py
    lists them as population_file.PROBLEMS does)."""
    import ast
    import inspect

    from ckanext.vgsamverkan import population_file
    from ckanext.vgsamverkan.views import coordinator

    source = inspect.getsource(coordinator._problem)
    assert all(f'tk._("{p}")' in source for p in population_file.PROBLEMS)
    raised = {node.args[1].value for node in ast.walk(ast.parse(inspect.getsource(population_file)))
              if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "PopulationFileError"}
    assert len(raised) >= 20
    assert raised <= set(population_file.PROBLEMS), raised - set(population_file.PROBLEMS)


@pytest.mark.parametrize("url,kinds", [
    ("https://karta.example.org/geoserver/ows?SERVICE=wms&REQUEST=GetCapabilities", {"WMS", "API"}),
    ("https://example.org/tjanst?request=GetFeature&Service=WFS", {"WFS"}),
    ("https://example.org/geoserver/wms", {"WMS"}),
    ("https://example.org/WFS/kommun", {"WFS"}),
    ("https://example.org/api/v2/luft", {"API"}),
    ("https://example.org/rest/x", {"API"}),
    ("https://example.org/features/collections/vagar/items?limit=10", {"API"}),
    ("https://example.org/t.csv", set()),
    ("https://example.org/wms-guide.pdf", set()),
    ("https://example.org/apikort.html", set()),
    ("", set()),
    (None, set()),
    (42, set()),
])
def test_the_kinds_of_service_an_address_shows(url, kinds):
    from ckanext.vgsamverkan.logic.enforce import service_kinds

    assert service_kinds(url) == kinds


class TestTsqueryOfLexemes:
    """pgsearch.bits.parse: the tsquery text PostgreSQL prints for a word, as the tree the
    bitmaps are combined by; anything but lexemes, & | ! and parentheses is refused (the
    search then counts by scanning)."""

    @pytest.mark.parametrize(
        "text,tree",
        [("'cykel'", ("w", "cykel")),
         ("'cykla' | 'cykel'", ("|", ("w", "cykla"), ("w", "cykel"))),
         # & binds tighter than |, ! tighter than &
         ("'vattenkvalitet' | 'vatten' & 'kvalitet'",
          ("|", ("w", "vattenkvalitet"), ("&", ("w", "vatten"), ("w", "kvalitet")))),
         ("!'a' & 'b'", ("&", ("!", ("w", "a")), ("w", "b"))),
         ("( 'a' | 'b' ) & 'c'", ("&", ("|", ("w", "a"), ("w", "b")), ("w", "c"))),
         ("'it''s'", ("w", "it's")),
         ("'a' & 'b' & 'c'", ("&", ("&", ("w", "a"), ("w", "b")), ("w", "c"))),
         ("", None)],
    )
    def test_lexemes_and_operators(self, text, tree):
        from ckanext.vgsamverkan.pgsearch import bits

        assert bits.parse(text) == tree

    @pytest.mark.parametrize("text", ["'a' <-> 'b'", "'a' <2> 'b'", "'cyk':*", "'a':AB", "( 'a'", "'a' &",
                                      "'a' 'b'", "'a' | | 'b'", "'a'')", "cykel"])
    def test_anything_else_is_refused(self, text):
        from ckanext.vgsamverkan.pgsearch import bits

        with pytest.raises(bits.NotBits):
            bits.parse(text)
