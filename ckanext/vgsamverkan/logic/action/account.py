"""Registration that does not tell whether an e-mail address has an account (SPEC "Bounded
work", 2026-12-07; issue 36).

CKAN's own registration form answers "The email address … belongs to a registered user"
for an address that has an account, while log-in and password reset tell nothing. Here
the registration form (``/user/register``, views/account.py) goes through
``vgsamverkan_user_register``, which gives one answer for every form it accepts, and does
the same work for both (the password is hashed, one mail written):

- an address without an account: nothing is made yet; the registration waits
  (``vgsamverkan_registration``) and a link is mailed to the address. The account is made
  by ``vgsamverkan_user_activate`` when the link is followed *and* the password chosen at
  registration is typed again: whoever registers with someone else's address gets no link,
  and the address's owner cannot be given an account someone else chose the password of;
- an address with an account (any case of letters): nothing is made, and its owner is
  told by mail.

Errors of the form (passwords that differ, a name taken by an account) are said in both
cases alike. No account exists before its activation, so a user page tells nothing
either. A registration whose link was not followed within ``activation_days`` is removed
by the daily job. A sysadmin creating an account for someone keeps CKAN's own form.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets
from typing import Any

import sqlalchemy as sa
from passlib.hash import pbkdf2_sha512

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.types import Context, DataDict

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.formats import LANGUAGES
from ckanext.vgsamverkan.logic import schema
from ckanext.vgsamverkan.logic.action._base import _commit, _validate, action
from ckanext.vgsamverkan.mail import notify
from ckanext.vgsamverkan.model import Event, Registration
from ckanext.vgsamverkan.model.base import utcnow

log = logging.getLogger(__name__)

def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def holder_of(email: str) -> model.User | None:
    """The account that has ``email`` (case aside, compared exactly: no pattern), or None.
    Deleted accounts hold no address, as for CKAN's own check."""
    return (model.Session.query(model.User)
            .filter(sa.func.lower(model.User.email) == email.strip().lower(), model.User.state != "deleted")
            .order_by((model.User.state == "active").desc(), model.User.created)
            .first())


def _lock_address(email: str) -> None:
    """Serialise the acts on one address (two activations at once make one account)."""
    model.Session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                          {"key": "vgsamverkan-address:" + email.strip().lower()})


def _lock_name(name: str) -> None:
    """Serialise the activations of one user name (two at once: one account, one refusal)."""
    model.Session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtext(:key))"),
                          {"key": "vgsamverkan-name:" + name})


# wrong passwords at activation before the registration is given up
MAX_ATTEMPTS = 5


def _page_language() -> str | None:
    try:
        lang = tk.h.lang()
    except (RuntimeError, AttributeError, TypeError):  # outside a request: the portal's
        return None
    return lang if lang in LANGUAGES else None


def expired_before() -> dt.datetime:
    """Registrations made before this are no longer activated (and are removed)."""
    return utcnow() - dt.timedelta(days=config.activation_days())


@action
def vgsamverkan_user_register(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Register an account as CKAN's registration form does, without telling whether the
    e-mail address already has one: whoever the site lets register (CKAN's
    ``user_create`` rule). The answer, and the work done, are the same in both cases:

    - the address has no account: the registration waits and a link is mailed to the
      address (valid ``ckanext.vgsamverkan.activation_days`` days); the account is made
      when the link is followed and the password is typed again
      (``vgsamverkan_user_activate``);
    - the address has an account (in any case of letters): nothing is made; its owner is
      told by mail.

    The registration is in the event log (object type ``registration``, ``register``).

    :param name: the user name (as CKAN's: 2–100 characters, lower-case letters, digits,
        ``-`` and ``_``; not an account's)
    :type name: string
    :param fullname: the full name (optional, one line)
    :type fullname: string
    :param email: the e-mail address
    :type email: string
    :param password1: the password (8 to 200 characters)
    :type password1: string
    :param password2: the password again
    :type password2: string
    :param password: refused (as CKAN's ``user_create`` takes it): give ``password1`` and
        ``password2``
    :type password: string
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
    password_hash = pbkdf2_sha512.hash(data["password1"])  # in both cases: the same work
    holder = holder_of(email)
    if holder is not None:
        model.Session.rollback()
        log.info("vgsamverkan: registration with the address of the account %s: its owner is told", holder.name)
        notify.address_already_registered(holder.id, lang)
        return {"email": email}
    key = secrets.token_urlsafe(32)
    registration = Registration(key_digest=_digest(key), name=data["name"], fullname=data.get("fullname") or None,
                                email=email, password_hash=password_hash, language=lang)
    model.Session.add(registration)
    model.Session.flush()
    Event.record("registration", registration.id, "register", actor_id=None, organization_id=None,
                 from_state=None, to_state="waiting")
    _commit(context)
    notify.account_registered(registration.id, key, lang)
    return {"email": email}


@action
def vgsamverkan_user_activate(context: Context, data_dict: DataDict) -> dict[str, Any]:
    """Make the account of a registration (``vgsamverkan_user_register``): anyone holding
    the link mailed to its address, with the password chosen at registration. One refusal
    for every link that does not work (an unknown registration, a wrong key, a link older
    than ``activation_days``, one already used); a wrong password is said as such, and
    the fifth gives the registration up (register again). The account is refused when the
    address has got an account meanwhile, or its user name has been taken (register
    again). The account is in the event log (object type
    ``user``, ``activate``, with the registration).

    :param id: the registration's id (as in the link)
    :type id: string
    :param key: the key of the link
    :type key: string
    :param password: the password chosen at registration
    :type password: string
    :returns: ``{"id", "name"}`` of the account made, active
    :rtype: dictionary
    """
    tk.check_access("vgsamverkan_user_activate", context, data_dict)
    data = _validate(data_dict, schema.user_activate(), context)
    refused = tk.ValidationError({"key": [tk._(
        "This activation link is not valid: it was already used, or is more than {days} days old. Register "
        "again to get a new link.").format(days=config.activation_days())]})
    registration = (model.Session.query(Registration).filter(Registration.id == data["id"])
                    .with_for_update().populate_existing().one_or_none())
    if (registration is None or registration.created < expired_before()
            or not hmac.compare_digest(registration.key_digest, _digest(data["key"]))):
        model.Session.rollback()
        raise refused
    if not pbkdf2_sha512.verify(data["password"], registration.password_hash):
        registration.attempts += 1
        if registration.attempts >= MAX_ATTEMPTS:
            Event.record("registration", registration.id, "give_up", actor_id=None, organization_id=None,
                         from_state="waiting", to_state=None, details={"attempts": registration.attempts})
            model.Session.delete(registration)
            model.Session.commit()
            raise tk.ValidationError({"key": [tk._(
                "The password was wrong {n} times: this registration is given up. Register again to get a new "
                "link.").format(n=MAX_ATTEMPTS)]})
        model.Session.commit()
        raise tk.ValidationError({"password": [tk._(
            "This is not the password chosen when registering ({left} tries left)").format(
                left=MAX_ATTEMPTS - registration.attempts)]})
    _lock_address(registration.email)
    _lock_name(registration.name)
    if holder_of(registration.email) is not None:
        model.Session.rollback()
        raise tk.ValidationError({"email": [tk._(
            "The address {email} has an account already: log in, or ask for a new password").format(
                email=registration.email)]})
    if model.User.get(registration.name) is not None:
        model.Session.rollback()
        raise tk.ValidationError({"name": [tk._(
            "The user name {name} was taken meanwhile: register again with another").format(
                name=registration.name)]})
    from ckan.logic.schema import default_user_schema  # noqa: PLC0415 (CKAN's schema, built when asked)

    user_schema = default_user_schema()
    # the address was checked above, exactly (CKAN's own check reads it as a pattern)
    user_schema["email"] = [v for v in user_schema["email"] if getattr(v, "__name__", "") != "email_is_unique"]
    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})
    created = tk.get_action("user_create")(
        {"model": model, "session": model.Session, "user": site_user["name"], "ignore_auth": True,
         "defer_commit": True, "schema": user_schema},
        {"name": registration.name, "fullname": registration.fullname or "", "email": registration.email,
         "password_hash": registration.password_hash})
    Event.record("user", created["id"], "activate", actor_id=created["id"], organization_id=None,
                 from_state=None, to_state="active", details=None)
    Event.record("registration", registration.id, "activate", actor_id=created["id"], organization_id=None,
                 from_state="waiting", to_state=None)
    model.Session.delete(registration)
    _commit(context)
    return {"id": created["id"], "name": created["name"]}


def remove_expired() -> int:
    """Remove the registrations whose link is no longer valid (the daily job): their
    addresses and password hashes are kept no longer than needed. Returns how many."""
    old = model.Session.query(Registration).filter(Registration.created < expired_before())
    ids = [r.id for r in old]
    for registration_id in ids:
        Event.record("registration", registration_id, "expire", actor_id=None, organization_id=None,
                     from_state="waiting", to_state=None)
    count = old.delete(synchronize_session=False)
    model.Session.commit()
    return count
