"""The pages a coordinator and an organisation's admin open first make as many SQL
statements with three participants as with one (issue 39: the workplace made one or more
statements a row, 13 028 of them at 490 participants, and the header's count listed the
whole queue on every page). The speed itself is measured by bench/pages.py, not here."""
from __future__ import annotations

import contextlib
import datetime as dt

import pytest
import sqlalchemy as sa

import ckan.model as model
from ckan.tests import factories

from tests.browser import as_user
from tests.factories import call, participant_org, request_rights

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

# the workplace (the coordinator's), "Väntar på dig" (both), the front page (the header's
# count; for the admin CKAN's own home page, whose organisations cost a statement each, and
# which is being replaced, is left out). Not yet "Mina ärenden": its next steps ask, for
# each quoted connection, whether the reader administers its organisation.
PAGES = [("/ckan-admin/samverkan", ("coordinator",)), ("/samverkan/vantar", ("coordinator", "admin")),
         ("/", ("coordinator",))]


def participant(coordinator, admin=None) -> dict:
    """A participant with a request of every kind at the coordinator's move, a quote to
    answer and a call-off at work, as the demo's kommun."""
    admin = admin or factories.User()
    org = participant_org(admin, coordinator)
    request_rights(factories.User(), org)
    for _ in range(2):
        c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="Kartor",
                 technical_contact="T")
    call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="Ivar")
    call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="Skörd", effort_hours="8",
         price="6400.00", valid_until=(dt.date.today() + dt.timedelta(days=30)).isoformat())
    today = dt.date.today().isoformat()
    later = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    for _ in range(2):
        a = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="juridik",
                 description="D", estimated_hours="2", period_start=today, period_end=later)
    call("vgsamverkan_calloff_assign", coordinator, id=a["id"], expert_name="Erik", hourly_rate="950.00",
         planned_hours="4")
    return {"admin": admin, "org": org}


@contextlib.contextmanager
def counted():
    seen: list[str] = []

    def before(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(model.meta.engine, "before_cursor_execute", before)
    try:
        yield seen
    finally:
        sa.event.remove(model.meta.engine, "before_cursor_execute", before)


def statements(browser, url, user) -> int:
    browser.get(url, extra_environ=as_user(user))  # the first: log-in, caches
    with counted() as seen:
        page = browser.get(url, extra_environ=as_user(user))
    assert page.status_code == 200
    return len(seen)


def test_statements_do_not_grow_with_the_participants(app, coordinator):
    browser = app  # tests/views/conftest.py: browsers logged in through CKAN's form
    first = participant(coordinator)
    admin = first["admin"]
    users = {"coordinator": coordinator, "admin": admin}
    one = {(url, who): statements(browser, url, users[who]) for url, whom in PAGES for who in whom}
    for _ in range(2):
        participant(coordinator)
    three = {(url, who): statements(browser, url, users[who]) for url, who in one}
    assert three == one



@contextlib.contextmanager
def rows_built(monkeypatch):
    """Counts the rows the pages build: each kind's list's dictionary of a request, the
    queue's items and the waiting list's rows."""
    from ckanext.vgsamverkan.logic.action import calloff, coordinator, waiting
    from ckanext.vgsamverkan.model import Connection, Participation, PublisherRequest

    built: list[str] = []

    def counting(name, original):
        def made(*args, **kwargs):
            built.append(name)
            return original(*args, **kwargs)
        return made

    with monkeypatch.context() as m:
        for owner, name in ((Participation, "dictize"), (PublisherRequest, "dictize"), (Connection, "dictize"),
                            (calloff, "_calloff_dict"), (coordinator, "_queue_item"), (waiting, "_row")):
            m.setattr(owner, name, counting(f"{getattr(owner, '__name__', owner)}.{name}", getattr(owner, name)))
        yield built


def test_rows_beyond_the_page_are_not_built(app, coordinator, monkeypatch):
    """Issue 39: the workplace and "Väntar på dig" show a page of each section, and build
    only that page: with pages of one row, three participants build as many rows as one
    (with every row on one page, as before pages, it fails: the workplace 8 → 24 rows, the
    coordinator's "Väntar på dig" 10 → 30)."""
    from ckanext.vgsamverkan.logic import pages

    monkeypatch.setattr(pages, "SHOWN", 1)
    browser = app
    first = participant(coordinator)
    users = {"coordinator": coordinator, "admin": first["admin"]}

    def built(url, who) -> int:
        browser.get(url, extra_environ=as_user(users[who]))
        with rows_built(monkeypatch) as seen:
            assert browser.get(url, extra_environ=as_user(users[who])).status_code == 200
        return len(seen)

    one = {(url, who): built(url, who) for url, whom in PAGES[:2] for who in whom}
    for _ in range(2):
        participant(coordinator)
    three = {(url, who): built(url, who) for url, who in one}
    assert three == one
