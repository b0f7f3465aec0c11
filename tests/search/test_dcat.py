"""The open data catalogue for Sveriges dataportal (DCAT-AP-SE, ckanext/vgsamverkan/dcat):
/catalog.rdf, /catalog.ttl and /dataset/<name>.rdf from ckanext-dcat with our profile,
parsed with rdflib, each rule of ../shared/data/dcat-ap-se/README.md checked with SPARQL,
validated with pyshacl against the EU DCAT-AP 2.1.1 shapes (tests/data/dcat), and read
back through ckanext-dcat's own parser."""
from __future__ import annotations

import os
import re

import pytest
from rdflib import Graph, URIRef

from ckan.tests import factories

from ckanext.vgsamverkan.dcat import publishers, vocabularies
from tests.conftest import kept
from tests.factories import call, days_from_today, participant_org, terminate_now

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")

DATA = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "data", "dcat")
PREFIXES = """
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX vcard: <http://www.w3.org/2006/vcard/ns#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""


def _world():
    coordinator = factories.Sysadmin()
    admin_a, admin_b = factories.User(), factories.User()
    taking = participant_org(admin_a, coordinator, contact_email="oppnadata@exempelstad.example.org")
    ended = participant_org(admin_b, coordinator)
    terminate_now(coordinator, ended["participation_id"])
    outside = factories.Organization(title="Utan deltagande")
    res = {"url": "https://data.exempelstad.example.org/cykel.csv", "format": "CSV", "name": "Cykelvägar (CSV)"}
    sets = {
        "own_contact": factories.Dataset(
            owner_org=taking["id"], title="Cykelvägar", notes="Alla cykelvägar i kommunen.",
            license_id="cc-by", maintainer="Gatukontoret", maintainer_email="gata@exempelstad.example.org",
            tags=[{"name": "cykel"}, {"name": "trafik"}], extras=[{"key": "theme", "value": "TRAN, ENVI"}],
            url="https://exempelstad.example.org/cykel",
            resources=[res, {"url": "https://karta.exempelstad.example.org/wms?service=WMS", "format": "WMS",
                             "name": "Karttjänst"}]),
        "applied_contact": factories.Dataset(
            owner_org=taking["id"], title="Badplatser", notes="Kommunens badplatser.", license_id="cc-zero",
            url="inte en adress",
            resources=[{"url": "https://data.exempelstad.example.org/bad platser.json", "format": "JSON"},
                       {"url": "https://data.exempelstad.example.org/bad.api", "format": "API"}]),
        "of_ended": factories.Dataset(owner_org=ended["id"], title="Gammal data", notes="Från förr.",
                                   license_id="other-open", resources=[res]),
        "of_outside": factories.Dataset(owner_org=outside["id"], title="Okänd utgivare", notes="Något.",
                                     license_id="cc-by", resources=[res]),
        "private": factories.Dataset(owner_org=taking["id"], title="Hemlig", notes="Privat.", private=True),
    }
    return {"coordinator": coordinator, "taking": taking, "ended": ended, "outside": outside, **sets}


@pytest.fixture
def world(clean_db):
    return kept(("test_dcat.world",), _world)


def graph(app, path: str, fmt: str = "xml") -> Graph:
    response = app.get(path)
    assert response.status_code == 200, response.body[:300]
    return Graph().parse(data=response.body, format=fmt)


def assert_conforms(g: Graph) -> None:
    """Zero violations of the EU DCAT-AP 2.1.1 shapes and their range shapes (the shapes
    of the controlled vocabularies need the EU's tables themselves: not here)."""
    import pyshacl

    shapes = Graph()
    for name in ("dcat-ap_2.1.1_shacl_shapes.ttl", "dcat-ap_2.1.1_shacl_range.ttl"):
        shapes.parse(os.path.join(DATA, name), format="turtle")
    conforms, _, text = pyshacl.validate(g, shacl_graph=shapes)
    assert conforms, text


def org_digits(world, key) -> str:
    """The organisationsnummer of the organisation's participation, ten digits."""
    p = call("vgsamverkan_participation_show", world["coordinator"], id=world[key]["participation_id"])
    return p["org_number"].replace("-", "")


def rows(g: Graph, title: str, pattern: str) -> set[str]:
    """The last variable of ``pattern`` (SPARQL over ``?d``) for the dataset titled ``title``."""
    return {str(r[-1]) for r in g.query(PREFIXES + "SELECT ?title ?v WHERE { ?d a dcat:Dataset ; dct:title ?title . "
                                        + pattern + " }") if str(r[0]) == title}


class TestCatalogue:
    def test_rdf_xml_with_every_dataset_and_its_publisher(self, app, world):
        g = graph(app, "/catalog.rdf")
        datasets = {str(d) for d in g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                                                 URIRef("http://www.w3.org/ns/dcat#Dataset"))}
        names = {str(r[0]) for r in g.query(PREFIXES + "SELECT ?t WHERE { ?d a dcat:Dataset ; dct:title ?t }")}
        assert names == {"Cykelvägar", "Badplatser", "Gammal data", "Okänd utgivare"}  # not the private one
        assert len(datasets) == 4
        digits = org_digits(world, "taking")
        publisher = {str(d): str(p) for d, p in g.query(
            PREFIXES + "SELECT ?title ?p WHERE { ?d a dcat:Dataset ; dct:title ?title ; dct:publisher ?p }")}
        assert publisher["Cykelvägar"] == f"http://dataportal.se/organisation/SE{digits}"
        assert publisher["Badplatser"] == publisher["Cykelvägar"]
        # not taking part today, no participation: the portal's stable IRI of the organisation
        assert publisher["Gammal data"] == publishers.portal_iri(world["ended"]["id"])
        assert publisher["Okänd utgivare"] == publishers.portal_iri(world["outside"]["id"])
        # each publisher described once, with its name
        for iri in set(publisher.values()):
            assert len(list(g.objects(URIRef(iri), URIRef("http://xmlns.com/foaf/0.1/name")))) == 1, iri

    def test_one_organisations_datasets_on_their_own_address(self, app, world):
        org = call("organization_show", world["coordinator"], id=world["taking"]["id"])
        g = graph(app, f"/catalog.rdf?q=organization:{org['name']}")
        titles = {str(r[0]) for r in g.query(PREFIXES + "SELECT ?t WHERE { ?d a dcat:Dataset ; dct:title ?t }")}
        assert titles == {"Cykelvägar", "Badplatser"}

    def test_no_blank_node_for_what_must_have_an_iri(self, app, world):
        for path, fmt in (("/catalog.rdf", "xml"), ("/catalog.ttl", "turtle"),
                          (f"/dataset/{world['own_contact']['name']}.rdf", "xml")):
            g = graph(app, path, fmt)
            blank = g.query(PREFIXES + """
                SELECT ?x WHERE {
                  { ?x a dcat:Catalog } UNION { ?x a dcat:Dataset } UNION { ?x a dcat:Distribution }
                  UNION { ?s dct:publisher ?x } UNION { ?s dcat:contactPoint ?x } UNION { ?s dcat:dataset ?x }
                  UNION { ?s dcat:distribution ?x } FILTER(isBlank(?x)) }""")
            assert list(blank) == [], path
            # every IRI absolute and without what an IRI may not hold (RFC 3987)
            iris = {str(o) for t in g for o in t if isinstance(o, URIRef)}
            bad = [i for i in iris if not re.match(r"^(https?://|mailto:)[^\s<>\"{}|\\^`]+$", i)]
            assert bad == [], (path, bad)

    def test_catalogue_publisher_is_the_coordinating_organisation(self, app, world):
        g = graph(app, "/catalog.rdf")
        rows = list(g.query(PREFIXES + "SELECT ?p ?n WHERE { ?c a dcat:Catalog ; dct:publisher ?p . ?p foaf:name ?n }"))
        assert [(str(p), str(n)) for p, n in rows] == [
            ("http://dataportal.se/organisation/SE2329990010", "Regionen (test)")]

    def test_contact_points_licences_formats_themes_language(self, app, world):
        g = graph(app, "/catalog.rdf")
        [contact] = rows(g, "Cykelvägar", "?d dcat:contactPoint ?v . ?v a vcard:Organization")
        assert rows(g, "Cykelvägar", "?d dcat:contactPoint ?c . ?c vcard:hasEmail ?v") == {
            "mailto:gata@exempelstad.example.org"}
        # a contact point never shares an IRI with a publisher
        assert URIRef(contact) not in set(g.objects(None, URIRef("http://purl.org/dc/terms/publisher")))
        # without an e-mail of its own: the address the organisation gave when it applied
        assert rows(g, "Badplatser", "?d dcat:contactPoint ?c . ?c vcard:hasEmail ?v") == {
            "mailto:oppnadata@exempelstad.example.org"}
        assert rows(g, "Cykelvägar", "?d dcat:distribution ?x . ?x dct:license ?v") == {
            "http://creativecommons.org/licenses/by/4.0/"}
        assert rows(g, "Badplatser", "?d dcat:distribution ?x . ?x dct:license ?v") == {
            "http://creativecommons.org/publicdomain/zero/1.0/"}
        # a licence without a canonical IRI is left out (and reported)
        assert rows(g, "Gammal data", "?d dcat:distribution ?x . ?x dct:license ?v") == set()
        assert rows(g, "Cykelvägar", "?d dcat:distribution ?x . ?x dct:format ?v") == {
            vocabularies.EU + "file-type/CSV", vocabularies.EU + "file-type/WMS_SRVC"}
        assert rows(g, "Cykelvägar", "?d dcat:theme ?v") == {
            vocabularies.EU + "data-theme/TRAN", vocabularies.EU + "data-theme/ENVI"}
        assert rows(g, "Cykelvägar", "?d dct:language ?v") == {vocabularies.SWEDISH}
        assert {t.language for t in g.objects(None, URIRef("http://purl.org/dc/terms/title"))} == {"sv"}
        # an address with a space is encoded; what is no address is left out
        assert "https://data.exempelstad.example.org/bad%20platser.json" in rows(
            g, "Badplatser", "?d dcat:distribution ?x . ?x dcat:accessURL ?v")
        assert rows(g, "Badplatser", "?d dcat:landingPage ?v") == set()
        issued = rows(g, "Cykelvägar", "?d dct:issued ?v")
        assert issued and all(re.match(r"^\d{4}-\d\d-\d\d", i) for i in issued)

    def test_valid_against_the_eu_dcat_ap_shapes(self, app, world):
        for path in ("/catalog.rdf", f"/dataset/{world['own_contact']['name']}.rdf"):
            assert_conforms(graph(app, path))

    def test_read_back_by_ckanext_dcat(self, app, world):
        from ckanext.dcat.processors import RDFParser

        parser = RDFParser()
        parser.parse(app.get("/catalog.rdf").body, _format="xml")
        read = {d["title"]: d for d in parser.datasets()}
        assert set(read) == {"Cykelvägar", "Badplatser", "Gammal data", "Okänd utgivare"}
        digits = org_digits(world, "taking")
        cykel = read["Cykelvägar"]
        extras = {e["key"]: e["value"] for e in cykel.get("extras", [])}
        assert extras.get("publisher_uri") == f"http://dataportal.se/organisation/SE{digits}"
        assert sorted(r["url"] for r in cykel["resources"]) == [
            "https://data.exempelstad.example.org/cykel.csv", "https://karta.exempelstad.example.org/wms?service=WMS"]

    def test_a_participation_from_tomorrow_publishes_nothing_yet(self, app, world):
        admin = factories.User()
        later = participant_org(admin, world["coordinator"], effective_from=days_from_today(1))
        factories.Dataset(owner_org=later["id"], title="Snart", notes="I morgon.", license_id="cc-by")
        g = graph(app, "/catalog.rdf")
        [(p,)] = list(g.query(PREFIXES + 'SELECT ?p WHERE { ?d dct:title "Snart"@sv ; dct:publisher ?p }'))
        assert str(p) == publishers.portal_iri(later["id"])


@pytest.mark.parametrize("value,expected", [
    ("212000-1355", "http://dataportal.se/organisation/SE2120001355"),
    ("2120001355", "http://dataportal.se/organisation/SE2120001355"),
    (" 212000 1355 ", "http://dataportal.se/organisation/SE2120001355"),
    ("21200-1355", None), ("", None), (None, None), ("SE2120001355", None)])
def test_publisher_iri(value, expected):
    assert vocabularies.publisher_iri(value) == expected



class TestReport:
    """vgsamverkan_catalog_report and its page: what the catalogue would publish without a
    publisher of Sveriges dataportal, or without what DCAT-AP-SE asks."""

    def test_what_lacks_and_why(self, world):
        report = call("vgsamverkan_catalog_report", world["coordinator"])
        assert {(p["organization_id"], p["problem"], p["datasets"]) for p in report["publishers"]} == {
            (world["ended"]["id"], publishers.NOT_TAKING_PART, 1),
            (world["outside"]["id"], publishers.NO_PARTICIPATION, 1)}
        lacking = {d["title"]: d["missing"] for d in report["datasets"]}
        assert lacking == {"Gammal data": ["publisher", "licence"], "Okänd utgivare": ["publisher", "contact"]}
        assert report["count"] == 2
        assert report["catalog"] == {
            "address": "http://127.0.0.1:5055/catalog.rdf",
            "publisher": {"iri": "http://dataportal.se/organisation/SE2329990010", "name": "Regionen (test)",
                          "problem": None}}
        # a dataset without description, resources or licence, in an organisation that takes part
        factories.Dataset(owner_org=world["taking"]["id"], title="Tom", notes="", license_id="notspecified")
        [empty] = [d for d in call("vgsamverkan_catalog_report", world["coordinator"])["datasets"]
                   if d["title"] == "Tom"]
        assert empty["missing"] == ["description", "distribution", "licence"]
        page = call("vgsamverkan_catalog_report", world["coordinator"], limit=1, offset=1)
        assert page["count"] == 3 and len(page["datasets"]) == 1

    @pytest.mark.parametrize("bad", [{"limit": -1}, {"limit": "många"}, {"offset": -5}, {"limit": 1001},
                                     {"okänd": 1}])
    def test_bad_input_is_a_validation_error(self, world, bad):
        import ckan.plugins.toolkit as tk

        with pytest.raises(tk.ValidationError):
            call("vgsamverkan_catalog_report", world["coordinator"], **bad)

    def test_only_the_coordinator(self, world):
        import ckan.plugins.toolkit as tk

        admin = call("user_show", world["coordinator"], id=world["taking"]["admin_id"])
        for user in (None, admin):
            with pytest.raises(tk.NotAuthorized):
                call("vgsamverkan_catalog_report", user)

    def test_the_page(self, app, world):
        from tests.browser import Browser, as_user

        url = "/ckan-admin/samverkan/katalog"
        app = Browser(app)
        page = app.get(url, extra_environ=as_user(world["coordinator"]))
        assert page.status_code == 200
        for text in ('id="vgs-catalog-publishers"', 'id="vgs-catalog-datasets"', "http://127.0.0.1:5055/catalog.rdf",
                     "Gammal data", "Okänd utgivare", "Utan deltagande", "Deltar inte i samverkan",
                     "Deltar inte i dag", "utgivare, en öppen licens", "Publika datamängder som saknar något: 2"):
            assert text in page.body, text
        admin = call("user_show", world["coordinator"], id=world["taking"]["admin_id"])
        assert app.get(url, extra_environ=as_user(admin)).status_code == 403
        assert app.get(url, follow_redirects=False).status_code == 302
        # the workplace links to it
        assert url in app.get("/ckan-admin/samverkan", extra_environ=as_user(world["coordinator"])).body


@pytest.mark.ckan_config("ckan.plugins", "activity vgsamverkan dcat")
def test_a_dataset_without_the_search_plugin(app, world):
    """Without vgsamverkan_pgsearch (no search at all on these machines: the catalogue
    needs one) a dataset's own RDF is served all the same."""
    g = graph(app, f"/dataset/{world['own_contact']['name']}.rdf")
    assert {str(p) for p in g.objects(None, URIRef("http://purl.org/dc/terms/publisher"))} == {
        f"http://dataportal.se/organisation/SE{org_digits(world, 'taking')}"}


def test_the_demo_catalogue(app, ckan_config, monkeypatch):
    """On the demo (make run): every participant's public dataset under its publisher
    of Sveriges dataportal (the energy company's application waits: its two datasets under
    the portal's IRI, and in the coordinator's report), no blank node where an IRI
    belongs, zero violations."""
    from ckanext.vgsamverkan import demo

    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.coordinators", ["samordnare"])
    assert list(demo.seed())
    g = graph(app, "/catalog.rdf")
    assert_conforms(g)
    published = {str(r[0]): str(r[1]) for r in g.query(
        PREFIXES + "SELECT ?title ?p WHERE { ?d a dcat:Dataset ; dct:title ?title ; dct:publisher ?p }")}
    assert len(published) == 9
    import ckan.model as model

    from ckanext.vgsamverkan.model import Participation

    kommun = model.Group.get("exempelstads-kommun")
    [number] = {p.org_number for p in model.Session.query(Participation).filter_by(organization_id=kommun.id)}
    energy = model.Group.get("exempelstads-energi")  # its application waits: not taking part yet
    by_org = {"Laddstolpar för elbilar": energy, "Laddstolpar på karta": energy}
    assert published == {title: (publishers.portal_iri(by_org[title].id) if title in by_org
                                 else f"http://dataportal.se/organisation/SE{number.replace('-', '')}")
                         for title in published}
    blank = g.query(PREFIXES + """SELECT ?x WHERE { { ?x a dcat:Catalog } UNION { ?x a dcat:Dataset }
        UNION { ?x a dcat:Distribution } UNION { ?s dct:publisher ?x } UNION { ?s dcat:contactPoint ?x }
        FILTER(isBlank(?x)) }""")
    assert list(blank) == []
    [waiting] = call("vgsamverkan_catalog_report", "samordnare")["publishers"]
    assert (waiting["organization_name"], waiting["problem"], waiting["datasets"]) == (
        "exempelstads-energi", publishers.NOT_TAKING_PART, 2)


@pytest.mark.parametrize("version", ["2.2.0", "3.0.1"])
def test_no_mandatory_property_of_diggs_profile_is_missing(app, world, version):
    """Issue 36, part 9: DIGG's own formal profile (its RDForms bundles, read by
    tests/digg_profile.py), not only the EU shapes: the catalogue lacked its licence, a
    dataset without a description lacked dct:description, a distribution without a
    format lacked dct:format, publishers lacked their type (3.0.1)."""
    from tests import digg_profile

    org = world["taking"]
    factories.Dataset(owner_org=org["id"], title="Utan beskrivning", notes="", license_id="cc-by",
                      resources=[{"url": "https://data.exempelstad.example.org/grans.geojson", "name": "Gränser"},
                                 {"url": "https://data.exempelstad.example.org/tjanst", "name": "Tjänsten"}])
    g = graph(app, "/catalog.rdf")
    assert len(digg_profile.nodes(g, "dcat:Distribution")) >= 5
    problems = digg_profile.missing(g, version)
    assert problems == [], "\n".join(problems)


def test_what_the_profile_asked_for_has_the_right_values(app, world, ckan_config, monkeypatch):
    """The values behind the profile test: the metadata licence from configuration (CC0 by
    default), each publisher's ADMS type from its organisation type, a format derived
    for a distribution without one, the description the catalogue gives a dataset
    without one, and public access rights."""
    org = world["taking"]
    factories.Dataset(owner_org=org["id"], name="utan-beskrivning", title="Utan beskrivning", notes="",
                      license_id="cc-by",
                      resources=[{"url": "https://data.exempelstad.example.org/grans.geojson", "name": "Gränser"},
                                 {"url": "https://data.exempelstad.example.org/tjanst", "name": "Tjänsten"}])
    g = graph(app, "/catalog.rdf")
    [catalogue] = g.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
                             URIRef("http://www.w3.org/ns/dcat#Catalog"))
    assert str(g.value(catalogue, URIRef("http://purl.org/dc/terms/license"))) == \
        "http://creativecommons.org/publicdomain/zero/1.0/"
    types = {str(r[0]): str(r[1]) for r in g.query(
        PREFIXES + "SELECT ?p ?t WHERE { ?d dct:publisher ?p . ?p dct:type ?t }")}
    assert types[vocabularies.publisher_iri(org_digits(world, "taking"))].endswith("/LocalAuthority")
    catalogue_publisher = str(g.value(catalogue, URIRef("http://purl.org/dc/terms/publisher")))
    assert str(g.value(URIRef(catalogue_publisher), URIRef("http://purl.org/dc/terms/type"))).endswith(
        "/RegionalAuthority")
    formats = rows(g, "Utan beskrivning", "?d dcat:distribution ?x . ?x dct:format ?v")
    assert formats == {"http://publications.europa.eu/resource/authority/file-type/GEOJSON",
                       "http://publications.europa.eu/resource/authority/file-type/BIN"}
    assert rows(g, "Utan beskrivning", "?d dct:description ?v") == {
        f"Utan beskrivning. Datamängden från {org['title']} har ännu ingen beskrivning."}
    assert rows(g, "Cykelvägar", "?d dct:accessRights ?v") == {
        "http://publications.europa.eu/resource/authority/access-right/PUBLIC"}
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.catalog_licence",
                        "http://creativecommons.org/licenses/by/4.0/")
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.catalog_publisher_type", "LocalAuthority")
    g = graph(app, "/catalog.rdf")
    assert str(g.value(catalogue, URIRef("http://purl.org/dc/terms/license"))) == \
        "http://creativecommons.org/licenses/by/4.0/"
    assert str(g.value(URIRef(catalogue_publisher), URIRef("http://purl.org/dc/terms/type"))).endswith(
        "/LocalAuthority")


@pytest.mark.parametrize("query", ["?page=99999", "?page=99999999999999999999", "?fq=%22", "?q=" + "a" * 5000])
def test_a_search_the_backend_refuses_is_a_400(app, query):
    """Found from outside (issue 36): ckanext-dcat let the search backend's refusal through
    as a 500."""
    response = app.get("/catalog.rdf" + query)
    assert response.status_code == 400 and "sökningen kunde inte" in response.body.lower()


def test_administrations_sharing_an_organisationsnummer_are_one_publisher_with_one_name(app, coordinator):
    """Found by the review of the contract (issue 37): two administrations of one legal
    entity became one publisher named after whichever came first."""
    shared = "232999-1018"
    orgs = [participant_org(factories.User(), coordinator, effective_from="2026-01-01",
                            org_type="regional_forvaltning", municipality_code="", org_number=shared)
            for _ in range(2)]
    for i, org in enumerate(orgs):
        factories.Dataset(owner_org=org["id"], title=f"Förvaltningens data {i}", notes="Beskrivning")
    call("vgsamverkan_participation_update", coordinator, id=orgs[0]["participation_id"],
         legal_name="Regionen Exempel")
    g = graph(app, "/catalog.rdf")
    iri = URIRef("http://dataportal.se/organisation/SE2329991018")
    names = {str(o) for o in g.objects(iri, URIRef("http://xmlns.com/foaf/0.1/name"))}
    assert names == {"Regionen Exempel"}
    publishers_of = {str(p) for p in g.objects(None, URIRef("http://purl.org/dc/terms/publisher"))}
    assert str(iri) in publishers_of
