"""Population files a person (or an attacker) may upload (issue 36, part 2; SPEC "Bounded
work"): every bad file, field, number, encoding or year is refused with the line (and
the column) named, within bounded memory and time. Pure: the reader has no database."""
from __future__ import annotations

import io
import tracemalloc
import zipfile

import pytest

from ckanext.vgsamverkan import population_file as pf
from ckanext.vgsamverkan.population_file import PopulationFileError, parse
from tests.xlsx import workbook

_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
GOOD = "kommunkod;kommun;folkmängd\n1480;Göteborg;608993\n1401;Härryda;40003\n"


def _book(sheet: str, shared: str | None = None, compression=zipfile.ZIP_DEFLATED) -> bytes:
    """A workbook whose sheet (and shared strings) are the XML given, as a hostile file
    would have them."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as z:
        # a fixed time: the same bytes in every process (pytest-xdist's workers must collect
        # the same parameters)
        z.writestr(zipfile.ZipInfo("xl/worksheets/sheet1.xml", (2026, 1, 1, 0, 0, 0)), sheet, compression)
        if shared is not None:
            z.writestr(zipfile.ZipInfo("xl/sharedStrings.xml", (2026, 1, 1, 0, 0, 0)), shared, compression)
    return out.getvalue()


def _sheet(rows: str, before: str = "") -> str:
    return f'<?xml version="1.0"?>{before}<worksheet {_NS}><sheetData>{rows}</sheetData></worksheet>'


HEADER = ('<row r="1"><c r="A1" t="inlineStr"><is><t>Region</t></is></c>'
          '<c r="B1" t="inlineStr"><is><t>Folkmängd</t></is></c></row>')


def _refused(content, year=2025) -> PopulationFileError:
    with pytest.raises(PopulationFileError) as e:
        parse(content, year)
    return e.value


class TestText:
    def test_utf16_with_its_mark_is_read(self):
        assert parse(GOOD.encode("utf-16"), 2025)[0][0]["name"] == "Göteborg"

    def test_utf16_without_its_mark_is_not_text(self):
        e = _refused(GOOD.encode("utf-16-le"))
        assert (e.line, e.template) == (1, "the file is not text in UTF-8, UTF-16 or Windows-1252")

    def test_bytes_windows_1252_does_not_have(self):
        e = _refused(b"kommunkod;folkm\x81ngd\n1480;1\n")  # 0x81 is not a character of cp1252
        assert e.template == "the file is not text in UTF-8, UTF-16 or Windows-1252"

    def test_a_field_longer_than_pythons_csv_limit(self):
        e = _refused(f"kommunkod;folkmängd\n1480;{'9' * 131_073}\n")
        assert (e.line, e.template) == (2, "the line is longer than {limit} characters")

    def test_a_quoted_field_over_many_short_lines(self):
        e = _refused('kommunkod;folkmängd\n1480;"' + "9\n" * 70_000 + '"\n')
        assert e.template in ("a value is longer than {limit} characters", "not readable as CSV ({error})")
        assert e.line >= 2

    def test_too_many_rows_and_columns(self):
        rows = "".join(f"{1000 + i % 9000};{i}\n" for i in range(pf.MAX_ROWS + 1))
        assert _refused("kommunkod;folkmängd\n" + rows).template == "the table has more than {limit} rows"
        e = _refused("kommunkod;folkmängd" + ";x" * pf.MAX_COLUMNS + "\n")
        assert (e.line, e.template) == (1, "the table has more than {limit} columns")


class TestNumbers:
    @pytest.mark.parametrize("value", ["999999999999999999999999999", "٣٠٠", "３００", "1e5", "-5", "²"])
    def test_not_a_number_of_inhabitants_names_line_and_column(self, value):
        e = _refused(f"kommunkod;folkmängd\n1480;1\n1401;{value}\n")
        assert (e.line, e.column, e.template) == (3, "folkmängd", "not a number of inhabitants: {value}")

    def test_a_year_in_other_digits(self):
        e = _refused("kommunkod;år;folkmängd\n1480;２０２５;1\n")
        assert (e.line, e.column, e.template) == (2, "år", "not a year: {value}")

    def test_a_municipality_code_in_other_digits(self):
        e = _refused("kommunkod;folkmängd\n١٤٨٠;1\n")
        assert (e.line, e.column, e.template) == (2, "kommunkod", "not a municipality code: {value}")

    def test_a_long_value_is_quoted_short(self):
        e = _refused(f"kommunkod;folkmängd\n1480;{'x' * 900}\n")
        assert len(str(e)) < 200


class TestWorkbook:
    def test_a_small_file_that_inflates_is_stopped_early_and_small(self):
        rows = "<row>" + " " * (300 * 1024 * 1024) + "</row>"  # 300 MB of nothing
        content = _book(_sheet(HEADER + rows))
        assert len(content) < 400 * 1024
        tracemalloc.start()
        try:
            e = _refused(content)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert e.template == "the workbook unpacks to more than {limit} MB"
        assert peak < 20 * 1024 * 1024, peak  # read as a stream: the file is never whole in memory

    def test_a_cell_beyond_excels_last_is_refused(self):
        e = _refused(_book(_sheet(HEADER + '<row r="2"><c r="ZZZZZ2"><v>1</v></c></row>')))
        assert (e.line, e.template) == (2, "cell reference {ref} is beyond Excel's last cell XFD1048576")
        assert _refused(_book(_sheet(HEADER + '<row r="2"><c r="A1048577"><v>1</v></c></row>'))).template == \
            "cell reference {ref} is beyond Excel's last cell XFD1048576"

    def test_excels_last_column_costs_nothing_but_is_beyond_a_population_table(self):
        e = _refused(_book(_sheet(HEADER + '<row r="2"><c r="XFD2"><v>1</v></c></row>')))
        assert (e.line, e.template) == (2, "the table has more than {limit} columns")

    def test_an_empty_styled_cell_far_right_is_no_column(self):
        sheet = _sheet(HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>1480 Göteborg</t></is></c>'
                       '<c r="B2"><v>5</v></c><c r="XFD2" s="1"/></row>')
        assert parse(_book(sheet), 2025)[0] == [{"municipality_code": "1480", "name": "Göteborg", "population": 5}]

    def test_a_dtd_is_refused_before_any_entity_is_expanded(self):
        laughs = '<!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        e = _refused(_book(_sheet(HEADER + '<row r="2"><c r="A2" t="inlineStr"><is><t>&b;</t></is></c></row>',
                                  before=laughs)))
        assert e.template == "the workbook declares a DTD, which is not read"
        e = _refused(_book(_sheet(HEADER), shared=f'<?xml version="1.0"?>{laughs}<sst {_NS}/>'))
        assert e.template == "the workbook declares a DTD, which is not read"

    @pytest.mark.parametrize("index", ["-1", "1", "99999999999", "٠"])
    def test_a_shared_string_that_does_not_exist(self, index):
        shared = f'<?xml version="1.0"?><sst {_NS}><si><t>1480 Göteborg</t></si></sst>'
        sheet = _sheet(HEADER + f'<row r="2"><c r="A2" t="s"><v>{index}</v></c><c r="B2"><v>5</v></c></row>')
        e = _refused(_book(sheet, shared))
        assert (e.line, e.template) == (2, "text number {index} of the workbook does not exist")

    def test_the_line_is_the_rows_own_number(self):
        sheet = _sheet(HEADER + '<row r="9"><c r="A9" t="inlineStr"><is><t>1480 Göteborg</t></is></c>'
                       '<c r="B9" t="inlineStr"><is><t>många</t></is></c></row>')
        e = _refused(_book(sheet))
        assert (e.line, e.column) == (9, "Folkmängd")

    def test_a_row_without_trailing_cells_is_read(self):
        content = workbook([["Kommunkod", "Folkmängd", "Kommun"], ["1480", 5]])
        assert parse(content, 2025)[0] == [{"municipality_code": "1480", "name": "1480", "population": 5}]

    def test_many_small_elements_are_stopped_early(self):
        """Found from outside: 5 million ``<c/>`` in 20 MB (20 KB packed) took 10 s."""
        import time

        started = time.monotonic()
        e = _refused(_book(_sheet(HEADER + "<row r='2'>" + "<c/>" * 1_000_000 + "</row>")))
        assert e.template == "the workbook has more than {limit} XML elements"
        assert time.monotonic() - started < 5

    @pytest.mark.parametrize("name", ["x" * 201, "Göte\u2028borg", "Göte\u202eborg", "\u200b"])
    def test_a_name_the_import_would_refuse_is_refused_at_once(self, name):
        e = _refused(f"kommunkod;kommun;folkmängd\n1480;{name};5\n")
        assert (e.line, e.column) == (2, "kommun") and "name" in e.template

    @pytest.mark.parametrize("content", [b"PK\x03\x04 not a zip", _book("<worksheet", None), _book(""),
                                         _book('<?xml version="1.0" encoding="x-nonexistent"?><worksheet/>'),
                                         _book('<?xml version="1.0" encoding="rot13"?><worksheet/>')],
                             ids=["not-a-zip", "unclosed", "empty", "unknown-encoding", "rot13"])
    def test_broken_workbooks(self, content):
        assert _refused(content).template == "not a readable XLSX workbook ({error})"
