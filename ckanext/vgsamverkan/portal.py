"""The portal acting by itself (issue 24). The commands of ``ckan vgsamverkan …`` act as
CKAN's site user: the daily job (``ckan vgsamverkan expire`` from a timer, deploy/), the
fee run and close, the population import, the GDPR purge, the demo seed. The history names
that actor "Dataportal Väst (automatiskt)" / "the portal (automatic)" instead of the site
user's account name ("default", which means nothing to a reader), and each event it
records says in its details which command acted: ``{"command": "ckan vgsamverkan
expire"}``.

The command is known while the ``vgsamverkan`` group runs (``commanding``, entered by the
group for the lifetime of its click context); it is read when an event is recorded, from
the click context of the command running then, so every subcommand is named without
each having to say so."""
from __future__ import annotations

import contextlib
import contextvars
from typing import Any, Iterator

import click

import ckan.plugins.toolkit as tk

_COMMANDING: contextvars.ContextVar[str | None] = contextvars.ContextVar("vgsamverkan_commanding", default=None)


@contextlib.contextmanager
def commanding(path: str) -> Iterator[None]:
    """While this lasts, the portal's events name the command that runs (``path``: the
    group's, used when no subcommand's context is at hand)."""
    token = _COMMANDING.set(path)
    try:
        yield
    finally:
        _COMMANDING.reset(token)


def stamp() -> dict[str, str] | None:
    """What an event of the portal says acted: ``{"command": "ckan vgsamverkan fees
    close"}`` while a command runs, else None."""
    path = _COMMANDING.get()
    if path is None:
        return None
    current = click.get_current_context(silent=True)
    return {"command": current.command_path if current is not None else path}


def is_site_user(user: Any) -> bool:
    """Whether ``user`` (a CKAN user object) is the site user, the account the portal
    acts as (CKAN's ``get_site_user``: the user named ``ckan.site_id``)."""
    return user is not None and bool(user.name) and user.name == tk.config.get("ckan.site_id")


def label() -> str:
    """How the history names the portal acting by itself, in the reader's language."""
    return tk._("the portal (automatic)")
