"""Notifications of no kind of request: comments, and the mails of account registration."""
from __future__ import annotations

import importlib
from typing import Any

import ckan.model as model

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.mail import language
from ckanext.vgsamverkan.mail.notify._base import (
    Recipient,
    _address,
    _admins,
    _applicant,
    _coordinator,
    _never_undoing,
    _send,
    _user_address,
)
from ckanext.vgsamverkan.mail.texts import (
    compose_activation,
    compose_address_registered,
    compose_comment,
    link,
    object_path,
)
from ckanext.vgsamverkan.model import Registration


def _parties(object_type: str, obj: Any) -> list[Recipient]:
    """Who in the organisation follows a request's conversation: its admins today (before
    a new organisation exists, the applicant); the user of publishing rights; the expert
    of a call-off."""
    org_id = getattr(obj, "organization_id", None)
    to = [_address(u) for u in _admins(org_id)] if org_id else [_applicant(obj.dictize())]
    # and whoever else the kind names (its module's ``followers``)
    followers = getattr(importlib.import_module(f"ckanext.vgsamverkan.mail.notify.{object_type}"), "followers", None)
    return to + (followers(obj) if followers else [])


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
