"""Pages of the collaboration. Views call actions only, never the session."""
from __future__ import annotations

import functools
from typing import Any, Callable

from flask import Blueprint
from flask.views import MethodView

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.logic import objects

vgsamverkan = Blueprint("vgsamverkan", __name__)
vgsamverkan_admin = Blueprint("vgsamverkan_admin", __name__, url_prefix="/ckan-admin")

__all__ = ["vgsamverkan", "vgsamverkan_admin"]

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
    "motivation",
)
_VERBS = ("approve", "reject", "withdraw", "terminate")
_PUBLISHER_VERBS = ("approve", "reject", "withdraw", "revoke")


def _csrf_protected(view: Callable[..., Any]) -> Callable[..., Any]:
    """Check the CSRF token of a POST by a user logged in with a session cookie.

    CKAN checks it too, but CKAN 2.12.0 exempts a view for good once any anonymous or
    API-token request has reached it (``csrf.exempt`` in its ``ckan_before_request``),
    after which its forms would take cross-site posts. So our forms check for
    themselves. Requests with an API token carry no ambient credential and need none.
    """

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        header = tk.config.get("apitoken_header_name") or "Authorization"
        if tk.request.method == "POST" and _logged_in() and not tk.request.headers.get(header):
            from flask_wtf.csrf import CSRFError, validate_csrf

            try:
                validate_csrf(tk.request.form.get("_csrf_token"))
            except (CSRFError, Exception):
                return tk.abort(400, tk._("The form has expired or was not sent from this site. Please try again."))
        return view(*args, **kwargs)

    return wrapper


def _context() -> dict[str, Any]:
    user = tk.current_user
    return {
        "model": model,
        "session": model.Session,
        "user": user.name if user and user.is_authenticated else "",
        "auth_user_obj": user if user and user.is_authenticated else None,
    }


def _logged_in() -> bool:
    return bool(tk.current_user and tk.current_user.is_authenticated)


def _login_redirect():
    return tk.redirect_to(tk.h.url_for("user.login", came_from=tk.request.full_path))


def _form() -> dict[str, Any]:
    return {k: v for k, v in tk.request.form.items() if k not in ("_csrf_token", "save")}


def _error_summary(errors: dict[str, Any]) -> dict[str, str]:
    labels = _field_labels()
    return {
        labels.get(field, field): "; ".join(map(str, msgs if isinstance(msgs, list) else [msgs]))
        for field, msgs in errors.items()
    }


def _field_labels() -> dict[str, str]:
    return {
        "organization_id": tk._("Organisation"),
        "organization_title": tk._("Name of the organisation"),
        "organization_name": tk._("Address (URL name)"),
        "org_type": tk._("Type of organisation"),
        "municipality_code": tk._("Municipality"),
        "org_number": tk._("Organisationsnummer"),
        "contact_name": tk._("Contact person"),
        "contact_email": tk._("E-mail"),
        "contact_phone": tk._("Telephone"),
        "invoice_reference": tk._("Invoice reference"),
        "motivation": tk._("Why do you want to take part?"),
        "reason": tk._("Reason"),
        "comment": tk._("Comment"),
        "effective_from": tk._("Takes part from"),
        "effective_to": tk._("Last day of participation"),
        "text": tk._("Comment"),
        "state": tk._("State"),
        "role": tk._("Role"),
        "user_id": tk._("User"),
        "expires": tk._("Valid until"),
        "information_sets": tk._("Information sets"),
        "proposed_solution": tk._("Proposed solution"),
        "technical_contact": tk._("Technical contact"),
        "description": tk._("Description"),
        "investigator": tk._("Investigator"),
        "solution": tk._("Solution"),
        "effort_hours": tk._("Effort (hours)"),
        "price": tk._("Price (SEK before VAT)"),
        "valid_until": tk._("Valid until"),
        "connected_date": tk._("Connected from"),
        "harvest_url": tk._("Catalogue to harvest"),
        "format": tk._("Format"),
        "competence_area": tk._("Competence area"),
        "estimated_hours": tk._("Estimated hours"),
        "period_start": tk._("Wanted from"),
        "period_end": tk._("Wanted until"),
        "contact": tk._("Contact person"),
        "expert_name": tk._("Expert"),
        "expert_user_id": tk._("The expert's user account"),
        "hourly_rate": tk._("Hourly rate (SEK before VAT)"),
        "fixed_price": tk._("Fixed price (SEK before VAT)"),
        "planned_hours": tk._("Planned hours"),
        "date": tk._("Date"),
        "hours": tk._("Hours"),
        "note": tk._("What was done"),
        "delivered_date": tk._("Delivered on"),
    }


# -- public ----------------------------------------------------------------------------

def index():
    participants = tk.get_action("vgsamverkan_participant_list")(_context(), {})
    return tk.render(
        "vgsamverkan/index.html", {"participants": participants["results"]}
    )


# -- participation ---------------------------------------------------------------------

def _admin_orgs() -> list[dict[str, Any]]:
    if not _logged_in():
        return []
    return tk.get_action("organization_list_for_user")(
        _context(), {"permission": "admin", "include_dataset_count": False}
    )


class ApplyView(MethodView):
    def _render(self, data: dict[str, Any], errors: dict[str, Any]):
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
        data = {"organization_id": tk.request.args.get("organization_id", "")}
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
        elif payload.get("organization_id"):
            payload.pop("organization_title", None)
            payload.pop("organization_name", None)
        try:
            result = tk.get_action("vgsamverkan_participation_apply")(_context(), payload)
        except tk.ValidationError as e:
            return self._render(data, e.error_dict)
        except tk.ObjectNotFound:
            return self._render(data, {"organization_id": [tk._("No such organisation")]})
        except tk.NotAuthorized as e:
            return self._render(data, {"organization_id": [str(e) or tk._("Not authorised")]})
        tk.h.flash_success(
            tk._("Thank you! Your application has been sent to the regional coordinator.")
        )
        return tk.redirect_to("vgsamverkan.participation_read", id=result["id"])


def _request_page(kind: str, id: str, template: str, name: str, *, not_found: str,
                  forbidden: str):
    """The page of one request of ``kind``: the request (as ``name``), its history and
    comments, through the actions (which decide who may see it)."""
    try:
        request_ = tk.get_action(f"vgsamverkan_{kind}_show")(_context(), {"id": id})
        about = {"object_type": kind, "object_id": id}
        events = tk.get_action("vgsamverkan_event_list")(_context(), dict(about))["results"]
        comments = tk.get_action("vgsamverkan_comment_list")(_context(), dict(about))["results"]
    except (tk.ObjectNotFound, tk.ValidationError):
        return tk.abort(404, not_found)
    except tk.NotAuthorized:
        if not _logged_in():
            return _login_redirect()
        return tk.abort(403, forbidden)
    return tk.render(template, {name: request_, "history": _history(events, comments),
                                "labels": _field_labels()})


def _decision(kind: str, id: str, verb: str, verbs: tuple[str, ...], params: tuple[str, ...], *,
              forbidden: str):
    """A decision posted from a request page or the queue: the action's outcome becomes a
    flash message; back to ``next`` (a local path) or to the request's page."""
    if verb not in verbs:
        return tk.abort(404)
    form = _form()
    payload: dict[str, Any] = {"id": id, **{k: form[k] for k in params if form.get(k)}}
    if verb == "reject":
        payload["reason"] = form.get("reason", "")
    next_url = form.get("next") or ""
    _act_and_flash(f"vgsamverkan_{kind}_{verb}", payload, success=tk._("Saved."), forbidden=forbidden)
    if next_url.startswith("/") and not next_url.startswith("//"):
        return tk.redirect_to(next_url)
    return tk.redirect_to(objects.KINDS[kind].read_endpoint, id=id)


def participation_read(id: str):
    return _request_page("participation", id, "vgsamverkan/participation_read.html", "p",
                         not_found=tk._("Application not found"),
                         forbidden=tk._("You may not see this application"))


def _history(events: list[dict[str, Any]], comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items = [dict(e, kind="event") for e in events] + [dict(c, kind="comment") for c in comments]
    return sorted(items, key=lambda i: i["created"])


def _act_and_flash(action: str, payload: dict[str, Any], *, success: str, forbidden: str) -> None:
    """Run an action for a form: its outcome becomes a flash message; a refusal of the
    user or a missing object ends the request (403/404)."""
    try:
        tk.get_action(action)(_context(), payload)
    except tk.ValidationError as e:
        for label, msg in _error_summary(e.error_dict).items():
            tk.h.flash_error(f"{label}: {msg}")
    except tk.NotAuthorized:
        tk.abort(403, forbidden)
    except tk.ObjectNotFound:
        tk.abort(404, tk._("Not found"))
    else:
        tk.h.flash_success(success)


@_csrf_protected
def participation_decide(id: str, verb: str):
    return _decision("participation", id, verb, _VERBS,
                     ("comment", "effective_from", "effective_to"),
                     forbidden=tk._("You may not decide on this application"))


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


# -- publisher authorisation -----------------------------------------------------------

def _participants() -> list[dict[str, Any]]:
    return tk.get_action("vgsamverkan_participant_list")(_context(), {})["results"]


class PublisherRequestView(MethodView):
    def _render(self, data: dict[str, Any], errors: dict[str, Any]):
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
        return self._render({"organization_id": tk.request.args.get("organization_id", ""),
                             "role": "editor"}, {})

    @_csrf_protected
    def post(self):
        if not _logged_in():
            return _login_redirect()
        form = _form()
        data = {k: form.get(k, "") for k in ("organization_id", "role", "motivation")}
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
                         forbidden=tk._("You may not see this request"))


@_csrf_protected
def publisher_decide(id: str, verb: str):
    return _decision("publisher", id, verb, _PUBLISHER_VERBS, ("comment", "expires"),
                     forbidden=tk._("You may not decide on this request"))


# -- connection requests ---------------------------------------------------------------

_CONNECTION_FIELDS = ("organization_id", "information_sets", "proposed_solution",
                      "technical_contact", "description")
_CONNECTION_VERBS = ("investigate", "quote", "accept", "decline", "complete", "cancel", "disconnect")
_CONNECTION_PARAMS = ("comment", "investigator", "solution", "effort_hours", "price", "valid_until",
                      "connected_date", "harvest_url")


class _OrgRequestCreateView(MethodView):
    """The form of a request that an admin of a participant organisation makes (a
    connection, a call-off): the organisations to choose from, the action's outcome."""

    template = ""
    action = ""
    fields: tuple[str, ...] = ()
    preset: tuple[str, ...] = ("organization_id",)
    read_view = ""

    def thanks(self) -> str:
        raise NotImplementedError

    def _render(self, data: dict[str, Any], errors: dict[str, Any]):
        admin_ids = {o["id"] for o in _admin_orgs()}
        participants = [p for p in _participants()
                        if p["organization_id"] in admin_ids or _is_coordinator()]
        return tk.render(
            self.template,
            {"data": data, "errors": errors,
             "error_summary": _error_summary(errors) if errors else {},
             "organizations": participants, "labels": _field_labels()},
        )

    def get(self):
        if not _logged_in():
            return _login_redirect()
        return self._render({k: tk.request.args.get(k, "") for k in self.preset}, {})

    @_csrf_protected
    def post(self):
        if not _logged_in():
            return _login_redirect()
        form = _form()
        data = {k: form.get(k, "") for k in self.fields}
        payload = {k: v for k, v in data.items() if v != ""}
        try:
            result = tk.get_action(self.action)(_context(), payload)
        except tk.ValidationError as e:
            return self._render(data, e.error_dict)
        except tk.NotAuthorized as e:
            return self._render(data, {"organization_id": [str(e) or tk._("Not authorised")]})
        tk.h.flash_success(self.thanks())
        return tk.redirect_to(self.read_view, id=result["id"])


class ConnectionCreateView(_OrgRequestCreateView):
    template = "vgsamverkan/connection_form.html"
    action = "vgsamverkan_connection_create"
    fields = _CONNECTION_FIELDS
    read_view = "vgsamverkan.connection_read"

    def thanks(self) -> str:
        return tk._("Thank you! Your connection request has been sent to the regional coordinator.")


def _is_coordinator() -> bool:
    from ckanext.vgsamverkan.helpers import vgsamverkan_is_coordinator

    return vgsamverkan_is_coordinator()


def connection_read(id: str):
    return _request_page("connection", id, "vgsamverkan/connection_read.html", "connection",
                         not_found=tk._("Request not found"),
                         forbidden=tk._("You may not see this request"))


@_csrf_protected
def connection_decide(id: str, verb: str):
    return _decision("connection", id, verb, _CONNECTION_VERBS, _CONNECTION_PARAMS,
                     forbidden=tk._("You may not do this for this request"))


# -- expert call-offs ------------------------------------------------------------------

_CALLOFF_FIELDS = ("organization_id", "competence_area", "description", "estimated_hours",
                   "period_start", "period_end", "contact")
_CALLOFF_VERBS = ("assign", "log_time", "deliver", "cancel")
_CALLOFF_PARAMS = ("comment", "expert_name", "expert_user_id", "hourly_rate", "fixed_price",
                   "planned_hours", "date", "hours", "note", "delivered_date")


class CalloffCreateView(_OrgRequestCreateView):
    template = "vgsamverkan/calloff_form.html"
    action = "vgsamverkan_calloff_create"
    fields = _CALLOFF_FIELDS
    preset = ("organization_id", "competence_area")
    read_view = "vgsamverkan.calloff_read"

    def thanks(self) -> str:
        return tk._("Thank you! Your call-off has been sent to the regional coordinator.")


def calloff_read(id: str):
    return _request_page("calloff", id, "vgsamverkan/calloff_read.html", "calloff",
                         not_found=tk._("Call-off not found"),
                         forbidden=tk._("You may not see this call-off"))


@_csrf_protected
def calloff_decide(id: str, verb: str):
    return _decision("calloff", id, verb, _CALLOFF_VERBS, _CALLOFF_PARAMS,
                     forbidden=tk._("You may not do this for this call-off"))


# -- the coordinator's workplace -------------------------------------------------------

def admin_queue():
    context = _context()
    try:
        dashboard = tk.get_action("vgsamverkan_dashboard_show")(context, {})
    except tk.NotAuthorized:
        if not _logged_in():
            return _login_redirect()
        return tk.abort(403, tk._("Only the regional coordinator may see this page"))
    state = tk.request.args.get("state") or "pending"
    org_type = tk.request.args.get("org_type") or ""
    params: dict[str, Any] = {"state": state, "limit": 200}
    if org_type:
        params["org_type"] = org_type
    try:
        queue = tk.get_action("vgsamverkan_participation_list")(_context(), params)
    except tk.ValidationError:
        queue = {"count": 0, "results": []}
    results = sorted(queue["results"], key=lambda p: p["created"])
    publishers = tk.get_action("vgsamverkan_publisher_list")(
        _context(), {"state": "pending", "limit": 200}
    )["results"]
    # the open requests of each kind, at every move (what waits for the coordinator is the
    # overview above them: vgsamverkan_queue_list)
    open_states = objects.KINDS["connection"].open
    connections = [
        c for c in tk.get_action("vgsamverkan_connection_list")(_context(), {"limit": 1000})["results"]
        if c["state"] in open_states
    ]
    connections.sort(key=lambda c: (open_states.index(c["state"]), c["modified"]))
    calloff_states = objects.KINDS["calloff"].open
    calloffs = [
        c for state_ in calloff_states
        for c in tk.get_action("vgsamverkan_calloff_list")(_context(), {"state": state_, "limit": 1000})["results"]
    ]
    calloffs.sort(key=lambda c: (calloff_states.index(c["state"]), c["created"]))
    filters = {k: tk.request.args.get(k) or "" for k in ("kind", "org_type", "municipality_code", "sort")}
    try:
        overview = tk.get_action("vgsamverkan_queue_list")(
            _context(), {k: v for k, v in filters.items() if v})["results"]
    except tk.ValidationError:
        overview = []
    history = tk.get_action("vgsamverkan_history_show")(_context(), {})["results"]
    return tk.render(
        "vgsamverkan/admin/queue.html",
        {
            "dashboard": dashboard,
            "kinds": list(objects.KINDS),
            "participations": results,
            "connections": connections,
            "calloffs": calloffs,
            "overview": overview,
            "filters": filters,
            "history": history,
            "publishers": sorted(publishers, key=lambda r: r["created"]),
            "state": state,
            "org_type": org_type,
        },
    )


# -- fees ------------------------------------------------------------------------------

def _coordinator_page():
    """None for a coordinator; else the answer (log-in or 403)."""
    if _is_coordinator():
        return None
    if not _logged_in():
        return _login_redirect()
    return tk.abort(403, tk._("Only the regional coordinator may see this page"))


def admin_fees():
    refused = _coordinator_page()
    if refused is not None:
        return refused
    schedules = tk.get_action("vgsamverkan_fee_schedule_list")(_context(), {})["results"]
    months = tk.get_action("vgsamverkan_fee_month_list")(_context(), {})["results"]
    return tk.render("vgsamverkan/admin/fees.html", {
        "schedules": schedules, "months": months, "labels": _field_labels(),
        "data": {}, "errors": {},
    })


@_csrf_protected
def admin_fee_schedule():
    refused = _coordinator_page()
    if refused is not None:
        return refused
    form = _form()
    payload = {k: form[k] for k in ("valid_from", "total", "base_percent", "regional_fixed") if form.get(k)}
    _act_and_flash("vgsamverkan_fee_schedule_set", payload, success=tk._("The fee schedule was saved."),
                   forbidden=tk._("Only the regional coordinator may see this page"))
    return tk.redirect_to("vgsamverkan_admin.fees")


def admin_fee_month(month: str):
    refused = _coordinator_page()
    if refused is not None:
        return refused
    months = {m["month"]: m for m in tk.get_action("vgsamverkan_fee_month_list")(_context(), {})["results"]}
    saved = months.get(month)
    preview, error = None, None
    if not saved or saved["state"] == "open":
        try:
            preview = tk.get_action("vgsamverkan_fee_run")(_context(), {"month": month, "dry_run": True})
        except tk.ValidationError as e:
            error = "; ".join(f"{msg}" for msgs in e.error_dict.values()
                              for msg in (msgs if isinstance(msgs, list) else [msgs]))
    statements = []
    if saved and saved.get("run_at"):
        statements = tk.get_action("vgsamverkan_fee_statement_list")(
            _context(), {"month": month, "limit": 1000})["results"]
    participants = _participants()
    return tk.render("vgsamverkan/admin/fee_month.html", {
        "month": month, "saved": saved, "preview": preview, "error": error, "statements": statements,
        "participants": participants, "labels": _field_labels(),
    })


_FEE_VERBS = ("run", "close", "adjust")


@_csrf_protected
def admin_fee_month_act(month: str, verb: str):
    refused = _coordinator_page()
    if refused is not None:
        return refused
    if verb not in _FEE_VERBS:
        return tk.abort(404)
    form = _form()
    if verb == "run":
        payload: dict[str, Any] = {"month": month}
        success = tk._("The statements of {month} were saved.").format(month=month)
    elif verb == "close":
        payload = {"month": month}
        success = tk._("{month} is closed.").format(month=month)
    else:
        payload = {"month": month, **{k: form[k] for k in ("organization_id", "amount", "reason") if form.get(k)}}
        success = tk._("The adjustment was added.")
    _act_and_flash(f"vgsamverkan_fee_{verb}", payload, success=success,
                   forbidden=tk._("Only the regional coordinator may see this page"))
    return tk.redirect_to("vgsamverkan_admin.fee_month", month=month)


def admin_fee_export(month: str, fmt: str):
    import base64

    refused = _coordinator_page()
    if refused is not None:
        return refused
    try:
        result = tk.get_action("vgsamverkan_fee_export")(_context(), {"month": month, "format": fmt})
    except tk.ValidationError as e:
        for label, msg in _error_summary(e.error_dict).items():
            tk.h.flash_error(f"{label}: {msg}")
        return tk.redirect_to("vgsamverkan_admin.fee_month", month=month)
    from flask import Response

    charset = "utf-8" if result["encoding"] == "utf-8" else "IBM437"
    return Response(base64.b64decode(result["content_base64"]),
                    content_type=f'{result["content_type"]}; charset={charset}',
                    headers={"Content-Disposition": f'attachment; filename="{result["filename"]}"'})


def admin_population():
    refused = _coordinator_page()
    if refused is not None:
        return refused
    year = tk.request.args.get("year") or None
    try:
        listing = tk.get_action("vgsamverkan_population_list")(_context(), {"year": year} if year else {})
    except tk.ValidationError as e:  # ?year=abc, or far out of range: say so, show the latest
        for label, msg in _error_summary(e.error_dict).items():
            tk.h.flash_error(f"{label}: {msg}")
        year = None
        listing = tk.get_action("vgsamverkan_population_list")(_context(), {})
    years = listing.get("years") or []
    if not year and years:
        year = str(max(years))
        listing = tk.get_action("vgsamverkan_population_list")(_context(), {"year": year})
    rows = listing["results"]
    return tk.render("vgsamverkan/admin/population.html", {
        "years": years, "year": year, "rows": rows, "total": sum(r["population"] for r in rows),
        "sources": sorted({r.get("source") or "" for r in rows}),
    })


def admin_personal_data():
    """What the retention of contact data would anonymise now (a dry run), and the form
    that does it."""
    refused = _coordinator_page()
    if refused is not None:
        return refused
    pending = tk.get_action("vgsamverkan_gdpr_purge")(_context(), {"dry_run": True})
    return tk.render("vgsamverkan/admin/personal_data.html", {"pending": pending})


@_csrf_protected
def admin_personal_data_purge():
    refused = _coordinator_page()
    if refused is not None:
        return refused
    try:
        result = tk.get_action("vgsamverkan_gdpr_purge")(_context(), {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Only the regional coordinator may see this page"))
    tk.h.flash_success(tk._("Contact data anonymised in {n} closed requests.").format(n=result["count"]))
    return tk.redirect_to("vgsamverkan_admin.personal_data")


def organization_samverkan(id: str):
    """The organisation's "Samverkan" tab: its participation and its fee statements per
    month, every line in words (for its admins and the coordinator)."""
    context = _context()
    try:
        group_dict = tk.get_action("organization_show")(context, {"id": id, "include_datasets": False})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("Organisation not found"))
    try:
        statements = tk.get_action("vgsamverkan_fee_statement_list")(
            context, {"organization_id": group_dict["id"], "limit": 120})["results"]
        participations = tk.get_action("vgsamverkan_participation_list")(
            context, {"organization_id": group_dict["id"], "limit": 20})["results"]
        connections = tk.get_action("vgsamverkan_connection_list")(
            context, {"organization_id": group_dict["id"], "limit": 100})["results"]
        calloffs = tk.get_action("vgsamverkan_calloff_list")(
            context, {"organization_id": group_dict["id"], "limit": 100})["results"]
        publishers = tk.get_action("vgsamverkan_publisher_list")(
            context, {"organization_id": group_dict["id"], "limit": 200})["results"]
    except tk.NotAuthorized:
        if not _logged_in():
            return _login_redirect()
        return tk.abort(403, tk._("Only the organisation's admins and the coordinator may see this page"))
    from ckanext.vgsamverkan import helpers

    if not (helpers.vgsamverkan_is_coordinator() or helpers.vgsamverkan_is_org_admin(group_dict["id"])):
        if not _logged_in():
            return _login_redirect()
        return tk.abort(403, tk._("Only the organisation's admins and the coordinator may see this page"))
    return tk.render("organization/vgsamverkan.html", {
        "group_dict": group_dict, "group_type": "organization", "id": group_dict["name"],
        "statements": statements, "participations": participations, "connections": connections,
        "calloffs": calloffs, "publishers": [r for r in publishers if r["state"] in ("pending", "approved")],
    })


def admin_fee_month_pick():
    month = (tk.request.args.get("month") or "").strip()
    return tk.redirect_to("vgsamverkan_admin.fee_month", month=month or tk.h.vgsamverkan_this_month())


@_csrf_protected
def admin_bulk():
    """Approve or reject several applications and publisher requests with one comment or
    reason: each is its own decision (its own transaction and event); the refusals are
    reported one by one."""
    refused = _coordinator_page()
    if refused is not None:
        return refused
    form = tk.request.form
    verb = form.get("verb")
    items = form.getlist("items")
    if verb not in ("approve", "reject"):
        tk.h.flash_error(tk._("Choose approve or reject"))
        return tk.redirect_to("vgsamverkan_admin.queue")
    if not items:
        tk.h.flash_error(tk._("Select at least one request"))
        return tk.redirect_to("vgsamverkan_admin.queue")
    text = (form.get("text") or "").strip()
    done, failed = 0, []
    for item in items:
        kind, _, object_id = item.partition(":")
        if kind not in objects.KINDS or not objects.KINDS[kind].bulk or not object_id:
            failed.append((item, tk._("Not a request that can be decided in bulk")))
            continue
        payload: dict[str, Any] = {"id": object_id}
        if verb == "reject":
            payload["reason"] = text
        elif text:
            payload["comment"] = text
        try:
            tk.get_action(f"vgsamverkan_{kind}_{verb}")(_context(), payload)
            done += 1
        except tk.ValidationError as e:
            failed.append((item, "; ".join(f"{label}: {msg}" for label, msg in _error_summary(e.error_dict).items())))
        except (tk.NotAuthorized, tk.ObjectNotFound) as e:
            failed.append((item, str(e) or tk._("Not found")))
    if done:
        tk.h.flash_success(tk._("Decisions saved: {n}").format(n=done))
    for item, message in failed:
        tk.h.flash_error(tk._("{item} was not decided: {message}").format(item=_item_title(item), message=message))
    return tk.redirect_to("vgsamverkan_admin.queue")


def _item_title(item: str) -> str:
    kind, _, object_id = item.partition(":")
    try:
        obj = tk.get_action(f"vgsamverkan_{kind}_show")(_context(), {"id": object_id})
    except Exception:
        return item
    return obj.get("organization_title") or item


_MEMBER_CHANGE_PAGES = ("organization.member_new", "organization.member_delete")


@vgsamverkan.before_app_request
def _managed_membership_pages():
    """CKAN's own pages for adding, changing and removing members of an organisation
    that takes part: CKAN would only say "Unauthorized"; say who manages the members
    and where to ask instead (the rule itself is in logic/enforce.py)."""
    if tk.request.endpoint not in _MEMBER_CHANGE_PAGES:
        return None
    from ckanext.vgsamverkan import helpers

    org = model.Group.get((tk.request.view_args or {}).get("id") or "")
    if org is None or not org.is_organization or not helpers.vgsamverkan_members_managed(org.id):
        return None
    return tk.render("vgsamverkan/members_managed.html", {"organization": org}), 403


vgsamverkan.add_url_rule("/samverkan", view_func=index)
vgsamverkan.add_url_rule(
    "/samverkan/deltagande/ansok", view_func=ApplyView.as_view("participation_apply")
)
vgsamverkan.add_url_rule("/samverkan/mina-arenden", view_func=my_requests)
vgsamverkan.add_url_rule("/samverkan/deltagande/<id>", view_func=participation_read)
vgsamverkan.add_url_rule(
    "/samverkan/deltagande/<id>/<verb>", view_func=participation_decide, methods=["POST"]
)
vgsamverkan.add_url_rule(
    "/samverkan/behorighet/ansok", view_func=PublisherRequestView.as_view("publisher_request")
)
vgsamverkan.add_url_rule("/samverkan/behorighet/<id>", view_func=publisher_read)
vgsamverkan.add_url_rule(
    "/samverkan/behorighet/<id>/<verb>", view_func=publisher_decide, methods=["POST"]
)
vgsamverkan.add_url_rule(
    "/samverkan/anslutning/ny", view_func=ConnectionCreateView.as_view("connection_create")
)
vgsamverkan.add_url_rule("/samverkan/anslutning/<id>", view_func=connection_read)
vgsamverkan.add_url_rule(
    "/samverkan/anslutning/<id>/<verb>", view_func=connection_decide, methods=["POST"]
)
vgsamverkan.add_url_rule("/samverkan/avrop/ny", view_func=CalloffCreateView.as_view("calloff_create"))
vgsamverkan.add_url_rule("/samverkan/avrop/<id>", view_func=calloff_read)
vgsamverkan.add_url_rule("/samverkan/avrop/<id>/<verb>", view_func=calloff_decide, methods=["POST"])
vgsamverkan.add_url_rule(
    "/samverkan/<object_type>/<id>/kommentar", view_func=comment, methods=["POST"]
)
vgsamverkan_admin.add_url_rule("/samverkan", view_func=admin_queue, endpoint="queue")
vgsamverkan_admin.add_url_rule("/samverkan/avgifter", view_func=admin_fees, endpoint="fees")
vgsamverkan_admin.add_url_rule("/samverkan/personuppgifter", view_func=admin_personal_data, endpoint="personal_data")
vgsamverkan_admin.add_url_rule("/samverkan/personuppgifter/anonymisera", view_func=admin_personal_data_purge,
                               endpoint="personal_data_purge", methods=["POST"])
vgsamverkan_admin.add_url_rule("/samverkan/beslut", view_func=admin_bulk, endpoint="bulk", methods=["POST"])
vgsamverkan_admin.add_url_rule("/samverkan/avgifter/taxa", view_func=admin_fee_schedule, endpoint="fee_schedule",
                               methods=["POST"])
vgsamverkan_admin.add_url_rule("/samverkan/avgifter/manad", view_func=admin_fee_month_pick, endpoint="fee_month_pick")
vgsamverkan_admin.add_url_rule("/samverkan/avgifter/<month>", view_func=admin_fee_month, endpoint="fee_month")
vgsamverkan_admin.add_url_rule("/samverkan/avgifter/<month>/export/<fmt>", view_func=admin_fee_export,
                               endpoint="fee_export")
vgsamverkan_admin.add_url_rule("/samverkan/avgifter/<month>/<verb>", view_func=admin_fee_month_act,
                               endpoint="fee_month_act", methods=["POST"])
vgsamverkan_admin.add_url_rule("/samverkan/befolkning", view_func=admin_population, endpoint="population")
vgsamverkan.add_url_rule("/organization/samverkan/<id>", view_func=organization_samverkan,
                         endpoint="organization_samverkan")
