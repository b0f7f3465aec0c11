"""Request bodies above their limit are refused with 413 before they are read (issue 35,
SPEC "Bounded work"), by the portal itself, not only by a proxy in front of it.

- an action call (``/api/…``) or a form post: ``ckanext.vgsamverkan.max_body_kb``
  (1 024 kB by default);
- an upload (``multipart/form-data``, also through the API): the largest file CKAN or the
  extension takes (``ckan.max_resource_size``, ``ckan.max_image_size``, the population
  file's 5 MB) plus 1 MB for the form's other fields; each page still checks its own
  file's limit with its own message.

A body whose length is given (``Content-Length``) is measured by that; one sent in chunks
is read up to its limit and no further. WSGI middleware inside CKAN's Flask application
(``wsgi_app``): it runs before any of Flask's or CKAN's code reads the body (CSRF
protection reads a form before every ``before_request`` of a plugin).
"""
from __future__ import annotations

import io
import json
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.i18n import get_locales_from_config

from ckanext.vgsamverkan.translation import LANGUAGES, translations

KB = 1024
MB = 1024 * KB
DEFAULT_BODY_KB = 1024
POPULATION_FILE_MB = 5  # views/coordinator.MAX_UPLOAD
FORM_FIELDS = MB  # beside an upload's file


def body_limit() -> int:
    """Bytes of an action call or a form post."""
    value = tk.config.get("ckanext.vgsamverkan.max_body_kb")
    try:
        kb = int(value) if value not in (None, "") else DEFAULT_BODY_KB
    except (TypeError, ValueError):
        kb = 0
    if kb < 1:
        raise ValueError(f"ckanext.vgsamverkan.max_body_kb: a whole number of kB, at least 1, not {value!r}")
    return kb * KB


def upload_limit() -> int:
    """Bytes of an upload: its largest file and the other fields."""
    sizes = [POPULATION_FILE_MB]
    for key, default in (("ckan.max_resource_size", 10), ("ckan.max_image_size", 2)):
        try:
            sizes.append(int(tk.config.get(key) or default))
        except (TypeError, ValueError):
            sizes.append(default)
    return max(sizes) * MB + FORM_FIELDS


def _size(n: int) -> str:
    return f"{n // MB} MB" if n % MB == 0 else f"{n // KB} kB"


def _language_and_path(environ: dict[str, Any]) -> tuple[str, str]:
    """The page's language and the path without its language: CKAN's when its
    I18nMiddleware has run (CKAN 2.11 puts it outside this one), else the same rule read
    from the path (CKAN 2.12 puts it inside: ``/en/api/…`` is still the API)."""
    path = environ.get("PATH_INFO", "")
    if environ.get("CKAN_LANG"):
        return environ["CKAN_LANG"], path
    parts = path.split("/")
    if len(parts) > 1 and parts[1] in get_locales_from_config():
        return parts[1], "/" + "/".join(parts[2:])
    return tk.config.get("ckan.locale_default") or "en", path


class BodyLimit:
    """WSGI middleware: 413 for a body above its limit, before it is read."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response):
        content_type = environ.get("CONTENT_TYPE", "").lower()
        # an upload's limit only for a body a multipart parser can read (with its boundary)
        upload = content_type.startswith("multipart/form-data") and "boundary=" in content_type
        limit = upload_limit() if upload else body_limit()
        length = environ.get("CONTENT_LENGTH") or ""
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and length.strip():
            # both: which one frames the body is ambiguous (request smuggling); refused as
            # gunicorn refuses it, and as a server that trusted either would not
            return self.refuse(environ, start_response, limit, status="400 Bad Request")
        if length.strip():
            try:
                size = int(length)
            except ValueError:
                size = -1
            if size < 0:
                return self.refuse(environ, start_response, limit, status="400 Bad Request")
            if size > limit:
                return self.refuse(environ, start_response, limit)
        elif chunked or environ.get("wsgi.input_terminated"):
            body = environ["wsgi.input"].read(limit + 1)
            if len(body) > limit:
                return self.refuse(environ, start_response, limit)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)

    @staticmethod
    def refuse(environ: dict[str, Any], start_response, limit: int, status: str = "413 Request Entity Too Large",
               form: bool = False):
        language, path = _language_and_path(environ)
        _ = translations(language if language in LANGUAGES else "en").gettext
        if form:
            message = _("A field of the form is larger than the portal accepts, or the form has too "
                        "many parts: it was refused, and nothing was saved.")
        elif status.startswith("400"):
            message = _("The request's Content-Length is not a number of bytes, or it has both a "
                        "Content-Length and a chunked Transfer-Encoding.")
        else:
            message = _("The request is larger than {limit}: it was refused without being read, "
                        "and nothing was saved.").format(limit=_size(limit))
        if path.startswith("/api/"):
            body = json.dumps({"help": path, "success": False,
                               "error": {"__type": "Request Entity Too Large" if status.startswith("413")
                                         else "Bad Request", "message": message}}).encode()
            content_type = "application/json;charset=utf-8"
        else:
            title = _("The request is too large") if status.startswith("413") else _("Bad request")
            back = _("Back to the front page")
            body = (f'<!DOCTYPE html><html lang="{language}"><head><meta charset="utf-8">'
                    '<meta name="viewport" content="width=device-width, initial-scale=1">'
                    f"<title>{title}</title></head><body><main><h1>{title}</h1><p>{message}</p>"
                    f'<p><a href="/">{back}</a></p></main></body></html>').encode()
            content_type = "text/html;charset=utf-8"
        # the body is not read: the connection cannot carry another request after this one
        start_response(status, [("Content-Type", content_type), ("Content-Length", str(len(body))),
                                ("Connection", "close")])
        return [body]


def _form_too_large(error):
    """Werkzeug's own 413 (a form field over its max_form_memory_size, 500 kB, or more than
    max_form_parts parts, within the body's limit): the same answer as BodyLimit's, in the
    user's language and as JSON on the API, instead of CKAN's page with Werkzeug's English."""
    import flask  # noqa: PLC0415 (the application's own package, imported where it answers)

    answered: dict[str, Any] = {}

    def start_response(status, headers):
        answered.update(status=status, headers=headers)

    body = b"".join(BodyLimit.refuse(flask.request.environ, start_response, 0, form=True))
    return flask.Response(body, status=answered["status"], headers=answered["headers"])


def install(flask_app) -> None:
    """Inside CKAN's Flask application, around its WSGI entry."""
    from werkzeug.exceptions import RequestEntityTooLarge  # noqa: PLC0415 (only where it is installed)

    body_limit()  # a limit it cannot use stops the start
    flask_app.wsgi_app = BodyLimit(flask_app.wsgi_app)
    flask_app.register_error_handler(RequestEntityTooLarge, _form_too_large)
