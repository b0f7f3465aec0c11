"""Binding acts are confirmed before they happen (issue 21).

A binding act (accepting a quote, ending a participation, revoking rights, cancelling,
disconnecting, marking support delivered, deciding in bulk) is asked about once more,
naming its consequence and, where there is one, the amount. With JavaScript the page's
form opens a dialog (public/vgsamverkan/confirm.js) and is sent with ``confirmed=yes``;
without it, the first post answers with a confirmation page (``page``), whose form
sends the same fields again with ``confirmed=yes``. Nothing changes before that.

The API is not asked: a script that calls the action has decided.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.binding import consequence, yes_label
from ckanext.vgsamverkan.domain import objects


def render(*, title: str, consequence_text: str, yes: str, action: str, back: str,
           items: list[str] | None = None, danger: bool = True):
    """The confirmation page: the consequence, the form sent again with ``confirmed=yes``
    (every field of the first post, as it was), and the way back."""
    fields = [(k, v) for k, v in tk.request.form.items(multi=True) if k not in ("_csrf_token", "confirmed")]
    return tk.render("vgsamverkan/confirm.html", {
        "title": title, "consequence": consequence_text, "yes": yes, "action": action, "back": back,
        "fields": fields, "items": items or [], "danger": danger})


def page(kind: str, object_id: str, verb: str, form: dict[str, Any]):
    """The confirmation page of a binding act on a request, or None when the act is not
    open to the caller now (the action then refuses it with its own message)."""
    try:
        obj = tk.get_action(f"vgsamverkan_{kind}_show")(
            {"user": tk.g.user, "auth_user_obj": tk.g.userobj}, {"id": object_id})
    except (tk.ObjectNotFound, tk.NotAuthorized, tk.ValidationError):
        return None
    if verb not in (obj.get("allowed") or []):
        return None
    return render(title=tk._("Please confirm"), consequence_text=consequence(kind, verb, obj, form),
                  yes=yes_label(kind, verb), action=tk.request.path,
                  back=tk.h.url_for(objects.KINDS[kind].read_endpoint, id=obj["id"]))
