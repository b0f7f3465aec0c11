"""E-mail about submissions and decisions.

Messages are composed when the act happens, in the recipient's language, with the
extension's own catalogue (so no request context is needed), and sent by CKAN's job
worker from the ``vgsamverkan`` queue. A mail that fails is logged and retried by the
worker; it never undoes the act that caused it.
"""
from __future__ import annotations

import functools
import importlib
import logging
from typing import Any, Callable

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import config, formats, labels
from ckanext.vgsamverkan.logic import objects
from ckanext.vgsamverkan.translation import translations

log = logging.getLogger(__name__)

QUEUE = "vgsamverkan"
RETRY_INTERVALS = [10, 60, 300]
LANGUAGES = formats.LANGUAGES


def link(path: str) -> str:
    return config.site_url() + path


def object_path(object_type: str, object_id: str) -> str:
    """The path of a request's page (logic/objects.py: Kind.path), for a link in a mail."""
    return objects.KINDS[object_type].path.format(id=object_id)


# -- composing -------------------------------------------------------------------------

def _compose_submitted(lang: str, p: dict[str, Any]) -> tuple[str, str]:
    _ = translations(lang).gettext
    subject = _("New application to take part: {organization}").format(
        organization=p["organization_title"]
    )
    body = "\n".join(
        [
            _("A new application to take part in the regional collaboration waits for your decision."),
            "",
            _("Organisation: {organization}").format(organization=p["organization_title"]),
            _("Type: {org_type}").format(org_type=labels.org_type(p["org_type"], lang)),
            _("Applied by: {user}").format(user=p.get("applicant_name") or ""),
            "",
            _("Decide here: {link}").format(link=link(object_path("participation", p["id"]))),
        ]
    )
    return subject, body


def _compose_decided(lang: str, p: dict[str, Any], verb: str) -> tuple[str, str]:
    _ = translations(lang).gettext
    org = p["organization_title"]
    subjects = {
        "approve": _("Your application to take part has been approved: {organization}"),
        "reject": _("Your application to take part has been rejected: {organization}"),
        "withdraw": _("An application to take part was withdrawn: {organization}"),
        "terminate": _("The participation has ended: {organization}"),
    }
    lines = []
    if verb == "approve":
        lines.append(
            _("The application of {organization} to take part in the regional collaboration has been approved. It takes part from {date}.").format(
                organization=org, date=p.get("effective_from") or ""
            )
        )
        if p.get("decision_comment"):
            lines += ["", _("Comment: {comment}").format(comment=p["decision_comment"])]
    elif verb == "reject":
        lines.append(
            _("The application of {organization} to take part in the regional collaboration has been rejected.").format(
                organization=org
            )
        )
        lines += ["", _("Reason: {reason}").format(reason=p.get("reason") or "")]
    elif verb == "withdraw":
        lines.append(
            _("The application of {organization} to take part was withdrawn by {user}.").format(
                organization=org, user=p.get("actor_name") or ""
            )
        )
    elif verb == "terminate":
        lines.append(
            _("The participation of {organization} in the regional collaboration ends on {date}.").format(
                organization=org, date=p.get("effective_to") or ""
            )
        )
    lines += ["", _("See the application: {link}").format(link=link(object_path("participation", p["id"])))]
    return subjects[verb].format(organization=org), "\n".join(lines)


def _compose_publisher_submitted(lang: str, r: dict[str, Any]) -> tuple[str, str]:
    _ = translations(lang).gettext
    subject = _("New request for publishing rights: {user} in {organization}").format(
        user=r.get("user_name") or "", organization=r["organization_title"])
    lines = [
        _("A request for publishing rights waits for your decision."),
        "",
        _("Organisation: {organization}").format(organization=r["organization_title"]),
        _("User: {user}").format(user=r.get("user_display_name") or r.get("user_name") or ""),
        _("Role: {role}").format(role=labels.role(r["role"], lang)),
        _("Asked by: {user}").format(user=r.get("applicant_name") or ""),
        "",
        _("Decide here: {link}").format(link=link(object_path("publisher", r["id"]))),
    ]
    return subject, "\n".join(lines)


def _compose_publisher_decided(lang: str, r: dict[str, Any], verb: str) -> tuple[str, str]:
    _ = translations(lang).gettext
    org = r["organization_title"]
    user = r.get("user_display_name") or r.get("user_name") or ""
    role = labels.role(r["role"], lang)
    subjects = {
        "approve": _("Publishing rights approved: {organization}"),
        "reject": _("Publishing rights rejected: {organization}"),
        "withdraw": _("A request for publishing rights was withdrawn: {organization}"),
        "revoke": _("Publishing rights revoked: {organization}"),
        "expire": _("Publishing rights expired: {organization}"),
        "end": _("Publishing rights ended: {organization}"),
        "remind": _("Publishing rights expire soon: {organization}"),
    }
    lines = []
    if verb == "approve":
        lines.append(_("{user} may now publish for {organization} as {role}.").format(
            user=user, organization=org, role=role))
        if r.get("expires"):
            lines.append(_("The rights are valid until {date}.").format(date=r["expires"]))
        if r.get("decision_comment"):
            lines += ["", _("Comment: {comment}").format(comment=r["decision_comment"])]
    elif verb == "reject":
        lines.append(_("The request of {user} for publishing rights in {organization} has been rejected.").format(
            user=user, organization=org))
        lines += ["", _("Reason: {reason}").format(reason=r.get("reason") or "")]
    elif verb == "withdraw":
        lines.append(_("The request of {user} for publishing rights in {organization} was withdrawn.").format(
            user=user, organization=org))
    elif verb == "revoke":
        lines.append(_("The publishing rights of {user} in {organization} have been revoked.").format(
            user=user, organization=org))
        if r.get("comment"):
            lines += ["", _("Comment: {comment}").format(comment=r["comment"])]
    elif verb == "expire":
        lines.append(_("The publishing rights of {user} in {organization} expired on {date}. You can apply again.").format(
            user=user, organization=org, date=r.get("expires") or ""))
    elif verb == "end":
        lines.append(_("The publishing rights of {user} in {organization} have ended, because {organization} no "
                       "longer takes part in the regional collaboration. If it takes part again, the rights are "
                       "applied for anew.").format(user=user, organization=org))
    elif verb == "remind":
        lines.append(_("The publishing rights of {user} in {organization} expire on {date}. Ask the coordinator in time if you need them longer.").format(
            user=user, organization=org, date=r.get("expires") or ""))
    lines += ["", _("See the request: {link}").format(link=link(object_path("publisher", r["id"])))]
    return subjects[verb].format(organization=org), "\n".join(lines)


def _compose_comment(lang: str, comment: dict[str, Any], title: str, path: str) -> tuple[str, str]:
    _ = translations(lang).gettext
    subject = _("New comment: {title}").format(title=title)
    body = "\n".join(
        [
            _("{user} wrote:").format(user=comment.get("author_display_name") or ""),
            "",
            comment["text"],
            "",
            _("Answer here: {link}").format(link=link(path)),
        ]
    )
    return subject, body


# -- sending ---------------------------------------------------------------------------

def send_job(recipient_name: str, recipient_email: str, subject: str, body: str) -> None:
    """A job of an earlier version (the mail in its arguments), still in a queue after an
    upgrade: sent as it is. Raises on failure, so that the worker retries it."""
    from ckan.lib.mailer import mail_recipient

    mail_recipient(recipient_name, recipient_email, subject, body)
    log.info("vgsamverkan: mail sent to %s: %s", recipient_email, subject)


def send_outbox(outbox_id: str) -> None:
    """The job the worker runs: send one mail of the outbox, once.

    The row is locked while it is sent, and a mail already sent is not sent again (a job
    queued twice, by the flush and by a retry, sends once). A failure is counted and
    raised, so that the worker retries it; after the retries it waits for the next
    flush, and after ``mail_retries`` + 1 attempts in all it is given up (``failed``).
    """
    from ckan.lib.mailer import mail_recipient

    from ckanext.vgsamverkan.model import Outbox
    from ckanext.vgsamverkan.model.base import utcnow

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
    from ckanext.vgsamverkan.model import Outbox
    from ckanext.vgsamverkan.model.base import utcnow

    try:
        from rq import Retry

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
    import datetime as dt

    import sqlalchemy as sa

    from ckanext.vgsamverkan.model import Outbox
    from ckanext.vgsamverkan.model.base import utcnow

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
    from ckanext.vgsamverkan.model import Outbox

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


def _coordinator_lang() -> str:
    lang = config.default_locale()
    return lang if lang in LANGUAGES else "sv"


def _applicant(p: dict[str, Any]) -> tuple[str, str]:
    user = model.User.get(p["applicant_id"]) if p.get("applicant_id") else None
    if user is not None and user.email:
        return user.display_name, user.email
    return p.get("contact_name") or "", p.get("contact_email") or ""


def _portable(value: Any) -> Any:
    """An argument a job can carry: one of our model objects as (module, class, id)."""
    if hasattr(value, "__tablename__") and getattr(value, "id", None):
        return {"__model__": [type(value).__module__, type(value).__name__, value.id]}
    return value


def _restored(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"__model__"}:
        module, name, id_ = value["__model__"]
        return model.Session.get(getattr(importlib.import_module(module), name), id_)
    return value


def prepare_later(name: str, args: list, kwargs: dict) -> None:
    """The job of a notification whose preparation met a lost database connection: it is
    prepared again (composed, written to the outbox, queued) by the worker; while the
    database is away it raises, and the worker retries it."""
    globals()[name].__wrapped__(*[_restored(a) for a in args],
                                **{k: _restored(v) for k, v in kwargs.items()})


def _never_undoing(fn: Callable[..., None]) -> Callable[..., None]:
    """A notification runs after its act was committed. When the database connection is
    lost while it is prepared (the recipient's address, the outbox), the act stands and
    the notification is handed to the job queue to be prepared again (prepare_later)."""
    from ckanext.vgsamverkan.unavailable import LOST

    @functools.wraps(fn)
    def notify(*args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except LOST:
            log.error("vgsamverkan: the database was lost while a mail (%s) was prepared; the job queue "
                      "prepares it again", fn.__name__, exc_info=True)
            try:
                model.Session.remove()
            except Exception:
                pass
            try:
                from rq import Retry

                tk.enqueue_job(prepare_later, [fn.__name__, [_portable(a) for a in args],
                                               {k: _portable(v) for k, v in kwargs.items()}],
                               title="vgsamverkan mail (prepare again)", queue=QUEUE,
                               rq_kwargs={"retry": Retry(max=len(RETRY_INTERVALS), interval=RETRY_INTERVALS)})
            except Exception:
                log.exception("vgsamverkan: neither the database nor the job queue can be reached: "
                              "the mail (%s) is lost", fn.__name__)

    return notify


@_never_undoing
def participation_submitted(p: dict[str, Any]) -> None:
    subject, body = _compose_submitted(_coordinator_lang(), p)
    _enqueue(config.contact_name(), config.coordinator_email(), subject, body)


@_never_undoing
def participation_decided(p: dict[str, Any], verb: str) -> None:
    if verb == "withdraw":
        subject, body = _compose_decided(_coordinator_lang(), p, verb)
        _enqueue(config.contact_name(), config.coordinator_email(), subject, body)
        return
    name, email = _applicant(p)
    subject, body = _compose_decided(p.get("language") or "sv", p, verb)
    _enqueue(name, email, subject, body)


def _user_address(user_id: str | None) -> tuple[str, str]:
    user = model.User.get(user_id) if user_id else None
    if user is not None and user.email:
        return user.display_name, user.email
    return "", ""


@_never_undoing
def publisher_submitted(r: dict[str, Any]) -> None:
    subject, body = _compose_publisher_submitted(_coordinator_lang(), r)
    _enqueue(config.contact_name(), config.coordinator_email(), subject, body)


@_never_undoing
def publisher_decided(r: dict[str, Any], verb: str) -> None:
    """Decisions, expiry and reminders go to the user the rights are for, and to the
    one who asked if someone else; a withdrawal goes to the coordinator."""
    if verb == "withdraw":
        subject, body = _compose_publisher_decided(_coordinator_lang(), r, verb)
        _enqueue(config.contact_name(), config.coordinator_email(), subject, body)
        return
    subject, body = _compose_publisher_decided(r.get("language") or "sv", r, verb)
    for user_id in dict.fromkeys([r.get("user_id"), r.get("applicant_id")]):
        name, email = _user_address(user_id)
        _enqueue(name, email, subject, body)


@_never_undoing
def comment_added(comment: dict[str, Any], obj: Any, *, from_coordinator: bool) -> None:
    """A comment from the coordinator goes to the applicant; one from the organisation
    goes to the coordinator."""
    title = getattr(obj, "organization_title", "") or ""
    path = object_path(comment["object_type"], obj.id)
    if from_coordinator:
        name, email = _applicant(obj.dictize()) if comment["object_type"] == "participation" \
            else _user_address(getattr(obj, "applicant_id", None))
        lang = getattr(obj, "language", None) or "sv"
    else:
        name, email, lang = config.contact_name(), config.coordinator_email(), _coordinator_lang()
    subject, body = _compose_comment(lang, comment, title, path)
    _enqueue(name, email, subject, body)


def _compose_connection(lang: str, c: dict[str, Any], verb: str) -> tuple[str, str]:
    _ = translations(lang).gettext
    org = c["organization_title"]
    subjects = {
        "create": _("New connection request: {organization}"),
        "investigate": _("Your connection request is being investigated: {organization}"),
        "quote": _("Quote for your connection: {organization}"),
        "accept": _("The quote for a connection was accepted: {organization}"),
        "decline": _("The quote for a connection was declined: {organization}"),
        "complete": _("Connected to the regional platform: {organization}"),
        "cancel": _("A connection request was cancelled: {organization}"),
        "disconnect": _("The connection has ended: {organization}"),
    }
    lines = []
    if verb == "create":
        lines += [_("A new connection request waits for your investigation."), "",
                  _("Organisation: {organization}").format(organization=org),
                  _("Information sets: {text}").format(text=c.get("information_sets") or ""),
                  _("Asked by: {user}").format(user=c.get("applicant_name") or "")]
    elif verb == "investigate":
        lines.append(_("The regional coordinator has started investigating the connection of {organization}. Investigator: {name}.").format(
            organization=org, name=c.get("investigator") or ""))
    elif verb == "quote":
        q = c.get("quote") or {}
        lines += [_("The regional coordinator has issued a quote for the connection of {organization}.").format(organization=org), "",
                  _("Solution: {text}").format(text=q.get("solution") or ""),
                  _("Effort: {hours} hours").format(hours=formats.number(q.get("effort_hours"), lang)),
                  _("Price: {price} (before VAT)").format(price=formats.sek(q.get("price"), lang)),
                  _("Valid until: {date}").format(date=q.get("valid_until") or ""), "",
                  _("An admin of the organisation accepts or declines it on the request page.")]
    elif verb == "accept":
        lines.append(_("{organization} accepted the quote ({price}).").format(organization=org, price=formats.sek(c.get("price"), lang)))
    elif verb == "decline":
        lines.append(_("{organization} declined the quote.").format(organization=org))
    elif verb == "complete":
        lines.append(_("{organization} is connected to the regional platform from {date}.").format(
            organization=org, date=c.get("connected_date") or ""))
    elif verb == "cancel":
        lines.append(_("The connection request of {organization} was cancelled.").format(organization=org))
    elif verb == "disconnect":
        lines.append(_("The connection of {organization} to the regional platform has ended.").format(organization=org))
    if c.get("comment"):
        lines += ["", _("Comment: {comment}").format(comment=c["comment"])]
    lines += ["", _("See the request: {link}").format(link=link(object_path("connection", c["id"])))]
    return subjects[verb].format(organization=org), "\n".join(lines)


# the coordinator's acts notify the organisation, the organisation's acts the coordinator
_TO_COORDINATOR = {"create", "accept", "decline"}


@_never_undoing
def connection_changed(c: dict[str, Any], verb: str, *, by_coordinator: bool = True) -> None:
    if verb in _TO_COORDINATOR or (verb == "cancel" and not by_coordinator):
        subject, body = _compose_connection(_coordinator_lang(), c, verb)
        _enqueue(config.contact_name(), config.coordinator_email(), subject, body)
        return
    subject, body = _compose_connection(c.get("language") or "sv", c, verb)
    name, email = _user_address(c.get("applicant_id"))
    _enqueue(name, email, subject, body)


def _compose_calloff(lang: str, c: dict[str, Any], verb: str) -> tuple[str, str]:
    _ = translations(lang).gettext
    org = c["organization_title"]
    subjects = {
        "create": _("New call-off of expert support: {organization}"),
        "assign": _("An expert is assigned to the call-off: {organization}"),
        "deliver": _("The expert support has been delivered: {organization}"),
        "cancel": _("A call-off of expert support was cancelled: {organization}"),
    }
    area = labels.competence_area(c.get("competence_area") or "", lang)
    lines = []
    if verb == "create":
        lines += [_("A new call-off of expert support waits for an expert."), "",
                  _("Organisation: {organization}").format(organization=org),
                  _("Competence area: {area}").format(area=area),
                  _("Estimated hours: {hours}").format(hours=formats.number(c.get("estimated_hours"), lang)),
                  _("Wanted period: {start} – {end}").format(start=c.get("period_start") or "",
                                                             end=c.get("period_end") or ""),
                  _("Asked by: {user}").format(user=c.get("applicant_name") or ""), "",
                  c.get("description") or ""]
    elif verb == "assign":
        price = (_("{price} per hour (before VAT)").format(price=formats.sek(c["hourly_rate"], lang))
                 if c.get("hourly_rate")
                 else _("fixed price {price} (before VAT)").format(price=formats.sek(c.get("fixed_price"), lang)))
        lines += [_("The regional coordinator has assigned an expert to the call-off of {organization} ({area}).").format(
                      organization=org, area=area), "",
                  _("Expert: {name}").format(name=c.get("expert_name") or ""),
                  _("Price: {price}").format(price=price),
                  _("Planned hours: {hours}").format(hours=formats.number(c.get("planned_hours"), lang))]
        if c.get("contact"):
            lines.append(_("Contact at the organisation: {contact}").format(contact=c["contact"]))
    elif verb == "deliver":
        lines += [_("The expert support for {organization} ({area}) has been delivered on {date}.").format(
                      organization=org, area=area, date=c.get("delivered_date") or ""),
                  _("Hours logged: {hours}").format(hours=formats.number(c.get("logged_hours") or 0, lang)),
                  _("Amount: {amount} (before VAT)").format(amount=formats.sek(c.get("amount") or 0, lang))]
    elif verb == "cancel":
        lines.append(_("The call-off of expert support for {organization} ({area}) was cancelled.").format(
            organization=org, area=area))
    if c.get("comment"):
        lines += ["", _("Comment: {comment}").format(comment=c["comment"])]
    lines += ["", _("See the call-off: {link}").format(link=link(object_path("calloff", c["id"])))]
    return subjects[verb].format(organization=org), "\n".join(lines)


@_never_undoing
def calloff_changed(c: dict[str, Any], verb: str, *, by_coordinator: bool = True) -> None:
    """A new call-off goes to the coordinator; the coordinator's acts go to the one who
    asked; an assignment also to the expert; a cancellation by the organisation to the
    coordinator (and the expert, if one was assigned)."""
    if verb not in ("create", "assign", "deliver", "cancel"):
        return
    to_coordinator = verb == "create" or (verb == "cancel" and not by_coordinator)
    if to_coordinator:
        subject, body = _compose_calloff(_coordinator_lang(), c, verb)
        _enqueue(config.contact_name(), config.coordinator_email(), subject, body)
    else:
        subject, body = _compose_calloff(c.get("language") or "sv", c, verb)
        name, email = _user_address(c.get("applicant_id"))
        _enqueue(name, email, subject, body)
    if verb in ("assign", "cancel") and c.get("expert_user_id") and c["expert_user_id"] != c.get("applicant_id"):
        subject, body = _compose_calloff(c.get("language") or "sv", c, verb)
        name, email = _user_address(c["expert_user_id"])
        _enqueue(name, email, subject, body)
