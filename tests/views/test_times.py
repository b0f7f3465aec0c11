"""Times on our pages in the site's display time zone (issue 39): the histories showed
UTC, an hour (winter) or two (summer) behind ``ckan.display_timezone = Europe/Stockholm``."""
from __future__ import annotations

import re

import pytest

from ckan.tests import factories

from ckanext.vgsamverkan.helpers import vgsamverkan_datetime
from tests.browser import as_user
from tests.factories import apply_new, call

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.mark.ckan_config("ckan.display_timezone", "Europe/Stockholm")
@pytest.mark.parametrize("stored,shown", [
    ("2026-12-07T23:12:00+00:00", "2026-12-08 00:12"),  # winter: UTC+1, across midnight
    ("2026-07-01T10:00:00+00:00", "2026-07-01 12:00"),  # summer: UTC+2
    ("2026-07-01T10:00:00", "2026-07-01 12:00"),        # a time stored without its zone is UTC
    ("2026-03-29T01:30:00+00:00", "2026-03-29 03:30"),  # the morning the clocks go forward
])
def test_a_time_is_shown_in_stockholm(stored, shown):
    assert vgsamverkan_datetime(stored) == shown


@pytest.mark.ckan_config("ckan.display_timezone", "UTC")
def test_another_display_zone_is_followed():
    assert vgsamverkan_datetime("2026-12-07T23:12:00+00:00") == "2026-12-07 23:12"


@pytest.mark.ckan_config("ckan.display_timezone", "Europe/Stockholm")
def test_the_history_of_a_request_in_stockholm_time(app, coordinator):
    applicant = factories.User()
    p = apply_new(applicant)
    events = call("vgsamverkan_event_list", coordinator, object_type="participation", object_id=p["id"])["results"]
    created = events[0]["created"]
    page = app.get(f"/samverkan/deltagande/{p['id']}", extra_environ=as_user(applicant)).body
    assert vgsamverkan_datetime(created) in page
    utc = created[:16].replace("T", " ")
    assert vgsamverkan_datetime(created) != utc and utc not in page


@pytest.mark.ckan_config("ckan.display_timezone", "Europe/Stockholm")
@pytest.mark.parametrize("asked,age", [("2026-12-07T22:00:00+00:00", 1),   # 23:00 on the 7th in Stockholm
                                       ("2026-12-07T23:10:00+00:00", 0)])  # 00:10 on the 8th
def test_the_age_of_a_request_is_counted_in_the_portals_days_everywhere(app, coordinator, asked, age):
    """At 00:30 on 8 December in Stockholm (23:30 UTC on the 7th) the queue, the waiting
    list and the workplace page give one age: the queue counted UTC days, the page
    24-hour periods, and the two disagreed around midnight (issue 39's browser review)."""
    import datetime as dt

    from freezegun import freeze_time

    import ckan.model as model

    from ckanext.vgsamverkan.model import Participation

    p = apply_new(factories.User())
    model.Session.query(Participation).filter(Participation.id == p["id"]).update(
        {"created": dt.datetime.fromisoformat(asked), "modified": dt.datetime.fromisoformat(asked)})
    model.Session.commit()
    with freeze_time("2026-12-07T23:30:00+00:00"):
        [queued] = call("vgsamverkan_queue_list", coordinator, kind="participation")["results"]
        waiting = call("vgsamverkan_waiting_list", coordinator)["yours"]
        page = app.get("/ckan-admin/samverkan", extra_environ=as_user(coordinator)).body
    assert queued["age_days"] == age
    assert [r["age_days"] for r in waiting if r["id"] == p["id"]] == [age]
    row = page[page.index(f'/samverkan/deltagande/{p["id"]}'):]
    row = row[:row.index("</tr>")]
    assert re.search(rf"<td[^>]*>{age}</td>", row), row  # the overview's row: its age


@pytest.mark.ckan_config("ckan.display_timezone", "Europe/Stockholm")
def test_a_datasets_times_are_stockholm_time_written_by_the_server(app):
    """CKAN's dataset page wrote its times for JavaScript to move into the browser's zone:
    "04:46 (UTC+00:00)" in a browser set to UTC (issue 39). Now the server writes the
    portal's time and no script rewrites it."""
    import datetime as dt

    import ckan.model as model

    org = factories.Organization()
    ds = factories.Dataset(owner_org=org["id"])
    pkg = model.Package.get(ds["id"])
    pkg.metadata_modified = dt.datetime(2026, 12, 7, 23, 46)  # UTC, as CKAN stores it
    model.Session.commit()
    page = app.get(f"/dataset/{ds['name']}").body
    assert "automatic-local-datetime" not in page
    assert "2026-12-08 00:46" in page and "23:46" not in page


@pytest.mark.ckan_config("ckan.display_timezone", "Europe/Stockholm")
@pytest.mark.parametrize("stored,shown", [("2026-12-07T23:30:00+00:00", "2026-12-08"),
                                          ("2026-12-07T23:30:00", "2026-12-08"),  # CKAN's, UTC
                                          ("2026-12-07", "2026-12-07")])          # a day is a day
def test_a_date_is_the_day_in_stockholm(stored, shown):
    from ckanext.vgsamverkan.helpers import vgsamverkan_date
    assert vgsamverkan_date(stored) == shown
