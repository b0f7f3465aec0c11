"""Registration that does not tell whether an address has an account (issue 36;
logic/action/account.py): CKAN's own registration form, posted by anyone but a sysadmin,
goes through ``vgsamverkan_user_register``; the page that says a mail was sent; the page
of the mailed link, where the password chosen at registration makes the account and logs
it in.

CKAN's form is kept (its fields, its page, its errors, named in the page's language); a
sysadmin creating an account for someone gets CKAN's own behaviour. Opening the link
makes nothing: mail programs and scanners open links."""
from __future__ import annotations

import functools
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.vgsamverkan import config
from ckanext.vgsamverkan.views._common import _context, _csrf_always, _error_summary, _logged_in

# the fields of CKAN's registration form that the action takes (its picture is left out of
# the form for someone registering: it is added on the account page once active)
FIELDS = ("name", "fullname", "email", "password1", "password2")


def install(app) -> None:
    """Route the anonymous POST of CKAN's ``user.register`` here (before throttle.py wraps
    it: the limits count this view)."""
    original = app.view_functions.get("user.register")
    if original is None:
        return

    @functools.wraps(original)
    def register(*args: Any, **kwargs: Any) -> Any:
        if tk.request.method == "POST" and not (_logged_in() and tk.current_user.sysadmin):
            return _csrf_always(_register)()
        return original(*args, **kwargs)

    app.view_functions["user.register"] = register

    # CKAN checks no token on the log-in of a visitor not logged in: a page elsewhere could
    # log its visitors in to an account of its choosing (found from outside, issue 36)
    login = app.view_functions.get("user.login")
    if login is not None:
        app.view_functions["user.login"] = functools.wraps(login)(_csrf_always(login))


def _register() -> Any:
    from ckan.lib import captcha  # noqa: PLC0415 (CKAN's views, loaded with the application)
    from ckan.views.user import RegisterView  # noqa: PLC0415 (CKAN's views, loaded with the application)

    page = RegisterView()
    context = _context()
    try:
        tk.check_access("vgsamverkan_user_register", context, {})
    except tk.NotAuthorized:
        return tk.abort(403, tk._("Unauthorized to register as a user."))
    data = {k: tk.request.form.get(k, "") for k in FIELDS}
    try:
        captcha.check_recaptcha(tk.request)
    except captcha.CaptchaError:
        tk.h.flash_error(tk._("Bad Captcha. Please try again."))
        return page.get(data)
    try:
        tk.get_action("vgsamverkan_user_register")(context, {**data, "language": tk.h.lang()})
    except tk.ValidationError as e:
        errors = _in_form_order(e.error_dict)
        return page.get(data, errors, _summary(errors))
    return tk.redirect_to("vgsamverkan.account_registered")


def _in_form_order(errors: dict[str, Any]) -> dict[str, Any]:
    """The errors as the form shows them: in the order of its fields, CKAN's password
    rules' errors (said of ``password``, a field the form does not have) at the first
    password field."""
    errors = dict(errors)
    if "password" in errors:
        errors["password1"] = [*errors.pop("password"), *errors.get("password1", [])]
    order = {field: i for i, field in enumerate(("name", "fullname", "email", "password1", "password2"))}
    return dict(sorted(errors.items(), key=lambda item: order.get(item[0], len(order))))


def _summary(errors: dict[str, Any]) -> dict[str, str]:
    """The errors of the form named by its own labels (CKAN's summary names the fields as
    they are called in the code: "Password1", "Fullname")."""
    labels = {"name": tk._("Username"), "fullname": tk._("Full Name"), "email": tk._("Email"),
              "password1": tk._("Password"), "password2": tk._("Confirm"), "password": tk._("Password"),
              "language": tk._("Language")}
    return {labels.get(field, field): "; ".join(map(str, messages)) for field, messages in errors.items()}


def account_registered():
    """What the form says in every case: a mail was sent to the address given."""
    return tk.render("vgsamverkan/account_registered.html", {"days": config.activation_days()})


def account_activate(id: str, decided: dict[str, Any] | None = None):
    """The mailed link's page: the password chosen at registration, and a button
    (nothing is made by opening the link)."""
    key = (decided or {}).get("data", {}).get("key") if decided else tk.request.args.get("key", "")
    return tk.render("vgsamverkan/account_activate.html",
                     {"id": id, "key": (key or "")[:200], "decided": decided or {}})


@_csrf_always
def account_activate_post(id: str):
    key = tk.request.form.get("key", "")
    try:
        activated = tk.get_action("vgsamverkan_user_activate")(
            _context(), {"id": id, "key": key, "password": tk.request.form.get("password", "")})
    except tk.ValidationError as e:
        errors = dict(e.error_dict)
        # only a wrong password can be typed again; anything else needs a new registration
        return account_activate(id, {"data": {"key": key}, "errors": errors, "summary": _error_summary(errors),
                                     "link_dead": set(errors) != {"password"}}), 400
    if _logged_in():  # someone else's session: the account is made, this one stays logged in
        tk.h.flash_success(tk._("The account {name} is activated. Log out to log in with it.").format(
            name=activated["name"]))
        return tk.redirect_to("dashboard.index")
    import ckan.model as model  # noqa: PLC0415 (the account to log in, as CKAN's own registration does)
    from ckan.common import login_user  # noqa: PLC0415 (CKAN's log-in, loaded with the application)
    from ckan.views.user import regenerate_session, rotate_token  # noqa: PLC0415 (as above)

    user = model.User.get(activated["id"])
    regenerate_session()
    login_user(user)
    rotate_token()
    tk.h.flash_success(tk._("Your account is activated, and you are logged in."))
    return tk.redirect_to("vgsamverkan.after_login")
