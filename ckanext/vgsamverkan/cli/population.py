"""Population per municipality and year: ``ckan vgsamverkan population import``."""
from __future__ import annotations

import click

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.cli._common import _errors, _fail, _site_context
from ckanext.vgsamverkan.population_file import PopulationFileError, parse


@click.group()
def population():
    """Population per municipality and year."""


@population.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", required=True, type=int, help="The year (folkmängd on 31 December).")
@click.option("--source", default=None, help="Where the figures come from.")
def population_import(file: str, year: int, source: str | None):
    """Import FILE (CSV with a header row) as the population of YEAR, all or nothing."""

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
