"""What the notifications share: recipients and their languages, sending once per
address, the receipt, and a notification that never undoes its act (``_never_undoing``,
``prepare_later``)."""
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
from ckanext.vgsamverkan.domain import roles
from ckanext.vgsamverkan.formats import LANGUAGES
from ckanext.vgsamverkan.mail import language
from ckanext.vgsamverkan.mail.outbox import QUEUE, enqueue
from ckanext.vgsamverkan.mail.texts import (
    compose_receipt,
)
from ckanext.vgsamverkan.unavailable import LOST

log = logging.getLogger(__name__)


def _coordinator_lang() -> str:
    return language.for_coordinator()


# a recipient: name, e-mail address, and the language of the mail to them (None: the
# portal's default). SPEC 2026-12-07: each person's mail is in the language that person
# chose on their account page; one who made a request and chose none gets its mail in the
# request's language; nobody gets mail in the language of someone else's request.
Recipient = tuple[str, str, "str | None"]


def _applicant(p: dict[str, Any]) -> Recipient:
    user = model.User.get(p["applicant_id"]) if p.get("applicant_id") else None
    if user is not None and user.email:
        return user.display_name, user.email, language.of_user(user) or p.get("language")
    return p.get("contact_name") or "", p.get("contact_email") or "", p.get("language")


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
        # the notification by its name in the package (mail/notify/__init__.py)
        notification = getattr(importlib.import_module("ckanext.vgsamverkan.mail.notify"), name)
        notification.__wrapped__(*[_restored(a) for a in args],
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


def _address(user: model.User | None, request_language: str | None = None) -> Recipient:
    """``user``'s address and language: the one the user chose, else ``request_language``
    (given for the one who made the request), else the portal's."""
    if user is not None and user.email and user.state == "active":
        return user.display_name, user.email, language.of_user(user) or request_language
    return "", "", None


def _user_address(user_id: str | None, request_language: str | None = None) -> Recipient:
    return _address(model.User.get(user_id) if user_id else None, request_language)


def _admins(org_id: str | None) -> list[model.User]:
    """The organisation's admins today (domain/roles.org_admins)."""
    return roles.org_admins(org_id)


def _organisation(org_id: str | None, asker_id: str | None, request_language: str | None = None) -> list[Recipient]:
    """Where the organisation's mail about a request goes: to the one who asked while
    they are still an admin of it; to its admins today when they are not (an admin who
    left gets no more of its mail, and the mail still reaches the organisation). Before
    the organisation exists (an application for a new one) the applicant is the party."""
    if not org_id:
        return [_user_address(asker_id, request_language)]
    admins = _admins(org_id)
    if asker_id and any(u.id == asker_id for u in admins):
        return [_user_address(asker_id, request_language)]
    return [_address(u) for u in admins]


def _send(addresses: list[Recipient], compose: Callable[[str], tuple[str, str]], *,
          never: tuple[str, ...] = (), always: bool = False) -> None:
    """One mail to each address, once (by e-mail address), in its recipient's language
    (``compose(lang)`` gives subject and body, once a language), none to an address in
    ``never`` (the writer of a comment) or without an address."""
    seen = {e.lower() for e in never if e}
    texts: dict[str, tuple[str, str]] = {}
    for name, email, lang in addresses:
        if email and email.lower() not in seen:
            seen.add(email.lower())
            lang = lang if lang in LANGUAGES else language.portal_language()
            if lang not in texts:
                texts[lang] = compose(lang)
            enqueue(name, email, *texts[lang], always=always)


def _coordinator() -> list[Recipient]:
    return [(config.contact_name(), config.coordinator_email(), _coordinator_lang())]


def _receipt(kind: str, d: dict[str, Any], to_user_id: str | None, verb: str = "create") -> None:
    """The receipt of a request to whoever sent it, in that person's language (the one
    chosen, else the request's)."""
    _send([_user_address(to_user_id, d.get("language"))], lambda lang: compose_receipt(lang, kind, d, verb))
