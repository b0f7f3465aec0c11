"""Reading population files (SCB tables and the shipped CSV). Pure: no database.

Accepts CSV (``,`` ``;`` or tab as the separator, a byte-order mark, UTF-8 or
Windows-1252) and XLSX (the first sheet; read with the standard library), title lines
above the header row (as SCB's tables have them), Swedish or English column names,
thousands separators (space, no-break space, thin space, ``.``) and SCB's combined region
column (``1480 Göteborg``), in which the rows of the country and the counties are passed
over. A malformed file is refused whole: :class:`PopulationFileError` names the line.
"""
from __future__ import annotations

import csv
import io
import os
import re
import zipfile
from typing import Any
from xml.etree import ElementTree

CODE_NAMES = {"kommunkod", "kod", "code", "municipality_code", "kommun_kod", "regionkod"}
NAME_NAMES = {"kommun", "kommunnamn", "name", "municipality", "namn"}
POPULATION_NAMES = {"population", "folkmängd", "folkmangd", "befolkning", "antal", "invånare"}
REGION_NAMES = {"region"}
YEAR_NAMES = {"year", "år", "ar"}

_REGION = re.compile(r"^\s*(\d{4})\s+(.+?)\s*$")
_THOUSANDS = re.compile(r"[\s\u00a0\u202f\u2009.]")


class PopulationFileError(ValueError):
    """What is wrong with a file, and on which line. ``template`` is one of PROBLEMS (the
    pages translate it), ``message`` it said in English with ``params`` (the CLI)."""

    def __init__(self, line: int, template: str, **params: Any) -> None:
        self.line = line
        self.template = template
        self.params = params
        self.message = template.format(**params)
        super().__init__(f"line {line}: {self.message}")


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
)


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
    return int(cleaned) if cleaned.isdigit() else None


_XLSX = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_HEADER_WITHIN = 15  # title lines an SCB table may have above its header row


def _xlsx_rows(content: bytes) -> list[list[str]]:
    """The cells of the first sheet of an XLSX workbook, as text, row by row."""
    try:
        book = zipfile.ZipFile(io.BytesIO(content))
        names = book.namelist()
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            for item in ElementTree.fromstring(book.read("xl/sharedStrings.xml")).iter(f"{_XLSX}si"):
                shared.append("".join(t.text or "" for t in item.iter(f"{_XLSX}t")))
        sheets = sorted(n for n in names if re.fullmatch(r"xl/worksheets/sheet\d+\.xml", n))
        if not sheets:
            raise PopulationFileError(1, "the workbook has no sheet")
        sheet = "xl/worksheets/sheet1.xml" if "xl/worksheets/sheet1.xml" in sheets else sheets[0]
        rows: list[list[str]] = []
        for row in ElementTree.fromstring(book.read(sheet)).iter(f"{_XLSX}row"):
            cells: dict[int, str] = {}
            for cell in row.iter(f"{_XLSX}c"):
                letters = re.match(r"[A-Z]+", cell.get("r", "")).group(0) if cell.get("r") else None
                column = len(cells) if letters is None else sum(
                    (ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(letters))) - 1
                kind = cell.get("t")
                if kind == "inlineStr":
                    value = "".join(t.text or "" for t in cell.iter(f"{_XLSX}t"))
                else:
                    raw = cell.find(f"{_XLSX}v")
                    value = raw.text if raw is not None and raw.text is not None else ""
                    if kind == "s" and value:
                        value = shared[int(value)]
                    elif re.fullmatch(r"\d+\.0+", value):  # a whole number stored as a float
                        value = value.split(".")[0]
                cells[column] = value
            rows.append([cells.get(i, "") for i in range(max(cells) + 1)] if cells else [])
        return rows
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, IndexError, ValueError) as e:
        raise PopulationFileError(1, "not a readable XLSX workbook ({error})", error=e) from e


def _csv_rows(content: bytes | str) -> list[list[str]]:
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252")
    else:
        text = content.lstrip("\ufeff")
    lines = [line for line in text.splitlines()[:_HEADER_WITHIN] if line.strip()]
    if not lines:
        raise PopulationFileError(1, "the file has no header row")
    delimiter = max([";", "\t", ","], key=lambda d: max(line.count(d) for line in lines))
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def parse(content: bytes | str, year: int) -> tuple[list[dict[str, Any]], int]:
    """Records for ``year`` as ``[{municipality_code, name, population}]``, and how many
    rows of other years a file with a year column had (they are skipped)."""
    rows = _xlsx_rows(content) if isinstance(content, bytes) and content[:4] == b"PK\x03\x04" \
        else _csv_rows(content)
    # the header: the first row (of the first few) that names a population and a municipality
    start = next((i for i, row in enumerate(rows[:_HEADER_WITHIN])
                  if _column(row, POPULATION_NAMES) is not None
                  and (_column(row, CODE_NAMES) is not None or _column(row, REGION_NAMES) is not None)), None)
    if start is None:
        if not rows or not any(cell.strip() for cell in rows[0]):
            raise PopulationFileError(1, "the file has no header row")
        header = rows[0]
        if _column(header, POPULATION_NAMES) is None:
            raise PopulationFileError(1, "no population column (folkmängd/population)")
        raise PopulationFileError(1, "no municipality code column (kommunkod/code/region)")
    header = rows[start]
    reader = iter(rows[start + 1:])
    lines = rows
    code_col = _column(header, CODE_NAMES)
    name_col = _column(header, NAME_NAMES)
    pop_col = _column(header, POPULATION_NAMES)
    region_col = _column(header, REGION_NAMES)
    year_col = _column(header, YEAR_NAMES)
    if pop_col is None:
        raise PopulationFileError(1, "no population column (folkmängd/population)")
    if code_col is None and region_col is None:
        raise PopulationFileError(1, "no municipality code column (kommunkod/code/region)")

    records: list[dict[str, Any]] = []
    skipped = 0
    seen: set[str] = set()
    for line_no, row in enumerate(reader, start=start + 2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise PopulationFileError(line_no, "expected {expected} columns, found {found}",
                                      expected=len(header), found=len(row))
        if year_col is not None:
            row_year = _number(row[year_col])
            if row_year is None:
                raise PopulationFileError(line_no, "not a year: {value}", value=repr(row[year_col]))
            if row_year != year:
                skipped += 1
                continue
        if code_col is not None:
            code = row[code_col].strip()
            name = row[name_col].strip() if name_col is not None else ""
        else:
            if re.match(r"^\s*(\d{2}\s|\d{2}$|00\b|riket\b|sweden\b|totalt?\b)", row[region_col], re.I):
                continue  # the country's and the counties' rows of an SCB table
            m = _REGION.match(row[region_col])
            if not m:
                raise PopulationFileError(line_no, "not a municipality: {value}", value=repr(row[region_col]))
            code, name = m.group(1), m.group(2)
        if not re.fullmatch(r"\d{4}", code):
            raise PopulationFileError(line_no, "not a municipality code: {value}", value=repr(code))
        if code in seen:
            raise PopulationFileError(line_no, "municipality {code} appears twice", code=code)
        seen.add(code)
        population = _number(row[pop_col])
        if population is None:
            raise PopulationFileError(line_no, "not a number of inhabitants: {value}", value=repr(row[pop_col]))
        records.append({"municipality_code": code, "name": name or code, "population": population})
    if not records:
        raise PopulationFileError(len(lines), "no figures for {year}", year=year)
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
