"""Pages of the publisher authorisation: the request form, a request's page and its decisions."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.views._common import (
    _context,
    _csrf_protected,
    _decision,
    _error_summary,
    _field_labels,
    _form,
    _in_order,
    _logged_in,
    _login_redirect,
    _participants,
    _request_page,
)

_PUBLISHER_VERBS = ("approve", "reject", "withdraw", "revoke")


def _not_a_party() -> str:
    """Who may see a request of this kind, said when someone else asks (issue 39)."""
    return tk._("Only the person the rights are for, the one who asked, the organisation's administrators "
                 "and the regional coordinator may see this request")


class PublisherRequestView(MethodView):
    def _render(self, data: dict[str, Any], errors: dict[str, Any]):
        errors = _in_order(errors, ("organization_id", "user_id", "role", "motivation"))
        return tk.render(
            "vgsamverkan/publisher_form.html",
            {
                "data": data,
                "errors": errors,
                "error_summary": _error_summary(errors) if errors else {},
                "participants": _participants(),
                "labels": _field_labels(),
            },
        )

    def get(self):
        if not _logged_in():
            return _login_redirect()
        # a renewal or change of role comes prefilled from the rights' page (issue 21)
        role = tk.request.args.get("role", "")
        return self._render({"organization_id": tk.request.args.get("organization_id", ""),
                             "user_id": tk.request.args.get("user_id", ""),
                             "role": role if role in ("editor", "admin") else "editor"}, {})

    @_csrf_protected
    def post(self):
        if not _logged_in():
            return _login_redirect()
        form = _form()
        data = {k: form.get(k, "") for k in ("organization_id", "user_id", "role", "motivation")}
        payload = {k: v for k, v in data.items() if v != ""}
        try:
            result = tk.get_action("vgsamverkan_publisher_request")(_context(), payload)
        except tk.ValidationError as e:
            return self._render(data, e.error_dict)
        except tk.NotAuthorized as e:
            return self._render(data, {"organization_id": [str(e) or tk._("Not authorised")]})
        tk.h.flash_success(
            tk._("Thank you! Your request has been sent to the regional coordinator.")
        )
        return tk.redirect_to("vgsamverkan.publisher_read", id=result["id"])


def publisher_read(id: str):
    return _request_page("publisher", id, "vgsamverkan/publisher_read.html", "r",
                         not_found=tk._("Request not found"),
                         forbidden=_not_a_party())


@_csrf_protected
def publisher_decide(id: str, verb: str):
    return _decision("publisher", id, verb, _PUBLISHER_VERBS, ("comment", "expires"),
                     forbidden=tk._("You may not decide on this request"))
