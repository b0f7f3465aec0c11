"""``ckan vgsamverkan …``: data is changed only through the actions, as the site user."""
from __future__ import annotations

import sys

import click

import ckan.model as model
import ckan.plugins.toolkit as tk

__all__ = ["vgsamverkan"]  # the blanket registers click groups only when named here


def _site_context() -> dict:
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    return {"user": site_user["name"], "model": model, "session": model.Session}


def _fail(message: str) -> None:
    click.secho(message, fg="red", err=True)
    sys.exit(1)


def _errors(e: tk.ValidationError) -> str:
    lines = []
    for field, msgs in (e.error_dict or {}).items():
        for msg in msgs if isinstance(msgs, list) else [msgs]:
            lines.append(f"  {field}: {msg}")
    return "\n".join(lines)


@click.group(short_help="The regional open-data collaboration (samverkan).")
def vgsamverkan():
    """Participation, publisher rights, connections, call-offs and fees."""


@vgsamverkan.group()
def population():
    """Population per municipality and year."""


@population.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", required=True, type=int, help="The year (folkmängd on 31 December).")
@click.option("--source", default=None, help="Where the figures come from.")
def population_import(file: str, year: int, source: str | None):
    """Import FILE (CSV with a header row) as the population of YEAR, all or nothing."""
    from ckanext.vgsamverkan.population_file import PopulationFileError, parse

    with open(file, "rb") as f:
        content = f.read()
    try:
        records, skipped = parse(content, year)
    except PopulationFileError as e:
        _fail(f"{file}: {e}. Nothing was imported.")
        return
    try:
        result = tk.get_action("vgsamverkan_population_import")(
            _site_context(), {"year": year, "records": records, "source": source or file}
        )
    except tk.ValidationError as e:
        _fail(f"{file}: refused, nothing was imported:\n{_errors(e)}")
        return
    click.echo(
        f"Imported {result['imported']} municipalities for {year} "
        f"({result['created']} new, {result['updated']} changed)."
    )
    if skipped:
        click.echo(f"Skipped {skipped} rows of other years.")


@vgsamverkan.command()
@click.option("--today", default=None, metavar="YYYY-MM-DD",
              help="Run as on this day (default: today); for catching up after a pause.")
def expire(today: str | None):
    """Send reminders for publishing rights that expire soon and revoke those that have
    expired (idempotent; run it daily from cron)."""
    import datetime as dt

    from ckanext.vgsamverkan import expiry

    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError:
        _fail("--today: write the date as YYYY-MM-DD")
        return
    result = expiry.run(day)
    click.echo(f"Reminded {len(result['reminded'])}, revoked {len(result['revoked'])}.")
    if result["failed"]:
        _fail(f"Could not expire {len(result['failed'])}: {', '.join(result['failed'])} (see the log).")


@vgsamverkan.group()
def demo():
    """Demo data for a first look."""


@demo.command("seed")
def demo_seed():
    """Create demo users, organisations and applications (idempotent)."""
    from ckanext.vgsamverkan import demo as demo_data

    for line in demo_data.seed():
        click.echo(line)


@vgsamverkan.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(burst: bool):
    """Run CKAN's job worker on the default and vgsamverkan queues, with rq's scheduler.

    ``ckan jobs worker`` runs no scheduler, so a mail that failed and waits for its
    retry would never be sent; this worker sends it when its time comes.
    """
    from ckan.lib import jobs

    from ckanext.vgsamverkan.mailer import QUEUE, flush

    flush()  # what waited in the outbox while the queue was away
    jobs.Worker(["default", QUEUE]).work(burst=burst, with_scheduler=True)


@vgsamverkan.group()
def mail():
    """The mail outbox."""


@mail.command("flush")
def mail_flush():
    """Queue the mails that wait in the outbox (made while Redis was down, or queued long
    ago and never sent). Run every few minutes from cron."""
    from ckanext.vgsamverkan.mailer import flush

    result = flush()
    click.echo(f"{result['queued']} of {result['waiting']} waiting mails queued.")
    if result["queued"] < result["waiting"]:
        _fail("The job queue (Redis) cannot be reached; the rest wait in the outbox.")


@vgsamverkan.group()
def fees():
    """Monthly fee statements: run, close, export."""


def _month_option(f):
    return click.option("--month", required=True, metavar="YYYY-MM", help="The month.")(f)


@fees.command("run")
@_month_option
@click.option("--dry-run", is_flag=True, help="Compute and show, save nothing.")
def fees_run(month: str, dry_run: bool):
    """Compute the statements of MONTH (saved unless --dry-run)."""
    try:
        result = tk.get_action("vgsamverkan_fee_run")(_site_context(), {"month": month, "dry_run": dry_run})
    except tk.ValidationError as e:
        _fail(f"{month}: refused:\n{_errors(e)}")
        return
    for st in result["statements"]:
        click.echo(f"{st['organization_title']}: net {st['net']}, VAT {st['vat']}, total {st['total']} SEK")
    if result["note"]:
        click.echo(f"Note: {result['note']}")
    click.echo(f"{month}: {result['count']} statements, net {result['net']} SEK, total {result['total']} SEK"
               + (" (dry run: nothing saved)" if dry_run else " (saved)"))


@fees.command("close")
@_month_option
def fees_close(month: str):
    """Close MONTH for ever (it must have been run, and be unchanged since)."""
    try:
        tk.get_action("vgsamverkan_fee_close")(_site_context(), {"month": month})
    except tk.ValidationError as e:
        _fail(f"{month}: refused:\n{_errors(e)}")
        return
    click.echo(f"{month}: closed.")


@fees.command("export")
@_month_option
@click.option("--format", "fmt", type=click.Choice(["csv", "sie"]), default="csv", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (default: the standard output).")
def fees_export(month: str, fmt: str, output: str | None):
    """Export the saved statements of MONTH as CSV or SIE 4I."""
    import base64

    try:
        result = tk.get_action("vgsamverkan_fee_export")(_site_context(), {"month": month, "format": fmt})
    except tk.ValidationError as e:
        _fail(f"{month}: refused:\n{_errors(e)}")
        return
    content = base64.b64decode(result["content_base64"])
    if output:
        with open(output, "wb") as f:
            f.write(content)
        click.echo(f"{month}: wrote {output} ({len(content)} bytes, {result['encoding']}).")
    else:
        click.get_binary_stream("stdout").write(content)


@vgsamverkan.group()
def gdpr():
    """Personal data: retention of contact data in closed requests."""


@gdpr.command("purge")
@click.option("--older-than", "older_than", type=int, default=None,
              help="Days since the request's last change (default: ckanext.vgsamverkan.retention_days).")
@click.option("--dry-run", is_flag=True, help="Only count; change nothing.")
def gdpr_purge(older_than: int | None, dry_run: bool):
    """Anonymise the contact data of closed requests older than the retention; the
    decisions, history and money stay."""
    payload: dict = {"dry_run": dry_run}
    if older_than is not None:
        payload["older_than"] = older_than
    try:
        result = tk.get_action("vgsamverkan_gdpr_purge")(_site_context(), payload)
    except tk.ValidationError as e:
        _fail("Nothing was changed:\n" + _errors(e))
    for object_type, ids in result["anonymised"].items():
        click.echo(f"{object_type}: {len(ids)}")
    verb = "would be anonymised (dry run: nothing changed)" if dry_run else "anonymised"
    click.echo(f"{result['count']} closed requests older than {result['older_than']} days {verb}.")
