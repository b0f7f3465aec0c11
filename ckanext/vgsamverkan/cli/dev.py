"""Demo data for a first look: ``ckan vgsamverkan demo seed`` (make run)."""
from __future__ import annotations

import click

from ckanext.vgsamverkan import demo as demo_data


@click.group()
def demo():
    """Demo data for a first look."""


@demo.command("seed")
def demo_seed():
    """Create demo users, organisations and applications (idempotent)."""

    for line in demo_data.seed():
        click.echo(line)
