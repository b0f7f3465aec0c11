"""What the pages share: the two blueprints, the CSRF check of our forms, the action context,
forms and their error summary, a request's page and a decision posted from it, the
coordinator's guard (issue 18: views as a package)."""
from __future__ import annotations

import functools
import urllib.parse
from typing import Any, Callable

from flask import Blueprint, current_app
from flask.views import MethodView
from flask_wtf.csrf import CSRFError, validate_csrf
from werkzeug.exceptions import BadRequest, Forbidden, NotFound

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import binding
from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.guard import same_site_path
from ckanext.vgsamverkan.helpers import vgsamverkan_is_coordinator
from ckanext.vgsamverkan.logic import pages
from ckanext.vgsamverkan.logic.action._base import CheckedOnly
from ckanext.vgsamverkan.views._confirm import page as confirm_page

vgsamverkan = Blueprint("vgsamverkan", __name__)


vgsamverkan_admin = Blueprint("vgsamverkan_admin", __name__, url_prefix="/ckan-admin")


# When an action refuses (issue 38, as ckanext-files' views do): the blueprints' error
# handlers answer, with the words the page chose (``when_refused``), instead of a
# try/except in every view. A refusal: a visitor not logged in is sent to log in, anyone
# else gets 403; nothing found: 404; a ValidationError no page caught (the address names
# nothing that can be read): 404 when the page said what it looks for, else 400.
def when_refused(*, not_found: str | None = None, forbidden: str | None = None,
                 hidden: bool = False, login: bool = True) -> None:
    """What this request's page says when an action refuses from here on: ``hidden``
    answers a refusal as "not found" (the page does not tell that the object exists);
    ``login=False`` refuses a visitor not logged in with 403 too."""
    tk.g.vgsamverkan_refusal = {"not_found": not_found, "forbidden": forbidden, "hidden": hidden, "login": login}


def _refusal() -> dict[str, Any]:
    return getattr(tk.g, "vgsamverkan_refusal", None) or {}


def _error_page(error: Any) -> Any:
    """CKAN's own error page (its application's handler of the HTTP error)."""
    return current_app.handle_http_exception(error)


def _on_not_authorized(error: tk.NotAuthorized) -> Any:
    words = _refusal()
    if words.get("hidden"):
        return _error_page(NotFound(words.get("not_found") or tk._("Not found")))
    if words.get("login", True) and not _logged_in():
        return _login_redirect()
    return _error_page(Forbidden(words.get("forbidden") or str(error) or tk._("Not authorised")))


def _on_not_found(error: tk.ObjectNotFound) -> Any:
    return _error_page(NotFound(_refusal().get("not_found") or tk._("Not found")))


def _on_invalid(error: tk.ValidationError) -> Any:
    words = _refusal()
    if words.get("not_found"):
        return _error_page(NotFound(words["not_found"]))
    said = "; ".join(f"{label}: {msg}" for label, msg in _error_summary(error.error_dict).items())
    return _error_page(BadRequest(said))


for _blueprint in (vgsamverkan, vgsamverkan_admin):
    _blueprint.register_error_handler(tk.NotAuthorized, _on_not_authorized)
    _blueprint.register_error_handler(tk.ObjectNotFound, _on_not_found)
    _blueprint.register_error_handler(tk.ValidationError, _on_invalid)


def _csrf_always(view: Callable[..., Any]) -> Callable[..., Any]:
    """Check the CSRF token of every POST, logged in or not: a form whose post logs the
    browser in or acts on someone's address (registration, activation), where CKAN
    checks no token for a visitor not logged in (found from outside, issue 36: a page on
    another site could log its visitors in to an account of its choosing)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if tk.request.method == "POST":
            _refuse_a_bad_token()
        return view(*args, **kwargs)

    return wrapper


def _refuse_a_bad_token() -> None:
    """A 400 that says so when the form's CSRF token is missing or wrong."""
    try:
        validate_csrf(tk.request.form.get("_csrf_token"))
    except (CSRFError, Exception):  # noqa: BLE001 (flask-wtf's and wtforms' errors: any means a bad token)
        tk.abort(400, tk._("The form has expired or was not sent from this site. Please try again."))


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
            _refuse_a_bad_token()
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
    # the page to come back to, without the bare "?" Werkzeug's full_path ends in when
    # there is no query (issue 39: "came_from=/samverkan/vantar?")
    query = tk.request.query_string.decode("latin-1")
    came_from = tk.request.path + (f"?{query}" if query else "")
    return tk.redirect_to(tk.h.url_for("user.login", came_from=came_from))


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
        "address_street": tk._("Street address"),
        "address_postcode": tk._("Postcode"),
        "address_city": tk._("City"),
        "peppol_endpoint": tk._("Peppol endpoint"),
        "legal_name": tk._("Legal name"),
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
        "file": tk._("File"),
        "year": tk._("Year"),
        "source": tk._("Source"),
        "records": tk._("File"),
        "valid_from": tk._("Valid from (month)"),
        "total": tk._("Monthly total to share (SEK before VAT)"),
        "base_percent": tk._("Part split equally (percent)"),
        "regional_fixed": tk._("Fixed monthly amount per regional administration (SEK)"),
        "amount": tk._("Amount (SEK before VAT)"),
        "corrects": tk._("Month corrected"),
        "entry_id": tk._("Entry"),
        "change": tk._("Change of hours"),
        "correction_reason": tk._("Reason"),
    }


def _request_page(kind: str, id: str, template: str | None = None, name: str | None = None, *,
                  not_found: str, forbidden: str, decided: dict[str, Any] | None = None):
    """The page of one request of ``kind``: the request (as ``name``), its history and
    comments, through the actions (which decide who may see it). ``decided``: a decision
    that was refused (its verb, the values typed and the errors), whose form shows them
    again (issue 21)."""
    template, name = template or objects.KINDS[kind].template, name or objects.KINDS[kind].template_name
    when_refused(not_found=not_found, forbidden=forbidden)
    request_ = tk.get_action(f"vgsamverkan_{kind}_show")(_context(), {"id": id})
    about = {"object_type": kind, "object_id": id}
    events = pages.every("vgsamverkan_event_list", _context(), about)
    comments = pages.every("vgsamverkan_comment_list", _context(), about)
    return tk.render(template, {name: request_, "history": _history(events, comments),
                                "labels": _field_labels(), "decided": decided or {}})


def _in_order(errors: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """A form's errors in the order of its fields (the error summary reads as the form
    does); fields the form does not have come last."""
    rank = {name: i for i, name in enumerate(order)}
    return dict(sorted(errors.items(), key=lambda kv: rank.get(kv[0], len(rank))))


def _decision(kind: str, id: str, verb: str, verbs: tuple[str, ...], params: tuple[str, ...], *,
              forbidden: str, rename: dict[str, str] | None = None, not_found: str | None = None):
    """A decision posted from a request page or the queue. A binding act is confirmed
    first (views/_confirm.py). Done: a flash message and back to ``next`` (a local path)
    or to the request's page. Refused for its input: the request's page again, its form
    with the values typed, field errors and the summary (issue 21). ``rename``: form
    field -> the action's parameter, where they differ."""
    if verb not in verbs:
        return tk.abort(404)
    form = _form()
    rename = rename or {}
    fields = tuple(rename) or params
    # (a form that names the object itself, e.g. the time entry it corrects, sends no id of the request)
    payload: dict[str, Any] = {} if "id" in rename.values() else {"id": id}
    payload.update({rename.get(k, k): form[k] for k in fields if form.get(k)})
    if verb == "reject":
        payload["reason"] = form.get("reason", "")
    def refused(e: tk.ValidationError):
        back = {v: k for k, v in rename.items()}
        errors = _in_order({back.get(k, k): v for k, v in e.error_dict.items()}, fields + ("reason",))
        return _request_page(kind, id, not_found=not_found or tk._("Not found"), forbidden=forbidden,
                             decided={"verb": verb, "data": form, "errors": errors,
                                      "summary": _error_summary(errors)})

    if binding.needed(kind, verb, form):
        # the form's errors first, then the question (issue 39): the act is checked, not done
        try:
            tk.get_action(f"vgsamverkan_{kind}_{verb}")({**_context(), "vgsamverkan_check_only": True}, payload)
        except CheckedOnly:
            model.Session.rollback()
        except tk.ValidationError as e:
            model.Session.rollback()
            return refused(e)
        except (tk.NotAuthorized, tk.ObjectNotFound):
            model.Session.rollback()  # the act itself, below, refuses with the page's words
        else:  # an action that did not stop at its checks: nothing may be written
            model.Session.rollback()
            return tk.abort(500)
        page = confirm_page(kind, id, verb, form)
        if page is not None:
            return page
    when_refused(not_found=not_found or tk._("Not found"), forbidden=forbidden, login=False)
    try:
        tk.get_action(f"vgsamverkan_{kind}_{verb}")(_context(), payload)
    except tk.ValidationError as e:
        return refused(e)
    tk.h.flash_success(tk._("Saved."))
    next_url = same_site_path(form.get("next"))
    if next_url:
        return tk.redirect_to(next_url)
    return tk.redirect_to(objects.KINDS[kind].read_endpoint, id=id)


def _history(events: list[dict[str, Any]], comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    items = [dict(e, kind="event") for e in events] + [dict(c, kind="comment") for c in comments]
    return sorted(items, key=lambda i: i["created"])


def _act_and_flash(action: str, payload: dict[str, Any], *, success: str, forbidden: str) -> None:
    """Run an action for a form: its outcome becomes a flash message; a refusal of the
    user or a missing object ends the request (403/404)."""
    when_refused(not_found=tk._("Not found"), forbidden=forbidden, login=False)
    try:
        tk.get_action(action)(_context(), payload)
    except tk.ValidationError as e:
        for label, msg in _error_summary(e.error_dict).items():
            tk.h.flash_error(f"{label}: {msg}")
    else:
        tk.h.flash_success(success)


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
        errors = _in_order(errors, self.fields)
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


def _is_coordinator() -> bool:

    return vgsamverkan_is_coordinator()


def coordinator_required(view: Callable[..., Any]) -> Callable[..., Any]:
    """A page of the coordinator's: anyone else is sent to log in, or refused (403).
    Beneath ``_csrf_protected`` where both apply (the token is checked first, as before)."""
    @functools.wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        refused = _coordinator_page()
        return refused if refused is not None else view(*args, **kwargs)

    return guarded


def _coordinator_page():
    """None for a coordinator; else the answer (log-in or 403)."""
    if _is_coordinator():
        return None
    if not _logged_in():
        return _login_redirect()
    return tk.abort(403, tk._("Only the regional coordinator may see this page"))


def _admin_orgs() -> list[dict[str, Any]]:
    if not _logged_in():
        return []
    return tk.get_action("organization_list_for_user")(
        _context(), {"permission": "admin", "include_dataset_count": False}
    )


def _participants() -> list[dict[str, Any]]:
    return pages.every("vgsamverkan_participant_list", _context())


# -- sections shown a page at a time (issue 39) ----------------------------------------

def _page_asked(name: str) -> int:
    """The page of a section the address asks for (``?<name>=N``): a whole number from 1.
    Anything else (``0``, ``-1``, ``x``, nothing) is page 1; a number beyond the last page
    is the last page (``_paged``)."""
    text = tk.request.args.get(name, "").strip()
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        return 1
    return min(int(text), pages.HIGHEST_PAGE)


def _pages_of(count: int) -> int:
    return max(1, -(-count // pages.SHOWN))


def _page_url(name: str, page: int, anchor: str) -> str:
    """This page's address with the section ``name`` at ``page``, the other parameters
    (the filters, the other sections' pages) kept."""
    args = [(k, v) for k, v in tk.request.args.items(multi=True) if k != name]
    if page > 1:
        args.append((name, str(page)))
    query = urllib.parse.urlencode(args)
    return tk.request.path + (f"?{query}" if query else "") + f"#{anchor}"


def _paging(name: str, page: int, count: int, shown: int, anchor: str) -> dict[str, Any]:
    """What the page says of a section shown a page at a time (macros.html: ``pager``):
    which rows of how many, and the links to the pages before and after."""
    last = _pages_of(count)
    first = (page - 1) * pages.SHOWN
    return {"name": name, "page": page, "pages": last, "count": count,
            "first": first + 1 if shown else 0, "last": first + shown,
            "previous": _page_url(name, page - 1, anchor) if page > 1 else None,
            "next": _page_url(name, page + 1, anchor) if page < last else None}


def _paged(name: str, fetch: Callable[[int, int], tuple[int, list[dict[str, Any]]]],
           anchor: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A section's page: ``fetch(offset, limit)`` answers how many in all and the rows
    asked for (its query pages, issue 39); the page is ``?<name>=N``, and one beyond the
    last is the last."""
    page = _page_asked(name)
    count, rows = fetch((page - 1) * pages.SHOWN, pages.SHOWN)
    if page > _pages_of(count):
        page = _pages_of(count)
        count, rows = fetch((page - 1) * pages.SHOWN, pages.SHOWN)
    return rows, _paging(name, page, count, len(rows), anchor)
