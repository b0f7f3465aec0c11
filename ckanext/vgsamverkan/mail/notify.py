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
from ckanext.vgsamverkan.domain import roles
from ckanext.vgsamverkan.formats import LANGUAGES
from ckanext.vgsamverkan.mail import language
from ckanext.vgsamverkan.mail.outbox import QUEUE, enqueue
from ckanext.vgsamverkan.mail.texts import (
    compose_activation,
    compose_address_registered,
    compose_calloff,
    compose_comment,
    compose_connection,
    compose_decided,
    compose_publisher_decided,
    compose_publisher_submitted,
    compose_publisher_told,
    compose_receipt,
    compose_submitted,
    link,
    object_path,
)
from ckanext.vgsamverkan.model import Registration
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


@_never_undoing
def participation_submitted(p: dict[str, Any]) -> None:
    _send(_coordinator(), lambda lang: compose_submitted(lang, p))
    _receipt("participation", p, p.get("applicant_id"))


@_never_undoing
def participation_decided(p: dict[str, Any], verb: str) -> None:
    if verb == "withdraw":
        _send(_coordinator(), lambda lang: compose_decided(lang, p, verb))
        return
    to = [a for a in _organisation(p.get("organization_id"), p.get("applicant_id"), p.get("language")) if a[1]]
    # nobody to reach in the portal (an organisation without admins): the contact person
    # of the application
    _send(to or [_applicant(p)], lambda lang: compose_decided(lang, p, verb))


@_never_undoing
def publisher_submitted(r: dict[str, Any]) -> None:
    """The coordinator decides; the organisation's admins are told (issue 21); the one who
    asked gets a receipt."""
    _send(_coordinator(), lambda lang: compose_publisher_submitted(lang, r))
    _send([_address(u) for u in _admins(r["organization_id"]) if u.id != r.get("applicant_id")],
          lambda lang: compose_publisher_told(lang, r))
    _receipt("publisher", r, r.get("applicant_id"))


@_never_undoing
def publisher_decided(r: dict[str, Any], verb: str) -> None:
    """Decisions, expiry and reminders go to the user the rights are for, and to the
    one who asked if someone else who is still an admin of the organisation; a withdrawal
    goes to the coordinator."""
    if verb == "withdraw":
        _send(_coordinator(), lambda lang: compose_publisher_decided(lang, r, verb))
        return
    asked_self = r.get("applicant_id") in (None, r.get("user_id"))
    to = [_user_address(r.get("user_id"), r.get("language") if asked_self else None)]
    if r.get("applicant_id") and any(u.id == r["applicant_id"] for u in _admins(r["organization_id"])):
        to.append(_user_address(r["applicant_id"], r.get("language")))
    _send(to, lambda lang: compose_publisher_decided(lang, r, verb))


def _parties(object_type: str, obj: Any) -> list[Recipient]:
    """Who in the organisation follows a request's conversation: its admins today (before
    a new organisation exists, the applicant); the user of publishing rights; the expert
    of a call-off."""
    org_id = getattr(obj, "organization_id", None)
    to = [_address(u) for u in _admins(org_id)] if org_id else [_applicant(obj.dictize())]
    if object_type == "publisher":
        to.append(_user_address(obj.user_id))
    if object_type == "calloff" and obj.expert_user_id:
        to.append(_user_address(obj.expert_user_id))
    return to


@_never_undoing
def comment_added(comment: dict[str, Any], obj: Any, *, from_coordinator: bool) -> None:
    """A comment reaches every admin of the organisation and the coordinator, never its
    writer (a coordinator's comment does not go back to the coordinator's mailbox)."""
    title = getattr(obj, "organization_title", "") or ""
    path = object_path(comment["object_type"], obj.id)
    writer = _user_address(comment.get("author_id"))[1]
    _send(_parties(comment["object_type"], obj), lambda lang: compose_comment(lang, comment, title, path),
          never=(writer, config.coordinator_email()) if from_coordinator else (writer,))
    if not from_coordinator:
        _send(_coordinator(), lambda lang: compose_comment(lang, comment, title, path), never=(writer,))


# the organisation's acts notify the coordinator (and the actor gets a receipt of those
# in _RECEIPTS); the coordinator's acts notify the organisation
_TO_COORDINATOR = {"create", "accept", "decline"}
_RECEIPTS = {"create", "accept", "decline"}


@_never_undoing
def connection_changed(c: dict[str, Any], verb: str, *, by_coordinator: bool = True,
                       actor_id: str | None = None) -> None:
    if verb in _TO_COORDINATOR or (verb == "cancel" and not by_coordinator):
        _send(_coordinator(), lambda lang: compose_connection(lang, c, verb))
        if verb in _RECEIPTS:
            _receipt("connection", c, actor_id or c.get("applicant_id"), verb)
        return
    _send(_organisation(c["organization_id"], c.get("applicant_id"), c.get("language")),
          lambda lang: compose_connection(lang, c, verb))


@_never_undoing
def calloff_changed(c: dict[str, Any], verb: str, *, by_coordinator: bool = True,
                    actor_id: str | None = None) -> None:
    """A new call-off goes to the coordinator (a receipt to the one who asked); the
    coordinator's acts go to the organisation (_organisation); an assignment also to the
    expert; a cancellation by the organisation to the coordinator (and the expert, if one
    was assigned)."""
    if verb not in ("create", "assign", "deliver", "cancel"):
        return
    to_coordinator = verb == "create" or (verb == "cancel" and not by_coordinator)
    if to_coordinator:
        _send(_coordinator(), lambda lang: compose_calloff(lang, c, verb))
        if verb == "create":
            _receipt("calloff", c, actor_id or c.get("applicant_id"))
    else:
        _send(_organisation(c["organization_id"], c.get("applicant_id"), c.get("language")),
              lambda lang: compose_calloff(lang, c, verb))
    if verb in ("assign", "cancel") and c.get("expert_user_id") and c["expert_user_id"] != c.get("applicant_id"):
        _send([_user_address(c["expert_user_id"])], lambda lang: compose_calloff(lang, c, verb))


def _holder(user_id: str, request_language: str | None) -> Recipient:
    """An account's own address, whatever its state (a pending one too), in the language
    its owner chose, else the page's."""
    user = model.User.get(user_id)
    if user is None or not user.email or user.state == "deleted":
        return "", "", None
    return user.display_name, user.email, language.of_user(user) or request_language


@_never_undoing
def account_registered(registration_id: str, key: str, request_language: str | None) -> None:
    """The link that activates a registration from the web form (sent even when
    ``notify`` is off: no account can be made without it)."""
    registration = model.Session.get(Registration, registration_id)
    if registration is None:
        return
    path = f"/samverkan/konto/aktivera/{registration.id}?key={key}"
    _send([(registration.fullname or registration.name, registration.email,
            registration.language or request_language)],
          lambda lang: compose_activation(lang, registration.name, link(path), config.activation_days()),
          always=True)


@_never_undoing
def address_already_registered(user_id: str, request_language: str | None) -> None:
    """Someone registered with the address of an account: its owner is told (the form said
    nothing)."""
    user = model.User.get(user_id)
    if user is None:
        return
    _send([_holder(user_id, request_language)], lambda lang: compose_address_registered(lang, user.name),
          always=True)

