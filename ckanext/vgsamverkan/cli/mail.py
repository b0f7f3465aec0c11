"""Mail: ``ckan vgsamverkan worker`` (the job worker with rq's scheduler) and ``mail flush``."""
from __future__ import annotations

import click

from ckan.lib import jobs

from ckanext.vgsamverkan.cli._common import _fail
from ckanext.vgsamverkan.mail.outbox import QUEUE, flush


@click.command()
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker(burst: bool):
    """Run CKAN's job worker on the default and vgsamverkan queues, with rq's scheduler.

    ``ckan jobs worker`` runs no scheduler, so a mail that failed and waits for its
    retry would never be sent; this worker sends it when its time comes.
    """


    flush()  # what waited in the outbox while the queue was away
    jobs.Worker(["default", QUEUE]).work(burst=burst, with_scheduler=True)


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
