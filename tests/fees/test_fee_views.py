"""The fee pages: the coordinator's fees page (schedules, months), a month's dry run shown
before it is saved, run, close, the downloads; the population page; the organisation's
Samverkan tab with its statements in words."""
from __future__ import annotations

import pytest

import ckan.model as model
from ckan.tests import factories

from tests.browser import Browser, as_user, token
from tests.factories import call, participant_org

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")
MONTH = "2026-10"


@pytest.fixture
def app(app):
    return Browser(app)


@pytest.fixture
def admin():
    return factories.User()


@pytest.fixture
def org(coordinator, admin):
    call("vgsamverkan_population_import", coordinator, year=2025, source="Test",
         records=[{"municipality_code": "1480", "name": "Göteborg", "population": 600_000}])
    return participant_org(admin, coordinator, effective_from="2026-01-01", org_type="kommun",
                           municipality_code="1480")


def test_schedule_dry_run_run_close_and_download(app, org, coordinator):
    url = "/ckan-admin/samverkan/avgifter"
    page = app.get(url, extra_environ=as_user(coordinator)).body
    assert "Ingen taxa ännu" in page and 'for="field-valid_from"' in page
    app.post(f"{url}/taxa", data={"valid_from": "2026-01", "total": "100 000,00", "base_percent": "10",
                                  "_csrf_token": token(app, url, coordinator)}, extra_environ=as_user(coordinator))
    page = app.get(url, extra_environ=as_user(coordinator)).body
    assert 'id="vgs-fee-schedules"' in page and "100\u00a0000,00 kr" in page
    month_url = f"{url}/{MONTH}"
    preview = app.get(month_url, extra_environ=as_user(coordinator)).body
    assert 'id="vgs-fee-preview"' in preview and "inte körd ännu" in preview
    assert "Göteborg: 600\u00a0000 invånare (2025)" in preview and "100\u00a0000,00 kr" in preview
    # looking saves nothing
    assert MONTH not in [m["month"] for m in call("vgsamverkan_fee_month_list", coordinator)["results"]]
    assert 'id="confirm-run"' in preview and 'id="vgs-month-not-over"' not in preview  # October is over
    # a binding act asks first: without the box ticked nothing is saved
    unconfirmed = app.post(f"{month_url}/run", data={"_csrf_token": token(app, month_url, coordinator)},
                           extra_environ=as_user(coordinator))
    shown = unconfirmed.body if unconfirmed.status_code == 200 else app.get(
        month_url, extra_environ=as_user(coordinator)).body  # the flash, after the redirect
    assert "kryssa i rutan" in shown
    assert MONTH not in [m["month"] for m in call("vgsamverkan_fee_month_list", coordinator)["results"]]
    app.post(f"{month_url}/run", data={"_csrf_token": token(app, month_url, coordinator), "confirm": "yes"},
             extra_environ=as_user(coordinator))
    page = app.get(month_url, extra_environ=as_user(coordinator)).body
    assert 'id="vgs-fee-saved"' in page and f"{month_url}/close" in page
    assert 'id="vgs-month-sums"' in page and "Netto 100 000,00 kr" in page and "Moms 25 000,00 kr" in page
    csv_file = app.get(f"{month_url}/export/csv", extra_environ=as_user(coordinator))
    assert csv_file.status_code == 200 and "attachment" in csv_file.headers["Content-Disposition"]
    assert csv_file.data.startswith("\ufeffMånad;".encode())
    sie_file = app.get(f"{month_url}/export/sie", extra_environ=as_user(coordinator))
    assert sie_file.data.startswith(b"#FLAGGA 0\r\n#FORMAT PC8") and "IBM437" in sie_file.headers["Content-Type"]
    app.post(f"{month_url}/close", data={"_csrf_token": token(app, month_url, coordinator)},
             extra_environ=as_user(coordinator))
    assert call("vgsamverkan_fee_month_list", coordinator)["results"][0]["state"] == "open"  # not confirmed
    app.post(f"{month_url}/close", data={"_csrf_token": token(app, month_url, coordinator), "confirm": "yes"},
             extra_environ=as_user(coordinator))
    page = app.get(month_url, extra_environ=as_user(coordinator)).body
    assert 'id="vgs-fee-month-state">stängd<' in page and f"{month_url}/close" not in page
    assert 'id="vgs-fee-preview"' not in page and f"{month_url}/adjust" not in page
    refused = app.post(f"{month_url}/run", data={"_csrf_token": token(app, month_url, coordinator), "confirm": "yes"},
                       extra_environ=as_user(coordinator))
    assert "stängda" in refused.body


def test_only_the_coordinator(app, org, admin):
    """Every page of the coordinator's (views: @coordinator_required) refuses anyone else,
    with a valid CSRF token too, and sends the anonymous to log in."""
    for path in ("/ckan-admin/samverkan/avgifter", f"/ckan-admin/samverkan/avgifter/{MONTH}",
                 "/ckan-admin/samverkan/befolkning", f"/ckan-admin/samverkan/avgifter/{MONTH}/export/csv",
                 "/ckan-admin/samverkan/personuppgifter"):
        assert app.get(path, extra_environ=as_user(admin)).status_code == 403, path
        assert app.get(path, follow_redirects=False).status_code == 302, path
    csrf = token(app, "/samverkan/deltagande/ansok", admin)
    for path in ("/ckan-admin/samverkan/avgifter/taxa", f"/ckan-admin/samverkan/avgifter/{MONTH}/run",
                 "/ckan-admin/samverkan/personuppgifter/anonymisera", "/ckan-admin/samverkan/beslut",
                 "/ckan-admin/samverkan/befolkning/import"):
        assert app.post(path, data={"_csrf_token": csrf}, extra_environ=as_user(admin)).status_code == 403, path


def test_population_page(app, org, coordinator):
    page = app.get("/ckan-admin/samverkan/befolkning", extra_environ=as_user(coordinator)).body
    assert 'id="vgs-population"' in page and "Göteborg" in page and "Källa" in page
    older = app.get("/ckan-admin/samverkan/befolkning?year=2024", extra_environ=as_user(coordinator)).body
    assert "Folkmängd den 31 december 2024" in older


def test_the_organisations_samverkan_tab(app, org, admin, coordinator):
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="1000")
    call("vgsamverkan_fee_run", coordinator, month=MONTH)
    tab = f"/organization/samverkan/{org['name']}"
    page = app.get(tab, extra_environ=as_user(admin)).body
    assert "Göteborg: 600\u00a0000 invånare" in page and "1\u00a0250,00 kr" in page  # 1000 + 25 % VAT
    assert app.get(f"/organization/{org['name']}", extra_environ=as_user(admin)).body.count(tab) >= 1
    english = app.get(f"/en{tab}", extra_environ=as_user(admin)).body
    assert "Göteborg: 600,000 inhabitants" in english
    stranger = factories.User()
    assert app.get(tab, extra_environ=as_user(stranger)).status_code == 403
    assert tab not in app.get(f"/organization/{org['name']}", extra_environ=as_user(stranger)).body


def test_the_tab_shows_every_part_with_the_next_steps(app, org, admin, coordinator):
    publisher = factories.User(fullname="Pia Publicist")
    r = call("vgsamverkan_publisher_request", publisher, organization_id=org["id"], role="editor")
    call("vgsamverkan_publisher_approve", coordinator, id=r["id"], expires="2099-12-31")
    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="Kartor",
             technical_contact="T")
    a = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="juridik",
             description="D", estimated_hours="2", period_start="2026-11-01", period_end="2026-11-30")
    page = app.get(f"/organization/samverkan/{org['name']}", extra_environ=as_user(admin)).body
    assert "Pia Publicist" in page and "2099-12-31" in page
    assert f"/samverkan/anslutning/{c['id']}" in page and "Den regionala samordnaren utreder." in page
    assert f"/samverkan/avrop/{a['id']}" in page and "Juridik och licensiering" in page
    assert "Avropa stöd" in page and "Ansök om anslutning" in page


def test_the_dashboard_says_what_happens_next(app, org, admin, coordinator):
    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="Kartor",
             technical_contact="T")
    call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="I")
    call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="S", effort_hours="1", price="100",
         valid_until="2099-01-01")
    page = app.get("/dashboard/", extra_environ=as_user(admin)).body
    assert 'id="vgs-next-steps"' in page
    assert f"/samverkan/anslutning/{c['id']}" in page and "Acceptera eller avböj offerten." in page
    newcomer = app.get("/dashboard/", extra_environ=as_user(factories.User())).body
    assert "Inget väntar." in newcomer


def test_the_public_page_tells_what_it_costs(app, org, coordinator):
    assert 'id="vgs-price-now"' not in app.get("/samverkan").body  # no schedule yet
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="100000", base_percent="10",
         regional_fixed="5000")
    page = app.get("/samverkan").body
    # one paying municipality now (Göteborg, 600 000); a newcomer of 40 000 would pay its
    # half of the equal 10 000 kr and 40 000/640 000 of the other 90 000 kr: 5 000 + 5 625
    assert "Plattformen kostar 100\u00a0000,00 kr i månaden från 2026-01" in page
    assert "(1 i dag, med sammanlagt 600\u00a0000 invånare)" in page
    assert "ungefär 10\u00a0625,00 kr i månaden" in page
    assert "En regional förvaltning betalar 5\u00a0000,00 kr i månaden." in page


class TestPopulationUpload:
    """The coordinator imports SCB's table from the population page: a preview of what
    would change (nothing saved), then the import; bad files say what is wrong (issue 19)."""

    def _upload(self, app, coordinator, content, filename, year="2025", source="SCB"):
        import io

        url = "/ckan-admin/samverkan/befolkning"
        return app.post(f"{url}/import", extra_environ=as_user(coordinator), content_type="multipart/form-data",
                        data={"_csrf_token": token(app, url, coordinator), "step": "preview", "year": year,
                              "source": source, "file": (io.BytesIO(content), filename)})

    def test_preview_then_import_an_scb_workbook(self, app, coordinator):
        import html
        import re

        from ckanext.vgsamverkan.model import Population
        from tests.xlsx import workbook

        content = workbook([["Folkmängd i riket, län och kommuner 31 december 2025"], [],
                            ["Region", "Folkmängd 31 december 2025"], ["00 Riket", 10_600_000],
                            ["14 Västra Götalands län", 1_790_000], ["1480 Göteborg", 612_345],
                            ["1435 Tanum", 12_901]])
        page = self._upload(app, coordinator, content, "be0101.xlsx").body
        assert 'id="vgs-population-preview"' in page and "Tanum" in page and "12\u00a0901" in page
        assert "2 nya" in page  # 2 new, and nothing saved yet
        assert model.Session.query(Population).filter_by(year=2025).count() == 0
        assert "Härryda (1401)" in page  # a municipality of the county not in the file
        form = page[page.index('name="step" value="confirm"'):]
        records = html.unescape(re.search(r'name="records" value="([^"]*)"', form).group(1))
        url = "/ckan-admin/samverkan/befolkning"
        done = app.post(f"{url}/import", extra_environ=as_user(coordinator), follow_redirects=True,
                        data={"_csrf_token": token(app, url, coordinator), "step": "confirm", "year": "2025",
                              "source": "SCB", "records": records}).body
        assert "Importerade 2 kommuner för 2025" in done
        model.Session.expire_all()
        assert model.Session.get(Population, ("1435", 2025)).population == 12901
        assert model.Session.get(Population, ("1480", 2025)).source == "SCB"

    def test_a_file_that_is_not_scbs_table_is_refused_and_the_form_kept(self, app, coordinator):
        from ckanext.vgsamverkan.model import Population

        page = self._upload(app, coordinator, "Kommun;Yta\n1480 Göteborg;447\n".encode(), "yta.csv",
                            source="Min källa").body
        assert 'id="error-summary"' in page and "Rad 1" in page and "Inget importerades" in page
        assert 'value="Min källa"' in page and 'value="2025"' in page  # what was typed is kept
        page = self._upload(app, coordinator, "Region;Folkmängd\n1480 Göteborg;1\n1480 Göteborg;2\n".encode(),
                            "dubbel.csv").body
        assert "1480" in page and "två gånger" in page
        page = self._upload(app, coordinator, "Region;Folkmängd\n1480 Göteborg;1\n".encode(), "a.csv",
                            year="tjugo").body
        assert "fyra siffror" in page
        assert model.Session.query(Population).filter_by(year=2025).count() == 0


    @pytest.mark.parametrize("year", ["25", "20252025", "２０２５", "2025.0", "-2025", "1e3"])
    def test_a_mistyped_year_is_said_and_the_form_kept(self, app, coordinator, year):
        """Seen three times by a coordinator: "25", or "2025" typed into the pre-filled
        field, was a 500 and the upload was lost (issue 36)."""
        from ckanext.vgsamverkan.model import Population

        resp = self._upload(app, coordinator, "Region;Folkmängd\n1480 Göteborg;1\n".encode(), "a.csv",
                            year=year, source="Min källa")
        assert resp.status_code == 200
        page = resp.body
        assert 'id="error-summary"' in page and "fyra siffror" in page and ">År: " in page
        assert 'value="Min källa"' in page and f'value="{year}"' in page
        assert model.Session.query(Population).count() == len(__import__(
            "ckanext.vgsamverkan.population_file", fromlist=["x"]).shipped_rows())

    def test_a_confirm_nested_too_deep_is_refused_as_nothing_to_import(self, app, coordinator):
        """Found from outside: JSON nested 50 000 levels deep was a 500 (RecursionError)."""
        url = "/ckan-admin/samverkan/befolkning"
        deep = '[{"municipality_code": ' + "[" * 50_000 + "]" * 50_000 + ', "name": "x", "population": 1}]'
        resp = app.post(f"{url}/import", extra_environ=as_user(coordinator),
                        data={"_csrf_token": token(app, url, coordinator), "step": "confirm", "year": "2025",
                              "source": "SCB", "records": deep})
        assert resp.status_code == 200 and "Inget att importera" in resp.body

    @pytest.mark.parametrize("content,said", [
        ("kommunkod;folkmängd\n1480;999999999999999999999999999\n".encode(), "Rad 2, kolumn “folkmängd”"),
        ("kommunkod;folkmängd\n1480;1\n".encode("utf-16-le"), "inte text i UTF-8, UTF-16 eller Windows-1252"),
        (f"kommunkod;folkmängd\n1480;{'9' * 131_073}\n".encode(), "Rad 2: raden är längre än"),
        ("kommunkod;år;folkmängd\n1480;２０２５;1\n".encode(), "Rad 2, kolumn “år”: inte ett år"),
    ])
    def test_a_file_people_send_gets_the_pages_message_naming_line_and_field(self, app, coordinator, content,
                                                                              said):
        from ckanext.vgsamverkan.model import Population

        resp = self._upload(app, coordinator, content, "befolkning.csv", source="Min källa")
        assert resp.status_code == 200
        page = resp.body
        assert 'id="error-summary"' in page and said in page and "Inget importerades" in page, page[-3000:]
        assert 'value="Min källa"' in page and 'value="2025"' in page
        assert model.Session.query(Population).filter_by(year=2025).count() == 0


def test_a_month_not_over_is_said_so(app, org, coordinator):
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="1000")
    import datetime as dt

    this_month = dt.date.today().strftime("%Y-%m")
    page = app.get(f"/ckan-admin/samverkan/avgifter/{this_month}", extra_environ=as_user(coordinator)).body
    assert 'id="vgs-month-not-over"' in page and "inte slut" in page



def test_e_invoices_on_the_month_page_the_organisations_tab_and_their_own_page(app, org, coordinator, admin):
    """Issue 37: the month page names the customers without an invoice reference before
    the close, lists the documents after it (number, customer, type, totals, state), with
    the zip and "mark as sent"; the organisation's tab lists its own with a download and
    a readable view; nobody else sees them."""
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="1000.00")
    call("vgsamverkan_participation_update", coordinator, id=org["participation_id"], invoice_reference="")
    call("vgsamverkan_fee_run", coordinator, month=MONTH)
    month_url = f"/ckan-admin/samverkan/avgifter/{MONTH}"
    page = app.get(month_url, extra_environ=as_user(coordinator)).body
    assert 'id="vgs-without-reference"' in page and org["title"] in page
    call("vgsamverkan_participation_update", coordinator, id=org["participation_id"], invoice_reference="KOMMUN-7")
    call("vgsamverkan_fee_run", coordinator, month=MONTH)
    assert 'id="vgs-without-reference"' not in app.get(month_url, extra_environ=as_user(coordinator)).body
    call("vgsamverkan_fee_close", coordinator, month=MONTH)
    page = app.get(month_url, extra_environ=as_user(coordinator)).body
    assert 'id="vgs-invoices"' in page and "VGS-1" in page and "1\u00a0250,00 kr" in page and "Utfärdad" in page
    zipped = app.get(f"{month_url}/export/peppol", extra_environ=as_user(coordinator))
    assert zipped.status_code == 200 and zipped.headers["Content-Type"] == "application/zip"
    assert zipped.data[:2] == b"PK"
    [invoice] = call("vgsamverkan_invoice_list", coordinator)["results"]
    readable = app.get(f"/samverkan/faktura/{invoice['id']}", extra_environ=as_user(admin))
    body = readable.body
    assert readable.status_code == 200 and "Faktura VGS-1" in body and "KOMMUN-7" in body
    assert "Godkänd för F-skatt" in body and "5050-1055".replace("-", "") in body and "1\u00a0250,00 kr" in body
    xml = app.get("/samverkan/faktura/VGS-1/xml", extra_environ=as_user(admin))
    assert xml.status_code == 200 and xml.data.startswith(b"<?xml") and 'filename="VGS-1.xml"' in \
        xml.headers["Content-Disposition"]
    tab = app.get(f"/organization/samverkan/{org['name']}", extra_environ=as_user(admin)).body
    assert 'id="vgs-org-invoices"' in tab and f"/samverkan/faktura/{invoice['id']}/xml" in tab
    # nobody else: another admin, a visitor; the organisation's admin may not mark it sent
    other = factories.User()
    for user in (other, None):
        for path in (f"/samverkan/faktura/{invoice['id']}", "/samverkan/faktura/VGS-1/xml"):
            answer = app.get(path, extra_environ=as_user(user))  # a visitor is sent to log in
            assert answer.status_code in (200, 302, 403, 404), (user, path)
            assert b"<Invoice" not in answer.data and "Faktura VGS-1" not in answer.get_data(as_text=True)
            assert "KOMMUN-7" not in answer.get_data(as_text=True)
    assert app.get("/samverkan/faktura/VGS-99", extra_environ=as_user(coordinator)).status_code == 404
    refused = app.post(f"/samverkan/faktura/{invoice['id']}/skickad",
                       data={"_csrf_token": token(app, f"/samverkan/faktura/{invoice['id']}", admin), "confirm": "yes"},
                       extra_environ=as_user(admin))
    assert refused.status_code == 403
    page = app.get(f"/samverkan/faktura/{invoice['id']}", extra_environ=as_user(coordinator)).body
    assert page.count('id="vgs-mark-sent"') == 1 and 'id="confirm-sent"' in page
    title = page[page.index("<title>"):page.index("</title>")]
    assert "<section" not in title and "VGS-1" in title
    # a binding act: without the box ticked nothing is done
    app.post(f"/samverkan/faktura/{invoice['id']}/skickad", data={"_csrf_token": token(app, month_url, coordinator)},
             extra_environ=as_user(coordinator))
    assert call("vgsamverkan_invoice_show", coordinator, id="VGS-1")["state"] == "issued"
    app.post(f"/samverkan/faktura/{invoice['id']}/skickad",
             data={"_csrf_token": token(app, month_url, coordinator), "confirm": "yes"},
             extra_environ=as_user(coordinator))
    assert call("vgsamverkan_invoice_show", coordinator, id="VGS-1")["state"] == "sent"
    assert "Skickad" in app.get(month_url, extra_environ=as_user(coordinator)).body


def test_the_customer_fields_on_the_participation_pages(app, org, coordinator, admin):
    url = f"/samverkan/deltagande/{org['participation_id']}/uppgifter"
    form = app.get(url, extra_environ=as_user(admin)).body
    assert 'name="address_street"' in form and 'name="peppol_endpoint"' in form
    assert 'name="legal_name"' not in form  # the coordinator's
    bad = app.post(url, data={"_csrf_token": token(app, url, admin), "contact_name": "K",
                              "contact_email": "k@example.org", "address_postcode": "4110",
                              "peppol_endpoint": "9999:1", "address_city": "Exempelstad"},
                   extra_environ=as_user(admin))
    assert bad.status_code == 200 and 'value="Exempelstad"' in bad.body and "fem siffror" in bad.body
    app.post(url, data={"_csrf_token": token(app, url, admin), "contact_name": "K", "contact_email": "k@example.org",
                        "address_postcode": "41101", "address_city": "Exempelstad", "legal_name": "Försök"},
             extra_environ=as_user(admin))
    shown = call("vgsamverkan_participation_show", coordinator, id=org["participation_id"])
    assert shown["address_postcode"] == "411 01" and shown["legal_name"] is None
    assert 'name="legal_name"' in app.get(url, extra_environ=as_user(coordinator)).body
    read = app.get(f"/samverkan/deltagande/{org['participation_id']}", extra_environ=as_user(admin)).body
    assert 'id="vgs-customer-number"' in read and "411 01 Exempelstad" in read
