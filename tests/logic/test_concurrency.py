"""Two concurrent decisions on one application: exactly one wins, the other gets a
ValidationError, and the event log shows one decision. Real concurrent database sessions
(one per thread: CKAN's Session is thread-scoped)."""
from __future__ import annotations

import threading
import time

import pytest

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.vgsamverkan.logic.action import participation as participation_actions
from ckanext.vgsamverkan.model import Event, Participation
from tests.factories import apply_new, requested_on

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


def _race(app, calls):
    """Run ``calls`` (action, context, data) at once; return one outcome per call."""
    barrier = threading.Barrier(len(calls))
    outcomes: list = [None] * len(calls)

    def worker(i, action, user, data):
        with app.flask_app.test_request_context():
            barrier.wait()
            try:
                outcomes[i] = ("ok", helpers.call_action(action, context={"user": user}, **data))
            except tk.ValidationError as e:
                outcomes[i] = ("refused", e.error_dict)
            except Exception as e:  # noqa: BLE001 (anything else is a failure of the test)
                outcomes[i] = ("error", repr(e))
            finally:
                model.Session.remove()

    threads = [threading.Thread(target=worker, args=(i, *c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


@pytest.fixture
def slow_transaction(monkeypatch):
    """Hold each decision's transaction open a moment after it has read the state, so
    that the racing decisions really overlap."""
    original = participation_actions._check_no_overlap
    calls = []

    def slow(*args, **kwargs):
        calls.append(args)
        time.sleep(0.3)
        return original(*args, **kwargs)

    # patched where the approval looks it up (logic/action/participation.py)
    monkeypatch.setattr(participation_actions, "_check_no_overlap", slow)
    return calls


@pytest.mark.parametrize("second", ["approve", "reject"])
def test_concurrent_decisions_exactly_one_wins(app, coordinator, slow_transaction, second):
    applicant = factories.User()
    other_coordinator = factories.Sysadmin()
    p = apply_new(applicant, name=f"kapplopning-{second}")
    extra = {"reason": "Nej"} if second == "reject" else {}
    outcomes = _race(
        app,
        [
            ("vgsamverkan_participation_approve", coordinator["name"], {"id": p["id"]}),
            (f"vgsamverkan_participation_{second}", other_coordinator["name"], {"id": p["id"], **extra}),
        ],
    )
    kinds = sorted(o[0] for o in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refused = next(o[1] for o in outcomes if o[0] == "refused")
    assert "state" in refused
    model.Session.expire_all()
    decisions = (
        model.Session.query(Event)
        .filter(Event.object_id == p["id"], Event.action != "apply")
        .all()
    )
    assert len(decisions) == 1
    state = model.Session.get(Participation, p["id"]).state
    assert decisions[0].to_state == state
    # a new organisation was created at most once
    assert model.Session.query(model.Group).filter_by(name=f"kapplopning-{second}").count() == (
        1 if state == "approved" else 0
    )
    if state == "approved":  # the approval that won went through the slowed check
        assert slow_transaction, "approve no longer calls participation._check_no_overlap: nothing was slowed"


def test_concurrent_applications_for_one_municipality(app, coordinator):
    users = [factories.User() for _ in range(4)]
    data = {
        "org_type": "kommun",
        "municipality_code": "1480",
        "contact_name": "A",
        "contact_email": "a@example.org",
    }
    from tests.factories import org_number

    calls = [
        (
            "vgsamverkan_participation_apply",
            u["name"],
            dict(data, organization_name=f"goteborg-{i}", organization_title=f"G {i}", org_number=org_number()),
        )
        for i, u in enumerate(users)
    ]
    outcomes = _race(app, calls)
    assert sorted(o[0] for o in outcomes) == ["ok", "refused", "refused", "refused"], outcomes
    model.Session.expire_all()
    assert model.Session.query(Participation).filter_by(municipality_code="1480").count() == 1
    assert model.Session.query(Event).filter_by(action="apply").count() == 1


@pytest.mark.parametrize("second", ["approve", "reject"])
def test_concurrent_publisher_decisions_exactly_one_wins(app, coordinator, monkeypatch, second):
    from ckanext.vgsamverkan.domain import taking_part
    from ckanext.vgsamverkan.model import PublisherRequest
    from tests.factories import member_role, participant_org, request_rights

    org = participant_org(factories.User(), coordinator)
    publisher = factories.User()
    r = request_rights(publisher, org)
    original = taking_part.takes_part
    calls = []

    def slow(*args, **kwargs):  # hold the locked transaction open so the decisions overlap
        calls.append(args)
        time.sleep(0.3)
        return original(*args, **kwargs)

    # patched on the module: the approval looks it up there (_base._participant_org)
    monkeypatch.setattr(taking_part, "takes_part", slow)
    extra = {"reason": "Nej"} if second == "reject" else {}
    outcomes = _race(app, [
        ("vgsamverkan_publisher_approve", coordinator["name"], {"id": r["id"]}),
        (f"vgsamverkan_publisher_{second}", factories.Sysadmin()["name"], {"id": r["id"], **extra}),
    ])
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"], outcomes
    model.Session.expire_all()
    decisions = model.Session.query(Event).filter(Event.object_id == r["id"], Event.action != "request").all()
    assert len(decisions) == 1
    state = model.Session.get(PublisherRequest, r["id"]).state
    assert member_role(org["id"], publisher["id"]) == ("editor" if state == "approved" else None)
    if state == "approved":
        assert calls, "approve no longer calls taking_part.takes_part: nothing was slowed"


def test_one_experts_day_holds_24_hours_under_concurrent_logs(app, coordinator, monkeypatch):
    """Two call-offs of one expert, 16 hours each on the same day, logged at once: one is
    refused (the check and the insert of one expert's day take turns)."""
    import datetime as dt

    from ckanext.vgsamverkan.model import CalloffTime
    from tests.factories import call, participant_org

    admin, expert = factories.User(), factories.User()
    org = participant_org(admin, coordinator, effective_from="2025-01-01")
    ids = []
    for _ in range(2):
        c = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="teknik",
                 description="D", estimated_hours="16", period_start="2026-01-01", period_end="2026-12-31")
        requested_on(c["id"], "2025-01-01")  # time is logged on days long past
        call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="E", expert_user_id=expert["id"],
             hourly_rate="900", planned_hours="16")
        ids.append(c["id"])
    from ckanext.vgsamverkan.domain import taking_part

    original = taking_part.takes_part
    calls = []

    def slow(*args, **kwargs):  # both calls reach the check before either has written
        if len(args) == 2:  # log_time's check of the day worked (organisation, day)
            calls.append(args)
            time.sleep(0.3)
        return original(*args, **kwargs)

    # patched on the module, where log_time looks it up (taking_part.takes_part)
    monkeypatch.setattr(taking_part, "takes_part", slow)
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    outcomes = _race(app, [("vgsamverkan_calloff_log_time", expert["name"], {"id": i, "date": day, "hours": "16"})
                           for i in ids])
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"], outcomes
    assert "hours" in next(o[1] for o in outcomes if o[0] == "refused")
    assert len(calls) == 2, "log_time no longer calls taking_part.takes_part: the race is not slowed"
    model.Session.expire_all()
    assert model.Session.query(CalloffTime).count() == 1
    assert model.Session.query(Event).filter_by(object_type="calloff", action="log_time").count() == 1


def test_two_activations_of_one_user_name_at_once_make_one_account(app, monkeypatch):
    """Found from outside (issue 36): two registrations with the same user name, activated
    at the same moment, gave a 500 (the loser's insert of the name or its dashboard)."""
    from ckanext.vgsamverkan.logic.action import account
    from tests.logic.test_registration import NEW_PASSWORD

    links = []
    for i in range(2):
        helpers.call_action("vgsamverkan_user_register", context={"user": ""}, name="ny-samtidig",
                            email=f"ny-samtidig-{i}@example.org", password1=NEW_PASSWORD, password2=NEW_PASSWORD)
    from ckanext.vgsamverkan.model import Registration

    registrations = model.Session.query(Registration).order_by(Registration.email).all()
    for r in registrations:  # a known key for each (the mailed one is in the outbox)
        r.key_digest = account._digest(f"nyckel-{r.email}")
        links.append({"id": r.id, "key": f"nyckel-{r.email}", "password": NEW_PASSWORD})
    model.Session.commit()
    original = account._lock_name

    def slow(name):  # both past the address lock and the checks before them, then the name
        time.sleep(0.3)
        return original(name)

    monkeypatch.setattr(account, "_lock_name", slow)
    outcomes = _race(app, [("vgsamverkan_user_activate", "", link) for link in links])
    assert sorted(o[0] for o in outcomes) == ["ok", "refused"], outcomes
    refused = next(o[1] for o in outcomes if o[0] == "refused")
    assert "name" in refused
    assert model.User.get("ny-samtidig") is not None
