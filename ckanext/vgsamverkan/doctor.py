"""``ckan vgsamverkan doctor``: checks a deployment and says, in plain words, what is
wrong (issue 19). Each check gives findings (``ok``, ``warn``: works, but look at it;
``fail``: something the collaboration needs does not work); the command exits non-zero
when one fails. Reads only: it changes nothing.
"""
from __future__ import annotations

import os
import smtplib
from dataclasses import dataclass
from typing import Any, Callable

import sqlalchemy as sa
from rq import Worker

import ckan.model as model
import ckan.plugins as p
import ckan.plugins.toolkit as tk
from ckan.cli.db import current_revision
from ckan.lib import jobs
from ckan.lib.redis import connect_to_redis

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.dcat import publishers
from ckanext.vgsamverkan.domain import taking_part
from ckanext.vgsamverkan.fees import invoices
from ckanext.vgsamverkan.fees import run as fee_run
from ckanext.vgsamverkan.mail import outbox

SMTP_TIMEOUT = 5  # seconds


@dataclass(frozen=True)
class Finding:
    level: str  # ok, warn, fail
    text: str


def _ok(text: str) -> Finding:
    return Finding("ok", text)


def _warn(text: str) -> Finding:
    return Finding("warn", text)


def _fail(text: str) -> Finding:
    return Finding("fail", text)


def _said(error: Exception) -> str:
    """An error in words, without its own full stop (the finding adds one)."""
    return (str(error) or type(error).__name__).rstrip(". ")


def coordinators() -> list[Finding]:
    names = config.coordinators()
    if not names:
        return [_warn("No coordinator is named in ckanext.vgsamverkan.coordinators: only sysadmins can decide.")]
    found = []
    for name in names:
        user = model.User.get(name)
        if user is None:
            found.append(_fail(f"The coordinator '{name}' (ckanext.vgsamverkan.coordinators) has no account: "
                               "create it, or correct the name."))
        elif user.state != "active":
            found.append(_fail(f"The coordinator '{name}' has an account that is {user.state}, not active."))
        else:
            found.append(_ok(f"The coordinator '{name}' has an active account."))
    return found


def mail_settings() -> list[Finding]:
    found = []
    email = config.coordinator_email()
    found.append(_ok(f"Mail to the coordinator goes to {email}.") if email else
                 _fail("ckanext.vgsamverkan.coordinator_email is not set: applications reach no one."))
    server = (tk.config.get("smtp.server") or "").strip()
    if not server:
        found.append(_fail("smtp.server is not set: no mail can be sent."))
        return found
    host, _, port = server.partition(":")
    try:
        with smtplib.SMTP(host, int(port or 25), timeout=SMTP_TIMEOUT) as smtp:
            code, _ = smtp.noop()
        if code != 250:
            found.append(_fail(f"The mail server {server} (smtp.server) answers NOOP with {code}."))
        else:
            found.append(_ok(f"The mail server {server} (smtp.server) answers."))
    except (OSError, smtplib.SMTPException, ValueError) as e:
        found.append(_fail(f"The mail server {server} (smtp.server) does not answer: {_said(e)}."))
    return found


def redis_and_worker() -> list[Finding]:
    url = tk.config.get("ckan.redis.url")
    try:
        connection = connect_to_redis()
        connection.ping()
    except Exception as e:  # noqa: BLE001 (whatever the client raises, Redis does not answer: said in the finding)
        return [_fail(f"Redis ({url}, ckan.redis.url) does not answer: {_said(e)}. "
                      "Mail waits in the outbox until it is back.")]
    found = [_ok(f"Redis ({url}) answers.")]
    queue = jobs.get_queue(outbox.QUEUE).name
    listening = [w.name for w in Worker.all(connection=connection) if queue in w.queue_names()]
    if listening:
        found.append(_ok(f"{len(listening)} worker(s) listen to the mail queue ({queue})."))
    else:
        found.append(_fail(f"No worker listens to the mail queue ({queue}): start 'ckan jobs worker' "
                           "(deploy/systemd/ckan-worker.service)."))
    figures = outbox.pending()
    if figures["waiting_over_an_hour"]:
        found.append(_warn(f"{figures['waiting_over_an_hour']} mail(s) have waited in the outbox for over an hour: "
                           "is 'ckan vgsamverkan mail flush' run every few minutes (deploy/)?"))
    if figures["failed"]:
        found.append(_warn(f"{figures['failed']} mail(s) were given up after their retries "
                           "(table vgsamverkan_outbox, state 'failed', column last_error)."))
    return found


def migrations() -> list[Finding]:
    found = []
    for plugin, label in (("", "CKAN"), ("activity", "activity"), ("vgsamverkan", "vgsamverkan")):
        if plugin and not p.plugin_loaded(plugin):
            continue
        current = current_revision(plugin) or ""
        if current.endswith("(head)"):
            found.append(_ok(f"The database has every migration of {label} ({current.split()[0]})."))
        else:
            command = f"ckan db upgrade -p {plugin}" if plugin else "ckan db upgrade"
            found.append(_fail(f"The database lacks migrations of {label} (at {current or 'none'}): run "
                               f"'{command}'."))
    return found


def population() -> list[Finding]:
    today = taking_part.today()
    month = (today.year, today.month)
    gaps = fee_run.population_gaps(month)
    name = f"{month[0]:04d}-{month[1]:02d}"
    if not gaps["older"] and not gaps["none"]:
        return [_ok(f"Every paying municipality has the population of {gaps['year']}, which {name} needs.")]
    found = []
    for gap in gaps["none"]:
        found.append(_fail(f"Municipality {gap['municipality_code']} takes part but has no population figure at all: "
                           f"the fee run of {name} would stop. Import SCB's table (population page, or "
                           "'ckan vgsamverkan population import')."))
    for gap in gaps["older"]:
        found.append(_warn(f"{gap['name']} ({gap['municipality_code']}) has no population of {gaps['year']}: {name} "
                           f"uses its figure of {gap['year']}. Import SCB's table of {gaps['year']} when it is out."))
    return found


def search_index() -> list[Finding]:
    if not p.plugin_loaded("vgsamverkan_pgsearch"):
        return []
    site_id = tk.config.get("ckan.site_id")
    active = model.Session.query(sa.func.count(model.Package.id)).filter(model.Package.state == "active").scalar()
    missing = model.Session.execute(sa.text(
        "SELECT count(*) FROM package p WHERE p.state = 'active' AND NOT EXISTS (SELECT 1 FROM "
        "vgsamverkan_search_doc d WHERE d.id = p.id AND d.site_id = :site)"), {"site": site_id}).scalar()
    model.Session.rollback()
    found = search_language()
    if missing:
        return found + [_fail(f"{missing} of {active} active datasets are not in the search index: run "
                              "'ckan search-index rebuild'.")]
    return found + [_ok(f"The search index holds every active dataset ({active}).")]


def search_language() -> list[Finding]:
    """The Swedish text search configuration: there, and with Hunspell where it is ours."""
    name = config.search_text_configuration()
    dictionaries = [row[0] for row in model.Session.execute(sa.text(
        "SELECT DISTINCT d.dictname FROM pg_ts_config c JOIN pg_ts_config_map m ON m.mapcfg = c.oid "
        "JOIN pg_ts_dict d ON d.oid = m.mapdict WHERE c.cfgname = :name"), {"name": name})]
    model.Session.rollback()
    if not dictionaries:
        return [_fail(f"The search's text configuration '{name}' is not in the database: every search "
                      "fails. Run 'ckan db upgrade -p vgsamverkan' (or set "
                      "ckanext.vgsamverkan.search_text_configuration), then 'ckan search-index rebuild'.")]
    if name == "vgsamverkan_swedish" and "vgsamverkan_swedish_hunspell" not in dictionaries:
        return [_warn("Swedish search without Hunspell: inflections and compound words are found only as far "
                      "as the snowball stemmer reaches. Install hunspell-sv on the database server, then "
                      "'ckan db downgrade -p vgsamverkan -v e7b3c9d1f5a2', 'ckan db upgrade -p vgsamverkan' and "
                      "'ckan search-index rebuild' (docs/search.md).")]
    return [_ok(f"Swedish search with the text configuration '{name}' ({', '.join(sorted(dictionaries))}).")]


def sie_accounts() -> list[Finding]:
    try:
        per_kind = config.sie_revenue_accounts()
    except ValueError as e:
        return [_fail(f"{e}: the close of a fee month and its SIE export stop until it is corrected.")]
    receivable, _, vat = config.sie_accounts()
    kinds = ", ".join(f"{kind} {account}" for kind, account in per_kind.items())
    return [_ok(f"SIE accounts: receivable {receivable}, VAT {vat}, revenue {kinds}.")]


def invoice_seller() -> list[Finding]:
    """The seller's settings of the e-invoices: a close is refused while one is wrong."""
    found = invoices.problems()
    if found:
        return [_fail(message.format(setting=setting) + ": closing a fee month is refused until it is corrected.")
                for setting, message in found]
    return [_ok(f"E-invoices are issued by {config.invoice_setting('seller_name')} "
                f"({config.invoice_setting('seller_org_number')}).")]


def catalogue() -> list[Finding]:
    """The open data catalogue's publisher (DCAT-AP-SE): the coordinating organisation."""
    own = publishers.catalogue_publisher()
    found = []
    kind = (tk.config.get("ckanext.vgsamverkan.catalog_publisher_type") or "").strip()
    if kind and kind not in config.PUBLISHER_TYPES:
        found.append(_warn(f"ckanext.vgsamverkan.catalog_publisher_type {kind!r} is not one of "
                           + ", ".join(config.PUBLISHER_TYPES) + ": the catalogue says RegionalAuthority."))
    if own.problem:
        return [_warn("The open data catalogue (/catalog.rdf) has no publisher of Sveriges dataportal: set "
                      "ckanext.vgsamverkan.catalog_publisher_org_number to the coordinating organisation's "
                      "organisationsnummer (docs/catalogue.md).")] + found
    return [_ok(f"The open data catalogue is published by {own.name} ({own.iri}).")] + found


def registration() -> list[Finding]:
    """CKAN's own user_create through the API, open to anyone, says whether an address has
    an account; the form and vgsamverkan_user_register do not (issue 36)."""
    if tk.asbool(tk.config.get("ckan.auth.create_user_via_api")):
        return [_warn("ckan.auth.create_user_via_api is true: CKAN's user_create, called without an account, "
                      "says whether an e-mail address already has one and makes accounts active at once. "
                      "Scripts can register with vgsamverkan_user_register, which does neither; set it to false.")]
    return [_ok("Registration tells nobody whether an address has an account (accounts are activated from "
                "a mailed link).")]


def uploads() -> list[Finding]:
    """Files as resources (SPEC 2026-12-07): CKAN's resource form offers an upload only when
    uploads are on, and ``ckan generate config`` writes ``ckan.uploads_enabled =`` empty,
    which turns them off even with a storage path (issue 39: ``make run`` had links only)."""
    if not tk.h.uploads_enabled():
        return [_warn("Files cannot be uploaded as resources (links only): set ckan.uploads_enabled = true "
                      "and ckan.storage_path to a directory the portal may write.")]
    path = tk.config.get("ckan.storage_path")
    if not path:  # another plugin stores them (IUploader)
        return [_ok("Files can be uploaded as resources (stored by a plugin).")]
    if not os.path.isdir(path) or not os.access(path, os.W_OK | os.X_OK):
        return [_fail(f"ckan.storage_path {path} is not a directory the portal may write: "
                      "an uploaded file is refused.")]
    return [_ok(f"Files can be uploaded as resources (stored in {path}).")]


CHECKS: tuple[Callable[[], list[Finding]], ...] = (
    coordinators, mail_settings, redis_and_worker, migrations, population, sie_accounts, invoice_seller,
    search_index, catalogue, registration, uploads)


def run() -> list[Finding]:
    """Every check's findings, in order; a check that breaks is itself a failure."""
    found: list[Finding] = []
    for check in CHECKS:
        try:
            found += check()
        except Exception as e:  # noqa: BLE001 (a check that cannot run is a finding, not a crash of the doctor)
            model.Session.rollback()
            found.append(_fail(f"The check '{check.__name__}' could not run: {type(e).__name__}: {e}"))
    return found


def as_lines(findings: list[Finding]) -> list[str]:
    marks: dict[str, Any] = {"ok": "OK  ", "warn": "WARN", "fail": "FAIL"}
    return [f"{marks[f.level]}  {f.text}" for f in findings]
