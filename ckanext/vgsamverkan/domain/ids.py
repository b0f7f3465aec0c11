"""How a parameter that names an object is read: as text, and as the organisation,
dataset, user or e-invoice it names (the kinds of request: ``objects``). Read through
``objects``, which says why."""
from __future__ import annotations

from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.model import Invoice


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
