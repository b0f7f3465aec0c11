"""Pages of the participation workflow: the application form, an application's page and its
decisions."""
from __future__ import annotations

from typing import Any

from flask.views import MethodView

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.views._common import (
    _admin_orgs,
    _context,
    _csrf_protected,
    _decision,
    _error_summary,
    _field_labels,
    _form,
    _in_order,
    _logged_in,
    _login_redirect,
    _request_page,
    when_refused,
)

_APPLY_FIELDS = (
    "organization_id",
    "organization_title",
    "organization_name",
    "org_type",
    "municipality_code",
    "org_number",
    "contact_name",
    "contact_email",
    "contact_phone",
    "invoice_reference",
    "address_street",
    "address_postcode",
    "address_city",
    "peppol_endpoint",
    "motivation",
)


_VERBS = ("approve", "reject", "withdraw", "terminate")


def _not_a_party() -> str:
    """Who may see a request of this kind, said when someone else asks (issue 39)."""
    return tk._("Only the one who applied, the organisation's administrators and the regional coordinator "
                 "may see this application")


def url_name(title: str) -> str:
    """A CKAN name proposed from an organisation's name: lower case, å ä → a, ö → o, other
    letters without their accents, anything else a single ``-`` ("Exempelstads kommun" →
    ``exempelstads-kommun``), at most 100 characters. The action checks it as if typed."""
    import re  # noqa: PLC0415
    import unicodedata  # noqa: PLC0415

    plain = unicodedata.normalize("NFKD", title.lower())
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9_]+", "-", plain).strip("-")[:100].rstrip("-")


class ApplyView(MethodView):
    def _render(self, data: dict[str, Any], errors: dict[str, Any]):
        errors = _in_order(errors, _APPLY_FIELDS)
        return tk.render(
            "vgsamverkan/participation_form.html",
            {
                "data": data,
                "errors": errors,
                "error_summary": _error_summary(errors) if errors else {},
                "admin_orgs": _admin_orgs(),
                "labels": _field_labels(),
            },
        )

    def get(self):
        if not _logged_in():
            return _login_redirect()
        # the contact is the applicant unless changed (issue 39: typed again before)
        user = tk.current_user
        data = {"organization_id": tk.request.args.get("organization_id", ""),
                "contact_name": getattr(user, "fullname", "") or "", "contact_email": getattr(user, "email", "") or ""}
        return self._render(data, {})

    @_csrf_protected
    def post(self):
        if not _logged_in():
            return _login_redirect()
        form = _form()
        data = {k: form.get(k, "") for k in _APPLY_FIELDS}
        payload = {k: v for k, v in data.items() if v != ""}
        if form.get("for") == "new":
            payload.pop("organization_id", None)
            # the address in the portal, proposed from the name where none was typed (the
            # form's script proposes the same as the name is typed: issue 39)
            if payload.get("organization_title") and not payload.get("organization_name"):
                payload["organization_name"] = data["organization_name"] = url_name(payload["organization_title"])
        elif payload.get("organization_id"):
            payload.pop("organization_title", None)
            payload.pop("organization_name", None)
        try:
            result = tk.get_action("vgsamverkan_participation_apply")(_context(), payload)
        except tk.ValidationError as e:
            errors = dict(e.error_dict)
            if "organization_title" in errors and not data.get("organization_name"):
                errors.pop("organization_name", None)  # it is proposed from the name, which is missing
            return self._render(data, errors)
        except tk.ObjectNotFound:
            return self._render(data, {"organization_id": [tk._("No such organisation")]})
        except tk.NotAuthorized as e:
            return self._render(data, {"organization_id": [str(e) or tk._("Not authorised")]})
        tk.h.flash_success(
            tk._("Thank you! Your application has been sent to the regional coordinator.")
        )
        return tk.redirect_to("vgsamverkan.participation_read", id=result["id"])


def participation_read(id: str):
    return _request_page("participation", id, "vgsamverkan/participation_read.html", "p",
                         not_found=tk._("Application not found"),
                         forbidden=_not_a_party())


@_csrf_protected
def participation_decide(id: str, verb: str):
    return _decision("participation", id, verb, _VERBS,
                     ("comment", "effective_from", "effective_to"),
                     forbidden=tk._("You may not decide on this application"))


_UPDATE_FIELDS = ("contact_name", "contact_email", "contact_phone", "invoice_reference", "org_number",
                  "address_street", "address_postcode", "address_city", "peppol_endpoint", "legal_name", "comment")


class UpdateView(MethodView):
    """Change a participation's master data: the form keeps what was typed after an error."""

    def _participation(self, id: str):
        when_refused(not_found=tk._("Application not found"), forbidden=_not_a_party())
        p = tk.get_action("vgsamverkan_participation_show")(_context(), {"id": id})
        if not p.get("may_update"):
            return None, tk.abort(403, tk._("Only an admin of the organisation or the coordinator may change its data"))
        return p, None

    def _render(self, p: dict[str, Any], data: dict[str, Any], errors: dict[str, Any]):
        errors = _in_order(errors, _UPDATE_FIELDS)
        return tk.render("vgsamverkan/participation_update.html", {
            "p": p, "data": data, "errors": errors,
            "error_summary": _error_summary(errors) if errors else {},
            "labels": _field_labels(), "may_change_org_number": p.get("may_change_org_number"),
        })

    def get(self, id: str):
        p, refusal = self._participation(id)
        if refusal is not None:
            return refusal
        data = {k: p.get(k) or "" for k in _UPDATE_FIELDS}
        if not p.get("peppol_endpoint_given"):  # the default, from the organisationsnummer: not typed
            data["peppol_endpoint"] = ""
        return self._render(p, data, {})

    @_csrf_protected
    def post(self, id: str):
        p, refusal = self._participation(id)
        if refusal is not None:
            return refusal
        form = _form()
        data = {k: form.get(k, "") for k in _UPDATE_FIELDS}
        payload: dict[str, Any] = {"id": p["id"], **{k: data[k] for k in _UPDATE_FIELDS if k in form}}
        if not p.get("may_change_org_number"):  # the coordinator's fields
            payload.pop("org_number", None)
            payload.pop("legal_name", None)
        try:
            result = tk.get_action("vgsamverkan_participation_update")(_context(), payload)
        except tk.ValidationError as e:
            return self._render(p, data, e.error_dict)
        except tk.NotAuthorized as e:
            return self._render(p, data, {"org_number": [str(e) or tk._("Not authorised")]})
        if result["changed"]:
            tk.h.flash_success(tk._("Saved."))
        else:
            tk.h.flash_notice(tk._("Nothing was changed."))
        return tk.redirect_to("vgsamverkan.participation_read", id=p["id"])
