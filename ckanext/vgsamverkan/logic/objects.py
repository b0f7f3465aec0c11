"""Which objects the shared actions (comments, event log) can point at, and who is a
party to each. One place, so that comments and history follow the same rules."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.model import Calloff, Connection, Participation, PublisherRequest

# object_type -> model class; later workflows add theirs here.
OBJECT_TYPES: dict[str, Any] = {
    "participation": Participation,
    "publisher": PublisherRequest,
    "connection": Connection,
    "calloff": Calloff,
}


def load(object_type: str, object_id: Any) -> Any:
    """The object, or ``ObjectNotFound``; a missing or malformed id is a ValidationError."""
    if not isinstance(object_id, str) or not object_id.strip():
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    cls = OBJECT_TYPES[object_type]
    obj = model.Session.get(cls, object_id.strip())
    if obj is None:
        raise tk.ObjectNotFound(tk._("No such {kind}").format(kind=object_type))
    return obj
