"""What text of the wrong language looks like, from the extension's own catalogue.

A Swedish page or mail must not contain any English sentence of the catalogue (a string
that was never passed through the catalogue, or a translation that is missing); an
English one must not contain a Swedish translation. Sentences are compared by their
literal fragments between placeholders, of three words or more, so that a short word
shared by both languages ("Status", "E-post") or user data cannot give a false alarm.

Numbers: Swedish text writes ``18 500,00 kr`` and ``24,5``; English ``SEK 18,500.00``.
"""
from __future__ import annotations

import os
import re
from functools import lru_cache

import polib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PO = os.path.join(ROOT, "ckanext/vgsamverkan/i18n/sv/LC_MESSAGES/ckanext-vgsamverkan.po")

_PLACEHOLDER = re.compile(r"\{\w*\}")
# an amount or a number with decimals written the English way, or the English currency
SWEDISH_TEXT_MUST_NOT_HAVE = re.compile(r"\bSEK\b|\b\d{1,3}(?:,\d{3})+\.\d{2}\b|\b\d+\.\d{2}\b(?!\.\d)")
ENGLISH_TEXT_MUST_NOT_HAVE = re.compile(r"\bkr\b|\bkronor\b|\d,\d{2}\b(?! ?\d)")


def _fragments(text: str) -> set[str]:
    found = set()
    for part in _PLACEHOLDER.split(text):
        part = " ".join(part.replace("\u00a0", " ").split()).strip(" .,:;()–-")
        if len(part.split()) >= 3:
            found.add(part)
    return found


@lru_cache(maxsize=1)
def fragments() -> tuple[frozenset[str], frozenset[str]]:
    """(English fragments, Swedish fragments) of every translated sentence whose two
    languages differ."""
    english, swedish = set(), set()
    for entry in polib.pofile(PO):
        if entry.obsolete or not entry.msgstr or entry.msgstr == entry.msgid:
            continue
        en, sv = _fragments(entry.msgid), _fragments(entry.msgstr)
        english |= en - sv
        swedish |= sv - en
    return frozenset(english), frozenset(swedish)


def wrong_language(text: str, lang: str) -> list[str]:
    """Sentences of the other language found in ``text`` (``lang`` is the one it should be
    in), and numbers written the other language's way."""
    flat = " ".join(text.replace("\u00a0", " ").split())
    english, swedish = fragments()
    foreign = english if lang == "sv" else swedish
    found = sorted(f for f in foreign if f in flat)
    pattern = SWEDISH_TEXT_MUST_NOT_HAVE if lang == "sv" else ENGLISH_TEXT_MUST_NOT_HAVE
    found += [f"number written the other way: {m.group()!r} in …{flat[max(m.start() - 40, 0):m.end() + 20]}…"
              for m in pattern.finditer(text)]
    return found
