"""Connection requests through their actions: every transition and refusal (an expired
quote among them), who sees what, money as decimal strings, and the rule that some data
needs a connection — through the API and CKAN's dataset form."""
from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from freezegun import freeze_time
from werkzeug.datastructures import FileStorage

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan.model import Connection, ConnectionQuote, Event
from tests.conftest import kept_with
from tests.factories import call, org_with_admin, participant_org, request_rights

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

FUTURE = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def _events(connection_id: str) -> list[tuple]:
    rows = (model.Session.query(Event).filter_by(object_type="connection", object_id=connection_id)
            .order_by(Event.created, Event.id))
    return [(e.action, e.from_state, e.to_state) for e in rows]


def _base(coordinator):
    admin = factories.User()
    return {"admin": admin, "org": participant_org(admin, coordinator)}


@pytest.fixture
def base(coordinator):
    """An organisation taking part and its admin: built once, put back for each test
    (tests/conftest.py ``kept``)."""
    return kept_with(coordinator, ("test_connection.base",), lambda: _base(coordinator))


@pytest.fixture
def admin(base):
    return base["admin"]


@pytest.fixture
def org(base):
    return base["org"]


def create(admin, org, **data):
    payload = {"organization_id": org["id"], "information_sets": "Trafikdata, detaljplaner",
               "technical_contact": "Tekniker Testsson, tekniker@example.org",
               "proposed_solution": "Skörd av DCAT-AP-SE-katalog"}
    payload.update(data)
    return call("vgsamverkan_connection_create", admin, **payload)


def quoted(admin, org, coordinator, **quote):
    c = create(admin, org)
    call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="Ivar Utredare")
    params = {"solution": "Skörd varje natt", "effort_hours": "24.5", "price": "18500.00",
              "valid_until": FUTURE}
    params.update(quote)
    return call("vgsamverkan_connection_quote", coordinator, id=c["id"], **params)


class TestWorkflow:
    def test_the_whole_path(self, org, admin, coordinator):
        c = create(admin, org, description="  Vi har  <b>API:er</b>  ")
        assert c["state"] == "submitted" and c["description"] == "Vi har  <b>API:er</b>"
        c = call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="Ivar Utredare")
        assert (c["state"], c["investigator"]) == ("investigating", "Ivar Utredare")
        c = call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="Skörd varje natt",
                 effort_hours="24,5", price="18 500,50", valid_until=FUTURE)
        assert c["state"] == "quoted"
        assert c["quote"] == {**c["quote"], "number": 1, "effort_hours": "24.50", "price": "18500.50",
                              "valid_until": FUTURE}
        c = call("vgsamverkan_connection_accept", admin, id=c["id"])
        assert (c["state"], c["price"], c["accepted_by"]) == ("accepted", "18500.50", admin["name"])
        c = call("vgsamverkan_connection_complete", coordinator, id=c["id"], connected_date="2026-11-02",
                 harvest_url="https://data.exempelstad.se/catalog.rdf")
        assert (c["state"], c["connected_date"], c["harvest_url"]) == (
            "connected", "2026-11-02", "https://data.exempelstad.se/catalog.rdf")
        row = model.Session.get(Connection, c["id"])
        assert row.price_ore == 1850050  # whole öre in the database
        assert [e[0] for e in _events(c["id"])] == ["create", "investigate", "quote", "accept", "complete"]
        c = call("vgsamverkan_connection_disconnect", coordinator, id=c["id"], comment="Avslutat")
        assert c["state"] == "disconnected" and c["disconnected_date"] == dt.date.today().isoformat()

    def test_a_new_quote_replaces_the_old_which_stays(self, org, admin, coordinator):
        c = quoted(admin, org, coordinator, price="10000")
        c = call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="Billigare", effort_hours="8",
                 price="8000", valid_until=FUTURE)
        assert c["quote"]["number"] == 2 and c["quote"]["price"] == "8000.00"
        assert [q["price"] for q in c["quotes"]] == ["10000.00", "8000.00"]
        assert call("vgsamverkan_connection_accept", admin, id=c["id"])["price"] == "8000.00"

    def test_an_expired_quote_cannot_be_accepted_but_a_new_one_can(self, org, admin, coordinator):
        with freeze_time("2027-01-10"):
            c = quoted(admin, org, coordinator, valid_until="2027-01-31")
        with freeze_time("2027-01-31"):  # the last valid day
            shown = call("vgsamverkan_connection_show", admin, id=c["id"])
            assert shown["quote_expired"] is False
        with freeze_time("2027-02-01"):
            assert call("vgsamverkan_connection_show", admin, id=c["id"])["quote_expired"] is True
            with pytest.raises(tk.ValidationError) as e:
                call("vgsamverkan_connection_accept", admin, id=c["id"])
            assert "2027-01-31" in str(e.value.error_dict["valid_until"])
            assert call("vgsamverkan_connection_show", admin, id=c["id"])["state"] == "quoted"
            call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="Samma", effort_hours="24",
                 price="18500", valid_until="2027-03-31")
            assert call("vgsamverkan_connection_accept", admin, id=c["id"])["state"] == "accepted"

    def test_declined_and_cancelled_stay_in_the_history(self, org, admin, coordinator):
        c = quoted(admin, org, coordinator)
        assert call("vgsamverkan_connection_decline", admin, id=c["id"], comment="För dyrt")["state"] == "declined"
        other = create(admin, org)
        assert call("vgsamverkan_connection_cancel", admin, id=other["id"])["state"] == "cancelled"
        listed = call("vgsamverkan_connection_list", coordinator)
        assert {r["state"] for r in listed["results"]} == {"declined", "cancelled"}
        assert _events(c["id"])[-1] == ("decline", "quoted", "declined")

    @pytest.mark.parametrize(
        "state,verb,extra",
        [
            ("submitted", "quote", {"solution": "x", "effort_hours": "1", "price": "1", "valid_until": FUTURE}),
            ("submitted", "accept", {}),
            ("submitted", "complete", {}),
            ("investigating", "investigate", {"investigator": "X"}),
            ("investigating", "accept", {}),
            ("quoted", "complete", {}),
            ("quoted", "investigate", {"investigator": "X"}),
            ("accepted", "accept", {}),
            ("accepted", "decline", {}),
            ("accepted", "quote", {"solution": "x", "effort_hours": "1", "price": "1", "valid_until": FUTURE}),
            ("connected", "cancel", {}),
            ("connected", "complete", {}),
            ("declined", "accept", {}),
            ("cancelled", "investigate", {"investigator": "X"}),
            ("disconnected", "disconnect", {}),
        ],
    )
    def test_refused_transitions_name_the_state(self, org, admin, coordinator, state, verb, extra):
        c = create(admin, org)
        path = {"submitted": [], "investigating": ["investigate"], "quoted": ["investigate", "quote"],
                "accepted": ["investigate", "quote", "accept"],
                "connected": ["investigate", "quote", "accept", "complete"],
                "declined": ["investigate", "quote", "decline"], "cancelled": ["cancel"],
                "disconnected": ["investigate", "quote", "accept", "complete", "disconnect"]}[state]
        params = {"investigate": {"investigator": "I"},
                  "quote": {"solution": "S", "effort_hours": "2", "price": "100", "valid_until": FUTURE}}
        for step in path:
            who = admin if step in ("accept", "decline") else coordinator
            call(f"vgsamverkan_connection_{step}", who, id=c["id"], **params.get(step, {}))
        before = _events(c["id"])
        who = admin if verb in ("accept", "decline") else coordinator
        with pytest.raises(tk.ValidationError) as e:
            call(f"vgsamverkan_connection_{verb}", who, id=c["id"], **extra)
        assert "state" in e.value.error_dict
        assert _events(c["id"]) == before
        assert call("vgsamverkan_connection_show", coordinator, id=c["id"])["state"] == state


class TestInput:
    @pytest.mark.parametrize(
        "field,value",
        [
            ("price", "-5"), ("price", "12.345"), ("price", "tolv"), ("price", ["1"]), ("price", True),
            ("effort_hours", "0"), ("effort_hours", "-1"), ("effort_hours", "1.234"), ("effort_hours", "mycket"),
            ("valid_until", "2001-01-01"), ("valid_until", "31/12/2030"), ("solution", "   "),
        ],
    )
    def test_bad_quotes_are_refused_per_field_nothing_written(self, org, admin, coordinator, field, value):
        c = create(admin, org)
        call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="I")
        params = {"solution": "S", "effort_hours": "2", "price": "100", "valid_until": FUTURE, field: value}
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_connection_quote", coordinator, id=c["id"], **params)
        assert field in e.value.error_dict
        assert model.Session.query(ConnectionQuote).count() == 0
        assert call("vgsamverkan_connection_show", coordinator, id=c["id"])["state"] == "investigating"

    @pytest.mark.parametrize(
        "data,field",
        [({"information_sets": ""}, "information_sets"), ({"technical_contact": None}, "technical_contact"),
         ({"organization_id": "finns-inte"}, "organization_id"), ({"colour": "red"}, "colour"),
         ({"description": "x" * 5001}, "description")],
    )
    def test_bad_requests(self, org, admin, coordinator, data, field):
        payload = {"organization_id": org["id"], "information_sets": "A", "technical_contact": "B"}
        payload.update(data)
        payload = {k: v for k, v in payload.items() if v is not None}
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_connection_create", coordinator, **payload)
        assert field in e.value.error_dict
        assert model.Session.query(Connection).count() == 0

    def test_complete_needs_a_web_address(self, org, admin, coordinator):
        c = quoted(admin, org, coordinator)
        call("vgsamverkan_connection_accept", admin, id=c["id"])
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_connection_complete", coordinator, id=c["id"], harvest_url="ftp://x")
        assert "harvest_url" in e.value.error_dict

    def test_a_harvest_source_needs_ckanext_harvest(self, org, admin, coordinator):
        c = quoted(admin, org, coordinator)
        call("vgsamverkan_connection_accept", admin, id=c["id"])
        with pytest.raises(tk.ValidationError) as e:  # the harvest plugin is not loaded here
            call("vgsamverkan_connection_complete", coordinator, id=c["id"], harvest_url="https://k.example.org",
                 create_harvest_source=True)
        assert "create_harvest_source" in e.value.error_dict
        done = call("vgsamverkan_connection_complete", coordinator, id=c["id"], harvest_url="https://k.example.org")
        assert done["harvest_url"] == "https://k.example.org"  # recorded only

    def test_only_participants(self, coordinator):
        outsider = factories.User()
        org = org_with_admin(outsider)
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_connection_create", outsider, organization_id=org["id"], information_sets="A",
                 technical_contact="B")
        assert "not approved" in str(e.value.error_dict["organization_id"])


class TestWhoSeesAndDoes:
    def test_only_admins_and_the_coordinator(self, org, admin, coordinator):
        c = create(admin, org)
        editor = factories.User()
        r = request_rights(editor, org)
        call("vgsamverkan_publisher_approve", coordinator, id=r["id"])
        other_admin = factories.User()
        participant_org(other_admin, coordinator)
        for who in (editor, other_admin, factories.User(), None):
            with pytest.raises(tk.NotAuthorized):
                call("vgsamverkan_connection_show", who, id=c["id"])
        for who in (editor, other_admin):
            assert call("vgsamverkan_connection_list", who)["count"] == 0
        assert call("vgsamverkan_connection_list", admin)["count"] == 1
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_connection_create", editor, organization_id=org["id"], information_sets="A",
                 technical_contact="B")

    def test_the_coordinator_does_not_accept_for_the_organisation(self, org, admin, coordinator):
        c = quoted(admin, org, coordinator)
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_connection_accept", coordinator, id=c["id"])
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_connection_quote", admin, id=c["id"], solution="S", effort_hours="1", price="1",
                 valid_until=FUTURE)

    def test_comments_between_the_parties(self, org, admin, coordinator):
        c = create(admin, org)
        call("vgsamverkan_comment_create", coordinator, object_type="connection", object_id=c["id"],
             text="Har ni en katalog-URL?")
        call("vgsamverkan_comment_create", admin, object_type="connection", object_id=c["id"], text="Ja.")
        texts = [x["text"] for x in call("vgsamverkan_comment_list", admin, object_type="connection",
                                         object_id=c["id"])["results"]]
        assert texts == ["Har ni en katalog-URL?", "Ja."]
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_comment_create", factories.User(), object_type="connection", object_id=c["id"],
                 text="Hej")


def _files(storage) -> dict[str, bytes]:
    """The resources' files CKAN stored (``<storage>/resources/abc/def/ghi…``), by resource id."""
    root = storage / "resources"
    return {"".join(p.relative_to(root).parts): p.read_bytes() for p in root.rglob("*") if p.is_file()} \
        if root.exists() else {}


@pytest.fixture
def storage(tmp_path, ckan_config, monkeypatch):
    """CKAN's storage of uploaded files, empty, for this test."""
    monkeypatch.setitem(ckan_config, "ckan.storage_path", str(tmp_path))
    return tmp_path


class TestConnectionRequiredData:
    """A dataset with a resource in API, WMS or WFS (any case, also guessed) needs a
    connected organisation."""

    @pytest.fixture
    def editor(self, org, coordinator):
        user = factories.User()
        r = request_rights(user, org)
        call("vgsamverkan_publisher_approve", coordinator, id=r["id"])
        return user

    def connect(self, org, admin, coordinator):
        c = quoted(admin, org, coordinator)
        call("vgsamverkan_connection_accept", admin, id=c["id"])
        return call("vgsamverkan_connection_complete", coordinator, id=c["id"])

    @pytest.mark.parametrize("fmt", ["WMS", "wms", "Api", "WFS"])
    def test_refused_until_connected(self, org, admin, coordinator, editor, fmt):
        data = {"name": "karttjanst", "owner_org": org["id"],
                "resources": [{"url": "https://karta.example.org/karta", "format": fmt}]}
        with pytest.raises(tk.ValidationError) as e:
            call("package_create", editor, **data)
        message = str(e.value.error_dict["format"])
        assert fmt.upper() in message and "/samverkan/anslutning/" in message
        assert model.Package.get("karttjanst") is None
        self.connect(org, admin, coordinator)
        assert call("package_create", editor, **data)["name"] == "karttjanst"

    def test_other_formats_need_nothing(self, org, editor):
        call("package_create", editor, name="tabell", owner_org=org["id"],
             resources=[{"url": "https://example.org/t.csv", "format": "CSV"},
                        {"url": "https://example.org/wms-guide.pdf", "format": "PDF"}])

    def test_a_resource_added_later_or_changed(self, org, editor):
        ds = call("package_create", editor, name="senare", owner_org=org["id"],
                  resources=[{"url": "https://example.org/a.csv", "format": "CSV"}])
        with pytest.raises(tk.ValidationError):
            call("resource_create", editor, package_id=ds["id"], url="https://example.org/api", format="API")
        with pytest.raises(tk.ValidationError):
            call("resource_patch", editor, id=ds["resources"][0]["id"], format="wfs")
        with pytest.raises(tk.ValidationError):
            call("package_patch", editor, id=ds["id"],
                 resources=[{"url": "https://example.org/x", "format": "WMS"}])
        shown = call("package_show", editor, id=ds["id"])
        assert [r["format"] for r in shown["resources"]] == ["CSV"]

    def test_a_guessed_format_counts(self, org, editor, monkeypatch):
        import mimetypes

        # CKAN guesses an empty format from the URL with mimetypes and cleans the guess with
        # its format list (where WMS's media type is "WMS"). Debian's mime.types has no
        # entry that yields WMS, so this test adds one, as a site's mime.types could: the
        # only stand-in in this module.
        original = mimetypes.guess_type
        monkeypatch.setattr(mimetypes, "guess_type", lambda url, strict=True: (
            ("WMS", None) if str(url).endswith(".wms") else original(url, strict)))
        with pytest.raises(tk.ValidationError) as e:
            call("package_create", editor, name="gissad", owner_org=org["id"],
                 resources=[{"url": "https://example.org/karta.wms"}])
        assert "WMS" in str(e.value.error_dict["format"])
        ds = call("package_create", editor, name="gissad-csv", owner_org=org["id"],
                  resources=[{"url": "https://example.org/tabell.csv"}])
        assert ds["resources"][0]["format"] == "CSV"  # the guess is CKAN's

    @pytest.mark.parametrize("url,kind", [
        ("https://karta.example.org/geoserver/ows?SERVICE=wms&request=GetCapabilities", "WMS"),
        ("https://karta.example.org/tjanst?request=GetFeature&service=WFS", "WFS"),
        ("https://karta.example.org/geoserver/wms", "WMS"),
        ("https://data.example.org/api/v2/luft", "API"),
        ("https://geo.example.org/ogcapi/collections/vagar/items", "API"),
    ])
    def test_the_address_decides_whatever_the_format_says(self, org, admin, coordinator, editor, url, kind):
        """Issue 21 (SPEC 2026-11-29, "the properties of the data decide"): a service
        address with its format left blank, or called something else, needs a connection."""
        for fmt in ("", "HTML"):
            with pytest.raises(tk.ValidationError) as e:
                call("package_create", editor, name="tjanst", owner_org=org["id"],
                     resources=[{"url": url, "format": fmt}])
            assert kind in str(e.value.error_dict["url"])  # the address caused it (issue 39)
        assert model.Package.get("tjanst") is None

    def test_the_refusal_stands_under_the_field_that_caused_it(self, org, editor):
        """Issue 39: a WMS address with its format left blank was refused under the empty
        "Format" field. The address: under ``url``; the format: under ``format``; both:
        the whole refusal under the address (first in the form), a note under the format."""
        def refused(resource):
            with pytest.raises(tk.ValidationError) as e:
                call("package_create", editor, name="falt", owner_org=org["id"], resources=[resource])
            return e.value.error_dict

        by_address = refused({"url": "https://karta.example.org/geoserver/wms?service=WMS", "format": ""})
        assert list(by_address) == ["url"] and "WMS" in by_address["url"][0]
        by_format = refused({"url": "https://example.org/karta.zip", "format": "wms"})
        assert list(by_format) == ["format"] and "/samverkan/anslutning/" in by_format["format"][0]
        both = refused({"url": "https://karta.example.org/ows", "format": "WFS"})
        assert sorted(both) == ["format", "url"]
        assert "API, WFS" in both["url"][0] and "/samverkan/anslutning/" in both["url"][0]
        assert both["format"] == ["The format WFS also needs a technical connection."]
        assert model.Package.get("falt") is None

    def test_an_uploaded_file_is_read_by_its_format(self, org, admin, coordinator, editor, storage):
        """Issue 39 (SPEC 2026-12-07: "the connection rule reads them"): an uploaded file
        needs a connection by its format; its address is the portal's own, never a
        service, whatever the file is called. A refused file is not written."""
        ds = call("package_create", editor, name="filer", owner_org=org["id"])
        with pytest.raises(tk.ValidationError) as e:
            call("resource_create", editor, package_id=ds["id"], format="WMS",
                 upload=FileStorage(io.BytesIO(b"<WMS_Capabilities/>"), "karta.xml"))
        assert list(e.value.error_dict) == ["format"] and "WMS" in e.value.error_dict["format"][0]
        assert _files(storage) == {} and call("package_show", editor, id=ds["id"])["resources"] == []
        # a file named like a service is a file
        kept = call("resource_create", editor, package_id=ds["id"], format="CSV",
                    upload=FileStorage(io.BytesIO(b"a;b\n1;2\n"), "wms"))
        assert kept["url_type"] == "upload" and kept["url"].endswith("/download/wms")
        assert _files(storage) == {kept["id"]: b"a;b\n1;2\n"}
        # a new file in a format that needs a connection: refused, the old file kept as it was
        with pytest.raises(tk.ValidationError) as e:
            call("resource_update", editor, id=kept["id"], package_id=ds["id"], format="WFS",
                 upload=FileStorage(io.BytesIO(b"<wfs/>"), "vagar.gml"))
        assert list(e.value.error_dict) == ["format"]
        assert _files(storage) == {kept["id"]: b"a;b\n1;2\n"}
        assert call("resource_show", editor, id=kept["id"])["format"] == "CSV"
        self.connect(org, admin, coordinator)
        call("resource_update", editor, id=kept["id"], package_id=ds["id"], format="WFS",
             upload=FileStorage(io.BytesIO(b"<wfs/>"), "vagar.gml"))
        assert _files(storage) == {kept["id"]: b"<wfs/>"}

    def test_the_refusal_links_to_the_open_request_and_names_whom_to_ask(self, org, admin, coordinator, editor):
        from ckanext.vgsamverkan import config

        open_request = create(admin, org)
        with pytest.raises(tk.ValidationError) as e:
            call("package_create", editor, name="tjanst", owner_org=org["id"],
                 resources=[{"url": "https://karta.example.org/wms?service=WMS", "format": ""}])
        message = e.value.error_dict["url"][0]
        assert f"{config.site_url()}/samverkan/anslutning/{open_request['id']}" in message  # whole, absolute
        admin_user = model.User.get(admin["id"])
        # the editor may not ask (an admin's form): told which admin to ask, by name
        assert f"Only an admin of {org['title']} may ask for a connection: {admin_user.fullname} " \
               f"({admin_user.name})." in message
        with pytest.raises(tk.ValidationError) as e:  # the admin is not told to ask someone else
            call("package_create", admin, name="tjanst", owner_org=org["id"],
                 resources=[{"url": "https://karta.example.org/wms?service=WMS", "format": ""}])
        assert "Only an admin" not in e.value.error_dict["url"][0]

    def test_the_coordinator_exempts_a_dataset_with_a_reason(self, org, admin, coordinator, editor):
        ds = call("package_create", editor, name="karta-extern", owner_org=org["id"],
                  resources=[{"url": "https://example.org/karta.csv", "format": "CSV"}])
        service = {"url": "https://leverantor.example.com/wms?service=WMS", "format": ""}
        with pytest.raises(tk.ValidationError):
            call("package_patch", editor, id=ds["id"], resources=[service])
        for who in (editor, admin, factories.User()):  # only the coordinator
            with pytest.raises(tk.NotAuthorized):
                call("vgsamverkan_exemption_create", who, id=ds["name"], reason="R")
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_exemption_create", coordinator, id=ds["name"], reason="  ")
        assert "reason" in e.value.error_dict
        for missing in ("finns-inte", " ", ds["name"] + "x"):
            with pytest.raises(tk.ValidationError) as e:
                call("vgsamverkan_exemption_create", coordinator, id=missing, reason="R")
            assert "id" in e.value.error_dict
        done = call("vgsamverkan_exemption_create", coordinator, id=f" {ds['name']} ",
                    reason="Kartan visas via leverantörens egen tjänst")
        assert done["id"] == ds["id"] and done["reason"].startswith("Kartan")
        with pytest.raises(tk.ValidationError):  # once
            call("vgsamverkan_exemption_create", coordinator, id=ds["id"], reason="Igen")
        call("package_patch", editor, id=ds["id"], resources=[service])  # now it may
        listed = call("vgsamverkan_exemption_list", coordinator)
        assert [x["name"] for x in listed["results"]] == ["karta-extern"]
        call("vgsamverkan_exemption_delete", coordinator, id=ds["id"], comment="Avtalet har upphört")
        with pytest.raises(tk.ValidationError):  # needs it again at its next change
            call("package_patch", editor, id=ds["id"], notes="Ny text")
        history = call("vgsamverkan_exemption_list", coordinator)["history"]
        assert [(h["action"], h["comment"]) for h in history] == [
            ("unexempt", "Avtalet har upphört"), ("exempt", "Kartan visas via leverantörens egen tjänst")]

    def test_switched_off(self, org, editor, ckan_config, monkeypatch):
        monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.connection_required_formats", [])
        call("package_create", editor, name="utan-regel", owner_org=org["id"],
             resources=[{"url": "https://example.org/ows", "format": "WMS"}])

    def test_through_the_dataset_form(self, org, admin, coordinator, editor, app):
        """CKAN's two forms. Issue 39: the refusal of a WMS address stands under the URL
        field, not the empty format; a refused first resource leaves no draft behind, and
        the form carries what was typed of the dataset, so that sending it again, changed,
        makes it; the next page says whether it is private or public."""
        from tests.browser import Browser, token

        browser = Browser(app)
        csrf = token(browser, "/dataset/new", editor)
        first = browser.post("/dataset/new", data={
            "name": "formular", "title": "Formulär", "notes": "Om <kartor>", "owner_org": org["id"],
            "private": "False", "tag_string": "karta,plan", "save": "continue", "_ckan_phase": "dataset_new_1",
            "_csrf_token": csrf},
            extra_environ={"user": editor}, follow_redirects=False)
        assert first.status_code == 302 and model.Package.get("formular").state == "draft"
        url = "/dataset/formular/resource/new"
        wms = {"id": "", "url": "https://karta.example.org/ows?service=WMS", "format": "", "name": "Karta",
               "save": "go-metadata", "_csrf_token": csrf}
        page = browser.post(url, data=wms, extra_environ={"user": editor})
        assert page.status_code == 200
        url_field = page.body[page.body.index('id="field-resource-url"'):]
        assert url_field.index('class="error-block"') < url_field.index('id="field-format"')
        assert "/samverkan/anslutning/" in url_field[:url_field.index('id="field-format"')]
        assert 'value="https://karta.example.org/ows?service=WMS"' in page.body  # kept as typed
        # above the form: the editor (who may not ask) is told whom to ask
        assert "be en administratör för organisationen" in page.body
        assert 'id="vgs-not-made"' in page.body
        model.Session.remove()
        assert model.Package.get("formular") is None  # no draft left behind
        carried = html.unescape(re.search(r'name="vgs_draft" value="([^"]*)"', page.body).group(1))
        # the admin gets a link that can be clicked, to the form (no request is open yet)
        admin_csrf = token(browser, "/dataset/new", admin)
        admin_page = browser.post(url, data=dict(wms, vgs_draft=carried, _csrf_token=admin_csrf),
                                  extra_environ={"user": admin})
        assert f'<a href="/samverkan/anslutning/ny?organization_id={org["name"]}">' in admin_page.body
        model.Session.remove()
        assert model.Package.get("formular") is None
        # sent again with a file that needs no connection: made, with what was typed
        made = browser.post(url, data={"id": "", "format": "PDF", "name": "Karta", "save": "go-metadata",
                                       "vgs_draft": carried, "_csrf_token": csrf,
                                       "upload": (io.BytesIO(b"%PDF-1.4"), "karta.pdf")},
                            extra_environ={"user": editor}, follow_redirects=False,
                            content_type="multipart/form-data")
        assert made.status_code == 302
        shown = call("package_show", editor, id="formular")
        assert (shown["state"], shown["title"], shown["notes"], shown["private"]) == \
            ("active", "Formulär", "Om <kartor>", False)
        assert sorted(t["name"] for t in shown["tags"]) == ["karta", "plan"]
        assert [(r["format"], r["url_type"]) for r in shown["resources"]] == [("PDF", "upload")]
        told = browser.get(made.headers["Location"], extra_environ={"user": editor}).body
        assert "Datasetet Formulär är skapat och är offentligt: alla kan se det." in told
        # a dataset already made keeps its state and resources when a resource is refused
        page = browser.post(url, data=wms, extra_environ={"user": editor})
        assert page.status_code == 200 and 'id="vgs-not-made"' not in page.body
        model.Session.remove()
        assert model.Package.get("formular").state == "active"
        assert len(call("package_show", editor, id="formular")["resources"]) == 1
        self.connect(org, admin, coordinator)
        response = browser.post(url, data=dict(wms, format="WMS"), extra_environ={"user": editor},
                                follow_redirects=False)
        assert response.status_code == 302
        assert [r["format"] for r in call("package_show", editor, id="formular")["resources"]] == ["PDF", "WMS"]

    def test_a_new_dataset_says_it_is_private(self, org, editor, app):
        """Issue 39: CKAN's form makes a dataset private unless Public is chosen, without
        saying so: the form says it, and so does the page after the dataset is made."""
        from tests.browser import Browser, token

        browser = Browser(app)
        form = browser.get("/dataset/new", extra_environ={"user": editor}).body
        assert 'aria-describedby="field-private-help"' in form
        assert "Ett nytt dataset är privat tills du väljer Offentlig." in form
        csrf = token(browser, "/dataset/new", editor)
        browser.post("/dataset/new", data={"name": "privat", "title": "Privat", "owner_org": org["id"],
                                           "private": "True", "save": "continue", "_ckan_phase": "dataset_new_1",
                                           "_csrf_token": csrf},
                     extra_environ={"user": editor})
        made = browser.post("/dataset/privat/resource/new", data={
            "id": "", "url": "https://example.org/a.csv", "format": "CSV", "name": "A", "save": "go-metadata",
            "_csrf_token": csrf}, extra_environ={"user": editor}, follow_redirects=False)
        told = browser.get(made.headers["Location"], extra_environ={"user": editor}).body
        assert f"Datasetet Privat är skapat och är privat: bara medlemmar i {org['title']} ser det." in told
