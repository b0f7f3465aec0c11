"""Exhaustive matrices of the extension's own code, split between the two CKAN versions
that ``make test`` runs the suite on (docs/development.md, "Test speed").

The spellings of every id (tests/logic/test_auth.py) and the nasty values of every parameter
(tests/e2e/test_remote_fuzz.py) test our validators and id resolution, which are the same
code on both versions. Each version sends every case to every role with half of the
variants, alternating; the other version sends the other half, so one run of ``make
test`` covers the whole matrix. ``VGS_WHOLE_MATRIX=1`` sends every variant on one version
(``make test-211``, say)."""
from __future__ import annotations

import os
from typing import TypeVar

import ckan

T = TypeVar("T")


def this_versions_half(items: list[T]) -> list[T]:
    """Every other item, starting at 0 on CKAN 2.11 and at 1 on any other version."""
    if os.environ.get("VGS_WHOLE_MATRIX") == "1":
        return list(items)
    return list(items[0 if ckan.__version__.startswith("2.11.") else 1::2])
