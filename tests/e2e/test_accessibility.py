"""WCAG 2.1 AA on every page of the extension, checked with axe-core (v4.12, from the
axe-playwright-python wheel, injected through Selenium) inside Debian's headless
Chromium against a running portal: logged out, as a publisher and as the coordinator.
Zero violations; a failure lists each rule, its impact and the elements.

The same walk checks the language of every page: no sentence of the other language from
the extension's catalogue (text that never went through it, or a missing translation)
and numbers and money written the page's way (``18 500,00 kr`` / ``SEK 18,500.00``)."""
from __future__ import annotations

import importlib.util
import os
import re

import pytest
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

import ckan
import ckan.model as model
from ckan.tests import factories

from tests.e2e.test_browser import PASSWORD, _log_in
from tests.factories import call, participant_org, request_rights, requested_on
from tests.halves import this_versions_half
from tests.language import wrong_language

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SHOTS = os.path.join(os.path.dirname(__file__), "..", "..", "test-artifacts", "screenshots", "pages")
# the pages' screenshots are taken on the last version make test runs (the same pages on
# both; CI time), or on any with VGS_WHOLE_MATRIX=1 or VGS_SCREENSHOTS=1
SHOOT = (not ckan.__version__.startswith("2.11.") or os.environ.get("VGS_WHOLE_MATRIX") == "1"
         or os.environ.get("VGS_SCREENSHOTS") == "1")


def _axe_source() -> str:
    spec = importlib.util.find_spec("axe_playwright_python")  # finds the file, imports nothing
    assert spec is not None, "axe-playwright-python (requirements/nodeps.txt) is not installed"
    with open(os.path.join(spec.submodule_search_locations[0], "axe.min.js"), encoding="utf-8") as f:
        return f.read()


def _violations(browser, axe: str) -> list[dict]:
    browser.execute_script(axe)
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})"
        ".then(r => done(r.violations)).catch(e => done([{id: 'axe-error', impact: 'critical',"
        " help: String(e), nodes: []}]));",
        TAGS,
    )
    return result


def _report(path: str, violations: list[dict]) -> str:
    lines = [f"{path}:"]
    for v in violations:
        targets = ", ".join(str(n.get("target")) for n in v.get("nodes", [])[:5])
        lines.append(f"  {v['id']} ({v.get('impact')}): {v.get('help')} — {targets}")
        for node in v.get("nodes", [])[:1]:
            lines.append(f"    {(node.get('failureSummary') or '').strip()[:300]}")
    return "\n".join(lines)


def _full_page_shot(browser, path: str) -> None:
    """The whole page as a phone shows it when scrolled down, not only the first screen."""
    import base64

    data = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    with open(path, "wb") as f:
        f.write(base64.b64decode(data["data"]))


def _user(name: str, **kwargs):
    user = factories.User(name=name, **kwargs)
    obj = model.User.get(name)
    obj.password = PASSWORD
    model.Session.commit()
    return user


@pytest.fixture
def world(coordinator):
    # "samordnare" decides here (in this process); "e2e-samordnare" is the coordinator of
    # the running portal, who browses
    _user("e2e-samordnare", fullname="Sam Samordnare")
    admin = _user("a11y-admin", fullname="Anna Admin")
    publisher = _user("a11y-publicist", fullname="Per Publicist")
    _user("a11y-ny", fullname="Nora Nysson")  # in no organisation: "Kom igång" (issue 39)
    org = participant_org(admin, coordinator, effective_from="2026-01-01", municipality_code="1480")
    rights = request_rights(publisher, org)
    call("vgsamverkan_publisher_approve", coordinator, id=rights["id"])
    pending = request_rights(publisher, participant_org(factories.User(), coordinator, municipality_code="1401"))
    # Tanum has no figure of 2025 (the year this month asks for): the workplace warns
    participant_org(factories.User(), coordinator, effective_from="2026-01-01", municipality_code="1435")
    connection = call("vgsamverkan_connection_create", admin, organization_id=org["id"],
                      information_sets="Kartor", technical_contact="Tekniker")
    call("vgsamverkan_connection_investigate", coordinator, id=connection["id"], investigator="Ivar")
    call("vgsamverkan_connection_quote", coordinator, id=connection["id"], solution="Skörd", effort_hours="8",
         price="9600", valid_until="2099-12-31")
    calloff = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="metadata",
                   description="DCAT-AP-SE", estimated_hours="8", period_start="2026-10-01",
                   period_end="2026-12-31")
    requested_on(calloff["id"], "2025-01-01")  # time is logged on days long past
    call("vgsamverkan_calloff_assign", coordinator, id=calloff["id"], expert_name="Eva Expert", hourly_rate="950",
         planned_hours="8")
    call("vgsamverkan_calloff_log_time", coordinator, id=calloff["id"], date="2026-10-05", hours="2")
    call("vgsamverkan_population_import", coordinator, year=2025, source="Test",
         records=[{"municipality_code": "1480", "name": "Göteborg", "population": 600000},
                  {"municipality_code": "1401", "name": "Härryda", "population": 40000}])
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="100000")
    call("vgsamverkan_fee_run", coordinator, month="2026-10")
    mapped = call("package_create", publisher, name="a11y-karta", owner_org=org["id"],
                  resources=[{"url": "https://example.org/karta.csv", "format": "CSV"}])
    call("vgsamverkan_exemption_create", coordinator, id=mapped["id"], reason="Leverantörens egen tjänst")
    waiting = call("vgsamverkan_participation_apply", publisher, organization_name="a11y-ny",
                   organization_title="Nya kommunen", org_type="kommun", municipality_code="1402",
                   org_number="212000-1355", contact_name="Per", contact_email="per@example.org")
    return {"org": org, "rights": rights, "pending": pending, "connection": connection, "calloff": calloff,
            "participation": waiting}


def _pages(w) -> dict[str, list[str]]:
    org = w["org"]["name"]
    return {
        "": ["/samverkan", "/", "/en/", "/en/samverkan", "/user/register", "/user/login",
             "/samverkan/konto/registrerad"],
        "a11y-admin": [
            "/samverkan/vantar", f"/samverkan/anslutning/{w['connection']['id']}", f"/organization/samverkan/{org}",
            "/samverkan/mina-arenden", "/dashboard/", f"/samverkan/avrop/{w['calloff']['id']}",
        ],
        "a11y-publicist": [
            "/samverkan", "/samverkan/mina-arenden", "/samverkan/vantar", "/samverkan/deltagande/ansok",
            f"/samverkan/deltagande/{w['participation']['id']}",
            f"/samverkan/deltagande/{w['participation']['id']}/uppgifter", "/samverkan/behorighet/ansok",
            f"/samverkan/behorighet/{w['pending']['id']}", f"/samverkan/behorighet/{w['rights']['id']}",
            "/dashboard/", "/samverkan/sprak",
        ],
        "a11y-ny": ["/samverkan/kom-igang", "/en/samverkan/kom-igang"],
        "e2e-samordnare": [
            "/ckan-admin/samverkan", "/ckan-admin/samverkan/avgifter", "/ckan-admin/samverkan/avgifter/2026-10",
            "/ckan-admin/samverkan/avgifter/2026-11", "/ckan-admin/samverkan/befolkning",
            "/ckan-admin/samverkan/personuppgifter", "/ckan-admin/samverkan/utan-anslutning",
            "/ckan-admin/samverkan/katalog", "/en/ckan-admin/samverkan/katalog",
            "/ckan-admin/samverkan/sprak", "/en/ckan-admin/samverkan/sprak",
            "/en/ckan-admin/samverkan/utan-anslutning", "/samverkan/vantar", "/en/samverkan/vantar",
            f"/samverkan/deltagande/{w['participation']['id']}", f"/samverkan/behorighet/{w['pending']['id']}",
            f"/samverkan/deltagande/{w['org']['participation_id']}/uppgifter",
            f"/en/samverkan/deltagande/{w['org']['participation_id']}/uppgifter",
            f"/samverkan/anslutning/{w['connection']['id']}", f"/samverkan/avrop/{w['calloff']['id']}",
            "/samverkan/anslutning/ny", "/samverkan/avrop/ny", f"/organization/samverkan/{org}",
            f"/organization/members/{org}", f"/organization/member_new/{org}", "/en/ckan-admin/samverkan",
            "/en/ckan-admin/samverkan/avgifter/2026-10", f"/en/samverkan/avrop/{w['calloff']['id']}",
            f"/en/samverkan/anslutning/{w['connection']['id']}", f"/en/organization/samverkan/{org}",
        ],
    }


def test_every_page_has_no_wcag_violation(browser, server_url, world):
    axe = _axe_source()
    os.makedirs(SHOTS, exist_ok=True)
    # the check itself: a page with known faults must show them
    browser.get("data:text/html;charset=utf-8,<html><body><img src='x.png'><input type='text'></body></html>")
    assert {"image-alt", "html-has-lang", "label"} <= {v["id"] for v in _violations(browser, axe)}
    failures = []
    wrong = []
    too_wide = []
    checked = 0
    # each page on one of the two versions, alternating (tests/halves.py: one make test
    # walks every page once; VGS_WHOLE_MATRIX=1 all on one version); the first page of
    # each user on both, so that every log-in's header is checked on each
    pages = _pages(world)
    for user, paths in pages.items():
        pages[user] = paths[:1] + this_versions_half(paths[1:])
    for user, paths in pages.items():
        if user:
            _log_in(browser, server_url, user)
        else:
            browser.delete_all_cookies()
        for path in paths:
            browser.get(server_url + path)
            WebDriverWait(browser, 20).until(lambda d: d.execute_script("return document.readyState") == "complete")
            lang = browser.find_element(By.TAG_NAME, "html").get_attribute("lang")
            assert lang in ("sv", "en"), f"{path}: lang={lang!r}"
            # CKAN's header knows who is logged in (a page variable named "c" once hid it)
            authed = browser.find_elements(By.CSS_SELECTOR, ".account-masthead .account.authed")
            assert bool(authed) == bool(user), f"{path}: header logged in={bool(authed)} for {user or 'anonymous'}"
            # a 390 px phone: the page itself never scrolls sideways (a wide table scrolls
            # in its own box, .table-responsive)
            browser.set_window_size(390, 1400)
            widths = browser.execute_script(
                "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            if widths[0] > widths[1]:
                too_wide.append(f"{user or 'anonymous'} {path}: {widths[0]} px in {widths[1]}")
            # every button of the page's own content within the screen, not hidden in a box
            # that scrolls sideways (issue 21: the decision buttons of the workplace)
            off = browser.execute_script(_OFF_SCREEN)
            if off:
                too_wide.append(f"{user or 'anonymous'} {path}: buttons off the screen: {off}")
            # the pages people use from a phone stack their rows: no cell (an amount, a state,
            # a next step) outside the screen (issue 39); elsewhere a table wider than the
            # screen says that it scrolls (public/vgsamverkan/tables.js, on resize)
            if _STACKED.match(path):
                cells = browser.execute_script(_CELLS_OFF_SCREEN)
                if cells:
                    too_wide.append(f"{user or 'anonymous'} {path}: cells off the screen: {cells}")
            else:
                try:
                    WebDriverWait(browser, 3).until(lambda d: not d.execute_script(_SCROLLS_UNSAID))
                except TimeoutException:
                    too_wide.append(f"{user or 'anonymous'} {path}: a table scrolls without saying so: "
                                    f"{browser.execute_script(_SCROLLS_UNSAID)}")
            # what a person sees, kept for a look (test-artifacts/screenshots/pages/)
            shot = re.sub(r"[^a-z0-9]+", "-", f"{user or 'anonym'}{path}".lower()).strip("-")[:90]
            if SHOOT:
                _full_page_shot(browser, os.path.join(SHOTS, f"{shot}-390.png"))
            browser.set_window_size(1280, 1600)
            if SHOOT:
                browser.save_screenshot(os.path.join(SHOTS, f"{shot}-1280.png"))
            violations = _violations(browser, axe)
            checked += 1
            if violations:
                failures.append(_report(f"{user or 'anonymous'} {path}", violations))
            found = wrong_language(browser.execute_script(_TEXT), lang)
            if found:
                wrong.append(f"{user or 'anonymous'} {path} ({lang}): " + "; ".join(found))
    assert checked >= 25
    assert not failures, "WCAG 2.1 AA violations:\n" + "\n".join(failures)
    assert not wrong, "text in the wrong language or format:\n" + "\n".join(wrong)
    assert not too_wide, "wider than a 390 px phone:\n" + "\n".join(too_wide)


# the page's own content (CKAN's header and footer are CKAN's), with the text of the
# attributes people hear or see (labels for screen readers, tooltips, placeholders)
_TEXT = """
const main = document.querySelector('main, [role=main], #content') || document.body;
const attrs = Array.from(main.querySelectorAll('[aria-label],[title],[placeholder],[alt]'))
  .map(e => ['aria-label', 'title', 'placeholder', 'alt'].map(a => e.getAttribute(a) || '').join(' '));
return main.innerText + '\\n' + attrs.join('\\n');
"""


# the pages used from a phone, whose tables stack (issue 39): "Väntar på dig", "Mina ärenden",
# the organisation's Samverkan tab and the workplace's queues
_STACKED = re.compile(r"^(/en)?(/samverkan/vantar|/samverkan/mina-arenden|/samverkan/kom-igang|/organization/samverkan/"
                      r"[^/]+|/ckan-admin/samverkan|/dashboard/)$")

# the cells of the page's tables that end outside a 390 px screen: their text and where
_CELLS_OFF_SCREEN = """
const width = document.documentElement.clientWidth;
const main = document.querySelector('[role=main]') || document.querySelector('main') || document.body;
// a stacked table's head is there for screen readers only (clipped to 1 px): not on the screen
const hidden = c => { const head = c.closest('thead'); return head && getComputedStyle(head).position === 'absolute'; };
return Array.from(main.querySelectorAll('table td, table th'))
  .filter(c => c.offsetParent !== null && c.innerText.trim() && !hidden(c))
  .map(c => [c, c.getBoundingClientRect()])
  .filter(([c, r]) => r.right > width + 1 || r.left < -1)
  .map(([c, r]) => c.innerText.trim().slice(0, 30) + ' @' + Math.round(r.right))
  .slice(0, 8);
"""

# the boxes that scroll sideways without the line that says so (tables.js)
_SCROLLS_UNSAID = """
return Array.from(document.querySelectorAll('.table-responsive'))
  .filter(b => b.offsetParent !== null && b.scrollWidth > b.clientWidth + 1)
  .filter(b => !(b.previousElementSibling && b.previousElementSibling.classList.contains('vgs-scroll-hint')))
  .map(b => b.id || (b.querySelector('table') || b).id || b.innerText.trim().slice(0, 30));
"""


# the buttons (and submit inputs) of the page's content that a 390 px screen does not show
# without scrolling a box sideways: their text and how far right they end
_OFF_SCREEN = """
const width = document.documentElement.clientWidth;
const main = document.querySelector('[role=main]') || document.querySelector('main') || document.body;
return Array.from(main.querySelectorAll('button, input[type=submit], a.btn'))
  .filter(b => b.offsetParent !== null && !b.closest('dialog'))
  .map(b => [b, b.getBoundingClientRect()])
  .filter(([b, r]) => r.right > width + 1 || r.left < -1)
  .map(([b, r]) => (b.innerText || b.value || '').trim().slice(0, 40) + ' @' + Math.round(r.right))
  .slice(0, 8);
"""
