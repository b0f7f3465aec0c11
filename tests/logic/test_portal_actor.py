"""The portal acting by itself (issue 24): what a command of ``ckan vgsamverkan …`` does
(the daily job, the fee run and close, the demo seed) is in the history as "Dataportal
Väst (automatiskt)" / "the portal (automatic)", never as the site user's account name,
with the command in the event's details."""
from __future__ import annotations

import html

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.cli.cli import ckan
from ckan.tests import factories

from ckanext.vgsamverkan.model import Event
from tests.browser import Browser, as_user
from tests.factories import call, days_from_today, participant_org

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

PORTAL_SV = "Dataportal Väst (automatiskt)"
PORTAL_EN = "the portal (automatic)"


def _events(object_id: str) -> list[Event]:
    return model.Session.query(Event).filter(Event.object_id == object_id).order_by(Event.created).all()


@pytest.fixture
def ending(coordinator):
    """An organisation whose last day is today: the daily job of tomorrow ends it."""
    org = participant_org(factories.User(), coordinator, effective_from="2026-01-01")
    call("vgsamverkan_participation_terminate", coordinator, id=org["participation_id"],
         effective_to=days_from_today(0))
    return org


def test_the_daily_job_is_the_portal_with_its_command(cli, ending, coordinator, app):
    result = cli.invoke(ckan, ["vgsamverkan", "expire", "--today", days_from_today(1)])
    assert result.exit_code == 0, result.output
    [end] = [e for e in _events(ending["participation_id"]) if e.action == "end"]
    site_user = model.User.get(tk.config["ckan.site_id"])
    assert end.actor_id == site_user.id  # the account is CKAN's site user, as before…
    assert end.details["command"].endswith("vgsamverkan expire"), end.details
    assert end.details["date"] == days_from_today(0)  # …the facts are kept beside the command
    # …and the API and the pages name it as the portal, in the reader's language
    [listed] = [e for e in call("vgsamverkan_event_list", coordinator, object_type="participation",
                                object_id=ending["participation_id"])["results"] if e["action"] == "end"]
    assert listed["actor_display_name"] in (PORTAL_SV, PORTAL_EN)
    assert "vgsamverkan expire" in listed["summary"]
    browser = Browser(app)
    for prefix, portal, command in (("", PORTAL_SV, "Kommando:"), ("/en", PORTAL_EN, "Command:")):
        page = html.unescape(browser.get(f"{prefix}/samverkan/deltagande/{ending['participation_id']}",
                                         extra_environ=as_user(coordinator)).get_data(as_text=True))
        assert portal in page and command in page, prefix
        assert f">{site_user.name}<" not in page and f"({site_user.name})" not in page, prefix


def test_a_fee_run_and_close_by_command(cli, coordinator):
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="1000.00")
    participant_org(factories.User(), coordinator, effective_from="2026-01-01", org_type="kommun",
                    municipality_code="1480")
    assert cli.invoke(ckan, ["vgsamverkan", "fees", "run", "--month", "2026-10"]).exit_code == 0
    assert cli.invoke(ckan, ["vgsamverkan", "fees", "close", "--month", "2026-10"]).exit_code == 0
    run, close, issued = _events("2026-10")
    assert issued.action == "invoice" and issued.details["count"] == 1  # the e-invoices of the close
    assert run.details["command"].endswith("vgsamverkan fees run") and run.details["count"] == 1
    assert close.details == {"command": close.details["command"]}
    assert close.details["command"].endswith("vgsamverkan fees close")
    [month] = [m for m in call("vgsamverkan_fee_month_list", coordinator, state="closed")["results"]
               if m["id"] == "2026-10"]
    assert month["run_by_display_name"] in (PORTAL_SV, PORTAL_EN)
    assert month["closed_by_display_name"] == month["run_by_display_name"]


def demo_seed_stamps_only_the_portal() -> None:
    """Only the portal's own acts in a command are stamped: the demo seed acts in the demo
    people's names too (their events stay theirs). Called by the seed's own test
    (test_cli_and_migration.TestDemoSeed), which runs the seed once."""
    site_user = model.User.get(tk.config["ckan.site_id"])
    events = model.Session.query(Event).all()
    by_portal = [e for e in events if e.actor_id == site_user.id]
    by_people = [e for e in events if e.actor_id and e.actor_id != site_user.id]
    assert by_portal and by_people
    assert all((e.details or {}).get("command", "").endswith("vgsamverkan demo seed") for e in by_portal)
    assert not any("command" in (e.details or {}) for e in by_people)


def test_the_site_user_outside_a_command_carries_no_command(coordinator):
    """The site user outside a command (a script calling with the site user's key) names
    no command."""
    site_user = model.User.get(tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"])
    org = participant_org(factories.User(), site_user.name, effective_from="2026-01-01")
    [apply_event, approve] = _events(org["participation_id"])
    assert approve.actor_id == site_user.id and "command" not in (approve.details or {})
