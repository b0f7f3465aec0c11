"""Log-in, registration and password reset are throttled per address and per account
(issue 36, part 5; SPEC "Bounded work"): Flask-Limiter counting in the test run's own
Redis database, CKAN's own forms posted as a browser posts them."""
from __future__ import annotations

import pytest

import ckan.model as model
from ckan.tests import factories

from tests.browser import _TOKEN, PASSWORD

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def limits(ckan_config, monkeypatch):
    """Strict limits for this test (test.ini has generous ones), and no counts of earlier
    tests."""
    from ckanext.vgsamverkan import throttle

    def set_(address="1000 per minute", account="1000 per minute", registration="1000 per minute"):
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.throttle.address", address)
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.throttle.account", account)
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.throttle.registration", registration)

    set_()
    yield set_
    if throttle.limiter() is not None:
        throttle.limiter().reset()


@pytest.fixture
def post(app):
    from ckanext.vgsamverkan import throttle

    assert throttle.limiter() is not None, "the portal has no throttle"
    throttle.limiter().reset()

    def post_(path: str, data: dict, address: str = "192.0.2.10"):
        client = app.test_client()
        page = client.get(path.split("?")[0], environ_base={"REMOTE_ADDR": address})
        csrf = _TOKEN.search(page.get_data(as_text=True)).group(1)
        return client.post(path, data={**data, "_csrf_token": csrf}, follow_redirects=False,
                           environ_base={"REMOTE_ADDR": address})

    return post_


def _user(name: str) -> dict:
    user = factories.User(name=name, email=f"{name}@example.org")
    obj = model.User.get(name)
    obj.password = PASSWORD
    model.Session.commit()
    return user


def test_log_in_per_account_in_any_case_from_any_address(limits, post):
    limits(account="3 per minute")
    _user("anna-andersson")
    for i, login in enumerate(["anna-andersson", "ANNA-andersson", "anna-andersson@example.org"]):
        assert post("/user/login", {"login": login, "password": "fel"}, address=f"192.0.2.{i}").status_code == 200
    refused = post("/user/login", {"login": "Anna-Andersson", "password": PASSWORD}, address="198.51.100.7")
    assert refused.status_code == 429
    body = refused.get_data(as_text=True)
    assert "För många försök" in body and 'id="vgs-throttled"' in body and " min)" in body
    assert 1 <= int(refused.headers["Retry-After"]) <= 61
    # another account from the same address goes on
    _user("bo-berg")
    assert post("/user/login", {"login": "bo-berg", "password": PASSWORD}).status_code == 302


def test_log_in_per_address(limits, post):
    limits(address="3 per minute")
    for i in range(3):
        assert post("/user/login", {"login": f"ingen-{i}", "password": "x"}).status_code == 200
    assert post("/user/login", {"login": "ingen-9", "password": "x"}).status_code == 429
    assert post("/user/login", {"login": "ingen-9", "password": "x"}, address="192.0.2.99").status_code == 200


def test_reading_the_pages_is_never_throttled(limits, post, app):
    limits(address="1 per minute", account="1 per minute", registration="1 per minute")
    post("/user/login", {"login": "x", "password": "x"})
    for path in ("/user/login", "/user/register", "/user/reset", "/en/user/login"):
        assert app.test_client().get(path, environ_base={"REMOTE_ADDR": "192.0.2.10"}).status_code == 200


def test_registration_per_address_and_nothing_made_above_it(limits, post):
    limits(registration="2 per hour")

    def register(name: str, address: str = "192.0.2.10"):
        return post("/user/register", {"name": name, "fullname": "Ny Användare", "email": f"{name}@example.org",
                                       "password1": "Ett-langt-losenord-1", "password2": "Ett-langt-losenord-1"},
                    address=address)

    assert register("ny-ett").status_code == 302
    assert register("ny-tva").status_code == 302
    refused = register("ny-tre")
    assert refused.status_code == 429 and "För många försök" in refused.get_data(as_text=True)
    assert model.User.get("ny-tre") is None
    assert register("ny-fyra", address="192.0.2.77").status_code == 302


def test_reset_per_account_in_english(limits, post):
    limits(account="2 per minute")
    _user("cecilia-carlsson")
    for address in ("192.0.2.1", "192.0.2.2"):
        assert post("/user/reset", {"user": "cecilia-carlsson@example.org"}, address=address).status_code == 302
    refused = post("/en/user/reset", {"user": "Cecilia-Carlsson@Example.org"}, address="192.0.2.3")
    assert refused.status_code == 429 and "Too many attempts" in refused.get_data(as_text=True)


def test_what_counts_is_a_failed_log_in_and_an_account_made(limits, post):
    """Found from outside (issue 36): a successful log-in used up the account's limit, and
    registrations the form refused used up the address's."""
    limits(account="2 per minute", registration="1 per hour")
    _user("dora-data")
    for _ in range(4):
        assert post("/user/login", {"login": "dora-data", "password": PASSWORD}).status_code == 302
    for _ in range(3):  # refused by the form (the passwords differ): nothing made, nothing counted
        refused = post("/user/register", {"name": "ny-dora", "fullname": "Ny", "email": "ny-dora@example.org",
                                          "password1": "Ett-langt-losenord-1", "password2": "Annat-losenord-2"})
        assert refused.status_code == 200
    assert post("/user/register", {"name": "ny-dora", "fullname": "Ny", "email": "ny-dora@example.org",
                                   "password1": "Ett-langt-losenord-1",
                                   "password2": "Ett-langt-losenord-1"}).status_code == 302
