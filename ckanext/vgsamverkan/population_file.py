"""Reading population files (SCB tables and the shipped CSV). Pure: no database.

Accepts CSV (``,`` ``;`` or tab as the separator; UTF-8, UTF-16 with its byte-order mark,
or Windows-1252) and XLSX (the first sheet; read with the standard library), title lines
above the header row (as SCB's tables have them), Swedish or English column names,
thousands separators (space, no-break space, thin space, ``.``) and SCB's combined region
column (``1480 Göteborg``), in which the rows of the country and the counties are passed
over. A malformed file is refused whole: :class:`PopulationFileError` names the line and,
where it is one column's value, the column.

Bounded work (SPEC "Bounded work"): a file is read within limits, whatever it claims. A
workbook's XML is read as a stream, at most ``MAX_UNPACKED`` bytes of it in all (a small
file may inflate a thousandfold); a DTD is refused, so no entity is ever expanded; cell
references beyond Excel's own last cell (``XFD1048576``) and shared-string indexes that do
not exist are refused; only cells with a value are kept, and at most ``MAX_COLUMNS``
columns and ``MAX_ROWS`` rows. A CSV line may have at most ``MAX_LINE`` characters. Digits
are ASCII digits only: ``٣`` or ``２`` is not a number here.
"""
from __future__ import annotations

import codecs
import csv
import io
import os
import re
import zipfile
import zlib
from typing import Any
from xml.parsers import expat

from ckanext.vgsamverkan.formats import not_one_line

CODE_NAMES = {"kommunkod", "kod", "code", "municipality_code", "kommun_kod", "regionkod"}
NAME_NAMES = {"kommun", "kommunnamn", "name", "municipality", "namn"}
POPULATION_NAMES = {"population", "folkmängd", "folkmangd", "befolkning", "antal", "invånare"}
REGION_NAMES = {"region"}
YEAR_NAMES = {"year", "år", "ar"}

_REGION = re.compile(r"^\s*([0-9]{4})\s+(.+?)\s*$")
_THOUSANDS = re.compile(r"[\s\u00a0\u202f\u2009.]")
_INHABITANTS = re.compile(r"[0-9]{1,8}")  # Sweden has some ten million; a municipality far fewer
NAME_LENGTH = 200  # as the import's schema (logic/schema.py TEXT_SHORT)

MAX_ROWS = 10_000  # rows with a value (SCB's table of all 290 municipalities has about 310)
MAX_COLUMNS = 200  # columns (SCB's widest table, a year a column since 1968, has about 60)
MAX_LINE = 20_000  # characters of one CSV line
MAX_VALUE = 1_000  # characters of one value
MAX_UNPACKED = 8 * 1024 * 1024  # bytes of XML read from a workbook, all parts together (SCB's: < 1 MB)
MAX_ELEMENTS = 400_000  # XML elements of a workbook, all parts together (expat takes ~2 µs each)
MAX_TEXTS = 100_000  # shared strings of a workbook
_EXCEL_COLUMNS, _EXCEL_ROWS = 16_384, 1_048_576  # XFD1048576


_MUNICIPALITY_CODE = re.compile(r"[0-9]{4}")


def is_municipality_code(text: str) -> bool:
    """Four ASCII digits (``1480``): the form of a kommunkod everywhere in the portal (the
    file, the import, the validators); ``str.isdigit()`` and ``\\d`` also take ``١٤٨٠``."""
    return bool(_MUNICIPALITY_CODE.fullmatch(text))


class PopulationFileError(ValueError):
    """What is wrong with a file, on which line and (where it is one value) in which
    column (its title in the file). ``template`` is one of PROBLEMS (the pages translate
    it), ``message`` it said in English with ``params`` (the CLI)."""

    def __init__(self, line: int, template: str, column: str | None = None, **params: Any) -> None:
        self.line = line
        self.template = template
        self.column = column
        self.params = params
        self.message = template.format(**params)
        where = f"line {line}" + (f", column {column!r}" if column else "")
        super().__init__(f"{where}: {self.message}")


# every problem a file can have, for the pages to translate (views/coordinator.py)
PROBLEMS = (
    "the file has no header row",
    "no population column (folkmängd/population)",
    "no municipality code column (kommunkod/code/region)",
    "expected {expected} columns, found {found}",
    "not a year: {value}",
    "not a municipality: {value}",
    "not a municipality code: {value}",
    "municipality {code} appears twice",
    "not a number of inhabitants: {value}",
    "no figures for {year}",
    "the workbook has no sheet",
    "not a readable XLSX workbook ({error})",
    "the file is not text in UTF-8, UTF-16 or Windows-1252",
    "not readable as CSV ({error})",
    "the line is longer than {limit} characters",
    "a value is longer than {limit} characters",
    "the table has more than {limit} rows",
    "the table has more than {limit} columns",
    "the workbook unpacks to more than {limit} MB",
    "the workbook has more than {limit} texts",
    "the workbook declares a DTD, which is not read",
    "cell reference {ref} is beyond Excel's last cell XFD1048576",
    "text number {index} of the workbook does not exist",
    "the workbook has more than {limit} XML elements",
    "a municipality's name is longer than {limit} characters",
    "a municipality's name has a line break or another control character",
)


def _shown(value: str) -> str:
    """A value as a message quotes it: at most 40 characters."""
    return repr(value if len(value) <= 40 else value[:40] + "…")


def _column(header: list[str], names: set[str]) -> int | None:
    """The column whose title is one of ``names``, or begins with one and a space (SCB
    writes "Folkmängd 31 december 2024")."""
    for i, title in enumerate(header):
        text = title.strip().lower()
        if text in names or (text.split(" ")[0] in names and " " in text):
            return i
    return None


def _number(text: str) -> int | None:
    cleaned = _THOUSANDS.sub("", text.strip())
    return int(cleaned) if _INHABITANTS.fullmatch(cleaned) else None


_HEADER_WITHIN = 15  # title lines an SCB table may have above its header row
_REF = re.compile(r"([A-Z]{1,3})([0-9]{1,7})")
_WHOLE_FLOAT = re.compile(r"[0-9]+\.0+")  # a whole number stored as a float


class _Budget:
    """The bytes of XML a workbook may still unpack, and the elements it may still have."""

    def __init__(self) -> None:
        self.left = MAX_UNPACKED
        self.elements = MAX_ELEMENTS

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise PopulationFileError(1, "the workbook unpacks to more than {limit} MB",
                                      limit=MAX_UNPACKED // (1024 * 1024))

    def element(self) -> None:
        self.elements -= 1
        if self.elements < 0:
            raise PopulationFileError(1, "the workbook has more than {limit} XML elements", limit=MAX_ELEMENTS)


def _stream(book: zipfile.ZipFile, name: str, budget: _Budget, start, end, text) -> None:
    """Parse one XML part of the workbook as a stream, element by element (local names),
    within the budget; a DTD (and with it any entity) is refused before it is read."""
    parser = expat.ParserCreate(namespace_separator="}")

    def no_dtd(*_args: Any) -> None:
        raise PopulationFileError(1, "the workbook declares a DTD, which is not read")

    parser.StartDoctypeDeclHandler = no_dtd
    parser.EntityDeclHandler = no_dtd

    def started(tag: str, attrs: dict) -> None:
        budget.element()
        start(tag.rsplit("}", 1)[-1], attrs)

    parser.StartElementHandler = started
    parser.EndElementHandler = lambda tag: end(tag.rsplit("}", 1)[-1])
    parser.CharacterDataHandler = text
    with book.open(name) as part:
        while chunk := part.read(64 * 1024):
            budget.spend(len(chunk))
            parser.Parse(chunk, False)
    parser.Parse(b"", True)


def _shared_strings(book: zipfile.ZipFile, budget: _Budget) -> list[str]:
    """The workbook's shared strings: each ``si``'s text, phonetic runs left out."""
    texts: list[str] = []
    state: dict[str, Any] = {"in_t": False, "phonetic": 0, "parts": []}

    def start(tag: str, _attrs: dict) -> None:
        if tag == "si":
            state["parts"] = []
        elif tag == "rPh":
            state["phonetic"] += 1
        elif tag == "t":
            state["in_t"] = not state["phonetic"]

    def end(tag: str) -> None:
        if tag == "si":
            if len(texts) >= MAX_TEXTS:
                raise PopulationFileError(1, "the workbook has more than {limit} texts", limit=MAX_TEXTS)
            texts.append("".join(state["parts"])[:MAX_VALUE + 1])
        elif tag == "rPh":
            state["phonetic"] -= 1
        elif tag == "t":
            state["in_t"] = False

    def text(data: str) -> None:
        if state["in_t"]:
            state["parts"].append(data)

    _stream(book, "xl/sharedStrings.xml", budget, start, end, text)
    return texts


def _sheet_rows(book: zipfile.ZipFile, sheet: str, shared: list[str], budget: _Budget) -> list[tuple[int, list[str]]]:
    """The rows of a sheet that have a value: ``(row number, cells as text)``."""
    rows: list[tuple[int, list[str]]] = []
    state: dict[str, Any] = {"line": 0, "cells": {}, "column": -1, "cell": None, "kind": None,
                             "collect": False, "parts": []}

    def start(tag: str, attrs: dict) -> None:
        if tag == "row":
            number = attrs.get("r", "")
            readable = number.isascii() and number.isdigit() and len(number) <= 7
            state["line"] = int(number) if readable and 1 <= int(number) <= _EXCEL_ROWS else state["line"] + 1
            state["cells"], state["column"] = {}, -1
        elif tag == "c":
            ref = attrs.get("r")
            if ref is None:
                state["column"] += 1
            else:
                m = _REF.fullmatch(ref)
                column = 0
                for ch in m.group(1) if m else "":
                    column = column * 26 + ord(ch) - 64
                if not m or column > _EXCEL_COLUMNS or not 1 <= int(m.group(2)) <= _EXCEL_ROWS:
                    raise PopulationFileError(state["line"], "cell reference {ref} is beyond Excel's last cell "
                                              "XFD1048576", ref=_shown(ref))
                state["column"] = column - 1
            state["kind"], state["parts"] = attrs.get("t"), []
        elif tag in ("v", "t"):
            state["collect"] = True

    def end(tag: str) -> None:
        if tag in ("v", "t"):
            state["collect"] = False
        elif tag == "c":
            value = "".join(state["parts"])
            if state["kind"] == "s" and value:
                index = value.strip()
                if not (index.isascii() and index.isdigit() and len(index) <= 7 and int(index) < len(shared)):
                    raise PopulationFileError(state["line"], "text number {index} of the workbook does not exist",
                                              index=_shown(index))
                value = shared[int(index)]
            elif _WHOLE_FLOAT.fullmatch(value):
                value = value.split(".")[0]
            if value.strip():
                if state["column"] >= MAX_COLUMNS:
                    raise PopulationFileError(state["line"], "the table has more than {limit} columns",
                                              limit=MAX_COLUMNS)
                if len(value) > MAX_VALUE:
                    raise PopulationFileError(state["line"], "a value is longer than {limit} characters",
                                              limit=MAX_VALUE)
                state["cells"][state["column"]] = value
        elif tag == "row" and state["cells"]:
            if len(rows) >= MAX_ROWS:
                raise PopulationFileError(state["line"], "the table has more than {limit} rows", limit=MAX_ROWS)
            cells = state["cells"]
            rows.append((state["line"], [cells.get(i, "") for i in range(max(cells) + 1)]))

    def text(data: str) -> None:
        if state["collect"]:
            state["parts"].append(data)

    _stream(book, sheet, budget, start, end, text)
    return rows


def _xlsx_rows(content: bytes) -> list[tuple[int, list[str]]]:
    """The rows of the first sheet of an XLSX workbook that have a value, as text."""
    try:
        book = zipfile.ZipFile(io.BytesIO(content))
        names = set(book.namelist())
        budget = _Budget()
        shared = _shared_strings(book, budget) if "xl/sharedStrings.xml" in names else []
        sheets = sorted((n for n in names if re.fullmatch(r"xl/worksheets/sheet[0-9]+\.xml", n)),
                        key=lambda n: int(n[len("xl/worksheets/sheet"):-4]))
        if not sheets:
            raise PopulationFileError(1, "the workbook has no sheet")
        return _sheet_rows(book, sheets[0], shared, budget)
    except PopulationFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, expat.ExpatError, zlib.error, EOFError, OSError,
            NotImplementedError, RuntimeError, KeyError, ValueError, LookupError) as e:  # LookupError: an
        # XML declaration naming an encoding Python does not have (or one not of text, rot13)
        raise PopulationFileError(1, "not a readable XLSX workbook ({error})", error=str(e)[:200]) from e


def _decode(content: bytes) -> str:
    """The text of a CSV file: UTF-8 (with or without its byte-order mark), UTF-16 with
    its byte-order mark, or else Windows-1252; anything else is not a text file here."""
    try:
        if content.startswith(codecs.BOM_UTF8):
            text = content[len(codecs.BOM_UTF8):].decode("utf-8")
        elif content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            text = content.decode("utf-16")
        else:
            try:
                text = content.decode("utf-8")
            except UnicodeDecodeError:
                text = content.decode("cp1252")
    except UnicodeDecodeError:
        text = "\x00"
    if "\x00" in text:
        raise PopulationFileError(1, "the file is not text in UTF-8, UTF-16 or Windows-1252")
    return text


def _csv_rows(content: bytes | str) -> list[tuple[int, list[str]]]:
    text = _decode(content) if isinstance(content, bytes) else content.lstrip("\ufeff")
    for number, line in enumerate(text.split("\n"), start=1):
        if len(line) > MAX_LINE:
            raise PopulationFileError(number, "the line is longer than {limit} characters", limit=MAX_LINE)
    lines = [line for line in text.splitlines()[:_HEADER_WITHIN] if line.strip()]
    if not lines:
        raise PopulationFileError(1, "the file has no header row")
    delimiter = max([";", "\t", ","], key=lambda d: max(line.count(d) for line in lines))
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(rows) >= MAX_ROWS:
                raise PopulationFileError(reader.line_num, "the table has more than {limit} rows", limit=MAX_ROWS)
            if len(row) > MAX_COLUMNS:
                raise PopulationFileError(reader.line_num, "the table has more than {limit} columns",
                                          limit=MAX_COLUMNS)
            if any(len(cell) > MAX_VALUE for cell in row):
                raise PopulationFileError(reader.line_num, "a value is longer than {limit} characters",
                                          limit=MAX_VALUE)
            rows.append((reader.line_num, row))
    except csv.Error as e:
        raise PopulationFileError(reader.line_num + 1, "not readable as CSV ({error})", error=str(e)) from e
    return rows


def parse(content: bytes | str, year: int) -> tuple[list[dict[str, Any]], int]:
    """Records for ``year`` as ``[{municipality_code, name, population}]``, and how many
    rows of other years a file with a year column had (they are skipped)."""
    workbook = isinstance(content, bytes) and content[:4] == b"PK\x03\x04"
    rows = _xlsx_rows(content) if isinstance(content, bytes) and workbook else _csv_rows(content)
    # the header: the first row (of the first few) that names a population and a municipality
    start = next((i for i, (_, row) in enumerate(rows[:_HEADER_WITHIN])
                  if _column(row, POPULATION_NAMES) is not None
                  and (_column(row, CODE_NAMES) is not None or _column(row, REGION_NAMES) is not None)), None)
    if start is None:
        if not rows:
            raise PopulationFileError(1, "the file has no header row")
        line, header = rows[0]
        if _column(header, POPULATION_NAMES) is None:
            raise PopulationFileError(line, "no population column (folkmängd/population)")
        raise PopulationFileError(line, "no municipality code column (kommunkod/code/region)")
    header = rows[start][1]
    code_col = _column(header, CODE_NAMES)
    name_col = _column(header, NAME_NAMES)
    pop_col = _column(header, POPULATION_NAMES)
    region_col = _column(header, REGION_NAMES)
    year_col = _column(header, YEAR_NAMES)
    assert pop_col is not None and (code_col is not None or region_col is not None)  # the header's rule

    def title(col: int) -> str:
        return header[col].strip()[:60]

    records: list[dict[str, Any]] = []
    skipped = 0
    seen: set[str] = set()
    last_line = rows[-1][0]
    for line_no, row in rows[start + 1:]:
        if workbook:  # a workbook keeps only the cells with a value: the rest are empty
            row = row + [""] * (len(header) - len(row))
        if len(row) < len(header):
            raise PopulationFileError(line_no, "expected {expected} columns, found {found}",
                                      expected=len(header), found=len(row))
        if year_col is not None:
            row_year = _number(row[year_col])
            if row_year is None:
                raise PopulationFileError(line_no, "not a year: {value}", title(year_col), value=_shown(row[year_col]))
            if row_year != year:
                skipped += 1
                continue
        if code_col is not None:
            code = row[code_col].strip()
            name = row[name_col].strip() if name_col is not None else ""
            where = title(code_col)
        else:
            assert region_col is not None  # the header named the region when it named no code
            where = title(region_col)
            if re.match(r"^\s*([0-9]{2}\s|[0-9]{2}$|00\b|riket\b|sweden\b|totalt?\b)", row[region_col], re.I):
                continue  # the country's and the counties' rows of an SCB table
            m = _REGION.match(row[region_col])
            if not m:
                raise PopulationFileError(line_no, "not a municipality: {value}", where,
                                          value=_shown(row[region_col]))
            code, name = m.group(1), m.group(2)
        if not is_municipality_code(code):
            raise PopulationFileError(line_no, "not a municipality code: {value}", where, value=_shown(code))
        if code in seen:
            raise PopulationFileError(line_no, "municipality {code} appears twice", where, code=code)
        # the name as the import takes it (schema.population_record), so that the preview
        # never shows what the import would refuse
        named = title(name_col) if name_col is not None else where
        if len(name) > NAME_LENGTH:
            raise PopulationFileError(line_no, "a municipality's name is longer than {limit} characters", named,
                                      limit=NAME_LENGTH)
        if not_one_line(name):
            raise PopulationFileError(line_no, "a municipality's name has a line break or another control character",
                                      named)
        seen.add(code)
        population = _number(row[pop_col])
        if population is None:
            raise PopulationFileError(line_no, "not a number of inhabitants: {value}", title(pop_col),
                                      value=_shown(row[pop_col]))
        records.append({"municipality_code": code, "name": name or code, "population": population})
    if not records:
        raise PopulationFileError(last_line, "no figures for {year}", year=year)
    return records, skipped


SHIPPED = os.path.join(os.path.dirname(__file__), "data", "vg_population.csv")


def shipped_rows() -> list[dict[str, Any]]:
    """The default population shipped with the extension (SCB figures, see
    ``data/README.md``): ``[{municipality_code, name, year, population}]``."""
    with open(SHIPPED, encoding="utf-8") as f:
        return [
            {
                "municipality_code": r["kommunkod"],
                "name": r["kommun"],
                "year": int(r["year"]),
                "population": int(r["population"]),
            }
            for r in csv.DictReader(f)
        ]
