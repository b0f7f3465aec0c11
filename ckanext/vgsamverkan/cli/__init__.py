"""``ckan vgsamverkan …``: data is changed only through the actions, as the site user.

One module per area (issue 18); this group adds their commands."""
from __future__ import annotations

import click

from ckanext.vgsamverkan import portal
from ckanext.vgsamverkan.cli.dev import demo
from ckanext.vgsamverkan.cli.doctor import doctor
from ckanext.vgsamverkan.cli.fees import fees
from ckanext.vgsamverkan.cli.gdpr import gdpr
from ckanext.vgsamverkan.cli.mail import mail, worker
from ckanext.vgsamverkan.cli.population import population
from ckanext.vgsamverkan.cli.publisher import expire

__all__ = ["vgsamverkan"]  # the blanket registers click groups only when named here


@click.group(short_help="The regional open-data collaboration (samverkan).")
@click.pass_context
def vgsamverkan(ctx: click.Context):
    """Participation, publisher rights, connections, call-offs and fees."""
    # what the commands record is the portal's act, named by the command (portal.py)
    ctx.with_resource(portal.commanding(ctx.command_path))


vgsamverkan.add_command(doctor)
vgsamverkan.add_command(population)
vgsamverkan.add_command(expire)
vgsamverkan.add_command(demo)
vgsamverkan.add_command(worker)
vgsamverkan.add_command(mail)
vgsamverkan.add_command(fees)
vgsamverkan.add_command(gdpr)
