"""What a binding act does, in words (issue 21): which acts of the request pages are
binding, the consequence each names (with the amount where there is one) and the
confirming button. The dialog (templates, through the helpers) and the confirmation page
(views/_confirm.py) say the same."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.domain import objects


def needed(kind: str, verb: str, form: dict[str, Any]) -> bool:
    """Whether the act is binding (each kind's own: ``Kind.binding``) and not yet confirmed."""
    known = objects.KINDS.get(kind)
    return known is not None and verb in known.binding and form.get("confirmed") != "yes"


def consequence(kind: str, verb: str, obj: dict[str, Any], form: dict[str, Any] | None = None) -> str:
    """What the act does, in the page's language, with the amount where there is one."""
    return objects.KINDS[kind].binding[verb].consequence(obj, form)


def yes_label(kind: str, verb: str) -> str:
    """The confirming button: what the act is."""
    if kind == "bulk":  # the coordinator's queue: several applications and requests at once
        return {"approve": tk._("Yes, approve them"), "reject": tk._("Yes, reject them")}[verb]
    return objects.KINDS[kind].binding[verb].yes()
