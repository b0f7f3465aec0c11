"""The issue's whole path in a real browser (Debian's headless Chromium) against a running
portal: a new user applies in Swedish, the coordinator approves in /ckan-admin/samverkan,
the organisation appears with the applicant as its admin, and both e-mails arrive."""
from __future__ import annotations

import pytest
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

import ckan.model as model
from ckan.tests import factories

from tests.factories import member_role, org_number

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]

PASSWORD = "Webblasare-123"


def _user(name: str, email: str):
    user = factories.User(name=name, email=email, fullname=name.title())
    obj = model.User.get(name)
    obj.password = PASSWORD
    model.Session.commit()
    return user


def _log_in(browser, url: str, name: str) -> None:
    browser.delete_all_cookies()
    browser.get(f"{url}/user/login")
    browser.find_element(By.ID, "field-login").send_keys(name)
    browser.find_element(By.ID, "field-password").send_keys(PASSWORD)
    browser.find_element(By.ID, "field-password").submit()  # the login form, not the search
    WebDriverWait(browser, 20).until(lambda d: "/user/login" not in d.current_url, "log-in failed")


def _main_text(browser) -> str:
    return browser.find_element(By.TAG_NAME, "body").text


def _wait_for(browser, text: str) -> str:
    """Wait until the page (after a click, the next page) shows ``text``; return it."""
    def shown(driver):
        try:
            body = _main_text(driver)
        except (StaleElementReferenceException, NoSuchElementException):
            return False
        return body if text in body else False

    return WebDriverWait(browser, 20).until(shown, f"the page never showed {text!r}")


def test_apply_in_swedish_and_coordinator_approves(browser, server_url, mailbox, run_jobs):
    applicant = _user("webb-sokande", "webb-sokande@example.org")
    _user("e2e-samordnare", "e2e-samordnare@example.org")

    # The applicant finds the collaboration and applies, in Swedish.
    _log_in(browser, server_url, "webb-sokande")
    browser.get(f"{server_url}/samverkan")
    assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == "sv"
    browser.find_element(By.LINK_TEXT, "Ansök om deltagande").click()
    _wait_for(browser, "Ansök om deltagande i den regionala samverkan")
    # the contact is the applicant's account until changed; the address in the portal
    # follows the name as it is typed (issue 39)
    assert browser.find_element(By.ID, "field-contact_email").get_attribute("value") == "webb-sokande@example.org"
    fields = {
        "field-organization_title": "Webbkommunen",
        "field-org_number": org_number(),
        "field-contact_name": "Webb Sökande",
        "field-contact_email": "kontakt@example.org",
        "field-invoice_reference": "WEB-1",
        "field-motivation": "Vi vill publicera våra öppna data.",
    }
    for element_id, value in fields.items():
        browser.find_element(By.ID, element_id).clear()
        browser.find_element(By.ID, element_id).send_keys(value)
    assert browser.find_element(By.ID, "field-organization_name").get_attribute("value") == "webbkommunen"
    Select(browser.find_element(By.ID, "field-org_type")).select_by_value("kommun")
    Select(browser.find_element(By.ID, "field-municipality_code")).select_by_value("1480")
    send = browser.find_element(By.CSS_SELECTOR, "form button[name=save]")
    # a long form: the button scrolled into view first, at once (not smoothly, or the click
    # lands while the page still moves)
    browser.execute_script("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", send)
    send.click()
    text = _wait_for(browser, "Tack! Din ansökan har skickats")
    assert "väntar på beslut" in text

    # The coordinator (not a sysadmin) approves it in the queue.
    _log_in(browser, server_url, "e2e-samordnare")
    browser.get(f"{server_url}/ckan-admin/samverkan")
    _wait_for(browser, "Webbkommunen")
    row = browser.find_element(By.XPATH, "//table[@id='vgs-queue']//tr[td[contains(., 'Webbkommunen')]]")
    row.find_element(By.CSS_SELECTOR, "input[name=comment]").send_keys("Välkomna!")
    row.find_element(By.CSS_SELECTOR, "button.btn-success").click()
    # approving creates the organisation and starts its fee: asked first (issue 39)
    assert "Webbkommunen" in browser.find_element(By.ID, "vgs-confirm-text").text
    browser.find_element(By.ID, "vgs-confirm-yes").click()
    _wait_for(browser, "Sparat.")
    assert not browser.find_elements(By.ID, "vgs-queue")  # nothing waits any more
    assert "Inget här." in _main_text(browser)

    # The organisation exists, with the applicant as its admin.
    browser.get(f"{server_url}/organization/webbkommunen")
    _wait_for(browser, "Webbkommunen")
    model.Session.expire_all()
    org = model.Group.get("webbkommunen")
    assert org is not None and member_role(org.id, applicant["id"]) == "admin"
    import os

    shots = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                         "test-artifacts", "screenshots")
    os.makedirs(shots, exist_ok=True)
    browser.save_screenshot(os.path.join(shots, "deltagande-godkant.png"))

    # Both e-mails arrive (sent by the real worker to the real SMTP server).
    run_jobs()
    [to_coordinator] = mailbox.to("samordnare@example.org")
    assert "Ny ansökan om deltagande: Webbkommunen" in to_coordinator["Subject"]
    [to_applicant] = mailbox.news("webb-sokande@example.org")  # (and the receipt of the application)
    assert "godkänts" in to_applicant["Subject"]
    assert "Välkomna!" in mailbox.body(to_applicant)
