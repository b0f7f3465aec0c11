"""What people type (issue 36, parts 1 and 6; SPEC 2026-12-07): a one-line field with a
line break, a tab or another control character is refused at input, naming the field,
with nothing written; numbers and dates take ASCII digits only (Python's own ``int()``
and ``\\d`` also take ``٣`` and ``２``); an e-mail address has a dot after its @."""
from __future__ import annotations

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan.model import Event, Participation
from tests.factories import application_data, apply_new, call, participant_org

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

# the reproduction of the outside review: a title that wrote a transaction of its own
SIE_LINE = 'Härryda "C" \\ }\r\n#TRANS 1510 {} 999999.00 20250630 "injected"\r\n{'
CONTROLS = ["a\nb", "a\rb", "a\tb", "a\x00b", "a\x1bb", "a\x7fb", "a\x85b", "a\u2028b",
            # invisible format characters (found from outside): direction override, zero width, BOM
            "a\u202eb", "a\u200bb", "a\ufeffb"]


def _refused(field: str, run) -> dict:
    with pytest.raises(tk.ValidationError) as e:
        run()
    assert field in e.value.error_dict, e.value.error_dict
    return e.value.error_dict


class TestOneLineFields:
    @pytest.mark.parametrize("field", ["organization_title", "contact_name", "contact_email",
                                       "contact_phone", "invoice_reference"])
    def test_an_application_is_refused_naming_the_field(self, field):
        user = factories.User()
        before = (model.Session.query(Participation).count(), model.Session.query(Event).count())
        for value in (SIE_LINE, *CONTROLS):
            data = {"organization_name": "ny-kommun", "organization_title": "Ny kommun", field: value}
            errors = _refused(field, lambda data=data: call("vgsamverkan_participation_apply", user,
                                                            **application_data(**data)))
            said = " ".join(errors[field])
            assert any(words in said for words in ("one line", "en rad", "control character", "styrtecken")), said
        assert (model.Session.query(Participation).count(), model.Session.query(Event).count()) == before

    def test_texts_of_several_lines_stay_welcome_where_they_belong(self):
        user = factories.User()
        p = apply_new(user, motivation="Första raden.\r\nAndra raden.\tMed tabb.")
        assert p["motivation"] == "Första raden.\r\nAndra raden.\tMed tabb."

    def test_master_data_is_refused_and_kept(self, coordinator):
        admin = factories.User()
        org = participant_org(admin, coordinator)
        before = call("vgsamverkan_participation_show", admin, id=org["participation_id"])
        for field in ("contact_name", "contact_email", "contact_phone", "invoice_reference"):
            _refused(field, lambda field=field: call("vgsamverkan_participation_update", admin,
                                                     id=org["participation_id"], **{field: "REF\r\n#VER x"}))
        assert call("vgsamverkan_participation_show", admin, id=org["participation_id"]) == before

    @pytest.mark.parametrize("action", ["organization_update", "organization_patch"])
    def test_an_organisation_renamed_over_two_lines_by_its_admin(self, coordinator, action):
        admin = factories.User()
        org = participant_org(admin, coordinator)
        data = {"id": org["id"], "title": SIE_LINE}
        if action == "organization_update":
            data["name"] = org["name"]
        _refused("title", lambda: call(action, admin, **data))
        model.Session.expire_all()
        assert model.Group.get(org["id"]).title == org["title"]

    def test_an_organisation_created_with_a_title_of_two_lines(self):
        user = factories.Sysadmin()
        _refused("title", lambda: call("organization_create", user, name="tva-rader", title="A\nB"))
        assert model.Group.get("tva-rader") is None

    def test_the_organisation_form_says_it(self, app, coordinator):
        from tests.browser import Browser, as_user, token

        admin = factories.User()  # the organisation's own admin, on CKAN's edit page
        org = participant_org(admin, coordinator)
        browser = Browser(app)
        url = f"/organization/edit/{org['name']}"
        resp = browser.post(url, extra_environ=as_user(admin), data={
            "_csrf_token": token(browser, url, admin), "name": org["name"], "title": "Ny\r\nrad",
            "description": "", "save": ""})
        assert resp.status_code == 200, resp.body[-1500:]
        assert "en rad" in resp.body and "styrtecken" in resp.body
        model.Session.expire_all()
        assert model.Group.get(org["id"]).title == org["title"]


class TestDigits:
    def test_hours(self, coordinator):
        admin = factories.User()
        org = participant_org(admin, coordinator)
        for hours in ("٣", "３", "1.٥", "²"):
            _refused("estimated_hours", lambda hours=hours: call(
                "vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="metadata",
                description="Hjälp", estimated_hours=hours, period_start="2026-10-01", period_end="2026-12-31"))

    def test_years_and_counts(self):
        for year in ("２０２３", "٢٠٢٣", "202\u0663", "23", "20232023"):
            _refused("year", lambda year=year: call("vgsamverkan_population_list", None, year=year))
        for value in ("٣", "３", "+3", " 3 x", "-1", "1.0"):
            _refused("offset", lambda value=value: call("vgsamverkan_population_list", None, offset=value))
        assert call("vgsamverkan_population_list", None, year=" 2024 ", offset="0", limit=5)["results"]

    def test_months_dates_numbers_and_amounts(self, coordinator):
        for month in ("２０２６-10", "2026-１0", "2026-1", "2026-W1"):
            _refused("month", lambda month=month: call("vgsamverkan_fee_run", coordinator, month=month,
                                                       dry_run=True))
        p = apply_new(factories.User())
        for date in ("２０２６-10-01", "20261001", "2026-W40-1", "2026-10-01T00:00"):
            _refused("effective_from", lambda date=date: call("vgsamverkan_participation_approve", coordinator,
                                                              id=p["id"], effective_from=date))
        for number in ("５５６０００-００００", "٥٥٦٠٠٠-٠٠٠٠"):
            _refused("org_number", lambda number=number: apply_new(factories.User(), org_number=number))
        for amount in ("１０００", "١٠٠٠", "1000,٥"):
            _refused("total", lambda amount=amount: call("vgsamverkan_fee_schedule_set", coordinator,
                                                         valid_from="2026-01", total=amount))
        assert call("vgsamverkan_participation_show", coordinator, id=p["id"])["state"] == "pending"


class TestFoundFromOutside:
    def test_a_name_of_no_break_spaces_is_no_name(self):
        for blank in ("\u00a0", "\u3000", " \u00a0 "):
            _refused("contact_name", lambda blank=blank: apply_new(factories.User(), contact_name=blank))

    def test_municipality_codes_in_other_digits_are_not_imported(self, coordinator):
        from ckanext.vgsamverkan.model import Population

        for code in ("١٤٨٠", "１４８０", "۱۴۸۰"):
            _refused("records", lambda code=code: call("vgsamverkan_population_import", coordinator, year=2031,
                                                      records=[{"municipality_code": code, "name": "G",
                                                                "population": 5}]))
        assert model.Session.query(Population).filter_by(year=2031).count() == 0


class TestEmail:
    def test_an_address_reaches_someone(self):
        user = factories.User()
        for address in ("a@b", "a@localhost", "a@b.", "a@.se", "a b@c.se"):
            _refused("contact_email", lambda address=address: apply_new(user, contact_email=address))
        assert apply_new(user, contact_email="Ann.Berg+data@kommun.example.se")["contact_email"] \
            == "Ann.Berg+data@kommun.example.se"
