"""The pages' tests: ``app`` is a set of browsers that keep their cookies, one per user,
each logged in through CKAN's own log-in form (tests/browser.py)."""
from __future__ import annotations

import pytest

from tests.browser import Browser


@pytest.fixture
def app(app):
    return Browser(app)
