"""Peppol BIS Billing 3.0 documents (ckanext/vgsamverkan/peppol.py, issue 37), checked by
the official artefacts (tests/peppol_rules.py: the UBL 2.1 schema, the CEN and PEPPOL
EN 16931 rules with the Swedish ones), and the validator itself shown to catch broken
documents. Pure: no database."""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import zipfile
from decimal import Decimal

import pytest
from lxml import etree

from ckanext.vgsamverkan import peppol
from tests import peppol_rules

SELLER = peppol.Party(name="Dataportal Väst", legal_name="Regionen Exempel", org_number="2321000131",
                      endpoint="0007:2321000131", street="Regionens hus 1", postcode="405 44", city="Göteborg",
                      vat_number="SE232100013101", fskatt=True, contact_name="Samordnaren",
                      contact_email="samordnare@example.org")
BUYER = peppol.Party(name="Exempelstads kommun", legal_name="Exempelstads kommun", org_number="2120001355",
                     endpoint="0007:2120001355", identifier="1001", street="Storgatan 1", postcode="411 01",
                     city="Exempelstad")
LINES = (peppol.Line("Plattformsavgift", "Andel av plattformskostnaden, 31 dagar", 123457, Decimal("31"), "days"),
         peppol.Line("Regional avgift", "Fast regional del", 50000, Decimal("30.5"), "days"),
         peppol.Line("Expertstöd", "Metadata, 3,5 timmar", 350000, Decimal("3.5"), "hours"),
         peppol.Line("Justering", "Rättelse av oktober", -10000, Decimal(1), "each"))


def document(credit: bool = False, lines=LINES, **changes) -> peppol.Document:
    if credit:
        lines = tuple(dataclasses.replace(line, amount_ore=-line.amount_ore) for line in lines)
    net = sum(line.amount_ore for line in lines)
    vat = int((Decimal(net) * 25 / 100).quantize(Decimal(1)))
    data = dict(number="VGS-7", credit=credit, issue_date=dt.date(2026, 12, 7), due_date=dt.date(2027, 1, 6),
                period=(dt.date(2026, 11, 1), dt.date(2026, 11, 30)), buyer_reference="KOMMUN-4711",
                seller=SELLER, buyer=BUYER, payment=peppol.Payment("bankgiro", "5050-1055", 30), lines=lines,
                vat_rate=Decimal(25), net_ore=net, vat_ore=vat, note="Avgift november",
                corrects=("VGS-3", dt.date(2026, 11, 5)) if credit else None)
    data.update(changes)
    return peppol.Document(**data)


@pytest.mark.parametrize("credit", [False, True], ids=["invoice", "credit-note"])
@pytest.mark.parametrize("payment", [peppol.Payment("bankgiro", "5050-1055", 30),
                                     peppol.Payment("plusgiro", "90 20 03-3", 10),
                                     peppol.Payment("iban", "SE45 5000 0000 0583 9825 7466", 30)],
                         ids=["bankgiro", "plusgiro", "iban"])
def test_documents_pass_the_official_rules_without_a_finding(credit, payment):
    made = peppol.build(document(credit, payment=payment))
    assert peppol_rules.findings(made) == []
    root = etree.fromstring(made)
    assert etree.QName(root).localname == ("CreditNote" if credit else "Invoice")
    amounts = [Decimal(e.text) for e in root.iter("{*}LineExtensionAmount")]
    assert all(Decimal(p.text) >= 0 for p in root.iter("{*}PriceAmount"))
    # a credit note states the credit as positive amounts
    assert root.find(".//{*}PayableAmount").text == "6418.21"  # 5 134,57 + 25 % (1 283,64)
    assert amounts[:3] == [Decimal("5134.57"), Decimal("1234.57"), Decimal("500.00")]  # the total, then lines


def test_the_validator_catches_broken_documents():
    """The rules are really run: each break gives its rule (README of the artefacts)."""
    good = peppol.build(document())
    assert peppol_rules.fatal(good) == []
    payable = good.replace(b"SEK\">6418.21</cbc:PayableAmount>", b"SEK\">6418.22</cbc:PayableAmount>")
    assert "BR-CO-16" in {f[1] for f in peppol_rules.fatal(payable)}
    no_reference = good.replace(b"<cbc:BuyerReference>KOMMUN-4711</cbc:BuyerReference>", b"")
    assert "PEPPOL-EN16931-R003" in {f[1] for f in peppol_rules.fatal(no_reference)}
    bad_endpoint = good.replace(b'schemeID="0007">2120001355', b'schemeID="0007">2120001356')
    assert "PEPPOL-COMMON-R049" in {f[1] for f in peppol_rules.fatal(bad_endpoint)}
    schema = good.replace(b"<cbc:DocumentCurrencyCode>", b"<cbc:Nonsense/><cbc:DocumentCurrencyCode>")
    assert "UBL-schema" in {f[1] for f in peppol_rules.fatal(schema)}
    # and Peppol's own examples pass
    for name in ("base-example.xml", "base-creditnote-correction.xml", "Vat-category-S.xml"):
        with open(f"{peppol_rules.HERE}/examples/{name}", "rb") as f:
            assert peppol_rules.fatal(f.read()) == [], name


def test_the_same_data_gives_the_same_bytes():
    assert peppol.build(document()) == peppol.build(document())
    files = [("VGS-1.xml", peppol.build(document())), ("VGS-2.xml", peppol.build(document(True)))]
    assert peppol.zipped(files) == peppol.zipped(files)
    with zipfile.ZipFile(io.BytesIO(peppol.zipped(files))) as z:
        assert z.namelist() == ["VGS-1.xml", "VGS-2.xml"] and z.read("VGS-2.xml") == files[1][1]


def test_text_typed_by_people_never_changes_the_structure():
    hostile = '</cbc:Name><cbc:ID>X</cbc:ID> & "quoted" \x00\x1b\ufffe'
    buyer = dataclasses.replace(BUYER, name=hostile, legal_name=hostile, street=hostile, city="<![CDATA[x]]>")
    lines = (dataclasses.replace(LINES[0], description=hostile),)
    made = peppol.build(document(lines=lines, buyer=buyer, buyer_reference=hostile))
    root = etree.fromstring(made)  # an independent reader
    assert root.find(".//{*}AccountingCustomerParty//{*}PartyName/{*}Name").text == \
        '</cbc:Name><cbc:ID>X</cbc:ID> & "quoted"'
    assert len(list(root.iter("{*}InvoiceLine"))) == 1
    assert peppol_rules.fatal(made) == []


def test_lines_whose_quantity_does_not_price_exactly_become_one_piece():
    odd = (peppol.Line("Plattformsavgift", "Andel", 100000, Decimal("0.333333"), "days"),
           peppol.Line("Justering", "Kredit", -2500, None, None))
    made = peppol.build(document(lines=odd))
    assert peppol_rules.findings(made) == []
    quantities = [(q.text, q.get("unitCode")) for q in etree.fromstring(made).iter("{*}InvoicedQuantity")]
    assert quantities == [("0.333333", "DAY"), ("-1", "C62")]


@pytest.mark.parametrize("value,ok", [
    ("0007:2120001355", True), ("0007:2120001356", False), ("0007:212000135", False), ("0088:7300010000001", True),
    ("0088:7300010000002", False), ("9999:123", False), ("0192:987654321", False), ("0192:abc", False),
    ("0184:12345678", False), ("0002:FR23342", True), ("2120001355", False),
    ("0007:", False), (":2120001355", False), ("0007:21200 01355", False), ("0007:２１２０００１３５５", False)])
def test_endpoints(value, ok):
    assert (peppol.endpoint_problem(value) is None) is ok


def test_payment_accounts():
    assert peppol.bankgiro_ok("5050-1055") and not peppol.bankgiro_ok("5050-1056")
    assert not peppol.bankgiro_ok("123") and not peppol.bankgiro_ok("５０５０-１０５５")
    assert peppol.plusgiro_ok("90 20 03-3") and not peppol.plusgiro_ok("90 20 03-4")
    assert peppol.iban_ok("SE45 5000 0000 0583 9825 7466") and not peppol.iban_ok("SE45 5000 0000 0583 9825 7467")


def test_a_line_exempt_from_vat_is_category_e_with_its_reason():
    reason = "Undantagen från skatteplikt (test)"
    lines = (LINES[0], dataclasses.replace(LINES[2], exempt_reason=reason))
    taxed = LINES[0].amount_ore
    vat = int((Decimal(taxed) * 25 / 100).quantize(Decimal(1)))
    for credit in (False, True):
        made = peppol.build(document(credit, lines=lines, vat_ore=-vat if credit else vat))
        assert peppol_rules.findings(made) == [], credit
        root = etree.fromstring(made)
        categories = [(c.find("{*}ID").text, c.find("{*}Percent").text) for c in root.iter("{*}TaxCategory")]
        assert categories == [("S", "25"), ("E", "0")]
        assert root.find(".//{*}TaxExemptionReason").text == reason
    # every line exempt: one breakdown, E
    only = (dataclasses.replace(LINES[2], exempt_reason=reason),)
    made = peppol.build(document(lines=only, vat_ore=0))
    assert peppol_rules.findings(made) == []
    assert [c.find("{*}ID").text for c in etree.fromstring(made).iter("{*}TaxCategory")] == ["E"]
