"""Keyboard use (WCAG 2.1.1, 2.4.3, 2.4.7) in Debian's headless Chromium against a
running portal: only the Tab, Enter, Space and letter keys are pressed, never the mouse.

- The first Tab reaches CKAN's "skip to main content" link; after it, focus goes into
  the page's content.
- The application form is walked field by field in the order it is read (the order of
  the document), every stop shows where the focus is (an outline or a shadow), a form
  sent with errors puts the focus on its error summary, whose links lead to the fields,
  and the form is filled in and sent with keys alone.
- The coordinator selects every waiting item with one key ("select all") and approves
  them with one comment.
"""
from __future__ import annotations

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

from tests.e2e.test_browser import _log_in, _user, _wait_for
from tests.factories import apply_new, org_number

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]

# what has the focus, and whether it can be seen
_ACTIVE = """
const e = document.activeElement;
const s = getComputedStyle(e);
return {id: e.id || '', tag: e.tagName.toLowerCase(), type: e.type || '', name: e.name || '',
        href: e.getAttribute('href') || '', value: e.value || '',
        text: (e.innerText || e.value || '').trim().slice(0, 60),
        visible: (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none',
        in_content: !!e.closest('#content')};
"""

# the fields of a form in the order of the document, as Tab should visit them: visible,
# enabled, one stop per group of radio buttons (the checked one)
_FORM_ORDER = """
const form = document.querySelector(arguments[0]);
const seen = new Set();
return Array.from(form.querySelectorAll('input, select, textarea, button')).filter(e => {
  if (e.type === 'hidden' || e.disabled || e.offsetParent === null) return false;
  if (e.type === 'radio') {
    if (seen.has(e.name)) return false;
    const checked = form.querySelector(`input[type=radio][name="${e.name}"]:checked`);
    if (checked && checked !== e) return false;
    seen.add(e.name);
  }
  return true;
}).map(e => e.id || e.name);
"""


def _press(browser, *keys) -> dict:
    ActionChains(browser).send_keys(*keys).perform()
    return browser.execute_script(_ACTIVE)


def _tab_until(browser, stop, limit: int = 80) -> list[dict]:
    """Press Tab until ``stop(active)`` is true; every stop on the way."""
    stops = []
    for _ in range(limit):
        active = _press(browser, Keys.TAB)
        stops.append(active)
        if stop(active):
            return stops
    raise AssertionError(f"never reached the stop in {limit} presses: {[s['id'] or s['text'] for s in stops]}")


def _is_save(active: dict) -> bool:
    return active["tag"] == "button" and active["name"] == "save"


def test_apply_with_the_keyboard_alone(browser, server_url):
    _user("tangent-sokande", "tangent@example.org")
    _log_in(browser, server_url, "tangent-sokande")
    browser.get(f"{server_url}/samverkan/deltagande/ansok")
    _wait_for(browser, "Ansök om deltagande")

    # first stop: skip to the content; Enter, and the next stop is in the content
    skip = _press(browser, Keys.TAB)
    assert skip["href"] == "#content" and skip["visible"], skip
    _press(browser, Keys.ENTER)
    stops = _tab_until(browser, _is_save)
    assert stops[0]["in_content"], stops[0]

    # every field in the order it is read, each stop visible
    expected = browser.execute_script(_FORM_ORDER, "#content form[method=post]")
    form_stops = [s["id"] or s["name"] for s in stops if s["tag"] in ("input", "select", "textarea", "button")]
    assert form_stops[-len(expected):] == expected
    assert "field-organization_title" in expected and "field-motivation" in expected
    hidden = [s["id"] or s["text"] for s in stops if not s["visible"]]
    assert hidden == [], f"focus not visible on {hidden}"

    # sent empty: the focus is on the error summary; its first link leads to the field
    _press(browser, Keys.ENTER)
    _wait_for(browser, "Rätta följande")
    summary = browser.execute_script(_ACTIVE)
    assert summary["id"] == "error-summary", summary
    link = _press(browser, Keys.TAB)
    assert link["tag"] == "a" and link["href"].startswith("#field-"), link
    field = _press(browser, Keys.ENTER)
    assert "#" + field["id"] == link["href"], (link, field)

    # filled in and sent with keys alone: start again from the top of the form
    values = {"field-organization_title": "Tangentkommunen", "field-organization_name": "tangentkommunen",
              "field-org_type": "kommun", "field-municipality_code": "Ale", "field-org_number": org_number(),
              "field-contact_name": "Tina Tangent", "field-contact_email": "tina@example.org",
              "field-motivation": "Vi vill publicera med tangentbordet."}
    browser.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
    browser.get(f"{server_url}/samverkan/deltagande/ansok")
    _wait_for(browser, "Ansök om deltagande")
    filled = set()
    for _ in range(80):
        active = _press(browser, Keys.TAB)
        if active["id"] == "for-new":
            pass  # already chosen when the user has no organisation of their own
        elif active["id"] == "for-existing":
            active = _press(browser, Keys.ARROW_DOWN)  # the radio group: the other choice
        if active["id"] in values and active["id"] not in filled:
            _press(browser, values[active["id"]])
            filled.add(active["id"])
        if _is_save(active):
            break
    assert filled == set(values), set(values) - filled
    chosen = browser.execute_script(
        "return [document.getElementById('field-org_type').value,"
        " document.getElementById('field-municipality_code').value]")
    assert chosen[0] == "kommun" and chosen[1], chosen
    _press(browser, Keys.ENTER)
    text = _wait_for(browser, "Tack! Din ansökan har skickats")
    assert "Tangentkommunen" in text


def test_the_coordinator_decides_several_with_the_keyboard(browser, server_url):
    applicant = _user("tangent-bulk", "tangent-bulk@example.org")
    _user("e2e-samordnare", "e2e-samordnare@example.org")
    first = apply_new(applicant, "tangent-ett")
    second = apply_new(applicant, "tangent-tva")
    _log_in(browser, server_url, "e2e-samordnare")
    browser.get(f"{server_url}/ckan-admin/samverkan?kind=participation")
    _wait_for(browser, "Tangent-Ett")

    select_all = _tab_until(browser, lambda a: a["id"] == "select-all")[-1]
    assert select_all["visible"]
    _press(browser, Keys.SPACE)  # Space checks the box, and with it every row
    checked = browser.execute_script(
        "return Array.from(document.querySelectorAll(\"#vgs-bulk input[name='items']:checked\")).map(b => b.value)")
    assert sorted(checked) == sorted([f"participation:{first['id']}", f"participation:{second['id']}"])
    _tab_until(browser, lambda a: a["id"] == "bulk-text")
    _press(browser, "Välkomna båda")
    approve = _tab_until(browser, lambda a: a["tag"] == "button" and a["value"] == "approve")[-1]
    assert approve["visible"]
    # a binding act: the dialog asks, its focus on "no"; Shift+Tab reaches "yes" (the
    # dialog keeps the focus inside), Enter confirms
    active = _press(browser, Keys.ENTER)
    assert active["id"] == "vgs-confirm-no"
    assert "Ni beviljar alla markerade ärenden" in browser.find_element(By.ID, "vgs-confirm-text").text
    ActionChains(browser).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    assert browser.execute_script(_ACTIVE)["id"] == "vgs-confirm-yes"
    _press(browser, Keys.ENTER)
    _wait_for(browser, "Sparade beslut: 2")
