"""An event keeps its facts as data and what a person wrote as its comment; the history
says the facts in the reader's language, with numbers written that language's way —
whoever acted, in whatever language."""
from __future__ import annotations

import datetime as dt

import pytest

from ckan.tests import factories

from ckanext.vgsamverkan import eventtext
from tests.browser import Browser, as_user
from tests.factories import call, participant_org, requested_on

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()
YESTERDAY = (dt.date.today() - dt.timedelta(days=1)).isoformat()


def _event(object_type: str, object_id: str, action: str, user) -> dict:
    events = call("vgsamverkan_event_list", user, object_type=object_type, object_id=object_id)["results"]
    [event] = [e for e in events if e["action"] == action]
    return event


@pytest.fixture
def admin():
    return factories.User()


@pytest.fixture
def org(coordinator, admin):
    return participant_org(admin, coordinator, effective_from="2025-01-01")


def test_a_quote_in_both_languages_and_the_comment_as_written(app, coordinator, admin, org):
    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="Kartor",
             technical_contact="Tekniker")
    call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="Ivar")
    call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="Skörd", effort_hours="24.5",
         price="18500", valid_until=FUTURE, comment="Ring oss gärna")
    event = _event("connection", c["id"], "quote", admin)
    assert event["comment"] == "Ring oss gärna"
    assert event["details"] == {"number": 1, "price": "18500.00", "hours": "24.50", "valid_until": FUTURE}
    sv = eventtext.summary("connection", "quote", event["details"], "sv")
    en = eventtext.summary("connection", "quote", event["details"], "en")
    assert sv == f"Offert 1: 18\u00a0500,00 kr, 24,5 timmar, giltig till och med {FUTURE}"
    assert en == f"Quote 1: SEK 18,500.00, 24.5 hours, valid until {FUTURE}"

    # the page says it in the reader's language, whoever acted
    browser = Browser(app)
    url = f"/samverkan/anslutning/{c['id']}"
    page = browser.get(url, extra_environ=as_user(admin)).body
    assert sv in page
    assert 'class="account avatar authed"' in page  # CKAN's header sees the user too
    english = browser.get(f"/en{url}", extra_environ=as_user(admin)).body
    assert en in english and "Offert" not in english and "Ring oss gärna" in english


def test_an_assignment_and_time_logged(coordinator, admin, org):
    c = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="metadata",
             description="DCAT-AP-SE", estimated_hours="8", period_start="2026-01-01", period_end="2026-12-31")
    requested_on(c["id"], "2025-01-01")  # time is logged on days long past
    call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="Eva Expert", hourly_rate="950",
         planned_hours="7.5")
    call("vgsamverkan_calloff_log_time", coordinator, id=c["id"], date=YESTERDAY, hours="2.25", note="Genomgång")
    assign = _event("calloff", c["id"], "assign", admin)
    assert assign["comment"] is None
    assert eventtext.summary("calloff", "assign", assign["details"], "sv") == \
        "Expert: Eva Expert; 950,00 kr per timme; 7,5 timmar planerade"
    assert eventtext.summary("calloff", "assign", assign["details"], "en") == \
        "Expert: Eva Expert; SEK 950.00 per hour; 7.5 hours planned"
    logged = _event("calloff", c["id"], "log_time", admin)
    assert logged["comment"] == "Genomgång"  # the note, as written
    assert eventtext.summary("calloff", "log_time", logged["details"], "sv") == f"2,25 timmar den {YESTERDAY}"
    assert eventtext.summary("calloff", "log_time", logged["details"], "en") == f"2.25 hours on {YESTERDAY}"


def test_fee_events(coordinator, admin):
    import ckan.model as model

    from ckanext.vgsamverkan.model import Event

    call("vgsamverkan_population_import", coordinator, year=2025, source="Test",
         records=[{"municipality_code": "1480", "name": "Göteborg", "population": 600000}])
    org = participant_org(admin, coordinator, effective_from="2025-01-01", municipality_code="1480")
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="100000", base_percent="12.5")
    call("vgsamverkan_fee_run", coordinator, month="2026-02")
    call("vgsamverkan_fee_adjust", coordinator, month="2026-02", organization_id=org["id"], amount="-1250",
         reason="Kreditering enligt avtal")
    events = {e.action: e for e in model.Session.query(Event).filter(Event.object_type.like("fee_%"))}
    assert eventtext.summary("fee_schedule", "set", events["set"].details, "sv") == \
        "Från 2026-01: 100\u00a0000,00 kr, varav 12,5 procent lika fördelat, regionalt 0,00 kr"
    assert eventtext.summary("fee_month", "run", events["run"].details, "en").startswith("1 statements, net SEK ")
    assert events["adjust"].comment == "Kreditering enligt avtal"
    assert eventtext.summary("fee_month", "adjust", events["adjust"].details, "sv") == \
        "Belopp: -1\u00a0250,00 kr (exkl. moms); rättar 2026-01"


def test_an_event_without_facts_says_nothing_more():
    assert eventtext.summary("participation", "approve", None, "sv") == ""
    assert eventtext.summary("connection", "unknown", {"x": 1}, "en") == ""
