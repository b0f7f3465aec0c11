"""Compile the extension's templates when a server process starts, not on the first
request of the person who opens each page (issue 39: the workplace's first load spent
100–150 ms of its server time compiling its templates, once per worker process).

``wsgi.py`` (the production entry point: gunicorn's workers) calls ``templates`` after
CKAN's ``make_app``; so does ``bench/pages.py``, which measures a first load as a new
process's first request. Tests and ``ckan run`` do not: they compile on demand as
before. Nothing is rendered, nothing is read from the database.
"""
from __future__ import annotations

import logging
import os
from typing import Any

log = logging.getLogger(__name__)

# CKAN's own templates that every page of the portal extends or includes
CKAN_TEMPLATES = ("base.html", "page.html", "header.html", "footer.html", "error_document_template.html",
                  "snippets/local_friendly_datetime.html")


def templates(app: Any) -> int:
    """Compile every template of the extension and the pages' shared frame into the
    application's Jinja cache; returns how many. A template that does not compile is
    logged and left for its request to report, as it would be without this."""
    flask_app = getattr(app, "flask_app", None) or getattr(app, "_wsgi_app", app)  # a test's app, CKAN's
    env = flask_app.jinja_env
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "templates")
    names = [os.path.relpath(os.path.join(folder, name), root).replace(os.sep, "/")
             for folder, _dirs, files in os.walk(root) for name in files if name.endswith(".html")]
    done = 0
    with flask_app.app_context():
        for name in [*CKAN_TEMPLATES, *sorted(names)]:
            try:
                env.get_template(name)
            except Exception:  # a broken template is reported by its own request, as without this
                log.exception("vgsamverkan: could not compile %s at start-up", name)
                continue
            done += 1
    return done
