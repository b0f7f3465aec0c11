"""Sending: every mail is written to the outbox (vgsamverkan_outbox) and handed to CKAN's job
queue; the worker sends it once, with retries; ``flush`` queues again what waited while
Redis was away."""
from __future__ import annotations

import datetime as dt
import logging

import sqlalchemy as sa
from rq import Retry

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.lib.mailer import mail_recipient

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.model import Outbox
from ckanext.vgsamverkan.model.base import utcnow

log = logging.getLogger(__name__)


QUEUE = "vgsamverkan"


RETRY_INTERVALS = [10, 60, 300]


def send_job(recipient_name: str, recipient_email: str, subject: str, body: str) -> None:
    """A job of an earlier version (the mail in its arguments), still in a queue after an
    upgrade: sent as it is. Raises on failure, so that the worker retries it."""

    mail_recipient(recipient_name, recipient_email, subject, body)
    log.info("vgsamverkan: mail sent to %s: %s", recipient_email, subject)


def send_outbox(outbox_id: str) -> None:
    """The job the worker runs: send one mail of the outbox, once.

    The row is locked while it is sent, and a mail already sent is not sent again (a job
    queued twice, by the flush and by a retry, sends once). A failure is counted and
    raised, so that the worker retries it; after the retries it waits for the next
    flush, and after ``mail_retries`` + 1 attempts in all it is given up (``failed``).
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

        retries = config.mail_retries()
        rq_kwargs = {"retry": Retry(max=retries, interval=RETRY_INTERVALS)} if retries else {}
        tk.enqueue_job(send_outbox, [outbox_id], title="vgsamverkan mail", queue=QUEUE, rq_kwargs=rq_kwargs)
    except Exception:
        log.warning("vgsamverkan: the job queue cannot be reached; mail %s waits in the outbox", outbox_id,
                    exc_info=True)
        return False
    model.Session.query(Outbox).filter(Outbox.id == outbox_id).update({"queued_at": utcnow()})
    model.Session.commit()
    return True


FLUSH_AFTER = 600  # seconds: a mail queued this long ago and not sent is queued again


def flush(limit: int = 500) -> dict[str, int]:
    """Queue again the mails that wait: never queued (Redis was down) or queued more than
    ``FLUSH_AFTER`` seconds ago and still not sent (the queue was lost). Stops at the
    first that cannot be queued. Run by ``ckan vgsamverkan mail flush`` (cron) and after
    every mail that could be queued."""



    stale = utcnow() - dt.timedelta(seconds=FLUSH_AFTER)
    ids = [r[0] for r in model.Session.query(Outbox.id).filter(
        Outbox.state == "waiting", sa.or_(Outbox.queued_at.is_(None), Outbox.queued_at < stale))
        .order_by(Outbox.created).limit(limit)]
    model.Session.rollback()
    queued = 0
    for outbox_id in ids:
        if not _push(outbox_id):
            break
        queued += 1
    return {"waiting": len(ids), "queued": queued}


def _enqueue(recipient_name: str, recipient_email: str, subject: str, body: str) -> None:
    """Write the mail to the outbox (its own transaction: the act before it is already
    committed), then hand it to the job queue. Neither step can undo the act."""
    if not config.notify() or not recipient_email:
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
