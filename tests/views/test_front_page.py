"""Dataportal Väst's front page (issue 39): CKAN's showed its logo, a grey placeholder
"Det här är ett utvalt avsnitt" and, as its one featured organisation, a rejected
applicant. Now: the portal, the collaboration and how to take part, the organisations that
take part today and the newest datasets of those organisations."""
from __future__ import annotations

import pytest

from ckan.tests import factories

from tests.factories import apply_existing, call, participant_org, terminate_now

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def test_the_front_page_is_the_collaborations(app, coordinator):
    taking = participant_org(factories.User(), coordinator)
    stranger = factories.User()
    rejected = factories.Organization(title="Avslagna förvaltningen",
                                      users=[{"name": stranger["name"], "capacity": "admin"}])
    p = apply_existing(stranger, rejected)
    call("vgsamverkan_participation_reject", coordinator, id=p["id"], reason="Inte i regionen.")
    left = participant_org(factories.User(), coordinator)
    terminate_now(coordinator, left["participation_id"])
    factories.Dataset(owner_org=taking["id"], title="Badplatser i kommunen")
    factories.Dataset(owner_org=left["id"], title="Data av en som har lämnat")
    factories.Dataset(owner_org=taking["id"], title="Dold plan", private=True)

    page = app.get("/").body
    assert "placeholder-420x220" not in page and "ckan-logo" not in page
    participants = page.split('id="vgs-home-participants-list"')[1].split("</ul>")[0]
    assert taking["title"] in participants
    assert "Avslagna förvaltningen" not in page and left["title"] not in participants
    datasets = page.split('id="vgs-home-datasets-list"')[1].split("</ul>")[0]
    assert "Badplatser i kommunen" in datasets
    assert "Data av en som har lämnat" not in datasets and "Dold plan" not in datasets


def test_the_apply_link_and_the_intro(app):
    page = app.get("/").body
    assert 'href="/samverkan/deltagande/ansok"' in page
    assert "Ansök om deltagande" in page  # Swedish first
    assert "Det här är ett utvalt avsnitt" not in page


@pytest.mark.ckan_config("ckanext.vgsamverkan.home_image_url", "/base/images/placeholder-organization.png")
@pytest.mark.ckan_config("ckanext.vgsamverkan.home_image_alt", "Älven vid hamnen")
def test_a_configured_image_with_its_words(app):
    page = app.get("/").body
    assert 'src="/base/images/placeholder-organization.png" alt="Älven vid hamnen"' in page
