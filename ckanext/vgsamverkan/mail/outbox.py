"""Sending: every mail is written to the outbox (vgsamverkan_outbox) and handed to CKAN's job
queue, the ``default`` queue that CKAN's own ``ckan jobs worker`` serves (issue 19: a
standard deployment needs no worker of ours). The worker sends it once; a mail that
failed, or whose job was lost with Redis, is queued again by ``flush``
(``ckan vgsamverkan mail flush``, every few minutes from a timer: deploy/), after a wait
that grows with its attempts, until ``mail_retries`` retries are used up.

No retry relies on rq's scheduler, which ``ckan jobs worker`` does not run."""
from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.mailer import mail_recipient

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.model import Outbox
from ckanext.vgsamverkan.model.base import utcnow

log = logging.getLogger(__name__)


# CKAN's default queue: ``ckan jobs worker`` (no argument) serves it
QUEUE = "default"
# the queue of versions before issue 19: ``ckan vgsamverkan worker`` still serves it, so
# that jobs left in it by an upgrade are sent (their outbox rows are queued again by the
# flush in any case)
OLD_QUEUE = "vgsamverkan"

# seconds to wait before a failed mail is queued again, by the attempts made (1, 2, 3…;
# the last figure for any more): the flush, run every few minutes, queues it then
RETRY_INTERVALS = [60, 300, 900]


def send_job(recipient_name: str, recipient_email: str, subject: str, body: str) -> None:
    """A job of an earlier version (the mail in its arguments), still in a queue after an
    upgrade: sent as it is. Raises on failure, so that the worker retries it."""

    mail_recipient(recipient_name, recipient_email, subject, body)
    log.info("vgsamverkan: mail sent to %s: %s", recipient_email, subject)


def send_outbox(outbox_id: str) -> None:
    """The job the worker runs: send one mail of the outbox, once.

    The row is locked while it is sent, and a mail already sent is not sent again (a job
    queued twice, by the flush and by a retry, sends once). A failure is counted and
    raised (the worker lists the job as failed); the mail waits in the outbox, and the
    next flush after its wait (``RETRY_INTERVALS``) queues it again; after
    ``mail_retries`` + 1 attempts in all it is given up (``failed``).
    """


    row = model.Session.query(Outbox).filter(Outbox.id == outbox_id).with_for_update().one_or_none()
    if row is None or row.state != "waiting":
        model.Session.rollback()
        return
    row.attempts += 1
    try:
        mail_recipient(row.recipient_name, row.recipient_email, row.subject, row.body)
    except Exception as e:
        row.last_error = f"{type(e).__name__}: {e}"[:1000]
        if row.attempts > config.mail_retries():
            row.state = "failed"
        model.Session.commit()
        log.exception("vgsamverkan: mail %s to %s failed (attempt %d)", outbox_id, row.recipient_email,
                      row.attempts)
        raise
    row.state = "sent"
    row.sent_at = utcnow()
    row.last_error = None
    model.Session.commit()
    log.info("vgsamverkan: mail sent to %s: %s", row.recipient_email, row.subject)


def _push(outbox_id: str) -> bool:
    """Hand one waiting mail to the job queue; False when Redis cannot be reached (the
    mail waits in the outbox for the next flush)."""

    try:
        tk.enqueue_job(send_outbox, [outbox_id], title="vgsamverkan mail", queue=QUEUE)
    except Exception:
        log.warning("vgsamverkan: the job queue cannot be reached; mail %s waits in the outbox", outbox_id,
                    exc_info=True)
        return False
    model.Session.query(Outbox).filter(Outbox.id == outbox_id).update({"queued_at": utcnow()})
    model.Session.commit()
    return True


FLUSH_AFTER = 600  # seconds: a mail queued this long ago and never tried is queued again


def _due(row, now: dt.datetime) -> bool:
    """Whether a waiting mail is to be queued again now: never queued (Redis was away);
    queued and never tried for ``FLUSH_AFTER`` seconds (the queue was lost); tried and
    failed, and its wait (``RETRY_INTERVALS``, by attempts) is over."""
    if row.queued_at is None:
        return True
    if row.attempts == 0:
        wait = FLUSH_AFTER
    else:
        wait = RETRY_INTERVALS[min(row.attempts, len(RETRY_INTERVALS)) - 1]
    return row.queued_at < now - dt.timedelta(seconds=wait)


def flush(limit: int = 500) -> dict[str, int]:
    """Queue again the mails that wait and are due (``_due``): never queued, lost with
    the queue, or failed and waited long enough. Stops at the first that cannot be
    queued. Run by ``ckan vgsamverkan mail flush`` (a timer, every few minutes) and after
    every mail that could be queued."""
    now = utcnow()
    soonest = now - dt.timedelta(seconds=min([*RETRY_INTERVALS, FLUSH_AFTER]))
    rows = (model.Session.query(Outbox.id, Outbox.queued_at, Outbox.attempts)
            .filter(Outbox.state == "waiting", sa.or_(Outbox.queued_at.is_(None), Outbox.queued_at < soonest))
            .order_by(Outbox.created).limit(limit).all())
    ids = [r.id for r in rows if _due(r, now)]
    model.Session.rollback()
    queued = 0
    for outbox_id in ids:
        if not _push(outbox_id):
            break
        queued += 1
    return {"waiting": len(ids), "queued": queued}


def pending() -> dict[str, int]:
    """The outbox in figures (``ckan vgsamverkan doctor``): waiting, of them waiting
    longer than an hour, and given up."""
    hour_ago = utcnow() - dt.timedelta(hours=1)
    counts = dict(model.Session.query(Outbox.state, sa.func.count(Outbox.id)).group_by(Outbox.state).all())
    old = (model.Session.query(sa.func.count(Outbox.id))
           .filter(Outbox.state == "waiting", Outbox.created < hour_ago).scalar())
    return {"waiting": counts.get("waiting", 0), "waiting_over_an_hour": old, "failed": counts.get("failed", 0)}


def enqueue(recipient_name: str, recipient_email: str, subject: str, body: str, *, always: bool = False) -> None:
    """Write the mail to the outbox (its own transaction: the act before it is already
    committed), then hand it to the job queue. Neither step can undo the act. ``always``:
    a mail an account needs (its activation), sent whatever ``notify`` says."""
    if not (config.notify() or always) or not recipient_email:
        return

    try:
        row = Outbox(recipient_name=recipient_name or "", recipient_email=recipient_email, subject=subject,
                     body=body, state="waiting", attempts=0)
        model.Session.add(row)
        model.Session.commit()
        outbox_id = row.id
    except Exception:
        model.Session.rollback()
        log.exception("vgsamverkan: could not write mail to %s to the outbox: %s", recipient_email, subject)
        return
    if _push(outbox_id):
        try:
            flush(limit=50)  # the queue is back: what waited goes too
        except Exception:
            model.Session.rollback()
            log.exception("vgsamverkan: flushing the outbox failed")
