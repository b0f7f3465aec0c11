"""A strict reader of SIE 4 files (typ 4I), written for the tests from the SIE 4
specification (SIE-gruppen, "SIE filformat, utgåva 4B/4C"), independently of the
extension's writer (fees/export.py): it knows the grammar, not our file.

What it checks, each a ``SieError`` naming the line:
- the file is CP437 (``#FORMAT PC8``) with CR LF or LF line ends, no control characters;
- ``#FLAGGA`` is the first record, then the identification records; every record is a
  known label with the fields the specification gives it, in their formats (dates
  ``YYYYMMDD`` that exist, amounts with a decimal point and at most two decimals,
  account numbers of digits, dimension numbers 1–99);
- fields are separated by spaces or tabs; a field with spaces is quoted, with ``\\"``
  for a quote inside; an object list is ``{dim "object" …}`` in braces;
- ``#SIETYP 4``; a ``#VER`` is followed by ``{`` on its own line, its ``#TRANS`` rows and
  ``}``; every ``#TRANS`` names a declared account (``#KONTO``) and only declared
  dimensions (``#DIM``) and objects (``#OBJEKT``);
- every voucher balances: its ``#TRANS`` amounts sum to exactly zero.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

_AMOUNT = re.compile(r"^-?\d+(\.\d{1,2})?$")
_ACCOUNT = re.compile(r"^\d{1,10}$")
_DATE = re.compile(r"^\d{8}$")


class SieError(ValueError):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass
class Trans:
    account: str
    objects: list[tuple[str, str]]
    amount: Decimal
    date: str | None
    text: str | None


@dataclass
class Voucher:
    series: str
    number: str
    date: str
    text: str
    trans: list[Trans] = field(default_factory=list)


@dataclass
class SieFile:
    items: dict[str, list[str]] = field(default_factory=dict)
    accounts: dict[str, str] = field(default_factory=dict)
    dimensions: dict[str, str] = field(default_factory=dict)
    objects: dict[tuple[str, str], str] = field(default_factory=dict)
    vouchers: list[Voucher] = field(default_factory=list)


def _tokens(text: str, line: int) -> list:
    """The fields of one record: strings, and object lists as lists of strings."""
    out: list = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in " \t":
            i += 1
        elif c == '"':
            i += 1
            buf = []
            while True:
                if i >= n:
                    raise SieError(line, "a quoted field is not closed")
                if text[i] == "\\" and i + 1 < n and text[i + 1] in '"\\':
                    buf.append(text[i + 1])
                    i += 2
                elif text[i] == '"':
                    i += 1
                    break
                else:
                    buf.append(text[i])
                    i += 1
            if i < n and text[i] not in " \t":
                raise SieError(line, "a quoted field runs into the next")
            out.append("".join(buf))
        elif c == "{":
            end = text.find("}", i)
            if end < 0:
                raise SieError(line, "an object list is not closed")
            inner = _tokens(text[i + 1:end], line)
            if any(isinstance(t, list) for t in inner) or len(inner) % 2:
                raise SieError(line, "an object list holds pairs of dimension and object")
            out.append(inner)
            i = end + 1
        else:
            j = i
            while j < n and text[j] not in " \t":
                if text[j] in '"{}':
                    raise SieError(line, f"an unquoted field holds {text[j]!r}")
                j += 1
            out.append(text[i:j])
            i = j
    return out


def _date(value: str, line: int) -> str:
    if not _DATE.match(value):
        raise SieError(line, f"not a date YYYYMMDD: {value!r}")
    try:
        dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as e:
        raise SieError(line, f"no such day: {value}") from e
    return value


def _amount(value: str, line: int) -> Decimal:
    if not _AMOUNT.match(value):
        raise SieError(line, f"not an amount (decimal point, at most two decimals): {value!r}")
    return Decimal(value)


# label: (least fields, most fields) after the label
_FIELDS = {
    "#FLAGGA": (1, 1), "#FORMAT": (1, 1), "#SIETYP": (1, 1), "#PROGRAM": (2, 2), "#GEN": (1, 2),
    "#FNAMN": (1, 1), "#ORGNR": (1, 3), "#FNR": (1, 1), "#ADRESS": (4, 4), "#RAR": (3, 3),
    "#VALUTA": (1, 1), "#KPTYP": (1, 1), "#PROSA": (1, 1), "#KONTO": (2, 2), "#KTYP": (2, 2),
    "#ENHET": (2, 2), "#SRU": (2, 2), "#DIM": (2, 2), "#UNDERDIM": (3, 3), "#OBJEKT": (3, 3),
    "#VER": (4, 6), "#TRANS": (3, 7), "#KSUMMA": (0, 1),
}
_HEADER = ("#FLAGGA", "#FORMAT", "#SIETYP", "#PROGRAM", "#GEN", "#FNAMN", "#ORGNR", "#FNR", "#ADRESS",
           "#RAR", "#VALUTA", "#KPTYP", "#PROSA", "#KONTO", "#KTYP", "#ENHET", "#SRU", "#DIM", "#UNDERDIM",
           "#OBJEKT", "#KSUMMA")


def parse(data: bytes) -> SieFile:
    try:
        text = data.decode("cp437")
    except UnicodeDecodeError as e:  # cp437 maps every byte: cannot happen, kept for clarity
        raise SieError(0, "not CP437") from e
    lines = text.split("\r\n") if "\r\n" in text else text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    sie = SieFile()
    voucher: Voucher | None = None
    in_block = False
    seen_ver = False
    for number, raw in enumerate(lines, 1):
        if any(ord(c) < 32 and c != "\t" for c in raw):
            raise SieError(number, "a control character")
        line = raw.strip(" \t")
        if not line:
            continue
        if line == "{":
            if voucher is None or in_block:
                raise SieError(number, "'{' not after a #VER")
            in_block = True
            continue
        if line == "}":
            if not in_block or voucher is None:
                raise SieError(number, "'}' without '{'")
            total = sum((t.amount for t in voucher.trans), Decimal(0))
            if total != 0:
                raise SieError(number, f"the voucher {voucher.text!r} does not balance: {total}")
            if not voucher.trans:
                raise SieError(number, f"the voucher {voucher.text!r} has no #TRANS")
            in_block, voucher = False, None
            continue
        if not line.startswith("#"):
            raise SieError(number, "a record must begin with #LABEL")
        label, _, rest = line.partition(" ")
        if label not in _FIELDS:
            raise SieError(number, f"unknown label {label}")
        fields = _tokens(rest, number)
        least, most = _FIELDS[label]
        if not least <= len(fields) <= most:
            raise SieError(number, f"{label} takes {least}–{most} fields, found {len(fields)}")
        if voucher is not None and not in_block:
            raise SieError(number, "a #VER must be followed by '{'")
        if in_block and label != "#TRANS":
            raise SieError(number, f"{label} inside a voucher")
        if not in_block and label == "#TRANS":
            raise SieError(number, "#TRANS outside a voucher")
        if not sie.items and label != "#FLAGGA":
            raise SieError(number, "the first record must be #FLAGGA")
        if label in _HEADER and seen_ver and label != "#KSUMMA":
            raise SieError(number, f"{label} after the first voucher")
        if any(isinstance(f, list) for f in fields) and label != "#TRANS":
            raise SieError(number, f"an object list in {label}")
        if label == "#FLAGGA" and fields[0] not in ("0", "1"):
            raise SieError(number, "#FLAGGA is 0 or 1")
        elif label == "#FORMAT" and fields[0] != "PC8":
            raise SieError(number, "#FORMAT must be PC8")
        elif label == "#SIETYP" and fields[0] != "4":
            raise SieError(number, "#SIETYP must be 4 here")
        elif label == "#GEN":
            _date(fields[0], number)
        elif label == "#KONTO":
            if not _ACCOUNT.match(fields[0]):
                raise SieError(number, f"not an account number: {fields[0]!r}")
            sie.accounts[fields[0]] = fields[1]
        elif label == "#DIM":
            if not fields[0].isdigit() or not 1 <= int(fields[0]) <= 99:
                raise SieError(number, f"not a dimension number: {fields[0]!r}")
            sie.dimensions[fields[0]] = fields[1]
        elif label == "#OBJEKT":
            if fields[0] not in sie.dimensions:
                raise SieError(number, f"#OBJEKT of an undeclared dimension {fields[0]}")
            sie.objects[(fields[0], fields[1])] = fields[2]
        elif label == "#VER":
            voucher = Voucher(series=fields[0], number=fields[1], date=_date(fields[2], number), text=fields[3])
            if len(fields) > 4 and fields[4]:
                _date(fields[4], number)
            sie.vouchers.append(voucher)
            seen_ver = True
            continue
        elif label == "#TRANS":
            assert voucher is not None
            account = fields[0]
            if not isinstance(account, str) or account not in sie.accounts:
                raise SieError(number, f"#TRANS on an undeclared account {account!r}")
            if not isinstance(fields[1], list):
                raise SieError(number, "#TRANS needs an object list, {} when empty")
            pairs = list(zip(fields[1][::2], fields[1][1::2], strict=True))
            for dim, obj in pairs:
                if (dim, obj) not in sie.objects:
                    raise SieError(number, f"#TRANS names an undeclared object {dim} {obj!r}")
            amount = _amount(fields[2], number)
            date = _date(fields[3], number) if len(fields) > 3 and fields[3] else None
            voucher.trans.append(Trans(account, pairs, amount, date, fields[4] if len(fields) > 4 else None))
            continue
        sie.items.setdefault(label, fields)
    if in_block or voucher is not None:
        raise SieError(len(lines), "the file ends inside a voucher")
    for required in ("#FLAGGA", "#FORMAT", "#SIETYP", "#PROGRAM", "#GEN", "#FNAMN"):
        if required not in sie.items:
            raise SieError(len(lines), f"{required} is missing")
    return sie
