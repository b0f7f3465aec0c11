"""Registration answers the same whether the e-mail address has an account or not (issue
36, part 5; SPEC "Bounded work"): nothing is made until the link mailed to the address is
followed and the password chosen at registration is typed again; the owner of an address
already registered is told by mail. CKAN's own form, posted as a browser posts it; the
mail read from the outbox and, once, from a real SMTP server. The findings of an outside
attack on the first version (a pre-registered account taken over, LIKE patterns, the
logged-in form, a 500 on a long password, the user page) each have a test here."""
from __future__ import annotations

import datetime as dt
import re

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan.model import Event, Outbox, Registration
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

    def activate(self, link: tuple[str, str], password: str = NEW_PASSWORD):
        registration_id, key = link
        page = f"/samverkan/konto/aktivera/{registration_id}?key={key}"
        return self.post(f"/samverkan/konto/aktivera/{registration_id}/aktivera", {"key": key, "password": password},
                         form_path=page)


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


def _link(address: str, which: int = -1) -> tuple[str, str]:
    registration_id, key = LINK.search(_mails(address)[which].body).groups()
    return registration_id, key


def _answer(response) -> tuple[int, str | None, str]:
    """What a visitor sees of an answer: its status, where it leads, its text."""
    return response.status_code, response.headers.get("Location"), response.get_data(as_text=True)


def test_a_new_address_gets_a_link_and_the_password_makes_the_account(browser, app):
    answer = browser.register("ny-berit", "ny-berit@example.org")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/samverkan/konto/registrerad")
    page = browser.get("/samverkan/konto/registrerad").get_data(as_text=True)
    assert "Kolla din e-post" in page and 'id="vgs-account-registered"' in page
    assert model.User.get("ny-berit") is None  # nothing yet: the user page tells nothing
    assert app.get("/user/ny-berit", status=404)
    [registration] = model.Session.query(Registration).all()
    assert registration.name == "ny-berit" and NEW_PASSWORD not in registration.password_hash
    [mail] = _mails("ny-berit@example.org")
    assert "Aktivera ditt konto" in mail.subject and "ny-berit" in mail.body
    link = _link("ny-berit@example.org")
    assert link[0] == registration.id and link[1] not in registration.key_digest  # only its digest is kept
    # opening the link makes nothing: a scanner that follows links makes no account
    opened = browser.get(f"/samverkan/konto/aktivera/{link[0]}?key={link[1]}")
    assert opened.status_code == 200 and 'id="vgs-activate-form"' in opened.get_data(as_text=True)
    assert model.User.get("ny-berit") is None
    wrong = browser.activate(link, password="Fel-losenord-99")
    assert wrong.status_code == 400 and "inte lösenordet" in wrong.get_data(as_text=True)
    assert model.User.get("ny-berit") is None

    done = browser.activate(link)
    assert done.status_code == 302
    model.Session.expire_all()
    user = model.User.get("ny-berit")
    assert user.state == "active" and user.fullname == "Ny Användare" and user.validate_password(NEW_PASSWORD)
    assert model.Session.query(Registration).count() == 0
    me = browser.client.get("/user/me", follow_redirects=True).get_data(as_text=True)
    assert "ny-berit" in me  # logged in as the new account
    events = [(e.object_type, e.action, e.from_state, e.to_state) for e in model.Session.query(Event)
              .filter(Event.object_id.in_([user.id, registration.id])).order_by(Event.created)]
    assert events == [("registration", "register", None, "waiting"), ("user", "activate", None, "active"),
                      ("registration", "activate", "waiting", None)]
    # the link works once
    again = Browser(app).activate(link)
    assert again.status_code == 400 and 'id="vgs-activation-refused"' in again.get_data(as_text=True)
    assert Browser(app).log_in("ny-berit").status_code == 302


def test_an_address_registered_first_by_someone_else_cannot_be_taken_over(app):
    """Found from outside: the attacker registered the victim's address with a password
    of their own; the victim's registration then only re-sent the link of the attacker's
    pending account, and activating it gave the attacker a working log-in."""
    Browser(app).register("squat-x", "victim@example.org")  # the attacker's password: NEW_PASSWORD
    Browser(app).post("/user/register", {"name": "vera-victim", "fullname": "Vera", "email": "victim@example.org",
                                         "password1": "Veras-eget-losenord", "password2": "Veras-eget-losenord"})
    squatters, own = _link("victim@example.org", 0), _link("victim@example.org", 1)
    assert squatters != own
    # the victim follows the squatter's link with her own password: nothing is made
    assert Browser(app).activate(squatters, password="Veras-eget-losenord").status_code == 400
    assert model.User.get("squat-x") is None
    assert Browser(app).activate(own, password="Veras-eget-losenord").status_code == 302
    assert model.User.get("vera-victim").validate_password("Veras-eget-losenord")
    # and the squatter's link, with the squatter's password, makes nothing now
    assert Browser(app).activate(squatters).status_code == 400
    assert model.User.get("squat-x") is None
    assert Browser(app).log_in("squat-x").status_code == 200


@pytest.mark.parametrize("typed", ["anna-andersson@example.org", "ANNA-Andersson@Example.ORG",
                                   " anna-andersson@example.org "])
def test_an_address_with_an_account_gets_the_same_answer_and_its_owner_a_mail(app, typed):
    """Found from outside (issue 36): CKAN's form said "The email address … belongs to a
    registered user"."""
    _owner()
    taken = Browser(app).register("ny-cilla", typed)
    free = Browser(app).register("ny-doris", "ny-doris@example.org")
    assert _answer(taken) == _answer(free)
    assert model.Session.query(Registration.name).all() == [("ny-doris",)]  # nothing for the taken one
    [told] = _mails("anna-andersson@example.org")
    assert "anna-andersson" in told.body and "inget nytt konto" in told.body
    assert not LINK.search(told.body)
    # the name registered tells nothing either: no user page for either
    for name in ("ny-cilla", "ny-doris"):
        assert app.get(f"/user/{name}", status=404)


@pytest.mark.parametrize("pattern", ["a%@example.org", "anna_andersson@example.org", "%@example.org",
                                     "anna-andersso_@example.org"])
def test_an_address_is_compared_exactly_not_as_a_pattern(app, pattern):
    """Found from outside: CKAN's own check reads the address as an SQL LIKE pattern, so
    ``a%@example.org`` said that some address of the domain had an account."""
    _owner()
    taken_like = Browser(app).register("ny-pattern", pattern)
    free = Browser(app).register("ny-doris", "ny-doris@example.org")
    assert _answer(taken_like) == _answer(free)
    link = _link(pattern)  # a registration of its own: no account has exactly that address
    assert Browser(app).activate(link).status_code == 302
    assert model.User.get("ny-pattern").email == pattern
    assert _mails("anna-andersson@example.org") == []


def test_errors_of_the_form_are_the_same_for_both_addresses(app):
    _owner()
    for password2 in ("Annat-losenord-2", None):
        long_ = "p" * 4097
        data = {"password1": long_, "password2": long_} if password2 is None else {"password2": password2}
        answers = []
        for email in ("anna-andersson@example.org", "ny-eva@example.org"):
            form = {"name": "ny-eva", "fullname": "Eva", "email": email, "password1": NEW_PASSWORD, **data}
            answers.append(Browser(app).post("/user/register", form))
        taken, free = answers
        assert taken.status_code == free.status_code == 200  # a long password was a 500 (found from outside)
        body_taken, body_free = (r.get_data(as_text=True) for r in (taken, free))
        assert "belongs to a registered user" not in body_taken and "tillhör en registrerad" not in body_taken
        errors = re.compile(r'id="error-summary".*?</ul>', re.S)
        assert errors.search(body_taken).group(0) == errors.search(body_free).group(0)
        assert "Password1" not in body_taken and "Lösenord:" in body_taken  # the form's own labels
        assert 'value="anna-andersson@example.org"' in body_taken  # what was typed is kept
    assert model.Session.query(Registration).count() == 0 and _mails("anna-andersson@example.org") == []


def test_a_second_registration_of_an_address_is_refused_once_the_first_is_activated(app):
    Browser(app).register("ny-frida", "ny-frida@example.org")
    Browser(app).register("ny-frida-2", "NY-FRIDA@example.org")
    first, second = _link("ny-frida@example.org", 0), _link("NY-FRIDA@example.org", 0)
    assert Browser(app).activate(second).status_code == 302
    refused = Browser(app).activate(first)
    assert refused.status_code == 400 and "har redan ett konto" in refused.get_data(as_text=True)
    assert model.User.get("ny-frida") is None and model.User.get("ny-frida-2").email == "NY-FRIDA@example.org"


def test_five_wrong_passwords_give_the_registration_up(app):
    """Found from outside: the activation took any number of guesses (25 a second)."""
    Browser(app).register("ny-olle", "ny-olle@example.org")
    link = _link("ny-olle@example.org")
    browser = Browser(app)
    for left in (4, 3, 2, 1):
        wrong = browser.activate(link, password=f"Gissning-{left}")
        assert wrong.status_code == 400 and f"{left} försök kvar" in wrong.get_data(as_text=True)
    last = browser.activate(link, password="Gissning-0")
    assert last.status_code == 400 and 'id="vgs-activation-refused"' in last.get_data(as_text=True)
    assert model.Session.query(Registration).count() == 0
    assert browser.activate(link).status_code == 400  # the right one, too late
    assert model.User.get("ny-olle") is None
    assert model.Session.query(Event).filter(Event.object_type == "registration",
                                             Event.action == "give_up").count() == 1
    # through the API alike
    tk.get_action("vgsamverkan_user_register")({"user": ""}, {"name": "ny-pia", "email": "ny-pia@example.org",
                                                             "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    registration_id, key = _link("ny-pia@example.org")
    for _ in range(5):
        with pytest.raises(tk.ValidationError):
            tk.get_action("vgsamverkan_user_activate")({"user": ""}, {"id": registration_id, "key": key,
                                                                      "password": "fel-fel-fel"})
    assert model.Session.query(Registration).count() == 0


def test_the_forms_take_no_post_from_another_site(app):
    """Found from outside: CKAN checks no token for a visitor not logged in, so a page
    elsewhere could make and log its visitors in to an account of its choosing, and spread
    registrations over its visitors' addresses."""
    Browser(app).register("ny-rut", "ny-rut@example.org")
    registration_id, key = _link("ny-rut@example.org")
    elsewhere = app.test_client()
    forged = elsewhere.post(f"/samverkan/konto/aktivera/{registration_id}/aktivera",
                            data={"key": key, "password": NEW_PASSWORD}, follow_redirects=False)
    assert forged.status_code == 400 and model.User.get("ny-rut") is None
    forged = elsewhere.post("/user/register", data={"name": "ny-sten", "email": "ny-sten@example.org",
                                                    "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
                            follow_redirects=False)
    assert forged.status_code == 400 and model.Session.query(Registration).count() == 1
    # CKAN's own log-in alike: no account chosen by another site
    _owner("olof-owner")
    forged = elsewhere.post("/user/login", data={"login": "olof-owner", "password": PASSWORD}, follow_redirects=False)
    assert forged.status_code == 400 and "olof-owner" not in elsewhere.get("/user/me", follow_redirects=True).get_data(
        as_text=True)


def test_password_rules_are_said_at_the_password_field(app):
    answer = Browser(app).post("/user/register", {"name": "ny-tor", "email": "ny-tor@example.org",
                                                  "password1": "kort", "password2": "kort"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="password1-error"' in body and 'aria-invalid="true"' in body
    assert 'href="#field-password1"' in body


def test_a_name_taken_meanwhile_is_said_at_activation(app):
    Browser(app).register("ny-gun", "ny-gun@example.org")
    factories.User(name="ny-gun")
    refused = Browser(app).activate(_link("ny-gun@example.org"))
    assert refused.status_code == 400 and "ny-gun" in refused.get_data(as_text=True)
    # a dead end says so, and points to a new registration (no password form)
    assert 'id="vgs-activation-refused"' in refused.get_data(as_text=True)
    assert 'id="vgs-activate-form"' not in refused.get_data(as_text=True)
    assert model.Session.query(Registration).count() == 1  # kept: the link still holds until it expires


def test_every_link_that_does_not_work_gets_one_refusal(app, ckan_config, monkeypatch):
    Browser(app).register("ny-greta", "ny-greta@example.org")
    registration_id, key = _link("ny-greta@example.org")
    activate = tk.get_action("vgsamverkan_user_activate")

    def refusal(data: dict) -> str:
        with pytest.raises(tk.ValidationError) as e:
            activate({"user": ""}, {"password": NEW_PASSWORD, **data})
        return str(e.value.error_dict)

    same = refusal({"id": registration_id, "key": key + "x"})
    assert "activation link is not valid" in same
    for data in ({"id": "ny-greta", "key": key}, {"id": registration_id.upper(), "key": key},
                 {"id": registration_id.replace("-", ""), "key": key},
                 {"id": "00000000-0000-0000-0000-000000000000", "key": key},
                 {"id": registration_id, "key": key.upper() if key.upper() != key else key.lower()},
                 {"id": registration_id, "key": key[:-1]},
                 {"id": registration_id, "key": model.Session.get(Registration, registration_id).key_digest}):
        assert refusal(data) == same, data
    # bad input names its field
    for data, field in (({"id": registration_id, "password": NEW_PASSWORD}, "key"),
                        ({"key": key, "password": NEW_PASSWORD}, "id"),
                        ({"id": registration_id, "key": "k" * 201, "password": NEW_PASSWORD}, "key"),
                        ({"id": registration_id, "key": key}, "password"),
                        ({"id": registration_id, "key": key, "password": "p" * 4097}, "password"),
                        ({"id": registration_id, "key": key, "password": NEW_PASSWORD, "state": "x"}, "state")):
        with pytest.raises(tk.ValidationError) as e:
            activate({"user": ""}, data)
        assert field in e.value.error_dict
    # an expired link
    registration = model.Session.get(Registration, registration_id)
    registration.created = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=7, minutes=1)
    model.Session.commit()
    assert refusal({"id": registration_id, "key": key}) == same
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.activation_days", "8")
    # white space around the id is dropped, as everywhere: the same registration
    assert activate({"user": ""}, {"id": f" {registration_id}\u00a0", "key": key,
                                   "password": NEW_PASSWORD})["name"] == "ny-greta"
    assert "activation link is not valid" in refusal({"id": registration_id, "key": key})  # used


def test_the_daily_job_removes_registrations_not_activated_in_time(app):
    from ckanext.vgsamverkan import expiry

    Browser(app).register("ny-hedda", "ny-hedda@example.org")
    Browser(app).register("ny-ines", "ny-ines@example.org")
    old = model.Session.query(Registration).filter(Registration.name == "ny-hedda").one()
    old.created = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=8)
    model.Session.commit()
    assert expiry.run()["registrations_removed"] == 1
    assert [r.name for r in model.Session.query(Registration)] == ["ny-ines"]
    assert model.Session.query(Event).filter(Event.object_type == "registration", Event.action == "expire").count() == 1


def test_bad_input_is_refused_naming_the_field_and_nothing_is_made():
    register = tk.get_action("vgsamverkan_user_register")
    good = {"name": "ny-hanna", "email": "ny-hanna@example.org", "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD}
    for change, field in (({"email": "ny-hanna@example"}, "email"), ({"name": "Ny Hanna"}, "name"),
                          ({"fullname": "Hanna\r\n#TRANS"}, "fullname"), ({"password2": "x"}, "password1"),
                          ({"language": "de"}, "language"), ({"state": "active"}, "state"),
                          ({"password1": "kort", "password2": "kort"}, "password"),
                          ({"password1": "p" * 201, "password2": "p" * 201}, "password1"),
                          ({"password": NEW_PASSWORD}, "password")):
        with pytest.raises(tk.ValidationError) as e:
            register({"user": ""}, {**good, **change})
        assert field in e.value.error_dict, (change, e.value.error_dict)
    assert model.Session.query(Registration).count() == 0
    assert model.Session.query(Outbox).count() == 0
    assert register({"user": ""}, good) == {"email": "ny-hanna@example.org"}
    assert model.Session.query(Registration).count() == 1 and model.User.get("ny-hanna") is None


def test_the_api_follows_the_sites_setting_and_gives_the_same_answer(app, ckan_config, monkeypatch):
    _owner()
    call = {"name": "ny-ida", "email": "ny-ida@example.org", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    refused = app.post("/api/3/action/vgsamverkan_user_register", json=call, status=403)
    assert refused.json["success"] is False
    assert model.Session.query(Registration).count() == 0
    monkeypatch.setitem(ckan_config, "ckan.auth.create_user_via_api", True)
    free = app.post("/api/3/action/vgsamverkan_user_register", json=call).json["result"]
    taken = app.post("/api/3/action/vgsamverkan_user_register",
                     json={**call, "name": "ny-jan", "email": "Anna-Andersson@example.org"}).json["result"]
    assert free.keys() == taken.keys() == {"email"}
    assert [r.name for r in model.Session.query(Registration)] == ["ny-ida"]


def test_a_logged_in_user_gets_the_same_answer_and_no_account(app):
    """Found from outside: a logged-in user (not a sysadmin) got CKAN's own form, which
    told whether an address had an account and made active accounts without a link."""
    _owner()
    _owner("david-besok")
    browser = Browser(app)
    assert browser.log_in("david-besok", PASSWORD).status_code == 302
    taken = browser.register("ny-lo", "ANNA-andersson@example.org")
    free = browser.register("ny-mo", "ny-mo@example.org")
    assert _answer(taken)[:2] == _answer(free)[:2] and taken.status_code == 302
    assert model.User.get("ny-mo") is None and model.User.get("ny-lo") is None


def test_a_sysadmin_creating_an_account_keeps_ckans_form(app):
    admin = factories.Sysadmin(name="admin-ada", password=PASSWORD)
    browser = Browser(app)
    assert browser.log_in("admin-ada", PASSWORD).status_code == 302
    made = browser.register("ny-karl", "ny-karl@example.org")
    assert made.status_code == 302 and "/samverkan/konto" not in made.headers["Location"]
    assert model.User.get("ny-karl").state == "active" and admin


def test_registrations_naming_one_address_are_throttled(app, ckan_config, monkeypatch):
    """Each registration with a taken address mails its owner: the per-account limit
    counts them by address, from any client address."""
    from ckanext.vgsamverkan import throttle

    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.throttle.account", "2 per hour")
    throttle.limiter().reset()
    _owner()
    try:
        for i in range(2):
            assert Browser(app).register(f"ny-spam-{i}", "Anna-Andersson@example.org").status_code == 302
        assert Browser(app).register("ny-spam-3", "anna-andersson@example.org").status_code == 429
        assert len(_mails("anna-andersson@example.org")) == 2
        assert Browser(app).register("ny-other", "ny-other@example.org").status_code == 302
    finally:
        throttle.limiter().reset()


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


def test_a_refused_password_is_not_sent_back(app):
    """After a too-short password the page kept it in the field, so the next one was typed
    after it (issue 39): what was typed comes back, the passwords do not."""
    answer = Browser(app).post("/user/register", {"name": "ny-kort", "fullname": "Kort Lösen", "email":
                                                  "ny-kort@example.org", "password1": "kort7xy",
                                                  "password2": "kort7xy"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200 and 'id="error-summary"' in body
    assert 'value="ny-kort@example.org"' in body and 'value="Kort Lösen"' in body
    assert "kort7xy" not in body
    assert 'id="field-password1" name="password1" value=""' in body
