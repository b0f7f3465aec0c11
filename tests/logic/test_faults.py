"""Faults, with the real services started and stopped by the test.

Redis down while decisions are made: the decisions succeed, their mails wait in the
outbox (the database), and once Redis is back they go out — each once. The Redis server
is the test's own (Debian's redis-server on a port of its own, no persistence), so
stopping it disturbs nothing else.
"""
from __future__ import annotations

import subprocess
import time

import pytest
import redis

import ckan.model as model
from ckan.cli.cli import ckan
from ckan.tests import factories

from ckanext.vgsamverkan.mail import notify, outbox
from ckanext.vgsamverkan.model import Outbox, Participation
from tests.conftest import port
from tests.factories import apply_new, call

pytestmark = pytest.mark.usefixtures("with_plugins", "clean_db")


class OwnRedis:
    def __init__(self, number: int) -> None:
        self.port = number
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 10
        while True:
            try:
                if redis.Redis(port=self.port).ping():
                    return
            except redis.ConnectionError:
                pass
            assert time.time() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
            self.proc = None


def _forget_connections() -> None:
    """CKAN keeps one connection pool and its queues; make it connect anew."""
    from ckan.lib import jobs
    from ckan.lib import redis as ckan_redis

    ckan_redis._connection_pool = None
    jobs._queues.clear()


@pytest.fixture
def own_redis(ckan_config, monkeypatch):
    server = OwnRedis(port(61))
    server.start()
    monkeypatch.setitem(ckan_config, "ckan.redis.url", f"redis://127.0.0.1:{server.port}/0")
    _forget_connections()
    try:
        yield server
    finally:
        server.stop()
        _forget_connections()


def _outbox() -> list[tuple[str, str]]:
    model.Session.expire_all()
    return sorted((r.recipient_email, r.state) for r in model.Session.query(Outbox))


def test_redis_down_decisions_stand_and_the_mails_go_out_once_when_it_is_back(
        own_redis, coordinator, mailbox, run_jobs):
    applicant = factories.User(email="sokande@example.org")
    p = apply_new(applicant)
    run_jobs()
    assert len(mailbox.to("samordnare@example.org")) == 1
    mailbox.messages.clear()

    own_redis.stop()
    approved = call("vgsamverkan_participation_approve", coordinator, id=p["id"], comment="Välkomna")
    call("vgsamverkan_comment_create", coordinator, object_type="participation", object_id=p["id"], text="Hej")
    second = apply_new(applicant)
    assert approved["state"] == "approved"
    model.Session.expire_all()
    assert model.Session.get(Participation, p["id"]).state == "approved"
    assert model.Session.get(Participation, second["id"]).state == "pending"
    # the approval, the comment (the applicant is now the new organisation's admin) and
    # the second application's receipt to the applicant; the application to the coordinator
    waiting = [("samordnare@example.org", "waiting"), ("sokande@example.org", "waiting"),
               ("sokande@example.org", "waiting"), ("sokande@example.org", "waiting")]
    sent = [("samordnare@example.org", "sent"), ("sokande@example.org", "sent")]  # the first application's
    assert _outbox() == sorted(sent + waiting)
    assert outbox.flush() == {"waiting": 4, "queued": 0}  # still away

    own_redis.start()  # a new, empty Redis: nothing of before survived in it
    assert outbox.flush() == {"waiting": 4, "queued": 4}
    run_jobs()
    assert len(mailbox.to("sokande@example.org")) == 3 and len(mailbox.to("samordnare@example.org")) == 1
    assert all(state == "sent" for _email, state in _outbox())

    # none twice: a job queued again for a sent mail, and another flush, send nothing
    mailbox.messages.clear()
    for row in model.Session.query(Outbox):
        assert outbox._push(row.id)
    assert outbox.flush() == {"waiting": 0, "queued": 0}
    run_jobs()
    assert mailbox.messages == []


def test_a_mail_given_up_after_its_retries(coordinator, mailbox, run_jobs, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.vgsamverkan.mail_retries", 0)
    mailbox.refuse = True
    apply_new(factories.User())
    run_jobs()
    model.Session.expire_all()
    rows = model.Session.query(Outbox).all()  # to the coordinator, and the receipt
    assert len(rows) == 2
    assert all((row.state, row.attempts) == ("failed", 1) and row.last_error for row in rows)
    assert outbox.flush() == {"waiting": 0, "queued": 0}  # not queued again


def test_database_lost_while_a_mail_is_prepared(coordinator, mailbox, run_jobs, monkeypatch):
    """The decision is committed; then, while its mail is prepared, the database is lost.
    The decision stands and its answer is a success; the mail is prepared again by the
    job queue once the database is back, and goes out once.

    Simulated (the only mock here): the loss is an OperationalError raised by the lookup
    of the organisation's admins (mail/notify/_base.py's _admins, patched where the
    notification looks them up), because the test's own database cannot be stopped under
    the test. A real PostgreSQL restart under load is tests/e2e/test_pg_restart.py."""
    import sqlalchemy as sa

    applicant = factories.User(email="sokande@example.org")
    application = apply_new(applicant)
    run_jobs()
    mailbox.messages.clear()

    real_admins = notify._base._admins
    lost = []

    def admins(org_id):
        lost.append(org_id)
        raise sa.exc.OperationalError("SELECT", {}, Exception("server closed the connection unexpectedly"))

    monkeypatch.setattr(notify._base, "_admins", admins)
    approved = call("vgsamverkan_participation_approve", coordinator, id=application["id"])
    monkeypatch.setattr(notify._base, "_admins", real_admins)
    assert lost and approved["state"] == "approved"
    model.Session.expire_all()
    assert model.Session.get(Participation, application["id"]).state == "approved"
    # (the application's receipt was sent before: only the approval is in question)
    assert model.Session.query(Outbox).filter(Outbox.recipient_email == "sokande@example.org").count() == 1
    run_jobs()  # prepare_later: composed, written to the outbox, queued; then sent
    assert len(mailbox.news("sokande@example.org")) == 1
    run_jobs()
    assert len(mailbox.news("sokande@example.org")) == 1  # once


def test_the_flush_command(own_redis, coordinator, cli):
    # (the CLI loads the configuration anew, so this test has no mailbox to keep)
    apply_new(factories.User())
    own_redis.stop()
    apply_new(factories.User())
    refused = cli.invoke(ckan, ["vgsamverkan", "mail", "flush"])
    # the second application's mail to the coordinator and its receipt
    assert refused.exit_code == 1 and "0 of 2 waiting mails queued" in refused.output, refused.output
    assert "cannot be reached" in refused.output
    own_redis.start()
    flushed = cli.invoke(ckan, ["vgsamverkan", "mail", "flush"])
    assert flushed.exit_code == 0 and "2 of 2 waiting mails queued" in flushed.output, flushed.output


_KILLED_RUN = r'''
import sys, time
from ckan.cli import load_config
from ckan.config.middleware import make_app
import ckan.plugins.toolkit as tk

make_app(load_config(sys.argv[1]))
from ckanext.vgsamverkan.fees import run as feerun

line_id = feerun.line_id

def slow_line_id(*args):
    # the old statements are deleted and the new ones written (not committed): stop here
    open(sys.argv[3], "w").write("half-way")
    time.sleep(120)
    return line_id(*args)

feerun.line_id = slow_line_id
site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
tk.get_action("vgsamverkan_fee_run")({"user": site, "ignore_auth": True}, {"month": sys.argv[2]})
'''


def test_a_fee_run_killed_half_way_saves_nothing(coordinator, tmp_path):
    """A re-run of a month is killed (SIGKILL) after it deleted the saved statements and
    wrote new ones, before it commits: the saved statements are as they were, and the
    month can be run again at once (no lock is left behind)."""
    import os
    import signal
    import sys

    from ckanext.vgsamverkan.model import FeeLine, FeeMonth, FeeStatement
    from tests.factories import participant_org

    call("vgsamverkan_population_import", coordinator, year=2025, source="T",
         records=[{"municipality_code": "1480", "name": "Göteborg", "population": 600000},
                  {"municipality_code": "1401", "name": "Härryda", "population": 40000}])
    call("vgsamverkan_fee_schedule_set", coordinator, valid_from="2026-01", total="100000")
    for code in ("1480", "1401"):
        participant_org(factories.User(), coordinator, effective_from="2026-01-01", municipality_code=code)
    call("vgsamverkan_fee_run", coordinator, month="2026-10")

    def saved():
        model.Session.expire_all()
        return (sorted((s.id, s.net_ore, s.total_ore)
                       for s in model.Session.query(FeeStatement).filter(FeeStatement.month == "2026-10")),
                sorted((line.id, line.amount_ore, line.text)
                       for line in model.Session.query(FeeLine).filter(FeeLine.month == "2026-10")),
                str(model.Session.get(FeeMonth, "2026-10").run_at))

    before = saved()
    assert len(before[0]) == 2
    model.Session.commit()
    script, marker = tmp_path / "run.py", tmp_path / "half-way"
    script.write_text(_KILLED_RUN)
    ini = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "test.ini")
    child = subprocess.Popen([sys.executable, str(script), ini, "2026-10", str(marker)])
    try:
        deadline = time.time() + 60
        while not marker.exists():
            assert child.poll() is None, "the run ended before it was half-way"
            assert time.time() < deadline, "the run never got half-way"
            time.sleep(0.1)
        assert saved() == before  # what is half-done is not seen by others
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert saved() == before
    # no lock left: the month runs again at once, to the same statements
    again = call("vgsamverkan_fee_run", coordinator, month="2026-10")
    assert again["count"] == 2
    assert saved()[:2] == before[:2]
