"""What the page tests share (issue 18: shared view helpers in one place, not in one test
file that the others import): a test client per user that keeps its cookies and logs in
through CKAN's own form, and the CSRF token of a page."""
from __future__ import annotations

import re

import ckan.model as model

PASSWORD = "Test-losenord-123"


class Browser:
    """Test clients that keep their cookies (the session, and so the CSRF token) as a
    browser does, one per user, each logged in through CKAN's own login form (CKAN's
    ``app`` makes a new client per call, and 2.12 has no REMOTE_USER log-in)."""

    def __init__(self, app):
        self.app = app
        self.clients = {}

    def _client(self, user):
        name = user["name"] if user else ""
        if name not in self.clients:
            client = self.app.test_client()
            if user:
                obj = model.User.get(name)
                obj.password = PASSWORD  # a known password for this test user
                model.Session.commit()
                page = client.get("/user/login")
                csrf = _TOKEN.search(page.get_data(as_text=True)).group(1)
                response = client.post(
                    "/user/login",
                    data={"login": name, "password": PASSWORD, "_csrf_token": csrf},
                    follow_redirects=False,
                )
                assert response.status_code == 302, f"log-in of {name} failed"
            self.clients[name] = client
        return self.clients[name]

    def get(self, url, extra_environ=None, **kwargs):
        return self._client((extra_environ or {}).get("user")).get(url, **kwargs)

    def post(self, url, extra_environ=None, **kwargs):
        return self._client((extra_environ or {}).get("user")).post(url, **kwargs)


_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def as_user(user):
    return {"user": user} if user else {}


def token(app, url, user) -> str:
    page = app.get(url, extra_environ=as_user(user))
    match = _TOKEN.search(page.body)
    assert match, f"no CSRF field in {url}"
    return match.group(1)
