"""The application form (issue 39): every required field marked, the address in the
portal proposed from the organisation's name, the contact taken from the account, and a
missing field named by what it wants instead of "Värde saknas"."""
from __future__ import annotations

import pytest

import ckan.model as model
from ckan.tests import factories

from ckanext.vgsamverkan.model import Participation
from ckanext.vgsamverkan.views.participation import url_name
from tests.browser import as_user, token

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
FORM = "/samverkan/deltagande/ansok"


def _field(page: str, name: str) -> str:
    """The form group of a field, from its label to its end."""
    start = page.index(f'for="field-{name}"')
    return page[start:page.index("</div>", start)]


def test_the_contact_is_the_applicant_and_every_required_field_is_marked(app):
    user = factories.User(fullname="Tilda Testsson", email="tilda@example.org")
    page = app.get(FORM, extra_environ=as_user(user)).body
    assert 'id="field-contact_name" name="contact_name" value="Tilda Testsson"' in page
    assert 'id="field-contact_email" name="contact_email" value="tilda@example.org"' in page
    for required in ("organization_title", "org_type", "municipality_code", "org_number", "contact_name",
                     "contact_email"):
        assert "control-required" in _field(page, required), required
    assert "control-required" not in _field(page, "organization_name")  # proposed from the name


@pytest.mark.parametrize("title,name", [("Exempelstads kommun", "exempelstads-kommun"),
                                        ("Ölands Ängs & Åby kommun", "olands-angs-aby-kommun"),
                                        ("  Västra   Götalandsregionen! ", "vastra-gotalandsregionen")])
def test_a_name_gives_its_address(title, name):
    assert url_name(title) == name


def test_an_application_without_an_address_gets_the_proposed_one(app, coordinator):
    user = factories.User()
    data = {"for": "new", "organization_title": "Åsa Ängs kommun", "organization_name": "", "org_type": "kommun",
            "municipality_code": "1401", "org_number": "212000-1355", "contact_name": "Åsa",
            "contact_email": "asa@example.org", "_csrf_token": token(app, FORM, user)}
    response = app.post(FORM, data=data, extra_environ=as_user(user), follow_redirects=False)
    assert response.status_code == 302
    [p] = model.Session.query(Participation).filter_by(applicant_id=user["id"]).all()
    assert p.organization_name == "asa-angs-kommun"


def test_a_missing_field_is_named(app):
    user = factories.User(fullname="", email="ingen@example.org")
    data = {"for": "new", "organization_title": "", "organization_name": "", "org_type": "", "org_number": "",
            "contact_name": " ", "contact_email": "", "_csrf_token": token(app, FORM, user)}
    page = app.post(FORM, data=data, extra_environ=as_user(user)).body
    assert "Värde saknas" not in page and "Missing value" not in page
    for words in ("Ange namnet på den nya organisationen", "Välj typ av organisation",
                  "Ange organisationens organisationsnummer", "Ange kontaktpersonens namn",
                  "Ange kontaktpersonens e-postadress"):
        assert words in page, words
    assert model.Session.query(Participation).count() == 0
