"""Monthly fee statements: ``ckan vgsamverkan fees run|close|export``."""
from __future__ import annotations

import base64

import click

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.cli._common import _errors, _fail, _site_context


@click.group()
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
        closed = tk.get_action("vgsamverkan_fee_close")(_site_context(), {"month": month})
    except tk.ValidationError as e:
        _fail(f"{month}: refused:\n{_errors(e)}")
        return
    numbers = closed.get("invoices") or []
    issued = f"e-invoices {numbers[0]} to {numbers[-1]} issued" if numbers else "no e-invoice (nothing to pay)"
    click.echo(f"{month}: closed; {issued}.")


@fees.command("export")
@_month_option
@click.option("--format", "fmt", type=click.Choice(["csv", "sie", "peppol"]), default="csv", show_default=True,
              help="csv or sie: the statements; peppol: a closed month's e-invoices, one zip.")
@click.option("--output", type=click.Path(dir_okay=False), default=None,
              help="Write to this file (default: the standard output).")
def fees_export(month: str, fmt: str, output: str | None):
    """Export the saved statements of MONTH as CSV or SIE 4I, or a closed MONTH's
    e-invoices (Peppol BIS Billing 3.0) as a zip."""

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
