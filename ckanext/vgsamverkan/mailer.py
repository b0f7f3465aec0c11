"""E-mail about submissions and decisions: now the package mail/ (issue 18): texts
(what each mail says, in the recipient's language), outbox (the outbox, the job queue,
retries, flush) and notify (who gets which mail).

This module stays as a shim: jobs already queued in Redis name their function by its
dotted path here (``ckanext.vgsamverkan.mailer.send_outbox``, ``send_job``,
``prepare_later``), and the extension's code read the notifications as ``mailer.*``.
Remove it when no job of an older version can be left in a queue.
"""
from __future__ import annotations

from ckanext.vgsamverkan.mail.notify import (
    calloff_changed,
    comment_added,
    connection_changed,
    participation_decided,
    participation_submitted,
    prepare_later,
    publisher_decided,
    publisher_submitted,
)
from ckanext.vgsamverkan.mail.outbox import QUEUE, flush, send_job, send_outbox

__all__ = ["QUEUE", "calloff_changed", "comment_added", "connection_changed", "flush", "participation_decided",
           "participation_submitted", "prepare_later", "publisher_decided", "publisher_submitted", "send_job",
           "send_outbox"]
