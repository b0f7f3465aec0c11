"""The language a coordinator chooses for the mail to the coordinator's address (issue
24). CKAN's users have no language of their own, so the choice is kept in the user's
``plugin_extras`` (``vgsamverkan_mail_language``: ``sv`` or ``en``; absent: the portal's
default), which only sysadmins can read or write through CKAN's own actions; it is set
with ``vgsamverkan_mail_language_set``.

The mail to ``ckanext.vgsamverkan.coordinator_email`` is written in the language of the
coordinator whose account has that address, when one has chosen; an address that is no
coordinator's account (a shared mailbox) gets the portal's default language."""
from __future__ import annotations

from typing import Any

import sqlalchemy as sa

import ckan.model as model

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.domain import roles
from ckanext.vgsamverkan.formats import LANGUAGES

KEY = "vgsamverkan_mail_language"


def of_user(user: model.User | None) -> str | None:
    """The language ``user`` chose, or None."""
    chosen = ((user.plugin_extras or {}) if user is not None else {}).get(KEY)
    return chosen if chosen in LANGUAGES else None


def set_for(user: model.User, language: str | None) -> None:
    """Keep ``language`` (None: follow the portal) in ``user``'s plugin_extras (a new
    dict: the column is plain JSON, changes inside it are not seen)."""
    extras: dict[str, Any] = dict(user.plugin_extras or {})
    if language:
        extras[KEY] = language
    else:
        extras.pop(KEY, None)
    user.plugin_extras = extras or None


def coordinators_at(address: str | None) -> list[model.User]:
    """The active coordinators whose account has the e-mail ``address`` (case aside)."""
    if not address:
        return []
    users = (model.Session.query(model.User)
             .filter(sa.func.lower(model.User.email) == address.strip().lower(), model.User.state == "active")
             .order_by(model.User.name).all())
    return [u for u in users if roles.is_coordinator(u)]


def of_address(address: str | None) -> str | None:
    """The language chosen by a coordinator whose account has ``address``, or None."""
    for user in coordinators_at(address):
        chosen = of_user(user)
        if chosen:
            return chosen
    return None


def portal_language() -> str:
    """The portal's default language (Swedish when that is neither Swedish nor English)."""
    lang = config.default_locale()
    return lang if lang in LANGUAGES else "sv"


def for_coordinator() -> str:
    """The language of the mail to ``coordinator_email``: the one the coordinator whose
    account has that address chose, else the portal's default (Swedish when that is
    neither Swedish nor English)."""
    chosen = of_address(config.coordinator_email())
    if chosen:
        return chosen
    lang = config.default_locale()
    return lang if lang in LANGUAGES else "sv"
