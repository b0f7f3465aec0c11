"""Which objects the actions point at, and how a parameter that names one is resolved.

**Authorisation fails closed.** An authorisation decision is made about exactly the
object the action will act on. So every id-like parameter (``id``, ``object_id``,
``object_type``, ``organization_id``, ``user_id``) is read through the functions of this
module, by the auth function and by the action alike: the same normalisation (the
validators' ``vgsamverkan_text``: numbers as text, white space stripped, anything else
refused) and the same lookup. An auth function that cannot resolve the object refuses
(or raises ``ObjectNotFound``); it never allows "because the schema will refuse it".
Adding an action: resolve its objects here, never with a lookup of your own.
"""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.domain.ids import as_text, dataset, invoice, organization, text, user  # noqa: F401 (read here by all)
from ckanext.vgsamverkan.domain.kind import Kind
from ckanext.vgsamverkan.domain.kinds import calloff, connection, participation, publisher

KINDS: dict[str, Kind] = {k.name: k for k in (participation.KIND, publisher.KIND, connection.KIND, calloff.KIND)}


def reference(object_type: str, object_id: str) -> str:
    """A request's case reference for people ("AVR-1A2B3C4D"): its kind's prefix and the
    first eight characters of its id, which the request's page shows beside its title."""
    return f"{KINDS[object_type].prefix}-{object_id[:8].upper()}"




def object_type(value: Any) -> str | None:
    """A kind of request of KINDS, or None."""
    key = text(value)
    return key if key in KINDS else None


def load(object_type: str, object_id: Any) -> Any:
    """The object, or ``ObjectNotFound``; a missing or malformed id is a ValidationError."""
    key = text(object_id)
    if key is None:
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    obj = model.Session.get(KINDS[object_type].model, key)
    if obj is None:
        raise tk.ObjectNotFound(tk._("No such {kind}").format(kind=object_type))
    return obj
