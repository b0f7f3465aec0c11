"""Reading population files (SCB tables and the shipped CSV). Pure: no database.

Accepts a header row with Swedish or English column names, ``,`` ``;`` or tab as the
separator, a byte-order mark, thousands separators (space, no-break space, thin space,
``.``) and SCB's combined region column (``1480 Göteborg``). A malformed file is refused
whole: :class:`PopulationFileError` names the line.
"""
from __future__ import annotations

import csv
import io
import os
import re
from typing import Any

CODE_NAMES = {"kommunkod", "kod", "code", "municipality_code", "kommun_kod", "regionkod"}
NAME_NAMES = {"kommun", "kommunnamn", "name", "municipality", "namn"}
POPULATION_NAMES = {"population", "folkmängd", "folkmangd", "befolkning", "antal", "invånare"}
REGION_NAMES = {"region"}
YEAR_NAMES = {"year", "år", "ar"}

_REGION = re.compile(r"^\s*(\d{4})\s+(.+?)\s*$")
_THOUSANDS = re.compile(r"[\s\u00a0\u202f\u2009.]")


class PopulationFileError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line
        self.message = message


def _column(header: list[str], names: set[str]) -> int | None:
    for i, title in enumerate(header):
        if title.strip().lower() in names:
            return i
    return None


def _number(text: str) -> int | None:
    cleaned = _THOUSANDS.sub("", text.strip())
    return int(cleaned) if cleaned.isdigit() else None


def parse(content: bytes | str, year: int) -> tuple[list[dict[str, Any]], int]:
    """Records for ``year`` as ``[{municipality_code, name, population}]``, and how many
    rows of other years a file with a year column had (they are skipped)."""
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252")
    else:
        text = content.lstrip("\ufeff")
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise PopulationFileError(1, "the file has no header row")
    first = lines[0]
    delimiter = max([";", "\t", ","], key=first.count)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader)
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
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            raise PopulationFileError(line_no, f"expected {len(header)} columns, found {len(row)}")
        if year_col is not None:
            row_year = _number(row[year_col])
            if row_year is None:
                raise PopulationFileError(line_no, f"not a year: {row[year_col]!r}")
            if row_year != year:
                skipped += 1
                continue
        if code_col is not None:
            code = row[code_col].strip()
            name = row[name_col].strip() if name_col is not None else ""
        else:
            m = _REGION.match(row[region_col])
            if not m:
                raise PopulationFileError(line_no, f"not a municipality: {row[region_col]!r}")
            code, name = m.group(1), m.group(2)
        if not re.fullmatch(r"\d{4}", code):
            raise PopulationFileError(line_no, f"not a municipality code: {code!r}")
        if code in seen:
            raise PopulationFileError(line_no, f"municipality {code} appears twice")
        seen.add(code)
        population = _number(row[pop_col])
        if population is None:
            raise PopulationFileError(line_no, f"not a number of inhabitants: {row[pop_col]!r}")
        records.append({"municipality_code": code, "name": name or code, "population": population})
    if not records:
        raise PopulationFileError(len(lines), f"no figures for {year}")
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
