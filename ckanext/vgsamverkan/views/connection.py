"""Pages of the connection workflow: the request form, a request's page and its decisions."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.views._common import _csrf_protected, _decision, _OrgRequestCreateView, _request_page

_CONNECTION_FIELDS = ("organization_id", "information_sets", "proposed_solution",
                      "technical_contact", "description")
_CONNECTION_VERBS = ("investigate", "quote", "accept", "decline", "complete", "cancel", "disconnect")


_CONNECTION_PARAMS = ("comment", "investigator", "solution", "effort_hours", "price", "valid_until",
                      "connected_date", "harvest_url")


def _not_a_party() -> str:
    """Who may see a request of this kind, said when someone else asks (issue 39)."""
    return tk._("Only the organisation's administrators and the regional coordinator may see this "
                 "connection request")


class ConnectionCreateView(_OrgRequestCreateView):
    template = "vgsamverkan/connection_form.html"
    action = "vgsamverkan_connection_create"
    fields = _CONNECTION_FIELDS
    read_view = "vgsamverkan.connection_read"

    def thanks(self) -> str:
        return tk._("Thank you! Your connection request has been sent to the regional coordinator.")


def connection_read(id: str):
    return _request_page("connection", id, "vgsamverkan/connection_read.html", "connection",
                         not_found=tk._("Request not found"),
                         forbidden=_not_a_party())


@_csrf_protected
def connection_decide(id: str, verb: str):
    return _decision("connection", id, verb, _CONNECTION_VERBS, _CONNECTION_PARAMS,
                     forbidden=tk._("You may not do this for this request"))
