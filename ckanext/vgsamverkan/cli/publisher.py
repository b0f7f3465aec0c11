"""Publishing rights: ``ckan vgsamverkan expire`` (daily, from cron)."""
from __future__ import annotations

import datetime as dt

import click

from ckanext.vgsamverkan import expiry
from ckanext.vgsamverkan.cli._common import _fail


@click.command()
@click.option("--today", default=None, metavar="YYYY-MM-DD",
              help="Run as on this day (default: today); for catching up after a pause.")
def expire(today: str | None):
    """The daily job: participations that begin or end today, reminders for publishing
    rights that expire soon, revocation of those that have expired, removal of
    registrations whose link is no longer valid (idempotent; run it
    daily: deploy/ has a systemd timer and a crontab line)."""
    try:
        day = dt.date.fromisoformat(today) if today else None
    except ValueError:
        _fail("--today: write the date as YYYY-MM-DD")
        return
    result = expiry.run(day)
    click.echo(f"Participations begun {len(result['began'])}, ended {len(result['ended'])}. "
               f"Reminded {len(result['reminded'])}, revoked {len(result['revoked'])}. "
               f"Registrations not activated in time removed: {result.get('registrations_removed', 0)}.")
    if result["failed"]:
        _fail(f"Could not expire {len(result['failed'])}: {', '.join(result['failed'])} (see the log).")
