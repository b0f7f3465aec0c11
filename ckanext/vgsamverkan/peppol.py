"""Peppol BIS Billing 3.0 (UBL 2.1) invoices and credit notes, and the checks of the
identifiers they carry. Pure: data in, bytes out (issue 37; SPEC "E-invoices").

The document follows the order of the UBL 2.1 schema and the rules of CEN EN 16931 and
Peppol, Swedish national rules included (tests run the official artefacts over every
document made). What a person typed is written as XML text (escaped) with the
characters XML 1.0 cannot carry removed; one-line fields refuse them at input already.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from xml.etree import ElementTree as ET

from ckanext.vgsamverkan import orgnumber

CUSTOMIZATION = "urn:cen.eu:en16931:2017#compliant#urn:fdc:peppol.eu:2017:poacc:billing:3.0"
PROFILE = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS = {
    "Invoice": "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2",
    "CreditNote": "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
}
CURRENCY = "SEK"
FSKATT = "Godkänd för F-skatt"
# the CEF EAS code list of endpoint schemes, as the CEN rules have it (BR-CL-25)
EAS = frozenset(
    "0002 0007 0009 0037 0060 0088 0096 0097 0106 0130 0135 0142 0147 0151 0154 0158 0170 0177 0183 "
    "0184 0188 0190 0191 0192 0193 0194 0195 0196 0198 0199 0200 0201 0202 0203 0204 0205 0208 0209 "
    "0210 0211 0212 0213 0215 0216 0217 0218 0219 0220 0221 0225 0230 0235 0240 9910 9913 9914 9915 "
    "9918 9919 9920 9922 9923 9924 9925 9926 9927 9928 9929 9930 9931 9932 9933 9934 9935 9936 9937 "
    "9938 9939 9940 9941 9942 9943 9944 9945 9946 9947 9948 9949 9950 9951 9952 9953 9957 9959 AN AQ "
    "AS AU EM".split())
# schemes whose identifiers Peppol's rules check by rules of their own (PEPPOL-COMMON-R*:
# Norwegian, Danish, Belgian, Italian, Australian, Icelandic… numbers); this portal checks
# 0007 and 0088 itself and refuses these, so that no invoice it issues breaks a rule
CHECKED_ELSEWHERE = frozenset("0151 0184 0192 0196 0201 0208 0210 0211 9906 9907".split())
# the VAT rates a Swedish seller may state (SE-R-006)
SWEDISH_VAT_RATES = (Decimal(25), Decimal(12), Decimal(6))
# UN/ECE Recommendation 20 units of a statement line's unit
UNITS = {"days": "DAY", "hours": "HUR", "each": "C62", "months": "MON"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_ENDPOINT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.:_-]{0,99}$")


# -- identifiers ---------------------------------------------------------------------

def luhn(digits: str) -> bool:
    return bool(digits) and digits.isascii() and digits.isdigit() and orgnumber.luhn_ok(
        digits.rjust(len(digits) + len(digits) % 2, "0"))


def N_(text: str) -> str:  # noqa: N802 (marks a message for the catalogue; the caller translates)
    return text


def endpoint_problem(value: str) -> str | None:
    """Why ``value`` (``scheme:id``) is no Peppol endpoint this portal writes, in English
    (the caller translates), or None: a scheme of the EAS list; for ``0007`` a Swedish
    organisationsnummer (ten digits, Luhn check digit, PEPPOL-COMMON-R049), for ``0088``
    a GLN (thirteen digits, its check digit)."""
    scheme, sep, ident = value.partition(":")
    if not sep or not scheme or not ident:
        return N_("Write the endpoint as scheme:identifier, such as 0007:2120001355")
    if scheme not in EAS:
        return N_("Unknown endpoint scheme {scheme}: use one of the Peppol EAS list (0007 organisationsnummer, "
                  "0088 GLN)")
    if scheme in CHECKED_ELSEWHERE:
        return N_("The portal cannot check identifiers of scheme {scheme} (a foreign registry): use 0007 "
                  "(organisationsnummer) or 0088 (GLN)")
    if not _ENDPOINT_ID.match(ident):
        return N_("The identifier after the scheme has characters an endpoint cannot have")
    if scheme == "0007" and (len(ident) != 10 or not ident.isdigit() or not orgnumber.luhn_ok(ident)):
        return N_("With scheme 0007 the identifier is an organisationsnummer: ten digits with a valid check digit")
    if scheme == "0088" and (len(ident) != 13 or not ident.isdigit() or not gln_ok(ident)):
        return N_("With scheme 0088 the identifier is a GLN: thirteen digits with a valid check digit")
    return None


def gln_ok(digits: str) -> bool:
    """GS1's mod-10 check digit (weights 3 and 1 from the right, check digit excluded)."""
    body, check = digits[:-1], int(digits[-1])
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def bankgiro_ok(value: str) -> bool:
    """A bankgiro number: seven or eight digits (a hyphen allowed), Luhn check digit."""
    digits = value.replace("-", "").strip()
    return digits.isascii() and digits.isdigit() and len(digits) in (7, 8) and luhn(digits)


def plusgiro_ok(value: str) -> bool:
    """A plusgiro number: two to eight digits (a hyphen allowed), Luhn check digit."""
    digits = value.replace("-", "").replace(" ", "").strip()
    return digits.isascii() and digits.isdigit() and 2 <= len(digits) <= 8 and luhn(digits)


def iban_ok(value: str) -> bool:
    """An IBAN: country, check digits and account; mod 97 = 1 (ISO 13616)."""
    text = value.replace(" ", "").upper()
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}", text):
        return False
    rearranged = text[4:] + text[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def digits_of(org_number: str | None) -> str:
    return "".join(ch for ch in str(org_number or "") if ch.isascii() and ch.isdigit())


# -- the document ----------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Party:
    name: str                     # the trading name (PartyName)
    legal_name: str               # RegistrationName
    org_number: str               # ten digits
    endpoint: str                 # scheme:id
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    identifier: str | None = None  # the buyer's customer number (BT-46)
    vat_number: str | None = None  # the seller's
    fskatt: bool = False           # the seller's
    contact_name: str | None = None
    contact_email: str | None = None


@dataclasses.dataclass(frozen=True)
class Payment:
    kind: str      # bankgiro, plusgiro or iban
    account: str
    terms_days: int


@dataclasses.dataclass(frozen=True)
class Line:
    name: str          # the kind, as the item's name
    description: str   # the statement line's text
    amount_ore: int    # the line's net amount, as on the statement (sign included)
    quantity: Decimal | None
    unit: str | None   # the statement's unit (days, hours, each)
    exempt_reason: str | None = None  # VAT category E with this reason; else S


@dataclasses.dataclass(frozen=True)
class Document:
    number: str
    credit: bool                  # a credit note (the statement's total is negative)
    issue_date: dt.date
    due_date: dt.date | None
    period: tuple[dt.date, dt.date]
    buyer_reference: str
    seller: Party
    buyer: Party
    payment: Payment
    lines: tuple[Line, ...]
    vat_rate: Decimal
    net_ore: int
    vat_ore: int
    note: str | None = None
    corrects: tuple[str, dt.date] | None = None  # the invoice a credit note corrects


def _clean(text: str | None) -> str:
    return _NOT_XML.sub("", str(text or "")).strip()


def _amount(ore: int) -> str:
    return f"{Decimal(ore) / 100:.2f}"


def _decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text if text not in ("-0", "") else "0"


def _rate(value: Decimal) -> str:
    return _decimal(Decimal(value))


class _Writer:
    def __init__(self, root: ET.Element) -> None:
        self.root = root

    @staticmethod
    def cbc(parent: ET.Element, name: str, text: str, **attrs: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{NS['cbc']}}}{name}", attrs)
        element.text = _clean(text)
        return element

    @staticmethod
    def cac(parent: ET.Element, name: str) -> ET.Element:
        return ET.SubElement(parent, f"{{{NS['cac']}}}{name}")


def _priced(line: Line, sign: int) -> tuple[Decimal, str, Decimal]:
    """(quantity, unit code, net price in SEK) of a line whose net amount on the document
    is ``sign`` × its statement amount: the statement's quantity and unit when quantity
    times price gives the amount to the öre (PEPPOL-EN16931-R120), else one piece. The
    price is never negative (BR-27): a negative amount has a negative quantity."""
    amount = Decimal(line.amount_ore * sign) / 100
    unit = UNITS.get(line.unit or "", "C62")
    quantity = line.quantity if line.quantity not in (None, 0) else None
    if quantity is not None:
        quantity = abs(Decimal(quantity)) * (1 if amount >= 0 else -1)
        price = (amount / quantity).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)
        if price >= 0 and abs(price * quantity - amount) < Decimal("0.005"):
            return quantity, unit, price
    quantity = Decimal(1) if amount >= 0 else Decimal(-1)
    return quantity, "C62", abs(amount)


def _party(w: _Writer, parent: ET.Element, party: Party, *, seller: bool) -> None:
    p = w.cac(parent, "Party")
    scheme, _, ident = party.endpoint.partition(":")
    w.cbc(p, "EndpointID", ident, schemeID=scheme)
    if party.identifier:
        w.cbc(w.cac(p, "PartyIdentification"), "ID", party.identifier)
    w.cbc(w.cac(p, "PartyName"), "Name", party.name)
    address = w.cac(p, "PostalAddress")
    if party.street:
        w.cbc(address, "StreetName", party.street)
    if party.city:
        w.cbc(address, "CityName", party.city)
    if party.postcode:
        w.cbc(address, "PostalZone", party.postcode)
    w.cbc(w.cac(address, "Country"), "IdentificationCode", "SE")
    if seller and party.vat_number:
        scheme_ = w.cac(p, "PartyTaxScheme")
        w.cbc(scheme_, "CompanyID", party.vat_number)
        w.cbc(w.cac(scheme_, "TaxScheme"), "ID", "VAT")
    if seller and party.fskatt:
        scheme_ = w.cac(p, "PartyTaxScheme")
        w.cbc(scheme_, "CompanyID", FSKATT)
        w.cbc(w.cac(scheme_, "TaxScheme"), "ID", "TAX")
    legal = w.cac(p, "PartyLegalEntity")
    w.cbc(legal, "RegistrationName", party.legal_name)
    w.cbc(legal, "CompanyID", party.org_number, schemeID="0007")
    if seller and party.fskatt:
        w.cbc(legal, "CompanyLegalForm", FSKATT)
    if party.contact_name or party.contact_email:
        contact = w.cac(p, "Contact")
        if party.contact_name:
            w.cbc(contact, "Name", party.contact_name)
        if party.contact_email:
            w.cbc(contact, "ElectronicMail", party.contact_email)


def _tax_category(w: _Writer, parent: ET.Element, name: str, rate: Decimal, exempt: str | None = None,
                  with_reason: bool = False) -> None:
    """VAT category S at ``rate``, or E (exempt, 0 %) where ``exempt`` gives the reason
    (stated in the breakdown, ``with_reason``, not on the lines)."""
    category = w.cac(parent, name)
    w.cbc(category, "ID", "E" if exempt else "S")
    w.cbc(category, "Percent", "0" if exempt else _rate(rate))
    if exempt and with_reason:
        w.cbc(category, "TaxExemptionReason", exempt)
    w.cbc(w.cac(category, "TaxScheme"), "ID", "VAT")


def build(doc: Document) -> bytes:
    """The UBL 2.1 document (Invoice, or CreditNote with positive amounts) as UTF-8 bytes;
    the same data always gives the same bytes."""
    root_name = "CreditNote" if doc.credit else "Invoice"
    for prefix, uri in (("cac", NS["cac"]), ("cbc", NS["cbc"])):
        ET.register_namespace(prefix, uri)
    ET.register_namespace("", NS[root_name])
    root = ET.Element(f"{{{NS[root_name]}}}{root_name}")
    w = _Writer(root)
    sign = -1 if doc.credit else 1
    w.cbc(root, "CustomizationID", CUSTOMIZATION)
    w.cbc(root, "ProfileID", PROFILE)
    w.cbc(root, "ID", doc.number)
    w.cbc(root, "IssueDate", doc.issue_date.isoformat())
    if not doc.credit and doc.due_date:
        w.cbc(root, "DueDate", doc.due_date.isoformat())
    w.cbc(root, "CreditNoteTypeCode" if doc.credit else "InvoiceTypeCode", "381" if doc.credit else "380")
    if doc.note:
        w.cbc(root, "Note", doc.note)
    w.cbc(root, "DocumentCurrencyCode", CURRENCY)
    w.cbc(root, "BuyerReference", doc.buyer_reference)
    period = w.cac(root, "InvoicePeriod")
    w.cbc(period, "StartDate", doc.period[0].isoformat())
    w.cbc(period, "EndDate", doc.period[1].isoformat())
    if doc.corrects:
        reference = w.cac(w.cac(root, "BillingReference"), "InvoiceDocumentReference")
        w.cbc(reference, "ID", doc.corrects[0])
        w.cbc(reference, "IssueDate", doc.corrects[1].isoformat())
    _party(w, w.cac(root, "AccountingSupplierParty"), doc.seller, seller=True)
    _party(w, w.cac(root, "AccountingCustomerParty"), doc.buyer, seller=False)
    means = w.cac(root, "PaymentMeans")
    w.cbc(means, "PaymentMeansCode", "30")
    if doc.credit and doc.due_date:
        w.cbc(means, "PaymentDueDate", doc.due_date.isoformat())
    w.cbc(means, "PaymentID", doc.number)
    account = w.cac(means, "PayeeFinancialAccount")
    w.cbc(account, "ID", doc.payment.account.replace(" ", "").replace("-", "") if doc.payment.kind != "iban"
          else doc.payment.account.replace(" ", "").upper())
    if doc.payment.kind in ("bankgiro", "plusgiro"):
        w.cbc(w.cac(account, "FinancialInstitutionBranch"), "ID", f"SE:{doc.payment.kind.upper()}")
    terms = w.cac(root, "PaymentTerms")
    w.cbc(terms, "Note", f"{doc.payment.terms_days} dagar netto")
    net, vat = doc.net_ore * sign, doc.vat_ore * sign
    tax_total = w.cac(root, "TaxTotal")
    w.cbc(tax_total, "TaxAmount", _amount(vat), currencyID=CURRENCY)
    reasons = list(dict.fromkeys(line.exempt_reason for line in doc.lines if line.exempt_reason))
    exempt_net = sum(line.amount_ore for line in doc.lines if line.exempt_reason) * sign
    if exempt_net != net or not reasons:  # the taxed lines' breakdown (S)
        subtotal = w.cac(tax_total, "TaxSubtotal")
        w.cbc(subtotal, "TaxableAmount", _amount(net - exempt_net), currencyID=CURRENCY)
        w.cbc(subtotal, "TaxAmount", _amount(vat), currencyID=CURRENCY)
        _tax_category(w, subtotal, "TaxCategory", doc.vat_rate)
    if reasons:  # the exempt lines' (E, 0 %, with the reason)
        subtotal = w.cac(tax_total, "TaxSubtotal")
        w.cbc(subtotal, "TaxableAmount", _amount(exempt_net), currencyID=CURRENCY)
        w.cbc(subtotal, "TaxAmount", _amount(0), currencyID=CURRENCY)
        _tax_category(w, subtotal, "TaxCategory", doc.vat_rate, "; ".join(reasons), with_reason=True)
    totals = w.cac(root, "LegalMonetaryTotal")
    w.cbc(totals, "LineExtensionAmount", _amount(net), currencyID=CURRENCY)
    w.cbc(totals, "TaxExclusiveAmount", _amount(net), currencyID=CURRENCY)
    w.cbc(totals, "TaxInclusiveAmount", _amount(net + vat), currencyID=CURRENCY)
    w.cbc(totals, "PayableAmount", _amount(net + vat), currencyID=CURRENCY)
    for position, line in enumerate(doc.lines, start=1):
        element = w.cac(root, "CreditNoteLine" if doc.credit else "InvoiceLine")
        quantity, unit, price = _priced(line, sign)
        w.cbc(element, "ID", str(position))
        w.cbc(element, "CreditedQuantity" if doc.credit else "InvoicedQuantity", _decimal(quantity), unitCode=unit)
        w.cbc(element, "LineExtensionAmount", _amount(line.amount_ore * sign), currencyID=CURRENCY)
        item = w.cac(element, "Item")
        if line.description:
            w.cbc(item, "Description", line.description)
        w.cbc(item, "Name", line.name)
        _tax_category(w, item, "ClassifiedTaxCategory", doc.vat_rate, line.exempt_reason)
        w.cbc(w.cac(element, "Price"), "PriceAmount", _decimal(price) if price % 1 else f"{price:.2f}",
              currencyID=CURRENCY)
    ET.indent(root, space="  ")
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True) + b"\n"


def zipped(files: list[tuple[str, bytes]]) -> bytes:
    """A zip of ``(name, bytes)`` in the order given, the same bytes for the same files
    (a fixed time, fixed permissions)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


def readable(document: bytes) -> dict:
    """What a document says, for a person (the invoice's page): read back from the XML as
    issued, so the page shows what the buyer received. Amounts as SEK text."""
    root = ET.fromstring(document)
    cbc, cac = f"{{{NS['cbc']}}}", f"{{{NS['cac']}}}"

    def text(element, path: str) -> str | None:
        found = element.find(path) if element is not None else None
        return found.text if found is not None else None

    def party(path: str) -> dict:
        p = root.find(f"{cac}{path}/{cac}Party")
        address = p.find(f"{cac}PostalAddress") if p is not None else None
        endpoint = p.find(f"{cbc}EndpointID") if p is not None else None
        return {"name": text(p, f"{cac}PartyName/{cbc}Name"),
                "legal_name": text(p, f"{cac}PartyLegalEntity/{cbc}RegistrationName"),
                "org_number": text(p, f"{cac}PartyLegalEntity/{cbc}CompanyID"),
                "endpoint": f"{endpoint.get('schemeID')}:{endpoint.text or ''}" if endpoint is not None else None,
                "street": text(address, f"{cbc}StreetName"), "postcode": text(address, f"{cbc}PostalZone"),
                "city": text(address, f"{cbc}CityName"),
                "vat_number": next((text(s, f"{cbc}CompanyID") for s in (p.findall(f"{cac}PartyTaxScheme")
                                                                        if p is not None else [])
                                    if text(s, f"{cac}TaxScheme/{cbc}ID") == "VAT"), None),
                "customer_number": text(p, f"{cac}PartyIdentification/{cbc}ID")}

    credit = root.tag.endswith("CreditNote")
    lines = []
    for line in root.findall(f"{cac}{'CreditNoteLine' if credit else 'InvoiceLine'}"):
        quantity = line.find(f"{cbc}{'CreditedQuantity' if credit else 'InvoicedQuantity'}")
        lines.append({"name": text(line, f"{cac}Item/{cbc}Name"),
                      "description": text(line, f"{cac}Item/{cbc}Description"),
                      "quantity": quantity.text if quantity is not None else None,
                      "unit": quantity.get("unitCode") if quantity is not None else None,
                      "price": text(line, f"{cac}Price/{cbc}PriceAmount"),
                      "amount": text(line, f"{cbc}LineExtensionAmount")})
    means = root.find(f"{cac}PaymentMeans")
    return {
        "credit": credit, "number": text(root, f"{cbc}ID"), "issue_date": text(root, f"{cbc}IssueDate"),
        "due_date": text(root, f"{cbc}DueDate") or text(means, f"{cbc}PaymentDueDate"),
        "buyer_reference": text(root, f"{cbc}BuyerReference"), "note": text(root, f"{cbc}Note"),
        "period": (text(root, f"{cac}InvoicePeriod/{cbc}StartDate"), text(root, f"{cac}InvoicePeriod/{cbc}EndDate")),
        "corrects": text(root, f"{cac}BillingReference/{cac}InvoiceDocumentReference/{cbc}ID"),
        "seller": party("AccountingSupplierParty"), "buyer": party("AccountingCustomerParty"),
        "fskatt": FSKATT in document.decode("utf-8"),
        "account": text(means, f"{cac}PayeeFinancialAccount/{cbc}ID"),
        "account_kind": text(means, f"{cac}PayeeFinancialAccount/{cac}FinancialInstitutionBranch/{cbc}ID") or "IBAN",
        "payment_terms": text(root, f"{cac}PaymentTerms/{cbc}Note"),
        "lines": lines,
        "net": text(root, f"{cac}LegalMonetaryTotal/{cbc}TaxExclusiveAmount"),
        "vat": text(root, f"{cac}TaxTotal/{cbc}TaxAmount"),
        "vat_rate": text(root, f"{cac}TaxTotal/{cac}TaxSubtotal/{cac}TaxCategory/{cbc}Percent"),
        "total": text(root, f"{cac}LegalMonetaryTotal/{cbc}PayableAmount"),
    }
