"""Log-in, registration and password reset throttled per address and per account (SPEC
"Bounded work", 2026-12-07), with Flask-Limiter counting in the Redis the portal already
runs (``ckan.redis.url``), so that every worker process and server shares the counts.

CKAN's own views are wrapped where they are registered (``user.login``,
``user.register``, ``user.request_reset``): only their POST is counted. The limits are
read from the configuration at each request (``ckanext.vgsamverkan.throttle.*``):

- ``.address``: each of the three forms from one client address (a municipality's office
  may share one address: generous by default);
- ``.account``: log-in and reset attempts naming one account (user name or e-mail
  address, in any case);
- ``.registration``: new accounts from one address (15 in one second was possible).

What counts: a log-in only when it fails (CKAN answers the form again, 200; a log-in
that succeeds redirects), a registration only when it makes an account (CKAN redirects;
a form refused for a typo costs nothing), every reset request (each may send a mail).
Behind a reverse proxy the client's address is the proxy's unless
``ckanext.vgsamverkan.trusted_proxies`` says how many proxies stand in front (Werkzeug's
ProxyFix then reads X-Forwarded-For); without it every visitor would share one count.

Above a limit the answer is 429 Too Many Requests with ``Retry-After`` and a page that says
so in the user's language; nothing of the form is read further. When Redis cannot be
reached the forms are not throttled (logged): the portal stays usable, as CKAN's own
log-in does not need Redis.
"""
from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask import g, request
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address

import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

PREFIX = "ckanext.vgsamverkan.throttle."
KEY_PREFIX = "vgsamverkan-throttle"
# CKAN's endpoint -> the form field that names the account (None: none counted)
FORMS = {"user.login": "login", "user.request_reset": "user", "user.register": "email"}

_limiter: Limiter | None = None


def _setting(name: str) -> str:
    return str(tk.config.get(PREFIX + name))


def _account() -> str:
    """The account a form names, as CKAN finds it (user name or e-mail address, in any
    case): its id, so that the name and the address count as one; the text itself, made
    lower case, when no account has it (guesses at names count too)."""
    import ckan.model as model  # noqa: PLC0415 (the model is bound when a request is served)

    if "vgsamverkan_throttle_account" in g:  # asked again when the answer is counted
        return g.vgsamverkan_throttle_account
    field = FORMS.get(request.endpoint or "")
    value = (request.form.get(field, "") if field else "").strip()[:200]
    user = model.User.get(value) or model.User.get(value.lower())
    if user is None and "@" in value:
        user = (model.Session.query(model.User)
                .filter(sa.func.lower(model.User.email) == value.lower()).first())
    g.vgsamverkan_throttle_account = "account:" + (user.id if user is not None else value.lower())
    return g.vgsamverkan_throttle_account


def _no_account() -> bool:
    return FORMS.get(request.endpoint or "") is None or not request.form.get(FORMS[request.endpoint], "").strip()


def _not_registration() -> bool:
    return request.endpoint != "user.register"


def _counted(response) -> bool:
    """Whether this answer of a form costs from its limits (see the module's docstring)."""
    if request.endpoint == "user.login":
        return response.status_code < 300 or response.status_code >= 400  # not a redirect: it failed
    if request.endpoint == "user.register":
        return 300 <= response.status_code < 400  # redirected: an account was made
    return True


def limiter() -> Limiter | None:
    return _limiter


def install(app) -> None:
    """Count the three forms of ``app`` (the portal's Flask application)."""
    global _limiter
    proxies = tk.asint(tk.config.get("ckanext.vgsamverkan.trusted_proxies") or 0)
    if proxies > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix  # noqa: PLC0415 (only behind a proxy)

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies)
    limiter = Limiter(
        key_func=get_remote_address, app=app, storage_uri=tk.config.get("ckan.redis.url"),
        key_prefix=KEY_PREFIX, strategy="moving-window", default_limits=[], headers_enabled=False,
        swallow_errors=True, auto_check=True)
    for endpoint in FORMS:
        view = app.view_functions.get(endpoint)
        if view is None:
            continue
        view = limiter.limit(lambda: _setting("address"), methods=["POST"], scope=f"address:{endpoint}",
                             deduct_when=_counted)(view)
        view = limiter.limit(lambda: _setting("account"), methods=["POST"], key_func=_account,
                             scope=f"account:{endpoint}", exempt_when=_no_account, deduct_when=_counted)(view)
        view = limiter.limit(lambda: _setting("registration"), methods=["POST"], scope="registration",
                             exempt_when=_not_registration, deduct_when=_counted)(view)
        app.view_functions[endpoint] = view
    app.register_error_handler(RateLimitExceeded, _too_many)
    _limiter = limiter


def _too_many(error: RateLimitExceeded) -> Any:
    """429 with the page's own words and when to try again."""
    seconds = 60
    try:
        reset = _limiter.current_limit.reset_at if _limiter and _limiter.current_limit else None
        if reset:
            import time  # noqa: PLC0415 (only on this rare answer)

            seconds = max(1, int(reset - time.time()) + 1)
    except Exception:  # noqa: BLE001 (the answer is sent in any case)
        log.exception("throttle: no reset time")
    log.warning("throttled %s %s from %s (%s)", request.method, request.path, request.remote_addr,
                error.description)
    body = tk.render("vgsamverkan/throttled.html", {"minutes": max(1, (seconds + 59) // 60)})
    return body, 429, {"Retry-After": str(seconds)}
