"""Registration answers the same whether the e-mail address has an account or not (issue
36, part 5; SPEC "Bounded work"): the account waits (pending) until the link mailed to its
address is followed; the owner of an address already registered is told by mail. CKAN's
own form, posted as a browser posts it; the mail read from the outbox and, once, from a
real SMTP server."""
from __future__ import annotations

import datetime as dt
import re

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan.logic.action.account import ACTIVATION
from ckanext.vgsamverkan.model import Event, Outbox
from tests.browser import _TOKEN, PASSWORD

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

NEW_PASSWORD = "Ett-langt-losenord-1"
LINK = re.compile(r"/samverkan/konto/aktivera/([0-9a-f-]+)\?key=([A-Za-z0-9_-]+)")


class Browser:
    """One visitor: a test client that keeps its cookies, posting forms with their token."""

    def __init__(self, app):
        self.client = app.test_client()

    def get(self, path: str):
        return self.client.get(path, follow_redirects=False)

    def post(self, path: str, data: dict, form_path: str | None = None):
        page = self.client.get(form_path or path)
        csrf = _TOKEN.search(page.get_data(as_text=True)).group(1)
        return self.client.post(path, data={**data, "_csrf_token": csrf}, follow_redirects=False)

    def register(self, name: str, email: str, password2: str = NEW_PASSWORD, fullname: str = "Ny Användare"):
        return self.post("/user/register", {"name": name, "fullname": fullname, "email": email,
                                            "password1": NEW_PASSWORD, "password2": password2})

    def log_in(self, login: str, password: str = NEW_PASSWORD):
        return self.post("/user/login", {"login": login, "password": password})


@pytest.fixture
def browser(app):
    return Browser(app)


def _owner(name: str = "anna-andersson") -> model.User:
    factories.User(name=name, email=f"{name}@example.org")
    user = model.User.get(name)
    user.password = PASSWORD
    model.Session.commit()
    return user


def _mails(address: str) -> list[Outbox]:
    model.Session.expire_all()
    return (model.Session.query(Outbox).filter(Outbox.recipient_email == address)
            .order_by(Outbox.created).all())


def _link(address: str) -> tuple[str, str]:
    user_id, key = LINK.search(_mails(address)[-1].body).groups()
    return user_id, key


def _answer(response) -> tuple[int, str | None, str]:
    """What a visitor sees of an answer: its status, where it leads, its text."""
    return response.status_code, response.headers.get("Location"), response.get_data(as_text=True)


def test_a_new_address_gets_a_link_that_activates_the_account(browser, app):
    answer = browser.register("ny-berit", "ny-berit@example.org")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/samverkan/konto/registrerad")
    page = browser.get("/samverkan/konto/registrerad").get_data(as_text=True)
    assert "Kolla din e-post" in page and 'id="vgs-account-registered"' in page
    user = model.User.get("ny-berit")
    assert user.state == "pending" and user.fullname == "Ny Användare"
    assert user.validate_password(NEW_PASSWORD)
    # a pending account cannot log in
    assert Browser(app).log_in("ny-berit").status_code == 200
    [mail] = _mails("ny-berit@example.org")
    assert "Aktivera ditt konto" in mail.subject and "ny-berit" in mail.body
    user_id, key = _link("ny-berit@example.org")
    assert user_id == user.id
    assert key not in str(user.plugin_extras)  # only its digest is kept
    # opening the link activates nothing: a scanner that follows links changes no account
    page = browser.get(f"/samverkan/konto/aktivera/{user_id}?key={key}")
    assert page.status_code == 200 and 'id="vgs-activate-form"' in page.get_data(as_text=True)
    model.Session.expire_all()
    assert model.User.get("ny-berit").state == "pending"

    done = browser.post(f"/samverkan/konto/aktivera/{user_id}/aktivera", {"key": key},
                        form_path=f"/samverkan/konto/aktivera/{user_id}?key={key}")
    assert done.status_code == 302
    model.Session.expire_all()
    user = model.User.get("ny-berit")
    assert user.state == "active" and ACTIVATION not in (user.plugin_extras or {})
    me = browser.client.get("/user/me", follow_redirects=True).get_data(as_text=True)
    assert "ny-berit" in me  # logged in as the new account
    events = [(e.action, e.from_state, e.to_state) for e in model.Session.query(Event)
              .filter(Event.object_type == "user", Event.object_id == user.id).order_by(Event.created)]
    assert events == [("register", None, "pending"), ("activate", "pending", "active")]
    # the link works once
    again = Browser(app).post(f"/samverkan/konto/aktivera/{user_id}/aktivera", {"key": key},
                              form_path=f"/samverkan/konto/aktivera/{user_id}?key={key}")
    assert again.status_code == 400 and 'id="vgs-activation-refused"' in again.get_data(as_text=True)
    assert Browser(app).log_in("ny-berit").status_code == 302


@pytest.mark.parametrize("typed", ["anna-andersson@example.org", "ANNA-Andersson@Example.ORG",
                                   " anna-andersson@example.org "])
def test_an_address_with_an_account_gets_the_same_answer_and_its_owner_a_mail(app, typed):
    """Found from outside (issue 36): CKAN's form said "The email address … belongs to a
    registered user"."""
    _owner()
    taken = Browser(app).register("ny-cilla", typed)
    free = Browser(app).register("ny-doris", "ny-doris@example.org")
    assert _answer(taken) == _answer(free)
    assert model.User.get("ny-cilla") is None  # nothing made
    [told] = _mails("anna-andersson@example.org")
    assert "anna-andersson" in told.body and "inget nytt konto" in told.body
    assert not LINK.search(told.body)  # an active account's owner needs no link


def test_errors_of_the_form_are_the_same_for_both_addresses(app):
    _owner()
    taken = Browser(app).register("ny-eva", "anna-andersson@example.org", password2="Annat-losenord-2")
    free = Browser(app).register("ny-eva", "ny-eva@example.org", password2="Annat-losenord-2")
    assert taken.status_code == free.status_code == 200
    body_taken, body_free = (r.get_data(as_text=True) for r in (taken, free))
    assert "belongs to a registered user" not in body_taken and "tillhör en registrerad" not in body_taken
    errors = re.compile(r'class="error-explanation.*?</div>', re.S)
    assert errors.search(body_taken).group(0) == errors.search(body_free).group(0)
    assert "ny-eva" in body_taken and 'value="anna-andersson@example.org"' in body_taken  # what was typed is kept
    assert model.User.get("ny-eva") is None and _mails("anna-andersson@example.org") == []


def test_registering_again_sends_a_new_link_and_the_old_one_stops_working(app):
    Browser(app).register("ny-frida", "ny-frida@example.org")
    first = _link("ny-frida@example.org")
    Browser(app).register("ny-frida-2", "NY-FRIDA@example.org")  # another name: still one account
    assert model.User.get("ny-frida-2") is None
    second = _link("ny-frida@example.org")
    assert first[0] == second[0] and first[1] != second[1]
    activate = tk.get_action("vgsamverkan_user_activate")
    with pytest.raises(tk.ValidationError):
        activate({"user": ""}, {"id": first[0], "key": first[1]})
    assert activate({"user": ""}, {"id": second[0], "key": second[1]})["name"] == "ny-frida"


def test_every_link_that_does_not_activate_gets_one_refusal(app, ckan_config, monkeypatch):
    Browser(app).register("ny-greta", "ny-greta@example.org")
    user_id, key = _link("ny-greta@example.org")
    activate = tk.get_action("vgsamverkan_user_activate")

    def refusal(data: dict) -> str:
        with pytest.raises(tk.ValidationError) as e:
            activate({"user": ""}, data)
        return str(e.value.error_dict)

    same = refusal({"id": user_id, "key": key + "x"})
    assert "activation link is not valid" in same
    for data in ({"id": "ny-greta", "key": key}, {"id": user_id.upper(), "key": key},
                 {"id": user_id.replace("-", ""), "key": key},
                 {"id": "00000000-0000-0000-0000-000000000000", "key": key},
                 {"id": user_id, "key": key.upper() if key.upper() != key else key.lower()},
                 {"id": user_id, "key": key[:-1]}):
        assert refusal(data) == same, data
    # bad input names its field
    for data, field in (({"id": user_id}, "key"), ({"key": key}, "id"), ({"id": user_id, "key": "k" * 201}, "key"),
                        ({"id": user_id, "key": key, "state": "active"}, "state")):
        with pytest.raises(tk.ValidationError) as e:
            activate({"user": ""}, data)
        assert field in e.value.error_dict
    # an account invited by CKAN (pending, without our link) is never activated here
    invited = factories.User(state="pending")
    assert refusal({"id": invited["id"], "key": key}) == same
    # an expired link
    user = model.User.get(user_id)
    extras = dict(user.plugin_extras)
    extras[ACTIVATION] = {**extras[ACTIVATION], "sent": (dt.datetime.now(dt.timezone.utc)
                                                          - dt.timedelta(days=7, minutes=1)).isoformat()}
    user.plugin_extras = extras
    model.Session.commit()
    assert refusal({"id": user_id, "key": key}) == same
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.activation_days", "8")
    # white space around the id is dropped, as everywhere: the same account
    assert activate({"user": ""}, {"id": f" {user_id}\u00a0", "key": key})["name"] == "ny-greta"
    model.Session.expire_all()
    assert model.User.get(user_id).state == "active"
    assert refusal({"id": user_id, "key": key}) != ""  # used: refused


def test_bad_input_is_refused_naming_the_field_and_nothing_is_made():
    register = tk.get_action("vgsamverkan_user_register")
    good = {"name": "ny-hanna", "email": "ny-hanna@example.org", "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD}
    for change, field in (({"email": "ny-hanna@example"}, "email"), ({"name": "Ny Hanna"}, "name"),
                          ({"fullname": "Hanna\r\n#TRANS"}, "fullname"), ({"password2": "x"}, "password1"),
                          ({"language": "de"}, "language"), ({"state": "active"}, "state"),
                          ({"password1": "kort", "password2": "kort"}, "password"),
                          ({"password": NEW_PASSWORD}, "password")):
        with pytest.raises(tk.ValidationError) as e:
            register({"user": ""}, {**good, **change})
        assert field in e.value.error_dict, (change, e.value.error_dict)
    assert model.User.get("ny-hanna") is None
    assert model.Session.query(Outbox).count() == 0
    assert register({"user": ""}, good) == {"email": "ny-hanna@example.org"}
    assert model.User.get("ny-hanna").state == "pending"


def test_the_api_follows_the_sites_setting_and_gives_the_same_answer(app, ckan_config, monkeypatch):
    _owner()
    call = {"name": "ny-ida", "email": "ny-ida@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    refused = app.post("/api/3/action/vgsamverkan_user_register", json=call, status=403)
    assert refused.json["success"] is False
    assert model.User.get("ny-ida") is None
    monkeypatch.setitem(ckan_config, "ckan.auth.create_user_via_api", True)
    free = app.post("/api/3/action/vgsamverkan_user_register", json=call).json["result"]
    taken = app.post("/api/3/action/vgsamverkan_user_register",
                     json={**call, "name": "ny-jan", "email": "Anna-Andersson@example.org"}).json["result"]
    assert free.keys() == taken.keys() == {"email"}
    assert model.User.get("ny-ida").state == "pending" and model.User.get("ny-jan") is None


def test_a_sysadmin_creating_an_account_keeps_ckans_form(app):
    admin = factories.Sysadmin(name="admin-ada", password=PASSWORD)
    browser = Browser(app)
    assert browser.log_in("admin-ada", PASSWORD).status_code == 302
    made = browser.register("ny-karl", "ny-karl@example.org")
    assert made.status_code == 302 and "/samverkan/konto" not in made.headers["Location"]
    assert model.User.get("ny-karl").state == "active" and admin


def test_the_mails_reach_a_real_mail_server_in_the_owners_language(app, mailbox, run_jobs):
    from ckanext.vgsamverkan.mail import language

    owner = _owner("lisa-lund")
    language.set_for(owner, "en")
    model.Session.commit()
    Browser(app).register("ny-lisa", "lisa-lund@example.org")
    Browser(app).register("ny-maja", "ny-maja@example.org")
    run_jobs()
    [told] = mailbox.to("lisa-lund@example.org")
    assert "already belongs to your account lisa-lund" in " ".join(mailbox.body(told).split())
    [link] = mailbox.to("ny-maja@example.org")
    assert "Aktivera ditt konto" in str(link["Subject"]) and LINK.search(mailbox.body(link))
