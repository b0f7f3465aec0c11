"""Registration that does not tell whether an e-mail address has an account (SPEC "Bounded
work", 2026-12-07; issue 36).

CKAN's own registration form answers "The email address … belongs to a registered user"
for an address that has an account, while log-in and password reset tell nothing. Here
registration from the web form (``/user/register``, views/account.py) goes through
``vgsamverkan_user_register``, which gives one answer for every form it accepts:

- an address without an account: the account is made *pending* (CKAN's own state for an
  account that cannot log in yet, as for an invitation) and a link that activates it is
  mailed to the address (``vgsamverkan_user_activate``, valid ``activation_days``);
- an address with an account: nothing is made, and the account's owner is told by mail
  (a pending account gets a new activation link instead, for the mail that never came).

Errors of the form (a name taken, passwords that differ) are said in both cases alike.
User names are public in CKAN (user pages, datasets' authors), so "name taken" tells
nothing new. A sysadmin creating an account for someone uses CKAN's own form and
``user_create``, unchanged.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from typing import Any

import sqlalchemy as sa

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.formats import LANGUAGES
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import _commit, _validate, action
from ckanext.vgsamverkan.mail import notify
from ckanext.vgsamverkan.model import Event
from ckanext.vgsamverkan.model.base import utcnow

log = logging.getLogger(__name__)

# in the user's plugin_extras while the account waits: {"key": SHA-256 of the link's key
# (the key itself is only in the mail), "sent": when the link was made (ISO 8601, UTC)}
ACTIVATION = "vgsamverkan_activation"


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def holder_of(email: str) -> model.User | None:
    """The account that has ``email`` (case aside; an active one before a pending one),
    or None. Deleted accounts hold no address, as for CKAN's own check."""
    return (model.Session.query(model.User)
            .filter(sa.func.lower(model.User.email) == email.strip().lower(), model.User.state != "deleted")
            .order_by((model.User.state == "active").desc(), model.User.created)
            .first())


def _new_key(user: model.User) -> str:
    """A new activation key for ``user`` (the old link stops working); the caller commits."""
    key = secrets.token_urlsafe(32)
    extras: dict[str, Any] = dict(user.plugin_extras or {})
    extras[ACTIVATION] = {"key": _digest(key), "sent": utcnow().isoformat()}
    user.plugin_extras = extras
    return key


def _page_language() -> str | None:
    try:
        lang = tk.h.lang()
    except (RuntimeError, AttributeError, TypeError):  # outside a request: the portal's
        return None
    return lang if lang in LANGUAGES else None


@action
def vgsamverkan_user_register(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Register an account as CKAN's registration form does, without telling whether the
    e-mail address already has one: whoever the site lets register (CKAN's
    ``user_create`` rule). The answer is the same in both cases:

    - the address has no account: the account is made, pending, and a link that
      activates it is mailed to the address (valid ``ckanext.vgsamverkan.activation_days``
      days; ``vgsamverkan_user_activate``); it cannot log in before;
    - the address has an account (in any case of letters): nothing is made; its owner is
      told by mail, and an account still pending gets a new activation link.

    The new account is in the event log (object type ``user``, ``register``).

    :param name: the user name (as CKAN's: 2–100 characters, lower-case letters, digits,
        ``-`` and ``_``; not taken)
    :type name: string
    :param fullname: the full name (optional, one line)
    :type fullname: string
    :param email: the e-mail address
    :type email: string
    :param password1: the password (at least 8 characters)
    :type password1: string
    :param password2: the password again
    :type password2: string
    :param language: the language of the mail, ``sv`` or ``en`` (optional: the page's, else
        the portal's)
    :type language: string
    :returns: ``{"email": the address the mail was sent to}``
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_user_register", context, data_dict)
    data = _validate(data_dict, schema.user_register(), context)
    lang = data.get("language") or _page_language()
    email = data["email"]
    holder = holder_of(email)
    if holder is not None:
        key = _new_key(holder) if holder.state == "pending" and ACTIVATION in (holder.plugin_extras or {}) else None
        model.repo.commit()
        log.info("vgsamverkan: registration with the address of the account %s: its owner is told", holder.name)
        if key is not None:
            notify.account_registered(holder.id, key, lang)
        else:
            notify.address_already_registered(holder.id, lang)
        return {"email": email}

    from ckan.logic.schema import user_new_form_schema  # noqa: PLC0415 (CKAN's own form schema, as its view uses)

    # CKAN makes the account as its form does (pending: only with ignore_auth may a state
    # be given; the caller's right to register was checked above)
    create_context: Context = {"model": model, "session": model.Session, "user": context.get("user") or "",
                               "ignore_auth": True, "defer_commit": True, "schema": user_new_form_schema()}
    fields = {k: data_dict.get(k) for k in ("name", "fullname", "email", "password1", "password2")
              if data_dict.get(k) is not None}
    created = tk.get_action("user_create")(create_context, {**fields, "state": "pending"})
    user = model.Session.query(model.User).filter(model.User.id == created["id"]).one()
    key = _new_key(user)
    Event.record("user", user.id, "register", actor_id=None, organization_id=None, from_state=None,
                 to_state="pending")
    from ckan.logic import guard_against_duplicated_email  # noqa: PLC0415 (CKAN's translation of a lost race)

    with guard_against_duplicated_email(email):
        _commit(context)
    notify.account_registered(user.id, key, lang)
    return {"email": email}


@action
def vgsamverkan_user_activate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Activate an account registered with ``vgsamverkan_user_register``, with the key of
    the link mailed to its address (anyone holding the link). One refusal for every link
    that does not activate: an unknown account, a wrong key, a link older than
    ``activation_days`` or replaced by a newer one, an account already active. The
    activation is in the event log (object type ``user``, ``activate``).

    :param id: the account's id (as in the link)
    :type id: string
    :param key: the key of the link
    :type key: string
    :returns: ``{"id", "name"}`` of the account, now active
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_user_activate", context, data_dict)
    data = _validate(data_dict, schema.user_activate(), context)
    refused = tk.ValidationError({"key": [tk._(
        "This activation link is not valid: it was already used, replaced by a newer one, or is more than "
        "{days} days old. Register again with the same e-mail address to get a new link.").format(
            days=config.activation_days())]})
    user = (model.Session.query(model.User).filter(model.User.id == data["id"])
            .with_for_update().populate_existing().one_or_none())
    waiting = (user.plugin_extras or {}).get(ACTIVATION) if user is not None else None
    if user is None or user.state != "pending" or not isinstance(waiting, dict):
        model.Session.rollback()
        raise refused
    try:
        sent = dt.datetime.fromisoformat(str(waiting.get("sent")))
    except ValueError:
        sent = None
    fresh = sent is not None and utcnow() - sent <= dt.timedelta(days=config.activation_days())
    if not (hmac.compare_digest(str(waiting.get("key", "")), _digest(data["key"])) and fresh):
        model.Session.rollback()
        raise refused
    extras = dict(user.plugin_extras or {})
    extras.pop(ACTIVATION, None)
    user.plugin_extras = extras or None
    user.state = "active"
    Event.record("user", user.id, "activate", actor_id=user.id, organization_id=None, from_state="pending",
                 to_state="active")
    _commit(context)
    return {"id": user.id, "name": user.name}
