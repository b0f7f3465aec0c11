"""When PostgreSQL cannot be reached (restarting, failing over, out of connections), the
portal answers 503 Service Unavailable with a message that says so, instead of CKAN's
500 "Internal server error": JSON in CKAN's error shape for the action API, a page for
people. Each action is one transaction, so a change is either saved whole or not at all;
as the connection may break just after the commit, the message asks to check before trying
again. The worker's session is discarded, and the next request connects anew (CKAN's pool
checks a connection before use, ``sqlalchemy.pool_pre_ping``).

A connection that breaks after the answer is ready (CKAN ends each request with a
rollback) does not turn the answer into a 500: the session is released here first, and a
broken connection then is only logged.
"""
from __future__ import annotations

import json
import logging

from flask import Response, g, has_request_context, request
from sqlalchemy import exc as sa_exc

import ckan.model as model
import ckan.plugins.toolkit as tk

log = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5


# a lost or refused connection; a refused statement (a broken constraint, bad SQL) is
# another DBAPIError and remains a 500, as it is a fault of ours
LOST = (sa_exc.OperationalError, sa_exc.InterfaceError)


def _message() -> str:
    # the connection may break after a commit (the change is saved) or before it (it is not)
    return tk._("The database cannot be reached just now (it may be restarting). Try again in a moment, "
                "after checking whether your last change was saved.")


def _api_answer(request):

    body = {"help": request.url, "success": False,
            "error": {"__type": "Service Unavailable", "message": _message()}}
    return Response(json.dumps(body), status=503, mimetype="application/json",
                    headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


def handle(error: BaseException):

    log.error("database unavailable on %s %s: %s", request.method, request.path, str(error).splitlines()[0])
    try:
        model.Session.rollback()
    except Exception:  # noqa: BLE001 (the connection is gone; the rollback may fail as well)
        pass
    model.Session.remove()
    if request.path.startswith("/api/"):
        return _api_answer(request)
    message = _message()
    headers = {"Retry-After": str(RETRY_AFTER_SECONDS)}
    try:
        page = tk.render("error_document_template.html",
                         {"code": 503, "content": message, "name": tk._("Service Unavailable")})
    except Exception:  # noqa: BLE001 (the page itself needs the database, the logged-in user: plain text)
        model.Session.remove()
        return Response(message, status=503, mimetype="text/plain", headers=headers)
    return Response(page, status=503, mimetype="text/html", headers=headers)


def mark(error: BaseException) -> None:
    """Called by our actions when the database connection is lost: CKAN's action API
    catches every exception of an action and answers 500 "Internal Server Error"; the
    mark lets release_session turn that answer into the 503 of ``handle``."""

    if has_request_context():
        g.vgsamverkan_database_lost = str(error).splitlines()[0]


def release_session(response):
    """Before CKAN's own end of request (which would raise on a dead connection)."""

    lost = getattr(g, "vgsamverkan_database_lost", None)
    if lost and response.status_code == 500 and request.path.startswith("/api/"):
        log.error("database unavailable on %s %s: %s", request.method, request.path, lost)
        response = _api_answer(request)
    try:
        model.Session.remove()
    except LOST as error:
        log.warning("database connection lost at the end of a request: %s", str(error).splitlines()[0])
        model.Session.remove()  # the connection is invalidated now: this only lets go of it
    return response


def register(app) -> None:
    for error in LOST:
        app.register_error_handler(error, handle)
    app.after_request(release_session)  # after_request functions run last registered first
