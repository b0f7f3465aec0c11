"""Many clients at once against the portal under gunicorn with several worker processes:
each client is a separate process with ckanapi's RemoteCKAN and its own API token.

- Two clients decide each waiting application at the same moment, one approving, one
  rejecting: exactly one wins, the other gets a 409, the event log has one decision.
- Sixteen clients comment on one request at once: every comment is there, once.
- Thirty logs of one hour on one expert's day, over two call-offs, at once: exactly 24
  are accepted (the day holds 24 hours), every accepted one is stored with its event.
- Six clients run the same fee month at once: the saved statements are exactly those of
  a single run.
- No answer is a 500 or an unexpected error.
"""
from __future__ import annotations

import datetime as dt

import pytest

import ckan.model as model
from ckan.tests import factories

from ckanext.vgsamverkan.model import CalloffTime, Comment, Event, FeeLine, FeeStatement, Participation
from tests.e2e.conftest import client_pool
from tests.factories import apply_new, call, participant_org, requested_on

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]

CLIENTS = 16


def _act(job: tuple) -> str:
    """One client's call, in its own process: "ok", "409", "403" or what went wrong."""
    url, token, action, payload = job
    from ckanapi import CKANAPIError, NotAuthorized, RemoteCKAN, ValidationError

    client = RemoteCKAN(url, apikey=token, user_agent="vgsamverkan-load")
    try:
        getattr(client.action, action)(**payload)
        return "ok"
    except ValidationError:
        return "409"
    except NotAuthorized:
        return "403"
    except CKANAPIError as e:
        return f"error: {e!r}"[:300]
    except Exception as e:  # noqa: BLE001 (a dropped connection and the like)
        return f"error: {e!r}"[:300]


def _all_at_once(jobs: list[tuple]) -> list[str]:
    with client_pool(CLIENTS) as pool:
        return pool.map_async(_act, jobs, chunksize=1).get(timeout=600)


@pytest.fixture
def coordinator_token():
    user = factories.User(name="e2e-samordnare")  # the server's coordinator, not a sysadmin
    return user, factories.APIToken(user=user["name"])["token"]


def test_decisions_comments_time_and_fee_runs_at_once(gunicorn_url, coordinator_token, coordinator):
    coord, token = coordinator_token
    tokens = [factories.APIToken(user=coord["name"])["token"] for _ in range(CLIENTS)]
    applicant = factories.User()
    pending = [apply_new(applicant) for _ in range(10)]

    # 1. a double decision on each application
    jobs = []
    for i, p in enumerate(pending):
        jobs.append((gunicorn_url, tokens[(2 * i) % CLIENTS], "vgsamverkan_participation_approve", {"id": p["id"]}))
        jobs.append((gunicorn_url, tokens[(2 * i + 1) % CLIENTS], "vgsamverkan_participation_reject",
                     {"id": p["id"], "reason": "Samtidigt"}))
    outcomes = _all_at_once(jobs)
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    model.Session.expire_all()
    for i, p in enumerate(pending):
        pair = outcomes[2 * i:2 * i + 2]
        assert sorted(pair) == ["409", "ok"], pair
        state = model.Session.get(Participation, p["id"]).state
        assert state == ("approved" if pair[0] == "ok" else "rejected")
        decisions = model.Session.query(Event).filter(Event.object_id == p["id"],
                                                      Event.action.in_(["approve", "reject"])).count()
        assert decisions == 1

    # 2. comments, all at once on one request
    target = pending[0]["id"]
    jobs = [(gunicorn_url, tokens[i % CLIENTS], "vgsamverkan_comment_create",
             {"object_type": "participation", "object_id": target, "text": f"Kommentar {i}"})
            for i in range(CLIENTS * 3)]
    assert set(_all_at_once(jobs)) == {"ok"}
    texts = sorted(c.text for c in model.Session.query(Comment).filter(Comment.object_id == target))
    assert texts == sorted(f"Kommentar {i}" for i in range(CLIENTS * 3))

    # 3. one expert's day, over two call-offs, at once
    expert = factories.User()
    expert_token = factories.APIToken(user=expert["name"])["token"]
    admin = factories.User()
    org = participant_org(admin, coordinator, effective_from="2025-01-01", municipality_code="1480")
    calloffs = []
    for _ in range(2):
        c = call("vgsamverkan_calloff_create", admin, organization_id=org["id"], competence_area="metadata",
                 description="D", estimated_hours="30", period_start="2025-01-01", period_end="2099-12-31")
        requested_on(c["id"], "2025-01-01")  # time is logged on days long past
        call("vgsamverkan_calloff_assign", coordinator, id=c["id"], expert_name="Eva", expert_user_id=expert["id"],
             hourly_rate="900", planned_hours="30")
        calloffs.append(c)
    day = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    jobs = [(gunicorn_url, expert_token, "vgsamverkan_calloff_log_time",
             {"id": calloffs[i % 2]["id"], "date": day, "hours": "1"}) for i in range(30)]
    outcomes = _all_at_once(jobs)
    assert outcomes.count("ok") == 24 and outcomes.count("409") == 6, outcomes
    model.Session.expire_all()
    rows = model.Session.query(CalloffTime).filter(CalloffTime.date == dt.date.fromisoformat(day)).all()
    assert len(rows) == 24 and sum(r.hours for r in rows) == 24
    assert model.Session.query(Event).filter(Event.action == "log_time").count() == 24

    # 4. the same fee month run by six clients at once: as one run
    call("vgsamverkan_population_import", coordinator, year=2025, source="T",
         records=[{"municipality_code": "1480", "name": "Göteborg", "population": 600000}])
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2025-01", total="100000")
    month = (dt.date.today().replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    call("vgsamverkan_fee_run", coordinator, month=month)

    def saved():
        model.Session.expire_all()
        return (sorted((s.id, s.organization_id, s.net_ore, s.vat_ore, s.total_ore)
                       for s in model.Session.query(FeeStatement).filter(FeeStatement.month == month)),
                sorted((line.id, line.amount_ore, line.text)
                       for line in model.Session.query(FeeLine).filter(FeeLine.month == month)))

    single = saved()
    assert single[0]
    outcomes = _all_at_once([(gunicorn_url, tokens[i], "vgsamverkan_fee_run", {"month": month}) for i in range(6)])
    assert outcomes == ["ok"] * 6, outcomes
    assert saved() == single
    assert model.Session.query(Event).filter(Event.object_type == "fee_month", Event.action == "run").count() == 7
