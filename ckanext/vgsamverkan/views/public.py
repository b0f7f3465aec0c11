"""The collaboration's public page, the user's own requests, and comments on a request."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.logic import objects
from ckanext.vgsamverkan.views._common import (
    _act_and_flash,
    _context,
    _csrf_protected,
    _logged_in,
    _login_redirect,
)


def index():
    participants = tk.get_action("vgsamverkan_participant_list")(_context(), {})
    return tk.render(
        "vgsamverkan/index.html", {"participants": participants["results"]}
    )


@_csrf_protected
def comment(object_type: str, id: str):
    _act_and_flash(
        "vgsamverkan_comment_create",
        {"object_type": object_type, "object_id": id, "text": tk.request.form.get("text", "")},
        success=tk._("Your comment was added."),
        forbidden=tk._("You may not comment on this request"),
    )
    if object_type not in objects.KINDS:
        return tk.abort(404)
    return tk.redirect_to(objects.KINDS[object_type].read_endpoint, id=id)


def my_requests():
    if not _logged_in():
        return _login_redirect()
    participations = tk.get_action("vgsamverkan_participation_list")(
        _context(), {"limit": 100}
    )
    publishers = tk.get_action("vgsamverkan_publisher_list")(_context(), {"limit": 100})
    connections = tk.get_action("vgsamverkan_connection_list")(_context(), {"limit": 100})
    calloffs = tk.get_action("vgsamverkan_calloff_list")(_context(), {"limit": 100})
    return tk.render(
        "vgsamverkan/my_requests.html",
        {"participations": participations["results"], "publishers": publishers["results"],
         "connections": connections["results"], "calloffs": calloffs["results"]},
    )


def waiting():
    """"Väntar på dig": what waits for the logged-in user's move, and their requests
    where someone else moves (issue 21)."""
    if not _logged_in():
        return _login_redirect()
    result = tk.get_action("vgsamverkan_waiting_list")(_context(), {})
    return tk.render("vgsamverkan/waiting.html", {"waiting": result})


def after_login():
    """Where a log-in lands (``ckan.auth.route_after_login``, set by the plugin unless the
    site chose another): "Väntar på dig" when something waits for the user's move, else
    where CKAN would send them (the dashboard's datasets)."""
    if not _logged_in():
        return _login_redirect()
    if tk.h.vgsamverkan_waiting_count():
        return tk.redirect_to("vgsamverkan.waiting")
    return tk.redirect_to("dashboard.datasets")

