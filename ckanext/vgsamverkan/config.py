"""Typed getters for the extension's configuration.

Nothing else in the extension reads ``tk.config`` for ``ckanext.vgsamverkan.*`` keys.
Defaults live in ``config_declaration.yaml`` only.
"""
from __future__ import annotations

from decimal import Decimal

import ckan.plugins.toolkit as tk

PREFIX = "ckanext.vgsamverkan."


def coordinators() -> list[str]:
    return tk.config.get(PREFIX + "coordinators") or []


def coordinator_email() -> str:
    return (tk.config.get(PREFIX + "coordinator_email") or "").strip()


def contact_name() -> str:
    return tk.config.get(PREFIX + "contact_name") or ""


def contact_phone() -> str:
    return tk.config.get(PREFIX + "contact_phone") or ""


def home_image_url() -> str:
    return (tk.config.get(PREFIX + "home_image_url") or "").strip()


def home_image_alt() -> str:
    return tk.config.get(PREFIX + "home_image_alt") or ""


def search_text_configuration() -> str:
    """The Swedish text search configuration of the search index (plugin
    vgsamverkan_pgsearch, which may run without this extension's declaration)."""
    return (tk.config.get(PREFIX + "search_text_configuration") or "vgsamverkan_swedish").strip()


def search_compound_parts() -> bool:
    """Whether the search index adds the parts of Swedish compounds (issue 35) to the
    vgsamverkan_swedish configuration's vectors (the plugin may run without the
    declaration: true by default here too)."""
    value = tk.config.get(PREFIX + "search_compound_parts")
    return True if value in (None, "") else tk.asbool(value)


def enforce() -> bool:
    return tk.asbool(tk.config.get(PREFIX + "enforce"))


def notify() -> bool:
    return tk.asbool(tk.config.get(PREFIX + "notify"))


def activation_days() -> int:
    """Days an account's activation link stays valid (at least one)."""
    return max(1, int(tk.config.get(PREFIX + "activation_days")))


def mail_retries() -> int:
    return int(tk.config.get(PREFIX + "mail_retries"))


def competence_areas() -> list[dict[str, str]]:
    """The competence areas, in the configured order: ``{"key", "sv", "en"}`` each."""
    value = tk.config.get(PREFIX + "competence_areas") or ""
    lines = value if isinstance(value, list) else str(value).splitlines()
    areas: dict[str, dict[str, str]] = {}
    for line in lines:
        parts = [part.strip() for part in str(line).split("|")]
        if not parts[0]:
            continue
        if len(parts) == 1:  # keys only, on one line
            for key in parts[0].split():
                areas.setdefault(key, {"key": key, "sv": key, "en": key})
            continue
        sv = parts[1] or parts[0]
        en = parts[2] if len(parts) > 2 and parts[2] else sv
        areas.setdefault(parts[0], {"key": parts[0], "sv": sv, "en": en})
    return list(areas.values())


def connection_required_formats() -> list[str]:
    return list(tk.config.get(PREFIX + "connection_required_formats") or [])


def expiry_reminder_days() -> int:
    return int(tk.config.get(PREFIX + "expiry_reminder_days"))


def retention_days() -> int:
    return int(tk.config.get(PREFIX + "retention_days"))


def vat_exempt() -> dict[str, str]:
    """The kinds of fee line exempt from VAT, each with its reason
    (``invoice.vat_exempt``: ``kind=reason; kind=reason``). An entry it cannot read is a
    ValueError that names it (the close and the run stop)."""
    text = str(tk.config.get(PREFIX + "invoice.vat_exempt") or "").strip()
    found: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in text.split(";"))):
        kind, sep, reason = (piece.strip() for piece in entry.partition("="))
        if not sep or kind not in FEE_KINDS or not reason:
            raise ValueError(f"ckanext.vgsamverkan.invoice.vat_exempt: {entry!r} is not kind=reason "
                             f"(kinds: {', '.join(FEE_KINDS)})")
        found[kind] = reason
    return found


FEE_KINDS = ("access", "regional", "connection", "expert", "adjustment")


def vat_rate() -> Decimal:
    return Decimal(str(tk.config.get(PREFIX + "vat_rate") or "25").strip().replace(",", "."))


def _sie_accounts_entries() -> tuple[list[str], list[str]]:
    """``sie_accounts`` read whole: its plain accounts (receivable, revenue, VAT) and its
    ``kind=account`` entries (the contract's spelling ``1510 3010 2611 access=3011 …``).
    Raises ``ValueError`` naming an entry it cannot place: nothing is ignored."""
    plain: list[str] = []
    per_kind: list[str] = []
    for entry in (str(a) for a in (tk.config.get(PREFIX + "sie_accounts") or [])):
        if "=" in entry:
            per_kind.append(entry)
        elif per_kind:
            raise ValueError(f"{PREFIX}sie_accounts: {entry!r} after kind=account entries; write the "
                             "receivable, revenue and VAT accounts first")
        elif len(plain) == 3:
            raise ValueError(f"{PREFIX}sie_accounts: {entry!r} is a fourth account; after receivable, "
                             "revenue and VAT come kind=account entries")
        else:
            plain.append(entry)
    return plain, per_kind


def sie_accounts() -> list[str]:
    """Receivable, revenue and VAT accounts (the defaults where fewer are given)."""
    try:
        plain = _sie_accounts_entries()[0]
    except ValueError:
        plain = [str(a) for a in (tk.config.get(PREFIX + "sie_accounts") or []) if "=" not in str(a)][:3]
    return (plain + ["1510", "3010", "2611"][len(plain):])[:3]


# the kinds of fee line, each of which may have its own revenue account
REVENUE_KINDS = ("access", "regional", "connection", "expert", "adjustment")


def sie_revenue_accounts() -> dict[str, str]:
    """The revenue account of each kind of line: ``sie_revenue_accounts`` where it names
    the kind, else the revenue account of ``sie_accounts``. Raises ``ValueError`` naming
    the setting and the entry when one is not ``kind=account`` with a known kind and an
    account of digits (nor is an account of ``sie_accounts``)."""
    _plain, in_accounts = _sie_accounts_entries()
    receivable, revenue, vat = sie_accounts()
    for name, account in (("receivable", receivable), ("revenue", revenue), ("VAT", vat)):
        if not (account.isascii() and account.isdigit()):
            raise ValueError(f"{PREFIX}sie_accounts: the {name} account {account!r} is not a number")
    per_kind = {kind: revenue for kind in REVENUE_KINDS}
    entries = [("sie_accounts", e) for e in in_accounts] + [
        ("sie_revenue_accounts", str(e)) for e in tk.config.get(PREFIX + "sie_revenue_accounts") or []]
    named: dict[str, str] = {}
    for setting, entry in entries:
        kind, sep, account = entry.partition("=")
        if not sep or kind not in REVENUE_KINDS:
            raise ValueError(f"{PREFIX}{setting}: {entry!r} is not kind=account with a kind of "
                             + ", ".join(REVENUE_KINDS))
        if not (account.isascii() and account.isdigit()):
            raise ValueError(f"{PREFIX}{setting}: the account of {kind}, {account!r}, is not a number")
        if kind in named and named[kind] != account:
            raise ValueError(f"{PREFIX}{setting}: {kind} has two accounts, {named[kind]} and {account}")
        named[kind] = per_kind[kind] = account
    return per_kind


CC0 = "http://creativecommons.org/publicdomain/zero/1.0/"


def sie_company_name() -> str:
    return (tk.config.get(PREFIX + "sie_company_name") or "").strip()


def sie_org_number() -> str:
    return (tk.config.get(PREFIX + "sie_org_number") or "").strip()


def catalog_publisher_name() -> str:
    """The catalogue's publisher (DCAT): the coordinating organisation; empty gives the
    company name of the SIE exports, then the site's title."""
    return ((tk.config.get(PREFIX + "catalog_publisher_name") or "").strip() or sie_company_name()
            or (tk.config.get("ckan.site_title") or "").strip())


def invoice_setting(name: str) -> str:
    """A seller setting of the e-invoices (``ckanext.vgsamverkan.invoice.<name>``), as text,
    trimmed; fees/invoices.py reads and checks them."""
    return str(tk.config.get(PREFIX + "invoice." + name) or "").strip()


def site_title() -> str:
    return (tk.config.get("ckan.site_title") or "").strip()


def catalog_licence() -> str:
    """The licence of the catalogue's metadata (DIGG: CC0 in Sweden)."""
    return (tk.config.get(PREFIX + "catalog_licence") or "").strip() or CC0


# ADMS publisher types the coordinating organisation may have (catalog_publisher_type)
PUBLISHER_TYPES = ("RegionalAuthority", "LocalAuthority", "NationalAuthority", "Company",
                   "NonProfitOrganisation", "Academia-ScientificOrganisation")


def catalog_publisher_type() -> str:
    """The coordinating organisation's ADMS publisher type (its last part, e.g.
    ``RegionalAuthority``); an unknown one is RegionalAuthority (doctor says so)."""
    value = (tk.config.get(PREFIX + "catalog_publisher_type") or "").strip()
    return value if value in PUBLISHER_TYPES else "RegionalAuthority"


def catalog_publisher_org_number() -> str:
    """The coordinating organisation's organisationsnummer (DCAT publisher IRI); empty
    gives the organisationsnummer of the SIE exports."""
    return (tk.config.get(PREFIX + "catalog_publisher_org_number") or "").strip() or sie_org_number()


def site_url() -> str:
    return (tk.config.get("ckan.site_url") or "").rstrip("/")


def default_locale() -> str:
    return tk.config.get("ckan.locale_default") or "sv"
