"""Swedish organisationsnummer: format and Luhn checksum. Pure functions."""
from __future__ import annotations

import re

_PATTERN = re.compile(r"^([0-9]{6})-?([0-9]{4})$")  # ASCII digits only


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        n = int(ch) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def check_digit(first_nine: str) -> str:
    """The Luhn check digit that completes ``first_nine`` digits."""
    return next(d for d in "0123456789" if luhn_ok(first_nine + d))


def problem(value: str) -> str | None:
    """Why ``value`` is not a valid organisationsnummer: ``"format"``, ``"personal"``
    (the third digit is below 2, so it is a personal identity number) or ``"checksum"``;
    ``None`` when it is valid."""
    m = _PATTERN.match(value.strip())
    if not m:
        return "format"
    digits = m.group(1) + m.group(2)
    if int(digits[2]) < 2:
        return "personal"
    if not luhn_ok(digits):
        return "checksum"
    return None


def normalise(value: str) -> str:
    """``NNNNNN-NNNN`` for a value that :func:`problem` accepts."""
    digits = value.strip().replace("-", "")
    return f"{digits[:6]}-{digits[6:]}"
