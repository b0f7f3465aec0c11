"""Who gets which mail when something happens: one function per kind of event, called by the
actions after their act was committed; a notification never undoes the act (_never_undoing)."""
from __future__ import annotations

import functools
import importlib
import logging
import time
from typing import Any, Callable

from rq import Retry, get_current_job

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.mail.outbox import QUEUE, _enqueue
from ckanext.vgsamverkan.mail.texts import (
    LANGUAGES,
    _compose_calloff,
    _compose_comment,
    _compose_connection,
    _compose_decided,
    _compose_publisher_decided,
    _compose_publisher_submitted,
    _compose_submitted,
    object_path,
)
from ckanext.vgsamverkan.unavailable import LOST

log = logging.getLogger(__name__)


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


# seconds a worker waits before a failed preparation is tried again (the database is
# away: it usually comes back within these); rq puts a failed job back at once (no
# scheduler needed, which ``ckan jobs worker`` does not run)
PREPARE_WAITS = (5, 20, 60)


def prepare_later(name: str, args: list, kwargs: dict) -> None:
    """The job of a notification whose preparation met a lost database connection: it is
    prepared again (composed, written to the outbox, queued) by the worker; while the
    database is still away it waits a little and raises, and rq puts the job back
    (``PREPARE_WAITS``: about a minute and a half in all)."""
    try:
        globals()[name].__wrapped__(*[_restored(a) for a in args],
                                    **{k: _restored(v) for k, v in kwargs.items()})
    except LOST:
        model.Session.remove()
        job = get_current_job()
        tried = len(PREPARE_WAITS) - (job.retries_left or 0) if job is not None and job.retries_left is not None \
            else 0
        time.sleep(PREPARE_WAITS[min(tried, len(PREPARE_WAITS) - 1)])
        raise


def _never_undoing(fn: Callable[..., None]) -> Callable[..., None]:
    """A notification runs after its act was committed. When the database connection is
    lost while it is prepared (the recipient's address, the outbox), the act stands and
    the notification is handed to the job queue to be prepared again (prepare_later)."""

    @functools.wraps(fn)
    def notify(*args: Any, **kwargs: Any) -> None:
        try:
            fn(*args, **kwargs)
        except LOST:
            log.error("vgsamverkan: the database was lost while a mail (%s) was prepared; the job queue "
                      "prepares it again", fn.__name__, exc_info=True)
            try:
                model.Session.remove()
            except Exception:  # noqa: BLE001 (the connection is gone; closing it may fail as well)
                pass
            try:

                tk.enqueue_job(prepare_later, [fn.__name__, [_portable(a) for a in args],
                                               {k: _portable(v) for k, v in kwargs.items()}],
                               title="vgsamverkan mail (prepare again)", queue=QUEUE,
                               rq_kwargs={"retry": Retry(max=len(PREPARE_WAITS))})
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
