"""Malformed requests are refused before CKAN reads them, and every answer carries the
security headers.

CKAN answers some malformed input with a 500: a NUL byte or half of a UTF-16 surrogate
pair (``"\\ud800"`` in JSON) reaches PostgreSQL, which cannot store or compare it; a
JSON body nested thousands of levels deep overflows the parser's recursion. Such a
request can never be meant, so it is answered 400 Bad Request with a message that says
what is wrong, for CKAN's actions and pages (the action API in CKAN's JSON error shape).
Our own actions refuse the characters themselves, with a 409 that names the field (also
for callers inside the process); only a body nested too deep is refused for them here.
"""
from __future__ import annotations

import json
import re
from typing import Any

from flask import Response, request
from werkzeug.datastructures import ImmutableMultiDict

import ckan.plugins.toolkit as tk

# NUL and the surrogate halves: never text (PostgreSQL refuses them)
BAD_CHARACTER = re.compile("[\x00\ud800-\udfff]")
MAX_JSON_DEPTH = 100

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # CKAN shows resource views in frames of its own pages: same origin only
    "X-Frame-Options": "SAMEORIGIN",
    "Content-Security-Policy": "frame-ancestors 'self'",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def json_depth(body: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """The nesting depth of a JSON text, read without parsing it (strings skipped),
    stopping as soon as it passes ``limit``."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return deepest


def has_bad_text(value: Any) -> bool:
    """Whether a value (text, or lists and objects of it) holds a NUL or a surrogate half."""
    if isinstance(value, str):
        return bool(BAD_CHARACTER.search(value))
    if isinstance(value, dict):
        return any(has_bad_text(k) or has_bad_text(v) for k, v in value.items())
    if isinstance(value, list):
        return any(has_bad_text(v) for v in value)
    return False


def _our_action(request) -> bool:
    """A call of one of our actions: they refuse the characters themselves, with a 409
    that names the field."""
    return request.path.startswith("/api/") and "/action/vgsamverkan_" in request.path


def problem(request) -> str | None:
    """What is malformed in ``request``, in words, or None."""
    if BAD_CHARACTER.search(request.path):
        return tk._("The address contains a character that is not allowed (NUL or half of a surrogate pair).")
    ours = _our_action(request)
    if not ours and any(has_bad_text(k) or has_bad_text(v) for k, v in request.args.items(multi=True)):
        return tk._("A parameter contains a character that is not allowed (NUL or half of a surrogate pair).")
    if request.method not in ("POST", "PUT", "PATCH"):
        return None
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        if not ours and any(has_bad_text(k) or has_bad_text(v) for k, v in request.form.items(multi=True)):
            return tk._("A form field contains a character that is not allowed (NUL or half of a surrogate pair).")
        return None
    if not request.path.startswith("/api/"):
        return None
    body = request.get_data(cache=True)  # CKAN reads it again from the cache
    if not body:
        return None
    if json_depth(body) > MAX_JSON_DEPTH:
        return tk._("The JSON body is nested more than {n} levels deep.").format(n=MAX_JSON_DEPTH)
    if ours:
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None  # CKAN answers a body that is not JSON itself (400)
    if has_bad_text(data):
        return tk._("A parameter contains a character that is not allowed (NUL or half of a surrogate pair).")
    return None


_NOT_IN_A_PATH = re.compile(r"[\x00-\x20\x7f-\x9f\\\u2028\u2029]")


def same_site_path(value: Any) -> str | None:
    """``value`` when it is a path of this site to go on to after a form (``next``): it
    begins with one ``/``, holds no white space, control character or backslash (a line
    break in a Location header was a 500 after the decision was saved; a backslash makes
    ``/\\evil.example`` another site to some browsers); beginning with one ``/`` it names
    no scheme or host. None otherwise: the caller goes to the page's own target."""
    if not isinstance(value, str) or not value.startswith("/") or value.startswith("//") or len(value) > 2000:
        return None
    return None if _NOT_IN_A_PATH.search(value) else value


def refuse_malformed():
    """``before_request``: the 400 answer of a malformed request, or None."""

    message = problem(request)
    if message is None:
        return None
    if request.path.startswith("/api/"):
        body = {"help": request.base_url, "success": False,
                "error": {"__type": "Bad Request", "message": message}}
        return Response(json.dumps(body), status=400, mimetype="application/json")
    return Response(message, status=400, mimetype="text/plain")


# where a page goes on to after it (CKAN's log-in and log-out, our decision forms)
REDIRECT_PARAMETERS = ("next", "came_from")


def keep_redirects_on_this_site():
    """``before_request``: a ``next`` or ``came_from`` that is not a path of this site
    without control characters is taken out of the request's arguments, so that the page
    goes to its own target (SPEC 2026-12-07). CKAN follows any target it finds "local":
    a line break in one was a 500 after the log-in had succeeded."""
    args = request.args
    foreign = {key for key in REDIRECT_PARAMETERS if key in args
               and any(same_site_path(value) is None for value in args.getlist(key))}
    if foreign:
        request.args = ImmutableMultiDict([(k, v) for k, v in args.items(multi=True) if k not in foreign])
    return None


def add_headers(response):
    """``after_request``: the security headers, where the answer does not set its own."""
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def search_refused(error):
    """A search a page asked for that the search backend refuses (a query it cannot read,
    one over a limit, a start beyond the last page): 400 with the backend's words, not
    500. CKAN's own dataset page and API say so themselves; ckanext-dcat's /catalog.rdf
    let the error through (issue 36)."""
    cause = error.__cause__
    message = cause.message(tk._) if hasattr(cause, "message") and callable(cause.message) else str(error)
    message = tk._("The search could not be run: {error}").format(error=message[:500])
    if request.path.startswith("/api/"):
        body = {"help": request.base_url, "success": False, "error": {"__type": "Bad Request", "message": message}}
        return Response(json.dumps(body), status=400, mimetype="application/json")
    return Response(message, status=400, mimetype="text/plain")


def register(app) -> None:
    from ckan.lib.search.common import SearchError, SearchQueryError  # noqa: PLC0415 (CKAN's search)

    app.register_error_handler(SearchQueryError, search_refused)
    app.register_error_handler(SearchError, search_refused)
    app.before_request(refuse_malformed)
    app.before_request(keep_redirects_on_this_site)
    app.after_request(add_headers)
