"""The coordinator's mail in the coordinator's language (issue 24): the mail to
``coordinator_email`` is written in the language the coordinator whose account has that
address chose (vgsamverkan_mail_language_set, kept in the user's plugin_extras); an
address that is no coordinator's account keeps the portal's default language. Sent to a
real SMTP server on localhost."""
from __future__ import annotations

import html
import re

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan.model import Event
from tests.browser import Browser, as_user
from tests.factories import apply_new, call

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

ADDRESS = "samordnare@example.org"  # test.ini's coordinator_email


@pytest.fixture
def coordinator(clean_db, ckan_config, monkeypatch):
    """The coordinator's account has the coordinator's address."""
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinators", ["samordnare"])
    return factories.User(name="samordnare", email=ADDRESS)


def _new_application_mail(mailbox, run_jobs):
    mailbox.messages.clear()
    apply_new(factories.User())
    run_jobs()
    [mail] = mailbox.to(ADDRESS)
    return str(mail["Subject"])


def test_the_coordinator_chooses_english(coordinator, mailbox, run_jobs):
    assert call("vgsamverkan_mail_language_show", coordinator)["effective"] == "sv"
    assert "Ny ansökan om deltagande" in _new_application_mail(mailbox, run_jobs)
    answer = call("vgsamverkan_mail_language_set", coordinator, language="en")
    assert answer["language"] == "en" and answer["effective"] == "en" and answer["coordinator_email_is_yours"]
    assert "New application to take part" in _new_application_mail(mailbox, run_jobs)
    # back to the portal's language: an empty choice
    assert call("vgsamverkan_mail_language_set", coordinator, language="")["language"] is None
    assert "Ny ansökan om deltagande" in _new_application_mail(mailbox, run_jobs)
    # each change is in the event log, with what it was before
    user = model.User.get("samordnare")
    changes = [e.details for e in model.Session.query(Event).filter(Event.object_type == "user",
                                                                     Event.object_id == user.id)
               .order_by(Event.created)]
    assert changes == [{"language": "en", "before": None}, {"language": None, "before": "en"}]


def test_an_address_that_is_no_coordinators_account_keeps_the_default(coordinator, mailbox, run_jobs,
                                                                       ckan_config, monkeypatch):
    call("vgsamverkan_mail_language_set", coordinator, language="en")
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinator_email", "samverkan@example.org")
    mailbox.messages.clear()
    apply_new(factories.User())
    run_jobs()
    [mail] = mailbox.to("samverkan@example.org")
    assert "Ny ansökan om deltagande" in str(mail["Subject"])
    assert call("vgsamverkan_mail_language_show", coordinator)["coordinator_email_is_yours"] is False
    # someone who is no coordinator but has the address does not decide it either
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinator_email", ADDRESS)
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinators", [])
    assert call("vgsamverkan_mail_language_show", factories.Sysadmin())["effective"] == "sv"


def test_bad_language_names_the_field_and_changes_nothing(coordinator):
    """(Spaces around a value are stripped, as for every text: " en" is en.)"""
    for bad in ("fi", "EN", "svenska", "e n", 1, ["en"], {"sv": True}):
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_mail_language_set", coordinator, language=bad)
        assert list(e.value.error_dict) == ["language"], bad
        assert call("vgsamverkan_mail_language_show", coordinator)["language"] is None
    with pytest.raises(tk.ValidationError) as missing:
        call("vgsamverkan_mail_language_set", coordinator)
    assert "language" in missing.value.error_dict


def test_the_page(coordinator, app):
    browser = Browser(app)
    page = browser.get("/ckan-admin/samverkan/sprak", extra_environ=as_user(coordinator)).get_data(as_text=True)
    assert "Språk för din e-post" in page and "Adressen är ditt kontos" in html.unescape(page)
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    refused = browser.post("/ckan-admin/samverkan/sprak/spara", data={"language": "fi", "_csrf_token": csrf},
                           extra_environ=as_user(coordinator))
    body = html.unescape(refused.get_data(as_text=True))
    assert refused.status_code == 200 and "Välj sv eller en" in body and 'id="error-summary"' in body
    saved = browser.post("/ckan-admin/samverkan/sprak/spara", data={"language": "en", "_csrf_token": csrf},
                         extra_environ=as_user(coordinator), follow_redirects=True)
    assert 'value="en" selected' in saved.get_data(as_text=True)
    assert call("vgsamverkan_mail_language_show", coordinator)["language"] == "en"
    other = factories.User()
    assert browser.get("/ckan-admin/samverkan/sprak", extra_environ=as_user(other)).status_code == 403


def test_anyone_chooses_on_their_own_account_page(app, mailbox, run_jobs):
    """Issue 36, part 7: the language is each person's, set from the account page."""
    browser = Browser(app)
    user = factories.User(email="person@example.org")
    account = browser.get(f"/user/edit/{user['name']}", extra_environ=as_user(user)).get_data(as_text=True)
    assert 'id="vgs-account-mail-language"' in account and 'href="/samverkan/sprak"' in account
    page = browser.get("/samverkan/sprak", extra_environ=as_user(user)).get_data(as_text=True)
    assert "Din e-post skrivs nu på svenska" in html.unescape(page)
    assert 'id="vgs-mail-language-applies"' not in page  # the coordinator's address is not theirs
    csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
    saved = browser.post("/samverkan/sprak/spara", data={"language": "en", "_csrf_token": csrf},
                         extra_environ=as_user(user), follow_redirects=True)
    assert "Din e-post skrivs nu på engelska" in html.unescape(saved.get_data(as_text=True))
    assert call("vgsamverkan_mail_language_show", user)["yours"] == "en"
    [event] = model.Session.query(Event).filter_by(object_type="user", object_id=user["id"]).all()
    assert event.details == {"language": "en", "before": None}
    # the receipt of a request written in Swedish comes in the language the person chose
    apply_new(user, language="sv")
    run_jobs()
    [receipt] = mailbox.to("person@example.org")
    assert str(receipt["Subject"]).strip().startswith("Received")
    # and anonymous is sent to log in
    assert app.get("/samverkan/sprak", follow_redirects=False).status_code == 302
