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

    from ckanext.vgsamverkan.mailer import QUEUE

    jobs.Worker(["default", QUEUE]).work(burst=burst, with_scheduler=True)
