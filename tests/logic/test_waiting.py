"""'Väntar på dig' first (issue 21, part 1): what waits for a person's move apart from
others' move, the log-in landing on it when something waits (CKAN's own page
otherwise), and the count in the header."""
from __future__ import annotations

import pytest

import ckan.plugins.toolkit as tk
from ckan.tests import factories

from tests.browser import PASSWORD, Browser, as_user
from tests.factories import apply_new, call, participant_org, request_rights, requested_on

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


@pytest.fixture
def world(coordinator):
    admin, expert, applicant, idle = factories.User(), factories.User(), factories.User(), factories.User()
    org = participant_org(admin, coordinator)
    c = call("vgsamverkan_connection_create", admin, organization_id=org["id"], information_sets="Kartor",
             technical_contact="T")
    call("vgsamverkan_connection_investigate", coordinator, id=c["id"], investigator="I")
    call("vgsamverkan_connection_quote", coordinator, id=c["id"], solution="S", effort_hours="10", price="18500",
         valid_until="2099-01-01")
    off = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="metadata",
               description="D", estimated_hours="4", period_start="2026-01-01", period_end="2026-12-31")
    requested_on(off["id"], "2025-01-01")
    call("vgsamverkan_calloff_assign", coordinator, id=off["id"], expert_name="Eva", expert_user_id=expert["id"],
         fixed_price="5000", planned_hours="4")
    pending = apply_new(applicant)
    return {"admin": admin, "expert": expert, "applicant": applicant, "idle": idle, "org": org,
            "connection": c, "calloff": off, "pending": pending, "coordinator": coordinator}


class TestTheList:
    def test_the_admin_answers_a_quote_with_its_amount(self, world):
        w = call("vgsamverkan_waiting_list", world["admin"])
        [quote] = [r for r in w["yours"] if r["kind"] == "connection"]
        assert (quote["id"], quote["amount"], quote["organization_title"]) == (
            world["connection"]["id"], "18500.00", world["org"]["title"])
        assert quote["url"] == f"/samverkan/anslutning/{world['connection']['id']}" and quote["age_days"] == 0
        assert w["count"] == 1
        # the call-off waits for the expert, not for the admin: it is the admin's "others"
        assert [r["id"] for r in w["others"]] == [world["calloff"]["id"]]

    def test_the_expert_logs_time(self, world):
        w = call("vgsamverkan_waiting_list", world["expert"])
        assert [(r["kind"], r["id"], r["amount"]) for r in w["yours"]] == [
            ("calloff", world["calloff"]["id"], "5000.00")]

    def test_the_coordinator_sees_the_queue(self, world):
        w = call("vgsamverkan_waiting_list", world["coordinator"])
        queue = call("vgsamverkan_queue_list", world["coordinator"])
        assert w["count"] == queue["count"] and world["pending"]["id"] in [r["id"] for r in w["yours"]]

    def test_an_applicant_waits_for_others(self, world):
        w = call("vgsamverkan_waiting_list", world["applicant"])
        assert w["count"] == 0 and [r["id"] for r in w["others"]] == [world["pending"]["id"]]
        assert w["others"][0]["next"]

    def test_nothing_for_someone_with_nothing(self, world):
        assert call("vgsamverkan_waiting_list", world["idle"]) == {"count": 0, "results": [], "yours": [],
                                                                   "others": []}

    def test_the_anonymous_are_refused_and_bad_input_named(self, world):
        with pytest.raises(tk.NotAuthorized):
            call("vgsamverkan_waiting_list", None)
        with pytest.raises(tk.ValidationError) as e:
            call("vgsamverkan_waiting_list", world["admin"], user_id=world["expert"]["id"])
        assert "user_id" in e.value.error_dict  # nobody asks for another's list


class TestLanding:
    def _log_in(self, app, user) -> str:
        import re

        import ckan.model as model

        client = app.test_client()
        obj = model.User.get(user["name"])
        obj.password = PASSWORD
        model.Session.commit()
        page = client.get("/user/login").get_data(as_text=True)
        csrf = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)
        response = client.post("/user/login", data={"login": user["name"], "password": PASSWORD,
                                                     "_csrf_token": csrf}, follow_redirects=True)
        return response.request.path

    def test_someone_with_a_move_lands_on_it(self, app, world):
        assert self._log_in(app, world["admin"]) == "/samverkan/vantar"

    def test_someone_with_nothing_lands_on_how_to_take_part(self, app, world):
        assert self._log_in(app, world["idle"]) == "/samverkan/kom-igang"  # tests/views/test_landing.py

    def test_the_header_counts_and_the_page_lists(self, app, world):
        browser = Browser(app)
        page = browser.get("/dataset/", extra_environ=as_user(world["admin"])).body
        assert 'id="vgs-waiting-count">1<' in page
        assert 'id="vgs-waiting-count"' not in browser.get("/dataset/", extra_environ=as_user(world["idle"])).body
        listed = browser.get("/samverkan/vantar", extra_environ=as_user(world["admin"])).body
        assert 'id="vgs-waiting-yours"' in listed and "18\u00a0500,00 kr" in listed
        assert browser.get("/samverkan/vantar", follow_redirects=False).status_code == 302  # log in first


class TestEachReadersNextStep:
    """One table of what happens next (Kind.steps, issue 38) says it to whoever reads:
    "Mina ärenden" told the coordinator "the coordinator decides; you get an e-mail" about
    the coordinator's own queue, and every admin "you may publish" about a colleague's
    rights (found in a browser, issue 38's review)."""

    @pytest.fixture
    def app(self, app):
        return Browser(app)

    def test_the_coordinators_own_move_is_said_as_such(self, world):
        mine = call("vgsamverkan_waiting_list", world["coordinator"])
        [pending] = [r for r in mine["yours"] if r["id"] == world["pending"]["id"]]
        assert pending["next"] == "Decide on the application."
        applicant = call("vgsamverkan_waiting_list", world["applicant"])
        [own] = [r for r in applicant["others"] if r["id"] == world["pending"]["id"]]
        assert own["next"] == "The regional coordinator decides; you get an e-mail."

    def test_my_requests_speak_to_the_reader(self, app, world):
        rights_holder = factories.User()
        rights = request_rights(rights_holder, world["org"])
        call("vgsamverkan_publisher_approve", world["coordinator"], id=rights["id"])

        def row_of(user, table_id: str) -> str:
            page = app.get("/en/samverkan/mina-arenden", extra_environ=as_user(user)).body
            table = page[page.index(f'id="{table_id}"'):]
            return table[:table.index("</table>")]

        assert "You may publish for the organisation." in row_of(rights_holder, "vgs-my-publisher")
        by_admin = row_of(world["admin"], "vgs-my-publisher")
        assert "The user may publish for the organisation." in by_admin
        assert "You may publish for the organisation." not in by_admin
        coordinator_page = app.get("/en/samverkan/mina-arenden", extra_environ=as_user(world["coordinator"])).body
        assert "Decide on the application." in coordinator_page
        assert "you get an e-mail" not in coordinator_page
        assert "Your organisation takes part." not in coordinator_page
        assert "Accept or decline the quote." in row_of(world["admin"], "vgs-my-connections")
        # a fixed price asks for no time (issue 39: it said "Log your time on the call-off.")
        assert "Tell the coordinator when the work is done; the coordinator records the delivery." in \
            row_of(world["expert"], "vgs-my-calloffs")
