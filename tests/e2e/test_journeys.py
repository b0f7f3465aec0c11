"""The main journeys, walked in Debian's headless Chromium as people would, in Swedish:
an organisation asks for a connection and accepts the quote; an organisation calls off an
expert and the expert logs time; the coordinator looks at a month, runs and closes it
and downloads the CSV. A screenshot of each journey's last page is saved under
``test-artifacts/screenshots/``."""
from __future__ import annotations

import datetime as dt
import os
import time

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.e2e.test_browser import _log_in, _main_text, _user, _wait_for
from tests.factories import call, participant_org

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SHOTS = os.path.join(ROOT, "test-artifacts", "screenshots")


def _shot(browser, name: str) -> str:
    os.makedirs(SHOTS, exist_ok=True)
    path = os.path.join(SHOTS, f"{name}.png")
    browser.save_screenshot(path)
    assert os.path.getsize(path) > 10_000
    return path


def _axe(browser) -> list[str]:
    """axe-core's WCAG 2.1 AA violations of the page as it is now (tests/e2e/test_accessibility.py)."""
    from tests.e2e.test_accessibility import _axe_source, _report, _violations

    found = _violations(browser, _axe_source())
    return [_report(browser.current_url, found)] if found else []


def _fill(browser, fields: dict[str, str]) -> None:
    for element_id, value in fields.items():
        element = browser.find_element(By.ID, element_id)
        element.clear()
        element.send_keys(value)


def _click(browser, element) -> None:
    """Scroll the element to the middle of the window, then click it as a person would."""
    from selenium.common.exceptions import ElementClickInterceptedException

    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    try:
        element.click()
    except ElementClickInterceptedException:  # CKAN's dataset form: a sticky element over it
        browser.execute_script("arguments[0].click()", element)


def _submit(browser, form_action_part: str) -> None:
    form = browser.find_element(By.XPATH, f"//form[contains(@action, '{form_action_part}')]")
    _click(browser, form.find_element(By.CSS_SELECTOR, "button[type=submit]"))


def _submit_and_say_yes(browser, form_action_part: str, words: str) -> None:
    """A binding act's form (issue 39: sending a quote, approving, marking connected): the
    dialog names what it does; "yes" sends it."""
    _submit(browser, form_action_part)
    assert browser.find_element(By.ID, "vgs-confirm-dialog").is_displayed()
    assert words in browser.find_element(By.ID, "vgs-confirm-text").text
    _click(browser, browser.find_element(By.ID, "vgs-confirm-yes"))


def _new_dataset(browser, server_url: str, org: dict, title: str, name: str, url: str, resource: str) -> None:
    """CKAN's two-step dataset form, filled as a person would: the dataset, then a link."""
    browser.get(f"{server_url}/dataset/new")
    _fill(browser, {"field-title": title})
    browser.execute_script("document.getElementById('field-name').value = arguments[0]", name)
    Select(browser.find_element(By.ID, "field-organizations")).select_by_value(org["id"])
    _click(browser, browser.find_element(By.CSS_SELECTOR, "button[name=save]"))
    _wait_for(browser, "Lägg till data")
    _click(browser, browser.find_element(By.ID, "resource-link-button"))
    _fill(browser, {"field-resource-url": url})
    _fill(browser, {"field-name": resource})
    _click(browser, browser.find_element(By.CSS_SELECTOR, "button[name=save][value=go-metadata]"))


@pytest.fixture
def people(coordinator):
    _user("e2e-samordnare", "e2e-samordnare@example.org")
    admin = _user("resa-admin", "resa-admin@example.org")
    expert = _user("resa-expert", "resa-expert@example.org")
    org = participant_org(admin, coordinator, effective_from="2026-01-01", municipality_code="1480")
    return {"admin": admin, "expert": expert, "org": org}


def test_a_connection_is_asked_for_and_the_quote_accepted(browser, server_url, people, mailbox, run_jobs):
    """Issue 21's journey: the admin's request gets a receipt; the coordinator's quote form
    keeps what was typed after an error; the admin lands on her waiting quote after
    logging in, is asked in a dialog that names the amount (keyboard: Escape says no, the
    focus goes back to the button), accepts, and gets a receipt with the amount."""
    from selenium.webdriver.common.keys import Keys

    org = people["org"]
    _log_in(browser, server_url, "resa-admin")
    browser.get(f"{server_url}/organization/samverkan/{org['name']}")
    browser.find_element(By.LINK_TEXT, "Ansök om anslutning").click()
    _wait_for(browser, "Ansök om teknisk anslutning")
    _fill(browser, {"field-information_sets": "Detaljplaner som WMS",
                    "field-technical_contact": "Tekla Teknik, tekla@example.org"})
    browser.find_element(By.CSS_SELECTOR, "form button[name=save]").click()
    _wait_for(browser, "Tack!")
    request_url = browser.current_url
    reference = browser.find_element(By.ID, "vgs-reference").text
    run_jobs()
    [receipt] = mailbox.receipts("resa-admin@example.org")
    assert reference in str(receipt["Subject"]) and request_url.split("/")[-1] in mailbox.body(receipt)

    _log_in(browser, server_url, "e2e-samordnare")
    browser.get(request_url)
    _fill(browser, {"field-investigate-investigator": "Ivar Utredare"})
    _submit(browser, "/investigate")
    _wait_for(browser, "Sparat.")
    valid = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    # a price that is not a number: the form comes back with what was typed, the error at
    # the field and in the summary, which has the focus
    _fill(browser, {"field-quote-solution": "WMS via plattformens proxy", "field-quote-effort_hours": "12",
                    "field-quote-price": "niotusen"})
    browser.execute_script("document.getElementById('field-quote-valid_until').value = arguments[0]", valid)
    _submit_and_say_yes(browser, "/quote", "offerten till det pris du anger")
    _wait_for(browser, "Rätta följande")
    assert browser.switch_to.active_element.get_attribute("id") == "error-summary"
    assert browser.find_element(By.ID, "field-quote-solution").get_attribute("value") == "WMS via plattformens proxy"
    assert browser.find_element(By.ID, "field-quote-effort_hours").get_attribute("value") == "12"
    assert browser.find_element(By.ID, "field-quote-valid_until").get_attribute("value") == valid
    assert browser.find_element(By.ID, "quote-price-error").is_displayed()
    _shot(browser, "anslutning-offert-fel-behaller-varden")
    _fill(browser, {"field-quote-price": "9600"})
    _submit_and_say_yes(browser, "/quote", "offerten till det pris du anger")
    _wait_for(browser, "9 600,00 kr")

    _log_in(browser, server_url, "resa-admin")  # lands where the quote waits for her
    assert browser.current_url.endswith("/samverkan/vantar"), browser.current_url
    waiting = _wait_for(browser, "Väntar på dig")
    assert "9 600,00 kr" in waiting
    browser.find_element(By.XPATH, f"//td/a[contains(@href, '{request_url.split('/')[-1]}')]").click()
    _wait_for(browser, "Acceptera offerten")
    accept = browser.find_element(By.XPATH, "//form[contains(@action, '/accept')]//button")
    _click(browser, accept)
    dialog = browser.find_element(By.ID, "vgs-confirm-dialog")
    assert dialog.is_displayed()
    assert browser.find_element(By.ID, "vgs-confirm-text").text.startswith(
        "Ni accepterar offerten: 9 600,00 kr exkl. moms.")
    _shot(browser, "anslutning-offert-bekrafta")
    assert _axe(browser) == []  # the open dialog: WCAG 2.1 AA
    browser.switch_to.active_element.send_keys(Keys.ESCAPE)  # no: nothing happens, the focus is back
    assert not dialog.is_displayed()
    assert browser.switch_to.active_element == accept
    assert call("vgsamverkan_connection_show", "samordnare", id=request_url.split("/")[-1])["state"] == "quoted"
    accept.send_keys(Keys.ENTER)
    assert dialog.is_displayed()
    yes = browser.find_element(By.ID, "vgs-confirm-yes")
    assert yes.text == "Ja, acceptera offerten"
    yes.send_keys(Keys.ENTER)
    text = _wait_for(browser, "Sparat.")
    assert "accepterad" in text.lower()
    _shot(browser, "anslutning-offert-accepterad")
    run_jobs()
    [accepted] = [m for m in mailbox.receipts("resa-admin@example.org") if "accepterat" in str(m["Subject"])]
    assert "9\u00a0600,00 kr exkl. moms" in mailbox.body(accepted)


def test_without_javascript_the_acceptance_is_confirmed_on_a_page(nojs_browser, browser, server_url, people):
    """The same act where JavaScript does not run: the first press answers with a page that
    names the amount; "Ja" accepts, nothing happened before it. The page itself is checked
    with axe-core in a browser that runs scripts (the form sent without its dialog)."""
    org = people["org"]
    c = call("vgsamverkan_connection_create", people["admin"], organization_id=org["id"], information_sets="Kartor",
             technical_contact="Tekla")
    call("vgsamverkan_connection_investigate", "samordnare", id=c["id"], investigator="Ivar")
    call("vgsamverkan_connection_quote", "samordnare", id=c["id"], solution="Proxy", effort_hours="3",
         price="18500", valid_until=(dt.date.today() + dt.timedelta(days=30)).isoformat())
    _log_in(browser, server_url, "resa-admin")
    browser.get(f"{server_url}/samverkan/anslutning/{c['id']}")
    browser.execute_script("document.querySelector(\"form[action$='/accept']\").removeAttribute('data-vgs-confirm')")
    _submit(browser, "/accept")
    _wait_for(browser, "Ni accepterar offerten")
    assert _axe(browser) == []  # the confirmation page: WCAG 2.1 AA
    browser = nojs_browser
    _log_in(browser, server_url, "resa-admin")
    browser.get(f"{server_url}/samverkan/anslutning/{c['id']}")
    _submit(browser, "/accept")
    page = _wait_for(browser, "Bekräfta")
    assert "Ni accepterar offerten: 18 500,00 kr exkl. moms." in page
    assert call("vgsamverkan_connection_show", "samordnare", id=c["id"])["state"] == "quoted"
    _shot(browser, "anslutning-offert-bekrafta-utan-javascript")
    _click(browser, browser.find_element(By.ID, "vgs-confirm-yes"))
    _wait_for(browser, "Sparat.")
    assert call("vgsamverkan_connection_show", "samordnare", id=c["id"])["state"] == "accepted"


def test_an_expert_is_called_off_and_logs_time(browser, server_url, people):
    org = people["org"]
    _log_in(browser, server_url, "resa-admin")
    browser.get(f"{server_url}/organization/samverkan/{org['name']}")
    browser.find_element(By.LINK_TEXT, "Avropa stöd").click()
    _wait_for(browser, "Avropa stöd")
    Select(browser.find_element(By.ID, "field-competence_area")).select_by_value("metadata")
    _fill(browser, {"field-description": "Hjälp med DCAT-AP-SE", "field-estimated_hours": "8"})
    for field, value in (("field-period_start", "2026-11-01"), ("field-period_end", "2026-12-31")):
        browser.execute_script("document.getElementById(arguments[0]).value = arguments[1]", field, value)
    browser.find_element(By.CSS_SELECTOR, "form button[name=save]").click()
    _wait_for(browser, "Tack! Ditt avrop har skickats")
    calloff_url = browser.current_url

    _log_in(browser, server_url, "e2e-samordnare")
    browser.get(calloff_url)
    _fill(browser, {"field-assign-expert_name": "Resa Expert", "field-assign-expert_user_id": "resa-expert",
                    "field-assign-hourly_rate": "950", "field-assign-planned_hours": "8"})
    _submit(browser, "/assign")
    _wait_for(browser, "Sparat.")

    _log_in(browser, server_url, "resa-expert")
    browser.get(f"{server_url}/samverkan/mina-arenden")
    browser.find_element(By.XPATH, f"//a[contains(@href, '{calloff_url.split('/')[-1]}')]").click()
    _wait_for(browser, "Rapportera tid")
    _fill(browser, {"field-log-hours": "2,5", "field-log-note": "Genomgång av katalogen"})
    _submit(browser, "/log_time")
    _wait_for(browser, "Sparat.")
    assert browser.find_element(By.ID, "vgs-logged-hours").text == "2,5"
    assert browser.find_element(By.ID, "vgs-amount").text.startswith("2 375,00 kr")
    assert "pågår" in _main_text(browser)
    _shot(browser, "avrop-tid-rapporterad")


def test_the_coordinator_runs_and_closes_a_month_and_downloads_the_csv(browser, server_url, people, tmp_path):
    browser.execute_cdp_cmd("Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(tmp_path)})
    call("vgsamverkan_population_import", "samordnare", year=2025, source="Test",
         records=[{"municipality_code": "1480", "name": "Göteborg", "population": 600000}])
    _log_in(browser, server_url, "e2e-samordnare")
    browser.get(f"{server_url}/ckan-admin/samverkan")
    browser.find_element(By.LINK_TEXT, "Avgifter").click()
    _wait_for(browser, "Ingen taxa ännu")
    browser.execute_script("document.getElementById('field-valid_from').value = '2026-01'")
    _fill(browser, {"field-total": "100000"})
    _submit(browser, "/avgifter/taxa")
    _wait_for(browser, "Taxan har sparats.")
    browser.execute_script("document.getElementById('field-month').value = '2026-10'")
    browser.find_element(By.XPATH, "//form[contains(@action, '/avgifter/manad')]//button").click()
    text = _wait_for(browser, "Vad en körning ger nu")
    assert "Göteborg: 600 000 invånare (2025)" in text
    _click(browser, browser.find_element(By.ID, "confirm-run"))  # binding: asked first
    _submit(browser, "/2026-10/run")
    _wait_for(browser, "Underlagen för 2026-10 har sparats.")
    _click(browser, browser.find_element(By.ID, "confirm-close"))
    _submit(browser, "/2026-10/close")
    _wait_for(browser, "2026-10 är stängd.")
    browser.find_element(By.LINK_TEXT, "Ladda ned CSV").click()
    target = tmp_path / "avgifter-2026-10.csv"
    # Chromium makes an empty file of the final name when the download starts, writes
    # into a .crdownload beside it and renames that over it at the end (seen under load:
    # the empty file read)
    deadline = time.time() + 20
    while time.time() < deadline and not (
            target.exists() and target.stat().st_size and not list(tmp_path.glob("*.crdownload"))):
        time.sleep(0.2)
    content = target.read_bytes().decode("utf-8-sig")
    assert content.startswith("Månad;Radtyp;Organisation;") and "100000,00" in content
    assert browser.find_element(By.ID, "vgs-fee-month-state").text == "stängd"
    _shot(browser, "avgifter-manad-stangd")


def test_a_user_asks_for_publishing_rights_is_approved_and_publishes(browser, server_url, people):
    org = people["org"]
    _user("resa-publicist", "resa-publicist@example.org")
    _log_in(browser, server_url, "resa-publicist")
    browser.get(f"{server_url}/organization/{org['name']}")
    browser.find_element(By.LINK_TEXT, "Ansök om publiceringsbehörighet").click()
    _wait_for(browser, "publiceringsbehörighet")
    _fill(browser, {"field-motivation": "Jag ansvarar för kommunens cykeldata."})
    browser.find_element(By.CSS_SELECTOR, "form button[name=save]").click()
    _wait_for(browser, "Tack!")

    _log_in(browser, server_url, "e2e-samordnare")
    browser.get(f"{server_url}/ckan-admin/samverkan")
    row = browser.find_element(
        By.XPATH, "//table[@id='vgs-publisher-queue']//tr[.//a[contains(@href, '/behorighet/')]]")
    _click(browser, row.find_element(By.CSS_SELECTOR, "button.btn-success"))
    _wait_for(browser, "Sparat.")

    _log_in(browser, server_url, "resa-publicist")
    _new_dataset(browser, server_url, org, "Cykelvägar", "cykelvagar", "https://data.example.org/cykelvagar.csv",
                 "Cykelvägar (CSV)")
    text = _wait_for(browser, "Cykelvägar")
    assert "/dataset/cykelvagar" in browser.current_url
    assert "Cykelvägar (CSV)" in text
    _shot(browser, "publicist-publicerat")


def test_a_wms_address_with_no_format_is_refused_with_a_link_to_the_request(browser, server_url, people):
    """Issue 21: the address decides ("the properties of the data decide"): a WMS service
    with its format left blank is refused for an organisation that is not connected, and
    the message above CKAN's form links to the organisation's open request, which a click
    opens."""
    org = people["org"]
    c = call("vgsamverkan_connection_create", people["admin"], organization_id=org["id"],
             information_sets="Detaljplaner (WMS)", technical_contact="Tekla")
    _log_in(browser, server_url, "resa-admin")
    _new_dataset(browser, server_url, org, "Detaljplaner", "detaljplaner",
                 "https://karta.example.org/geoserver/ows?service=WMS&request=GetCapabilities",
                 "Detaljplaner (karttjänst)")
    text = _wait_for(browser, "behöver en teknisk anslutning")
    assert "WMS" in text
    _shot(browser, "wms-utan-format-nekas")
    link = browser.find_element(By.XPATH, f"//a[contains(@href, '/samverkan/anslutning/{c['id']}')]")
    _click(browser, link)
    _wait_for(browser, "till den regionala plattformen")
    assert browser.current_url.endswith(f"/samverkan/anslutning/{c['id']}")
