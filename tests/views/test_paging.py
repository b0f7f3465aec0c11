"""The workplace's sections, its overview and both tables of "Väntar på dig" show a page
of rows at a time (issue 39: at 490 participants they built and rendered every open
request, thousands of rows): the total, the links to the other pages with the filters
kept, and any page value answered without a 500."""
from __future__ import annotations

import re

import pytest

from ckan.tests import factories

from tests.browser import as_user
from tests.factories import call, participant_org

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

WORKPLACE = "/ckan-admin/samverkan"
WAITING = "/samverkan/vantar"


def rows(body: str, table_id: str) -> list[str]:
    """The references of a table's rows, in order."""
    match = re.search(rf'<table[^>]*id="{table_id}".*?</table>', body, re.S)
    assert match, f"no table {table_id}"
    tbody = match.group(0).split("<tbody>", 1)[1]
    return [re.search(r"\b[A-Z]{3}-[0-9A-F]{8}\b", row).group(0) for row in tbody.split("<tr")[1:]]


def connections(admin, org, n: int) -> list[str]:
    return [call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets=f"Kartor {i}",
                 technical_contact="T")["id"] for i in range(n)]


@pytest.fixture
def shown(monkeypatch):
    """Pages of two rows, so that a few requests make several pages."""
    from ckanext.vgsamverkan.logic import pages

    monkeypatch.setattr(pages, "SHOWN", 2)
    return 2


def test_a_section_of_more_than_fifty_shows_fifty_the_total_and_the_rest_on_page_two(app, coordinator):
    from ckanext.vgsamverkan.domain import objects

    admin = factories.User()
    org = participant_org(admin, coordinator)
    made = [objects.reference("connection", i) for i in connections(admin, org, 53)]
    page = app.get(WORKPLACE, extra_environ=as_user(coordinator))
    assert page.status_code == 200
    first = rows(page.body, "vgs-connection-queue")
    assert first == made[:50]  # the oldest first, as before
    assert "Visar 1–50 av 53 (sida 1 av 2)" in page.body
    assert 'id="vgs-waiting">53<' in page.body  # the header's count is the total
    assert '<nav aria-label="Sidor: ' in page.body
    assert "?connection_page=2#vgs-section-connection" in page.body
    assert rows(page.body, "vgs-overview") == made[:50]
    second = app.get(WORKPLACE + "?connection_page=2", extra_environ=as_user(coordinator))
    assert rows(second.body, "vgs-connection-queue") == made[50:]
    assert "Visar 51–53 av 53 (sida 2 av 2)" in second.body
    assert rows(second.body, "vgs-overview") == made[:50]  # each section its own page
    assert 'rel="prev"' in second.body
    overview = app.get(WORKPLACE + "?overview_page=2", extra_environ=as_user(coordinator))
    assert rows(overview.body, "vgs-overview") == made[50:]

    waiting = app.get(WAITING, extra_environ=as_user(coordinator))
    assert rows(waiting.body, "vgs-waiting-yours") == made[:50]
    assert 'id="vgs-your-move">53<' in waiting.body  # the heading's count is the total
    assert "Visar 1–50 av 53" in waiting.body
    later = app.get(WAITING + "?yours_page=2", extra_environ=as_user(coordinator))
    assert rows(later.body, "vgs-waiting-yours") == made[50:]


def test_the_filters_are_kept_across_pages(app, coordinator, shown):
    from ckanext.vgsamverkan.domain import objects

    admin, other_admin = factories.User(), factories.User()
    org = participant_org(admin, coordinator)
    other = participant_org(other_admin, coordinator, municipality_code="1480")
    mine = [objects.reference("connection", i) for i in connections(admin, org, 3)]
    connections(other_admin, other, 2)
    code = call("vgsamverkan_participation_show", coordinator, id=org["participation_id"])["municipality_code"]
    assert code != "1480"
    url = f"{WORKPLACE}?kind=connection&municipality_code={code}"
    page = app.get(url, extra_environ=as_user(coordinator))
    assert rows(page.body, "vgs-connection-queue") == mine[:2]
    assert "Visar 1–2 av 3" in page.body
    link = re.search(r'href="([^"]*connection_page=2[^"]*)"', page.body).group(1).replace("&amp;", "&")
    assert "kind=connection" in link and f"municipality_code={code}" in link
    second = app.get(link.split("#")[0], extra_environ=as_user(coordinator))
    assert rows(second.body, "vgs-connection-queue") == mine[2:]
    assert "Visar 3–3 av 3" in second.body
    assert 'id="vgs-publisher-queue"' not in second.body  # the kind's filter too


def test_others_move_pages_too(app, coordinator, shown):
    from ckanext.vgsamverkan.domain import objects

    admin = factories.User()
    org = participant_org(admin, coordinator)
    made = [objects.reference("connection", i) for i in connections(admin, org, 3)]
    page = app.get(WAITING, extra_environ=as_user(admin))
    assert rows(page.body, "vgs-waiting-others") == made[:2]
    assert "Visar 1–2 av 3" in page.body
    second = app.get(WAITING + "?others_page=2", extra_environ=as_user(admin))
    assert rows(second.body, "vgs-waiting-others") == made[2:]
    answer = call("vgsamverkan_waiting_list", admin, others_limit=2, others_offset=2)
    assert answer["others_count"] == 3 and [r["reference"] for r in answer["others"]] == made[2:]
    assert "others_count" not in call("vgsamverkan_waiting_list", admin)  # the API as before without a page
    assert [r["reference"] for r in call("vgsamverkan_waiting_list", admin)["others"]] == made


@pytest.mark.parametrize("value", ["0", "-1", "x", "1.5", "", "٣", "99999999999999999999999"])
def test_a_bad_page_is_the_first_or_the_last(app, coordinator, shown, value):
    from ckanext.vgsamverkan.domain import objects

    admin = factories.User()
    org = participant_org(admin, coordinator)
    made = [objects.reference("connection", i) for i in connections(admin, org, 3)]
    expected = made[2:] if value.startswith("999") else made[:2]  # beyond the last: the last
    for url, table, name in ((WORKPLACE, "vgs-connection-queue", "connection_page"),
                             (WORKPLACE, "vgs-overview", "overview_page"),
                             (WAITING, "vgs-waiting-yours", "yours_page")):
        page = app.get(f"{url}?{name}={value}", extra_environ=as_user(coordinator))
        assert page.status_code == 200, (url, name, value)
        assert rows(page.body, table) == expected, (url, name, value)
    page = app.get(f"{WAITING}?others_page={value}", extra_environ=as_user(admin))
    assert page.status_code == 200
    assert rows(page.body, "vgs-waiting-others") == expected
