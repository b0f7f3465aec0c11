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

from dataclasses import dataclass
from typing import Any, Callable

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import workflow
from ckanext.vgsamverkan.model import Calloff, Connection, Invoice, Participation, PublisherRequest


@dataclass(frozen=True)
class Kind:
    """A kind of request: everything the rest of the extension needs to know of it.
    The actions of a kind are ``vgsamverkan_{name}_*`` in ``logic/action/{module}.py``."""
    name: str                    # object_type in the API and the event log; the actions' prefix
    model: Any                   # its table
    workflow: workflow.Workflow  # its states and transitions
    read_endpoint: str           # its page (blueprint endpoint)
    path: str                    # the same page's path, for links made outside a request (mail)
    # What waits for the coordinator (the one definition, issue 18): the states in which
    # the request cannot go on until the coordinator moves. Read by the queue
    # (vgsamverkan_queue_list), the dashboard's ``waiting`` count and the workplace page.
    # Not "quoted" (the participant accepts or declines) nor an assigned or running
    # call-off (the expert works; the workplace lists them under call-offs, not as waiting).
    waits: tuple[str, ...]
    # What is still open for the one who asked (the "my requests" list): a later move
    # by anyone is still to come.
    open: tuple[str, ...]
    label: Callable[[], str]     # its name for people, in the request's language
    bulk: bool = False           # approved or rejected in bulk from the coordinator's queue
    # the case reference's prefix (issue 21): "AVR-1A2B3C4D", on the request's page, its
    # receipt and every mail about it; the same letters in Swedish and English
    prefix: str = ""


KINDS: dict[str, Kind] = {k.name: k for k in (
    Kind("participation", Participation, workflow.PARTICIPATION, "vgsamverkan.participation_read",
         "/samverkan/deltagande/{id}", waits=("pending",), open=("pending",),
         label=lambda: tk._("Application to take part"), bulk=True, prefix="DEL"),
    Kind("publisher", PublisherRequest, workflow.PUBLISHER, "vgsamverkan.publisher_read",
         "/samverkan/behorighet/{id}", waits=("pending",), open=("pending",),
         label=lambda: tk._("Publishing rights"), bulk=True, prefix="BEH"),
    Kind("connection", Connection, workflow.CONNECTION, "vgsamverkan.connection_read",
         "/samverkan/anslutning/{id}", waits=("submitted", "investigating", "accepted"),
         open=("submitted", "investigating", "quoted", "accepted"),
         label=lambda: tk._("Connection"), prefix="ANS"),
    Kind("calloff", Calloff, workflow.CALLOFF, "vgsamverkan.calloff_read",
         "/samverkan/avrop/{id}", waits=("requested",), open=("requested", "assigned", "in_progress"),
         label=lambda: tk._("Call-off"), prefix="AVR"),
)}

def reference(object_type: str, object_id: str) -> str:
    """A request's case reference for people ("AVR-1A2B3C4D"): its kind's prefix and the
    first eight characters of its id, which the request's page shows beside its title."""
    return f"{KINDS[object_type].prefix}-{object_id[:8].upper()}"


# object_type -> model class (what the auth functions and validators resolve)
OBJECT_TYPES: dict[str, Any] = {name: kind.model for name, kind in KINDS.items()}


def as_text(value: Any) -> str:
    """A parameter as the actions read text: stripped, numbers taken as their text.
    Anything else (a list, an object, true/false, None) is ``tk.Invalid``."""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise tk.Invalid(tk._("Must be text"))
    return str(value).strip()


def text(value: Any) -> str | None:
    """``as_text``, or None for what is not text or is empty (nothing can be resolved
    from it)."""
    try:
        return as_text(value) or None
    except tk.Invalid:
        return None


def invoice(value: Any) -> Any:
    """The e-invoice a parameter names, by id or by number (exactly, white space around it
    dropped), or None; the auth functions and the actions resolve it alike."""
    key = text(value)
    if key is None:
        return None
    return (model.Session.query(Invoice).filter((Invoice.id == key) | (Invoice.number == key))
            .order_by(Invoice.sequence).first())


def organization(value: Any) -> model.Group | None:
    """The active CKAN organisation a parameter names, by id or name, or None."""
    key = text(value)
    org = model.Group.get(key) if key else None
    if org is None or not org.is_organization or org.state != "active":
        return None
    return org


def dataset(value: Any) -> model.Package | None:
    """The active CKAN dataset a parameter names, by id or name, or None."""
    key = text(value)
    found = model.Package.get(key) if key else None
    return found if found is not None and found.state == "active" else None


def user(value: Any) -> model.User | None:
    """The active CKAN user a parameter names, by id or name, or None."""
    key = text(value)
    found = model.User.get(key) if key else None
    return found if found is not None and found.state == "active" else None


def object_type(value: Any) -> str | None:
    """A kind of request of OBJECT_TYPES, or None."""
    key = text(value)
    return key if key in OBJECT_TYPES else None


def load(object_type: str, object_id: Any) -> Any:
    """The object, or ``ObjectNotFound``; a missing or malformed id is a ValidationError."""
    key = text(object_id)
    if key is None:
        raise tk.ValidationError({"id": [tk._("Missing value")]})
    obj = model.Session.get(OBJECT_TYPES[object_type], key)
    if obj is None:
        raise tk.ObjectNotFound(tk._("No such {kind}").format(kind=object_type))
    return obj
