"""The Swedish catalogue is complete: every string in the code and templates is
translated, and the compiled catalogue matches its source."""
from __future__ import annotations

import os
import subprocess
import sys

import polib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PO = os.path.join(ROOT, "ckanext/vgsamverkan/i18n/sv/LC_MESSAGES/ckanext-vgsamverkan.po")
MO = PO[:-3] + ".mo"


def test_every_string_is_translated_to_swedish(tmp_path):
    pot = tmp_path / "extracted.pot"
    subprocess.run(
        [sys.executable, "setup.py", "-q", "extract_messages", "--output-file", str(pot)],
        cwd=ROOT, check=True, capture_output=True,
    )
    extracted = {e.msgid for e in polib.pofile(str(pot)) if e.msgid}
    assert len(extracted) > 100
    catalogue = {e.msgid: e for e in polib.pofile(PO) if not e.obsolete}
    missing = sorted(m for m in extracted if m not in catalogue or not catalogue[m].msgstr)
    fuzzy = sorted(m for m in extracted if m in catalogue and "fuzzy" in catalogue[m].flags)
    assert missing == [], f"untranslated (run make i18n and translate): {missing}"
    assert fuzzy == [], f"fuzzy translations: {fuzzy}"


def test_placeholders_survive_translation():
    import re

    for entry in polib.pofile(PO):
        if entry.msgstr:
            assert set(re.findall(r"{\w+}", entry.msgid)) == set(re.findall(r"{\w+}", entry.msgstr)), entry.msgid


def test_compiled_catalogue_matches_source():
    compiled = {e.msgid: e.msgstr for e in polib.mofile(MO) if e.msgid}
    source = {e.msgid: e.msgstr for e in polib.pofile(PO) if e.msgid and e.msgstr and not e.obsolete}
    assert compiled == source, "run make i18n to compile the catalogue"
