"""The collaboration's public page, the user's own requests, and comments on a request."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.logic import pages
from ckanext.vgsamverkan.views._common import (
    _context,
    _csrf_protected,
    _error_summary,
    _form,
    _in_order,
    _logged_in,
    _login_redirect,
    _page_asked,
    _pages_of,
    _paging,
    _request_page,
    when_refused,
)


def index():
    return tk.render(
        "vgsamverkan/index.html", {"participants": pages.every("vgsamverkan_participant_list", _context())}
    )


@_csrf_protected
def comment(object_type: str, id: str):
    if object_type not in objects.KINDS:
        return tk.abort(404)
    text = tk.request.form.get("text", "")
    when_refused(not_found=tk._("Not found"), forbidden=tk._("You may not comment on this request"), login=False)
    try:
        tk.get_action("vgsamverkan_comment_create")(
            _context(), {"object_type": object_type, "object_id": id, "text": text})
    except tk.ValidationError as e:  # the comment comes back as it was written, with its error
        errors = {"text": e.error_dict.get("text") or [msg for msgs in e.error_dict.values() for msg in msgs]}
        return _request_page(object_type, id, not_found=tk._("Not found"),
                             forbidden=tk._("You may not comment on this request"),
                             decided={"verb": "comment", "data": {"text": text}, "errors": errors,
                                      "summary": _error_summary(errors)})
    tk.h.flash_success(tk._("Your comment was added."))
    return tk.redirect_to(objects.KINDS[object_type].read_endpoint, id=id)


def my_requests():
    if not _logged_in():
        return _login_redirect()
    # each kind's requests of the user's (and of the organisations they administer), in its
    # own section (<kind>_mine.html, else a plain one), with what happens next (Kind.steps)
    sections = [{"kind": kind.name, "template": f"vgsamverkan/{kind.name}_mine.html",
                 "items": tk.get_action(f"vgsamverkan_{kind.name}_list")(_context(), {"limit": 100})["results"]}
                for kind in objects.KINDS.values()]
    return tk.render("vgsamverkan/my_requests.html", {"sections": sections})


def waiting():
    """"Väntar på dig": what waits for the logged-in user's move, and their requests
    where someone else moves (issue 21)."""
    if not _logged_in():
        return _login_redirect()
    # each table a page at a time, paged in the action's queries (issue 39)
    asked = {name: _page_asked(name) for name in ("yours_page", "others_page")}

    def fetch() -> dict:
        return tk.get_action("vgsamverkan_waiting_list")(_context(), {
            "limit": pages.SHOWN, "offset": (asked["yours_page"] - 1) * pages.SHOWN,
            "others_limit": pages.SHOWN, "others_offset": (asked["others_page"] - 1) * pages.SHOWN})

    result = fetch()
    counts = {"yours_page": result["count"], "others_page": result["others_count"]}
    if any(asked[name] > _pages_of(counts[name]) for name in asked):  # beyond the last: the last
        asked = {name: min(asked[name], _pages_of(counts[name])) for name in asked}
        result = fetch()
        counts = {"yours_page": result["count"], "others_page": result["others_count"]}
    paging = {name: _paging(name, asked[name], counts[name], len(result[key]), anchor)
              for name, key, anchor in (("yours_page", "yours", "yours-heading"),
                                        ("others_page", "others", "others-heading"))}
    return tk.render("vgsamverkan/waiting.html", {"waiting": result, "paging": paging})


def after_login():
    """Where a log-in (and an activated registration) lands (``ckan.auth.route_after_login``,
    set by the plugin unless the site chose another), by the person's next step (SPEC
    2026-12-07): "Väntar på dig" when something waits for their move; a coordinator's
    workplace; without an organisation, how to take part and their own applications
    (``vgsamverkan.start``); else their organisation's page (the list of them, when they
    are in several). A publishing right that ends soon is said on every page (page.html)."""
    if not _logged_in():
        return _login_redirect()
    if tk.h.vgsamverkan_waiting_count():
        return tk.redirect_to("vgsamverkan.waiting")
    if tk.h.vgsamverkan_is_coordinator():
        return tk.redirect_to("vgsamverkan_admin.queue")
    organisations = tk.get_action("organization_list_for_user")(_context(), {"permission": "read"})
    if not organisations:
        return tk.redirect_to("vgsamverkan.start")
    if len(organisations) == 1:
        return tk.redirect_to("organization.read", id=organisations[0]["name"])
    return tk.redirect_to("dashboard.organizations")


def start():
    """"Kom igång": for someone logged in who is in no organisation, how to take part
    (apply for a new participant, or ask for publishing rights in one that takes part)
    and their own applications with what happens next."""
    if not _logged_in():
        return _login_redirect()
    # their requests of every kind (an applicant's applications, a request for rights), each
    # row knowing its kind
    mine = [dict(r, kind=kind.name) for kind in objects.KINDS.values()
            for r in tk.get_action(f"vgsamverkan_{kind.name}_list")(_context(), {"limit": 100})["results"]]
    organisations = tk.get_action("organization_list_for_user")(_context(), {"permission": "read"})
    return tk.render("vgsamverkan/start.html", {"mine": mine, "organisations": organisations[:20]})


def mail_language(decided: dict | None = None, endpoint: str = "vgsamverkan.mail_language"):
    """The language of your mail, for anyone logged in (SPEC 2026-12-07), linked from the
    account page (templates/user/edit.html): every mail the portal sends you; for a
    coordinator also the mail to the coordinator's address (the workplace has the same
    page at ``vgsamverkan_admin.mail_language``: ``endpoint``)."""
    if not _logged_in():
        return _login_redirect()
    setting = tk.get_action("vgsamverkan_mail_language_show")(_context(), {})
    return tk.render("vgsamverkan/mail_language.html", {
        "setting": setting, "decided": decided or {}, "action": tk.h.url_for(endpoint + "_set"),
        "in_workplace": endpoint != "vgsamverkan.mail_language"})


@_csrf_protected
def mail_language_set(endpoint: str = "vgsamverkan.mail_language"):
    if not _logged_in():
        return _login_redirect()
    form = _form()
    try:
        tk.get_action("vgsamverkan_mail_language_set")(_context(), {"language": form.get("language", "")})
    except tk.ValidationError as e:
        errors = _in_order(e.error_dict, ("language",))
        return mail_language({"verb": "set", "data": form, "errors": errors, "summary": _error_summary(errors)},
                             endpoint)
    tk.h.flash_success(tk._("Your choice of language is saved."))
    return tk.redirect_to(endpoint)
