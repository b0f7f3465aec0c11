"""Personal data: ``ckan vgsamverkan gdpr purge`` (monthly, from cron)."""
from __future__ import annotations

import click

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.cli._common import _errors, _fail, _site_context


@click.group()
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
