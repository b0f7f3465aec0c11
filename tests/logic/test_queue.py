"""The coordinator's overview: everything that waits, of every kind, with its age,
filtered and sorted; decisions in bulk (each its own transition and event, refusals
reported one by one); the collaboration month by month for the chart."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from freezegun import freeze_time

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories

from ckanext.vgsamverkan.domain import objects
from ckanext.vgsamverkan.model import Event, Participation, PublisherRequest
from tests.browser import Browser, as_user, token
from tests.factories import apply_new, call, participant_org, request_rights, requested_on

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def world(coordinator):
    with freeze_time("2026-11-01"):
        old = apply_new(factories.User(), name="gamla-kommunen", municipality_code="1401")
    new = apply_new(factories.User(), name="nya-bolaget", org_type="kommunalt_bolag", municipality_code="1480")
    admin = factories.User()
    org = participant_org(admin, coordinator, municipality_code="1402")
    publisher = request_rights(factories.User(), org)
    connection = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="Kartor",
                      technical_contact="T")
    calloff = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="juridik",
                   description="D", estimated_hours="2", period_start="2026-11-01", period_end="2026-12-31")
    return {"old": old, "new": new, "org": org, "publisher": publisher, "connection": connection,
            "calloff": calloff}


class TestQueueList:
    def test_every_kind_oldest_first_with_its_age(self, world, coordinator):
        result = call("vgsamverkan_queue_list", coordinator)
        kinds = [(i["kind"], i["id"]) for i in result["results"]]
        assert kinds[0] == ("participation", world["old"]["id"])
        assert {k for k, _ in kinds} == {"participation", "publisher", "connection", "calloff"}
        assert result["results"][0]["age_days"] == (dt.date.today() - dt.date(2026, 11, 1)).days
        newest = call("vgsamverkan_queue_list", coordinator, sort="newest")["results"]
        assert newest[-1]["id"] == world["old"]["id"]

    def test_filters(self, world, coordinator):
        def ids(**filters):
            return {i["id"] for i in call("vgsamverkan_queue_list", coordinator, **filters)["results"]}

        assert ids(kind="calloff") == {world["calloff"]["id"]}
        assert ids(org_type="kommunalt_bolag") == {world["new"]["id"]}
        # the organisation's facts come from its participation for the other kinds
        assert ids(municipality_code="1402") == {world["publisher"]["id"], world["connection"]["id"],
                                                 world["calloff"]["id"]}
        assert ids(state="requested") == {world["calloff"]["id"]}
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_queue_list", coordinator, kind="allt")
        assert "kind" in e.value.error_dict

    def test_only_the_coordinator(self, world):
        for who in (None, factories.User()):
            with pytest.raises(tk.NotAuthorized):
                call("vgsamverkan_queue_list", who)
            with pytest.raises(tk.NotAuthorized):
                call("vgsamverkan_history_show", who)


class TestHistory:
    def test_month_by_month(self, coordinator):
        admin, expert = factories.User(), factories.User()
        org = participant_org(admin, coordinator, effective_from="2026-09-15")
        c = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="juridik",
                 description="D", estimated_hours="2", period_start="2026-10-01", period_end="2026-12-31")
        requested_on(c["id"], "2025-01-01")  # time is logged on days long past
        call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="E", expert_user_id=expert["id"],
             hourly_rate="900", planned_hours="4")
        call("vgsamverkan_calloff_log_time", expert, id=c["id"], date="2026-10-05", hours="2.5")
        months = {m["month"]: m for m in call("vgsamverkan_history_show", coordinator, months=4)["results"]}
        this = dt.date.today().strftime("%Y-%m")
        assert list(months)[-1] == this and len(months) == 4
        assert months["2026-10"]["participants"] == 1 and months["2026-10"]["hours"] == "2.50"
        if "2026-08" in months:
            assert months["2026-08"]["participants"] == 0
        with pytest.raises(tk.ValidationError):
            call("vgsamverkan_history_show", coordinator, months=0)


class TestBulk:
    @pytest.fixture
    def app(self, app):
        return Browser(app)

    def test_approve_several_each_its_own_decision(self, app, world, coordinator):
        url = "/ckan-admin/samverkan"
        page = app.get(url, extra_environ=as_user(coordinator)).body
        assert 'id="vgs-overview"' in page and 'id="vgs-history"' in page and "<svg" in page
        assert f'value="participation:{world["old"]["id"]}"' in page
        assert f'value="calloff:{world["calloff"]["id"]}"' not in page  # no bulk decision for a call-off
        items = [f"participation:{world['old']['id']}", f"publisher:{world['publisher']['id']}"]
        # (confirmed: the question before is tests/views/test_confirm_and_forms.py)
        app.post(f"{url}/beslut", data={"items": items, "confirmed": "yes", "verb": "approve", "text": "Välkomna",
                                        "_csrf_token": token(app, url, coordinator)},
                 extra_environ=as_user(coordinator))
        model.Session.expire_all()
        assert model.Session.get(Participation, world["old"]["id"]).state == "approved"
        assert model.Session.get(PublisherRequest, world["publisher"]["id"]).state == "approved"
        events = model.Session.query(Event).filter(Event.action == "approve", Event.comment == "Välkomna").count()
        assert events == 2

    def test_refusals_are_reported_one_by_one(self, app, world, coordinator):
        url = "/ckan-admin/samverkan"
        items = [f"participation:{world['old']['id']}", f"participation:{world['new']['id']}",
                 "calloff:" + world["calloff"]["id"]]
        # one of them is decided meanwhile
        call("vgsamverkan_participation_approve", coordinator, id=world["new"]["id"])
        response = app.post(f"{url}/beslut", data={"items": items, "confirmed": "yes", "verb": "reject",
                                                   "text": "Ofullständig", "_csrf_token": token(app, url, coordinator)},
                            extra_environ=as_user(coordinator))
        body = response.body
        assert "Sparade beslut: 1" in body
        assert body.count("inte beslutats") == 2  # the approved one and the call-off
        model.Session.expire_all()
        assert model.Session.get(Participation, world["old"]["id"]).state == "rejected"
        assert model.Session.get(Participation, world["new"]["id"]).state == "approved"

    def test_a_rejection_needs_a_reason_and_only_the_coordinator(self, app, world, coordinator):
        url = "/ckan-admin/samverkan"
        items = [f"participation:{world['old']['id']}"]
        response = app.post(f"{url}/beslut", data={"items": items, "confirmed": "yes", "verb": "reject", "text": "",
                                                   "_csrf_token": token(app, url, coordinator)},
                            extra_environ=as_user(coordinator))
        assert "inte beslutats" in response.body
        model.Session.expire_all()
        assert model.Session.get(Participation, world["old"]["id"]).state == "pending"
        admin = factories.User()
        assert app.post(f"{url}/beslut", data={"items": items, "verb": "approve",
                                               "_csrf_token": token(app, "/samverkan", admin)},
                        extra_environ=as_user(admin)).status_code == 403


class TestOneDefinitionOfWaiting:
    """What waits for the coordinator is defined once (domain/objects.py: Kind.waits) and
    the queue, the dashboard's count and the workplace page agree on it. Requests that
    are open but at someone else's move (a quote the participant has not answered, a
    call-off the expert works on) are not counted as waiting."""

    @pytest.fixture
    def elsewhere(self, world, coordinator):
        org = world["org"]
        expert = factories.User()
        quoted = call("vgsamverkan_connection_create", coordinator, organization_id=org["id"],
                      information_sets="Offerterad", technical_contact="T")
        call("vgsamverkan_connection_investigate", coordinator, id=quoted["id"], investigator="I")
        call("vgsamverkan_connection_quote", coordinator, id=quoted["id"], solution="S", effort_hours="1",
             price="100.00", valid_until=(dt.date.today() + dt.timedelta(days=30)).isoformat())
        calloffs = {}
        for name in ("assigned", "running"):
            c = call("vgsamverkan_calloff_create", coordinator, organization_id=org["id"],
                     competence_area="teknik", description=name, estimated_hours="2",
                     period_start="2026-11-01", period_end="2026-12-31")
            requested_on(c["id"], "2025-01-01")  # time is logged on days long past
            call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="E",
                 expert_user_id=expert["id"], hourly_rate="900", planned_hours="2")
            calloffs[name] = c
        call("vgsamverkan_calloff_log_time", expert, id=calloffs["running"]["id"],
             date=dt.date.today().isoformat(), hours="1")
        return {"quoted": quoted, **calloffs}

    def test_queue_dashboard_and_page_agree(self, app, world, elsewhere, coordinator):
        queue = call("vgsamverkan_queue_list", coordinator)
        ids = {i["id"] for i in queue["results"]}
        assert ids == {world[k]["id"] for k in ("old", "new", "publisher", "connection", "calloff")}
        assert not ids & {o["id"] for o in elsewhere.values()}
        assert call("vgsamverkan_dashboard_show", coordinator)["waiting"] == queue["count"] == 5
        page = Browser(app).get("/ckan-admin/samverkan", extra_environ=as_user(coordinator)).get_data(as_text=True)
        assert f'<strong id="vgs-waiting">{queue["count"]}</strong>' in page
        overview = page[page.index('id="vgs-overview"'):page.index("</table>", page.index('id="vgs-overview"'))]
        assert overview.count("<tr>") - 1 == queue["count"]  # less the head's row
        # the open requests at someone else's move are still on the page, in their own lists
        for obj in elsewhere.values():
            assert obj["id"] in page


def test_the_registry_of_kinds_is_consistent(app):
    """Each kind's page path (for mail) is the path of its read endpoint, its workflow
    has its name, what waits is open, and every verb of its workflow is an action or a
    move made by the extension itself (expiry, the end of a participation)."""
    from ckanext.vgsamverkan.domain import objects
    from ckanext.vgsamverkan.plugin import VgSamverkanPlugin

    actions = VgSamverkanPlugin().get_actions()
    # moves the extension makes itself: the daily job's, the end of a participation's,
    # and the approval of a renewal or change of role (issue 21) ending the old rights
    internal = {("publisher", "expire"), ("publisher", "end"), ("publisher", "replace")}
    with app.flask_app.test_request_context():
        for name, kind in objects.KINDS.items():
            assert kind.workflow.name == name
            assert tk.h.url_for(kind.read_endpoint, id="x-1") == kind.path.format(id="x-1")
            assert set(kind.waits) <= set(kind.open) <= set(kind.workflow.states)
            assert kind.model.__tablename__.startswith("vgsamverkan_")
            verbs = {verb for (_, verb) in kind.workflow.transitions}
            missing = {v for v in verbs if f"vgsamverkan_{name}_{v}" not in actions and (name, v) not in internal}
            assert not missing, (name, missing)
            assert kind.label() != name


class TestWorkplaceFilters:
    """Issue 21: the workplace's filters apply to every section, not only the top list;
    the charts name their months."""

    @pytest.fixture
    def app(self, app):
        return Browser(app)

    @pytest.fixture
    def two(self, coordinator):
        made = {}
        for key, overrides in (("lerum", {"org_type": "kommun", "municipality_code": "1441"}),
                               ("region", {"org_type": "regional_forvaltning", "municipality_code": ""})):
            admin = factories.User()
            org = participant_org(admin, coordinator, **overrides)
            connection = call("vgsamverkan_connection_create", admin, organization_id=org["id"],
                              information_sets=f"Data {key}", technical_contact="T")
            calloff = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="juridik",
                           description=f"Stöd {key}", estimated_hours="2", period_start="2026-11-01",
                           period_end="2026-12-31")
            rights = request_rights(factories.User(), org)
            made[key] = {"org": org, "connection": connection, "calloff": calloff, "rights": rights}
        return made

    def _ids_in(self, page: str, table: str) -> str:
        start = page.index(f'id="{table}"')
        return page[start:page.index("</table>", start)]

    def test_the_municipality_filters_every_section(self, app, two, coordinator):
        page = app.get("/ckan-admin/samverkan?municipality_code=1441", extra_environ=as_user(coordinator)).body
        assert 'id="vgs-filtered"' in page
        for table, key in (("vgs-connection-queue", "connection"), ("vgs-calloff-queue", "calloff"),
                           ("vgs-publisher-queue", "rights"), ("vgs-overview", "connection")):
            section = self._ids_in(page, table)
            assert two["lerum"][key]["id"] in section, table
            assert two["region"][key]["id"] not in section, table
        everything = app.get("/ckan-admin/samverkan", extra_environ=as_user(coordinator)).body
        assert two["region"]["connection"]["id"] in self._ids_in(everything, "vgs-connection-queue")
        assert 'id="vgs-filtered"' not in everything

    def test_the_type_and_kind_filter_every_section(self, app, two, coordinator):
        page = app.get("/ckan-admin/samverkan?org_type=regional_forvaltning&kind=connection",
                       extra_environ=as_user(coordinator)).body
        section = self._ids_in(page, "vgs-connection-queue")
        assert two["region"]["connection"]["id"] in section and two["lerum"]["connection"]["id"] not in section
        # the other kinds' lists are not shown at all under a kind filter
        assert 'id="vgs-calloff-queue"' not in page and 'id="vgs-publisher-queue"' not in page
        assert 'id="vgs-queue"' not in page

    def test_the_filters_show_what_was_chosen(self, app, coordinator):
        """Each select keeps its choice (the snippet's one macro, issue 38); every kind is
        offered, and "All" where a filter may be left out."""
        page = app.get("/ckan-admin/samverkan?kind=connection&org_type=kommun&municipality_code=1441"
                       "&sort=newest&state=rejected", extra_environ=as_user(coordinator)).body
        start = page.index('id="vgs-workplace-filters"')
        form = page[start:page.index("</form>", start)]
        for name, value in (("kind", "connection"), ("org_type", "kommun"), ("municipality_code", "1441"),
                            ("sort", "newest"), ("state", "rejected")):
            select = form[form.index(f'name="{name}"'):form.index("</select>", form.index(f'name="{name}"'))]
            assert re.findall(r'value="([^"]*)" selected', select) == [value], name
            assert ('value=""' in select) == (name not in ("sort", "state")), name
        kinds = form[form.index('name="kind"'):form.index("</select>", form.index('name="kind"'))]
        assert set(re.findall(r'value="(\w+)"', kinds)) == set(objects.KINDS)

    def test_the_charts_name_their_months_and_keep_their_table(self, app, two, coordinator):
        page = app.get("/ckan-admin/samverkan", extra_environ=as_user(coordinator)).body
        history = call("vgsamverkan_history_show", coordinator)["results"]
        first, last = history[0]["month"], history[-1]["month"]
        chart = page[page.index('id="chart-heading"'):page.index('id="vgs-history"')]
        assert f">{first}</text>" in chart and f">{last}</text>" in chart
        assert f"{first}–{last}" in chart  # the chart's title names its months too
        assert f'<th scope="row">{last}</th>' in page  # the table of the figures
