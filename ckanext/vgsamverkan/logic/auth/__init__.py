"""Auth functions: one per action, named as the action.

The shared checks are the functions at the top (``_``-prefixed); who someone is (the
coordinator, an organisation's admin, a party, the expert) is domain/roles.py. The plugin
registers the names of ``__all__``. Each auth function returns
``{"success": bool, "msg": str}``.

Authorisation fails closed: every auth function decides about exactly the object the
action will act on, resolved with the functions of ``domain/objects.py`` that the actions
use too (the same normalisation, the same lookup), and refuses what it cannot resolve.
Never "unknown, so allow: the schema will refuse it". Templates call these functions
with raw parameters too, so they must hold on their own.

One module per kind of request (its own auth functions), ``general`` for the rest,
``_base`` for the shared checks (issue 38). The plugin registers ``functions()``.
"""
from __future__ import annotations

from typing import Any, Callable

from ckanext.vgsamverkan.logic.auth import calloff, connection, general, participation, publisher

MODULES = (participation, publisher, connection, calloff, general)


def functions() -> dict[str, Callable[..., Any]]:
    """Every auth function by name (the name of its action)."""
    return {name: value for module in MODULES for name, value in vars(module).items()
            if name.startswith("vgsamverkan_") and callable(value)}
