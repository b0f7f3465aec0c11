"""The daily job, ``ckan vgsamverkan expire`` (a systemd timer or cron, deploy/): the
days on which participations' dates take effect (a first day reached: ``begin``; the day
after a last day: ``end``, with the publishing rights approved in it), then expiry of
publishing rights.

Idempotent: each participation begins and ends once (``began_at``, ``ended_at``), a
reminder is sent once (``reminded_at``), and only approved rights are revoked, each in
its own transaction, so a run that stops half-way is completed by the next one and one
failure does not hold back the rest.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.domain import taking_part
from ckanext.vgsamverkan.domain.kinds import publisher as publishing_rights
from ckanext.vgsamverkan.logic.action import account, participation
from ckanext.vgsamverkan.logic.action._base import _lock
from ckanext.vgsamverkan.logic.action.publisher import end_authorisation
from ckanext.vgsamverkan.mail import notify
from ckanext.vgsamverkan.model import Event, PublisherRequest
from ckanext.vgsamverkan.model.base import utcnow

log = logging.getLogger(__name__)


def run(today: dt.date | None = None) -> dict[str, Any]:
    """Record the participations that begin today and end those whose last day has
    passed (ending their publishing rights); send reminders for rights that expire within
    ``expiry_reminder_days`` and revoke those whose expiry date (the last valid day) is
    before ``today``, unless a renewal or change of role of them waits for a decision.

    Registrations whose link is no longer valid are removed (logic/action/account.py).

    :returns: ``{"began": [ids], "ended": [ids], "reminded": [ids], "revoked": [ids],
        "failed": [ids], "registrations_removed": N}``
    """

    today = today or taking_part.today()
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    context: dict[str, Any] = {"model": model, "session": model.Session, "user": site_user["name"],
                               "ignore_auth": True}
    result: dict[str, Any] = {"began": [], "ended": [], "reminded": [], "revoked": [], "failed": []}

    def each(due: list[str], verb: str, act: Any, tell: Any) -> None:
        """Act on each participation due, each in its own transaction: one failure is
        logged and counted and does not hold back the rest."""
        for participation_id in due:
            try:
                done = act(context, participation_id, today)
            except Exception:
                model.Session.rollback()
                log.exception("vgsamverkan: could not %s participation %s", verb, participation_id)
                result["failed"].append(participation_id)
                continue
            if done is not None:
                tell(done)
                result["began" if verb == "begin" else "ended"].append(participation_id)

    def tell_ended(done: tuple[dict[str, Any], list[dict[str, Any]]]) -> None:
        ended, rights_ended = done
        notify.participation_decided(ended, "end")
        for rights in rights_ended:
            notify.publisher_decided(rights, "end")

    each(participation.begin_due(today), "begin", participation.begin,
         lambda began: notify.participation_decided(began, "begin"))
    each(participation.end_due(today), "end", participation.end, tell_ended)

    # rights with a renewal or a change of role waiting for the coordinator are kept past
    # their expiry date until the decision (SPEC 2026-12-07): the holder asked in time
    waiting = model.Session.query(PublisherRequest.replaces_id).filter(
        PublisherRequest.state == "pending", PublisherRequest.replaces_id.isnot(None))
    expired = [
        r.id for r in model.Session.query(PublisherRequest.id)
        .filter(PublisherRequest.state == "approved", PublisherRequest.expires < today,
                PublisherRequest.id.notin_(waiting))
        .order_by(PublisherRequest.expires, PublisherRequest.id)
    ]
    for request_id in expired:
        try:
            obj = _lock(PublisherRequest, request_id)
            renewal_waits = model.Session.query(PublisherRequest.id).filter(
                PublisherRequest.replaces_id == obj.id, PublisherRequest.state == "pending").first()
            if obj.state != "approved" or obj.expires is None or obj.expires >= today or renewal_waits:
                model.Session.rollback()
                continue  # decided, or asked to renew, meanwhile
            data = end_authorisation(
                context, obj, "expire",
                tk._("Expired: the rights were valid until {date}").format(date=obj.expires.isoformat()),
            )
        except Exception:
            model.Session.rollback()
            log.exception("vgsamverkan: could not expire publisher request %s", request_id)
            result["failed"].append(request_id)
            continue
        notify.publisher_decided(data, "expire")
        result["revoked"].append(request_id)

    due = [
        r.id for r in model.Session.query(PublisherRequest.id)
        .filter(publishing_rights.ending_soon(today), PublisherRequest.reminded_at.is_(None))
        .order_by(PublisherRequest.expires, PublisherRequest.id)
    ]
    for request_id in due:
        obj = _lock(PublisherRequest, request_id)
        if obj.state != "approved" or obj.reminded_at is not None:
            model.Session.rollback()
            continue
        obj.reminded_at = utcnow()
        Event.record(publishing_rights.KIND.name, obj.id, "remind", actor_id=model.User.get(site_user["name"]).id,
                     organization_id=obj.organization_id, from_state=obj.state,
                     to_state=obj.state,
                     # the fact, said in the reader's language by the history (Kind.facts):
                     # a sentence written here was in the job's language, English (issue 39)
                     details={"expires": obj.expires.isoformat()})
        model.repo.commit()
        notify.publisher_decided(obj.dictize(), "remind")
        result["reminded"].append(request_id)

    # registrations whose link is no longer valid: their addresses and password hashes go
    try:
        result["registrations_removed"] = account.remove_expired()
    except Exception:
        model.Session.rollback()
        log.exception("vgsamverkan: could not remove expired registrations")
    return result
