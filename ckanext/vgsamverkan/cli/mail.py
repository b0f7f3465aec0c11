"""Mail: ``mail flush`` (a timer, every few minutes) and ``ckan vgsamverkan worker`` (not
needed on a standard deployment, where CKAN's own ``ckan jobs worker`` sends the mail)."""
from __future__ import annotations

import click

from ckan.lib import jobs

from ckanext.vgsamverkan.cli._common import _fail
from ckanext.vgsamverkan.mail.outbox import OLD_QUEUE, QUEUE, flush


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(burst: bool):
    """CKAN's job worker on the default queue and the queue of earlier versions, after a
    flush of the outbox.

    Not needed on a standard deployment: ``ckan jobs worker`` sends the mail (the default
    queue) and ``ckan vgsamverkan mail flush`` queues again what failed or was lost. This
    command serves, besides, jobs an upgrade left in the queue ``vgsamverkan`` of earlier
    versions.
    """
    flush()  # what waited in the outbox while the queue was away
    jobs.Worker([QUEUE, OLD_QUEUE]).work(burst=burst, with_scheduler=True)


@click.group()
def mail():
    """The mail outbox."""


@mail.command("flush")
def mail_flush():
    """Queue the mails that wait in the outbox (made while Redis was down, or queued long
    ago and never sent). Run every few minutes from cron."""

    result = flush()
    click.echo(f"{result['queued']} of {result['waiting']} waiting mails queued.")
    if result["queued"] < result["waiting"]:
        _fail("The job queue (Redis) cannot be reached; the rest wait in the outbox.")
