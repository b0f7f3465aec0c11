"""E-invoices issued when a fee month is closed (issue 37; SPEC "E-invoices", 2026-12-07).

Closing a month gives every statement with a positive total an invoice and every one with
a negative total a credit note (none for 0 kr), in the close's transaction: numbers from
the one gapless series (``vgsamverkan_invoice_series``, locked while numbers are given),
the document (peppol.py) kept with the invoice as issued, and the month's zip kept with
its other files. The seller comes from the configuration (``invoice.*``), checked before
anything changes; the buyer from the statement (its organisation, invoice reference and
customer number, as the month was run) and its customer (the participation: address,
endpoint, the legal name of its organisationsnummer) as they are at the close.
"""
from __future__ import annotations

import calendar
import datetime as dt
import re
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import config, orgnumber, peppol
from ckanext.vgsamverkan.domain import customers
from ckanext.vgsamverkan.fees import texts as feetext
from ckanext.vgsamverkan.model import FeeStatement, Invoice, InvoiceSeries, Participation
from ckanext.vgsamverkan.model.base import utcnow
from ckanext.vgsamverkan.model.invoice import SERIES

REQUIRED = ("seller_name", "seller_org_number", "seller_vat_number", "seller_street", "seller_postcode",
            "seller_city")
def kind_name(kind: str) -> str:
    """The item name of a kind of statement line: as the statements name it, in Swedish
    (the language of the lines' texts, kept as run)."""
    return feetext.kind_label(kind, "sv")
_PREFIX = re.compile(r"[A-Za-z0-9-]{0,10}")


def _key(name: str) -> str:
    return f"ckanext.vgsamverkan.invoice.{name}"


def problems() -> list[tuple[str, str]]:
    """Every seller setting missing or invalid: ``(setting, message)``, the message in
    English with ``{setting}`` (the caller translates and names it). Empty: invoices can
    be issued."""
    found: list[tuple[str, str]] = []
    for name in REQUIRED:
        if not config.invoice_setting(name):
            found.append((_key(name), tk._("{setting} is not set: invoices need it")))
    number = config.invoice_setting("seller_org_number")
    if number and orgnumber.problem(number) is not None:
        found.append((_key("seller_org_number"), tk._("{setting} is not a valid organisationsnummer")))
    vat = config.invoice_setting("seller_vat_number").replace(" ", "").upper()
    if vat and number and orgnumber.problem(number) is None and vat != f"SE{peppol.digits_of(number)}01":
        found.append((_key("seller_vat_number"), tk._(
            "{setting} must be SE, the seller's organisationsnummer and 01")))
    if config.invoice_setting("seller_postcode") and _postcode() is None:
        found.append((_key("seller_postcode"), tk._("{setting} must be five digits")))
    endpoint = config.invoice_setting("seller_endpoint")
    if endpoint and peppol.endpoint_problem(endpoint):
        found.append((_key("seller_endpoint"), tk._("{setting} is not a Peppol endpoint (scheme:identifier)")))
    accounts = [(name, config.invoice_setting(name)) for name in ("seller_bankgiro", "seller_plusgiro", "seller_iban")]
    checks = {"seller_bankgiro": peppol.bankgiro_ok, "seller_plusgiro": peppol.plusgiro_ok,
              "seller_iban": peppol.iban_ok}
    if not any(value for _, value in accounts):
        found.append((_key("seller_bankgiro"), tk._(
            "{setting} (or seller_plusgiro, or seller_iban) is not set: invoices need a way to pay")))
    for name, value in accounts:
        if value and not checks[name](value):
            found.append((_key(name), tk._("{setting} is not a valid account number (check digit)")))
    try:
        days = int(config.invoice_setting("payment_terms_days") or 30)
    except ValueError:
        days = 0
    if not 1 <= days <= 365:
        found.append((_key("payment_terms_days"), tk._("{setting} must be a number of days from 1 to 365")))
    if not _PREFIX.fullmatch(config.invoice_setting("number_prefix")):
        found.append((_key("number_prefix"), tk._("{setting} may have at most 10 letters, digits and -")))
    try:
        config.vat_exempt()
    except ValueError as e:
        found.append(("ckanext.vgsamverkan.invoice.vat_exempt", str(e).replace("{", "{{").replace("}", "}}")))
    if config.vat_rate() not in peppol.SWEDISH_VAT_RATES:
        found.append(("ckanext.vgsamverkan.vat_rate", tk._(
            "{setting} must be 25, 12 or 6 on a Swedish seller's invoices")))
    return found


def refuse_if_not_ready() -> None:
    """A ValidationError naming every seller setting that is missing or invalid (the
    close is refused before anything changes)."""
    found = problems()
    if found:
        raise tk.ValidationError({setting: [message.format(setting=setting)] for setting, message in found})


def _postcode() -> str | None:
    """The seller's postcode as the customers' are written (``vgsamverkan_postcode``:
    ``NNN NN``), or None when it is not five digits."""
    try:
        return tk.get_validator("vgsamverkan_postcode")(config.invoice_setting("seller_postcode"))
    except tk.Invalid:
        return None


def seller() -> peppol.Party:
    number = peppol.digits_of(config.invoice_setting("seller_org_number"))
    return peppol.Party(
        name=config.invoice_setting("seller_name"), legal_name=config.invoice_setting("seller_name"),
        org_number=number, endpoint=config.invoice_setting("seller_endpoint") or f"0007:{number}",
        street=config.invoice_setting("seller_street"), postcode=_postcode(),
        city=config.invoice_setting("seller_city"),
        vat_number=config.invoice_setting("seller_vat_number").replace(" ", "").upper(),
        fskatt=tk.asbool(tk.config.get(_key("seller_fskatt"))),
        contact_name=config.invoice_setting("seller_contact_name") or config.contact_name() or None,
        contact_email=config.invoice_setting("seller_contact_email") or config.coordinator_email() or None)


def payment() -> peppol.Payment:
    days = int(config.invoice_setting("payment_terms_days") or 30)
    for kind in ("bankgiro", "plusgiro", "iban"):
        account = config.invoice_setting(f"seller_{kind}")
        if account:
            return peppol.Payment(kind, account, days)
    raise tk.ValidationError({_key("seller_bankgiro"): [tk._("No account to pay to is set")]})


def _customer(statement: FeeStatement) -> Participation | None:
    if statement.customer_number is not None:
        found = (model.Session.query(Participation)
                 .filter(Participation.customer_number == statement.customer_number).one_or_none())
        if found is not None:
            return found
    return (model.Session.query(Participation).filter(Participation.organization_id == statement.organization_id)
            .order_by(Participation.created.desc(), Participation.id.desc()).first())


def buyer_reference(statement: FeeStatement) -> str:
    """The buyer's reference (BT-10, by which a Swedish public buyer routes the invoice):
    the statement's invoice reference; a customer without one gets its customer number
    (the month page names those customers before the close)."""
    if statement.invoice_reference:
        return statement.invoice_reference
    return f"Kundnummer {statement.customer_number}" if statement.customer_number else statement.organization_name


def _buyer(statement: FeeStatement, participation: Participation | None) -> peppol.Party:
    number = peppol.digits_of(statement.org_number or (participation.org_number if participation else ""))
    legal = customers.legal_name_of(number)
    return peppol.Party(
        name=statement.organization_title, legal_name=legal or statement.organization_title, org_number=number,
        endpoint=customers.endpoint_of(participation) if participation is not None else f"0007:{number}",
        identifier=str(statement.customer_number) if statement.customer_number else None,
        street=participation.address_street if participation else None,
        postcode=participation.address_postcode if participation else None,
        city=participation.address_city if participation else None)


def _corrected(statement: FeeStatement, lines: list[Any]) -> Invoice | None:
    """The invoice a credit note corrects: the customer's invoice of the month its
    adjustments correct (the latest such month), else its latest invoice before."""
    corrected = {(line.details or {}).get("corrects") for line in lines if line.kind == "adjustment"}
    months = sorted(str(month) for month in corrected if month is not None)
    query = (model.Session.query(Invoice).filter(Invoice.organization_id == statement.organization_id,
                                                 Invoice.type == "invoice", Invoice.month < statement.month)
             .order_by(Invoice.sequence.desc()))
    if months:
        found = query.filter(Invoice.month == months[-1]).first()
        if found is not None:
            return found
    return query.first()


def _next_numbers(count: int) -> list[int]:
    """``count`` numbers of the series, in order, in the caller's transaction: the series'
    row is locked until it commits (a close that fails gives none back: no gap)."""
    model.Session.execute(sa.text(
        "INSERT INTO vgsamverkan_invoice_series (name, last) VALUES (:name, 0) ON CONFLICT (name) DO NOTHING"),
        {"name": SERIES})
    row = (model.Session.query(InvoiceSeries).filter(InvoiceSeries.name == SERIES)
           .with_for_update().populate_existing().one())
    first = row.last + 1
    row.last += count
    return list(range(first, first + count))


def month_period(month_text: str) -> tuple[dt.date, dt.date]:
    year, month = (int(part) for part in month_text.split("-"))
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


def issue(month_text: str, issue_date: dt.date) -> list[Invoice]:
    """Issue the month's invoices and credit notes (the caller, the close, has checked the
    seller's settings with ``refuse_if_not_ready`` before changing anything, has locked
    the month and commits); returns them in the order of their numbers."""
    statements = [st for st in (model.Session.query(FeeStatement).filter(FeeStatement.month == month_text)
                                .order_by(FeeStatement.organization_title, FeeStatement.id)) if st.total_ore != 0]
    if not statements:
        return []
    the_seller, the_payment = seller(), payment()
    exempt = config.vat_exempt()
    prefix = config.invoice_setting("number_prefix")
    period = month_period(month_text)
    due = issue_date + dt.timedelta(days=the_payment.terms_days)
    issued = []
    for sequence, statement in zip(_next_numbers(len(statements)), statements, strict=True):
        lines = statement.lines()
        credit = statement.total_ore < 0
        corrected = _corrected(statement, lines) if credit else None
        number = f"{prefix}{sequence}"
        participation = _customer(statement)
        buyer = _buyer(statement, participation)
        document = peppol.Document(
            number=number, credit=credit, issue_date=issue_date, due_date=None if credit else due, period=period,
            buyer_reference=buyer_reference(statement), seller=the_seller, buyer=buyer, payment=the_payment,
            lines=tuple(peppol.Line(name=kind_name(line.kind), description=line.text,
                                    amount_ore=int(line.amount_ore),
                                    quantity=Decimal(line.quantity) if line.quantity is not None else None,
                                    unit=line.unit, exempt_reason=exempt.get(line.kind)) for line in lines),
            vat_rate=Decimal(statement.vat_rate), net_ore=int(statement.net_ore), vat_ore=int(statement.vat_ore),
            note=f"Avgifter för den regionala samverkan om öppna data, {month_text}",
            corrects=(corrected.number, corrected.issue_date) if corrected is not None else None)
        invoice = Invoice(
            number=number, sequence=sequence, type="credit_note" if credit else "invoice", month=month_text,
            statement_id=statement.id, organization_id=statement.organization_id,
            customer_number=statement.customer_number, buyer_name=buyer.legal_name,
            buyer_reference=document.buyer_reference, issue_date=issue_date, due_date=document.due_date,
            net_ore=statement.net_ore, vat_ore=statement.vat_ore, total_ore=statement.total_ore,
            corrects=corrected.number if corrected is not None else None, state="issued",
            filename=f"{number}.xml", content=peppol.build(document), created=utcnow(), modified=utcnow())
        model.Session.add(invoice)
        issued.append(invoice)
    model.Session.flush()
    return issued


def zip_of(month_text: str) -> tuple[bytes, str, str, str]:
    """The month's documents in one zip, one file per document named by its number, in
    the order of the numbers: (bytes, file name, content type, encoding), as an export."""
    rows = (model.Session.query(Invoice).filter(Invoice.month == month_text).order_by(Invoice.sequence).all())
    content = peppol.zipped([(row.filename, bytes(row.content)) for row in rows])
    return content, f"e-fakturor-{month_text}.zip", "application/zip", "binary"


def missing_references(month_text: str) -> list[dict[str, Any]]:
    """The customers of the month's non-zero statements without an invoice reference (the
    buyer's reference their invoices would carry), for the month page before the close."""
    rows = (model.Session.query(FeeStatement).filter(FeeStatement.month == month_text, FeeStatement.total_ore != 0)
            .filter(sa.or_(FeeStatement.invoice_reference.is_(None), FeeStatement.invoice_reference == ""))
            .order_by(FeeStatement.organization_title))
    return [{"organization_id": r.organization_id, "organization_name": r.organization_name,
             "organization_title": r.organization_title, "customer_number": r.customer_number} for r in rows]
