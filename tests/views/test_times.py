"""Times on our pages in the site's display time zone (issue 39): the histories showed
UTC, an hour (winter) or two (summer) behind ``ckan.display_timezone = Europe/Stockholm``."""
from __future__ import annotations

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
