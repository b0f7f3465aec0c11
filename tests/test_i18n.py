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


def test_the_language_check_finds_the_other_language():
    from tests.language import wrong_language

    assert wrong_language("Pris: 18\u00a0500,00 kr. Ansök om anslutning", "sv") == []
    assert wrong_language(
        "A new application to take part in the regional collaboration waits for your decision.", "sv") != []
    assert any("18500.00" in f for f in wrong_language("Pris: 18500.00 kr", "sv"))
    assert any("SEK" in f for f in wrong_language("Pris: SEK 18,500.00", "sv"))
    assert wrong_language("Price: SEK 18,500.00 for 24.5 hours", "en") == []
    assert any("kr" in f for f in wrong_language("Price: 18 500,00 kr", "en"))
    assert wrong_language("Ett nytt avrop av stödresurser väntar på en expert.", "en") != []


def _every_mail(lang: str):
    """Every mail the extension composes, with every verb, in ``lang``: (what, subject, body)."""
    from ckanext.vgsamverkan.mail import texts as mailer

    person = {"id": "x1", "organization_title": "Alingsås kommun", "applicant_name": "Anna",
              "actor_name": "Anna", "decision_comment": "Välkomna", "reason": "Saknar avtal",
              "comment": "Enligt samtal", "user_name": "per", "user_display_name": "Per", "role": "editor",
              "expires": "2027-06-30", "effective_from": "2026-12-01", "effective_to": "2027-01-31",
              "org_type": "kommun"}
    connection = dict(person, information_sets="Trafikdata", investigator="Ivar", price="18500.00",
                      connected_date="2026-12-01",
                      quote={"solution": "Skörd", "effort_hours": "24.5", "price": "18500.00",
                             "valid_until": "2026-12-31"})
    calloff = dict(person, competence_area="metadata", estimated_hours="12.5", period_start="2026-11-01",
                   period_end="2026-12-31", description="Hjälp", expert_name="Eva", planned_hours="12.5",
                   contact="Anna", delivered_date="2026-12-10", logged_hours="10.25", amount="9737.50")
    out = [("submitted", *mailer.compose_submitted(lang, person)),
           ("publisher submitted", *mailer.compose_publisher_submitted(lang, person)),
           ("publisher told", *mailer.compose_publisher_told(lang, person)),
           ("comment", *mailer.compose_comment(lang, {"author_display_name": "Anna", "text": "Hej",
                                                       "object_type": "connection", "object_id": "x1"},
                                                "Alingsås kommun", "/samverkan"))]
    out += [(f"receipt {kind}", *mailer.compose_receipt(lang, kind, d))
            for kind, d in (("participation", person), ("publisher", person), ("connection", connection),
                            ("calloff", calloff))]
    out += [(f"receipt connection {v}", *mailer.compose_receipt(lang, "connection", connection, v))
            for v in ("accept", "decline")]
    out += [(f"participation {v}", *mailer.compose_decided(lang, person, v))
            for v in ("approve", "reject", "withdraw", "terminate")]
    out += [(f"publisher {v}", *mailer.compose_publisher_decided(lang, person, v))
            for v in ("approve", "reject", "withdraw", "revoke", "expire", "end", "remind")]
    out += [(f"connection {v}", *mailer.compose_connection(lang, connection, v))
            for v in ("create", "investigate", "quote", "accept", "decline", "complete", "cancel", "disconnect")]
    for price in ({"hourly_rate": "950.00"}, {"fixed_price": "12000.00"}):
        out += [(f"call-off {v} {price}", *mailer.compose_calloff(lang, dict(calloff, **price), v))
                for v in ("create", "assign", "deliver", "cancel")]
    return out


def test_every_mail_is_in_one_language_with_its_numbers():
    from tests.language import wrong_language

    problems = []
    for lang in ("sv", "en"):
        mails = _every_mail(lang)
        assert len(mails) == 37
        for what, subject, body in mails:
            found = wrong_language(subject + "\n" + body, lang)
            if found:
                problems.append(f"{lang} {what}: {found}")
    assert problems == []
    swedish = dict((w, b) for w, _s, b in _every_mail("sv"))
    assert "Pris: 18\u00a0500,00 kr (exkl. moms)" in swedish["connection quote"]
    assert "Insats: 24,5 timmar" in swedish["connection quote"]
    assert "Belopp: 9\u00a0737,50 kr (exkl. moms)" in swedish["call-off deliver {'hourly_rate': '950.00'}"]
    english = dict((w, b) for w, _s, b in _every_mail("en"))
    assert "Price: SEK 18,500.00 (before VAT)" in english["connection quote"]
    assert "Price: fixed price SEK 12,000.00 (before VAT)" in english["call-off assign {'fixed_price': '12000.00'}"]
