"""The extension's templates are compiled when a production worker starts (wsgi.py calls
warm.templates), not by the first person who opens each page (issue 39: 100–150 ms of the
workplace's first load)."""
from __future__ import annotations

import os

import pytest

from ckanext.vgsamverkan import warm

pytestmark = pytest.mark.usefixtures("with_plugins")


def test_every_template_of_the_extension_compiles_at_start_up(app):
    root = os.path.join(os.path.dirname(warm.__file__), "templates")
    ours = sum(name.endswith(".html") for _folder, _dirs, files in os.walk(root) for name in files)
    assert ours > 40
    assert warm.templates(app.app) == ours + len(warm.CKAN_TEMPLATES)
    env = app.app.flask_app.jinja_env
    assert env.cache is not None and "vgsamverkan/admin/queue.html" in {key[1] for key in env.cache}


def test_the_production_entry_point_warms():
    source = open(os.path.join(os.path.dirname(__file__), "..", "..", "wsgi.py"), encoding="utf-8").read()
    assert "warm.templates(application)" in source
