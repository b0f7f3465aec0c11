"""PostgreSQL restarted during a load: clients get a clear answer, nothing is half-written.

The test starts a PostgreSQL cluster of its own (initdb and pg_ctl, on a port of this test
run, as the Redis fault test starts its own redis-server), copies the test database into it
(users, organisations and API tokens made in-process beforehand), and starts the portal
under gunicorn (4 workers) on it. Six client processes then apply, comment and decide in
a loop, over HTTP, while the cluster is stopped as by a crash (``pg_ctl -m immediate``:
no clean shutdown, crash recovery at the start) and started again.

- Every answer is a success, a refusal of the business rules (409), or a 503 Service
  Unavailable in CKAN's JSON error shape whose message (Swedish, the site's language) says
  the database cannot be reached: never a 500, never a dropped connection. A page asked
  for meanwhile is a 503 page with the same message.
- The restart happened under load (some 503s) and the portal recovered by itself (calls
  succeed after it, no server restart).
- Nothing is half-written: every application has its complete event chain (its first
  event made it pending, each next one starts where the previous ended, the last ends in
  its state), an approved new organisation exists with the applicant as its admin, every
  comment's request exists, the list tallies match the rows, and every call that was
  answered as a success is in the database.
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from ckan.plugins.toolkit import config
from ckan.tests import factories

from tests.conftest import port
from tests.e2e.conftest import _ini, _serve, client_pool
from tests.factories import application_data

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("with_plugins", "clean_db")]

# the newest installed PostgreSQL server (scripts/services.sh installs one where none is)
BIN = max(glob.glob("/usr/lib/postgresql/*/bin/initdb") or ["/usr/lib/postgresql/15/bin/initdb"],
          key=lambda path: int(path.split("/")[4]) if path.split("/")[4].isdigit() else 0).rsplit("/", 1)[0]
CLIENTS = 6
SECONDS_BEFORE, SECONDS_AFTER = 3.0, 4.0


class OwnPostgres:
    """A PostgreSQL cluster of the test's own, trusted local connections, no fsync."""

    def __init__(self, number: int, folder: str) -> None:
        self.port = number
        self.folder = folder
        self.url = f"postgresql://postgres@127.0.0.1:{number}/vgsamverkan_restart"

    def _run(self, *command: str, check: bool = True) -> subprocess.CompletedProcess:
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            command = ("runuser", "-u", "postgres", "--", *command)
        return subprocess.run(command, check=check, capture_output=True, text=True, cwd="/tmp")

    def init(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        os.makedirs(self.folder)
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
        self._run(f"{BIN}/initdb", "-D", self.folder, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                  "--locale", "C.UTF-8")

    def start(self) -> None:
        self._run(f"{BIN}/pg_ctl", "-D", self.folder, "-w", "-t", "60", "-l", f"{self.folder}/log", "start", "-o",
                  f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.folder} "
                  "-c fsync=off -c max_connections=60")

    def crash(self) -> None:
        """Stopped as by a crash: the server processes are killed, no checkpoint."""
        self._run(f"{BIN}/pg_ctl", "-D", self.folder, "-m", "immediate", "stop")

    def stop(self) -> None:
        self._run(f"{BIN}/pg_ctl", "-D", self.folder, "-m", "fast", "stop", check=False)

    def copy_in(self, source_url: str) -> None:
        """The test database (schema and rows) into this cluster."""
        self._run(f"{BIN}/createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres",
                  "vgsamverkan_restart")
        dump = subprocess.run([f"{BIN}/pg_dump", "--no-owner", "--no-privileges", source_url],
                              check=True, capture_output=True)
        load = subprocess.run([f"{BIN}/psql", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                               str(self.port), "-U", "postgres", "-d", "vgsamverkan_restart"],
                              input=dump.stdout, capture_output=True)
        assert load.returncode == 0, load.stderr.decode()[-2000:]


@pytest.fixture
def cluster():
    server = OwnPostgres(port(63), f"/tmp/vgsamverkan-pg-{port(63)}")
    server.init()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.folder, ignore_errors=True)


def _call(url: str, token: str, action: str, payload: dict) -> tuple[int | str, dict]:
    try:
        r = requests.post(f"{url}/api/3/action/{action}", json=payload,
                          headers={"Authorization": token}, timeout=60)
    except requests.RequestException as e:
        return f"no answer: {e!r}"[:200], {}
    try:
        return r.status_code, r.json()
    except ValueError:
        return r.status_code, {"text": r.text[:300]}


def _client(job: tuple) -> list[tuple]:
    """One client's loop, in its own process: apply, comment, have the coordinator decide.
    Returns (action, status, result id or error message, started, ended) per call."""
    url, token, coordinator_token, number, stop_at = job
    log = []

    def call(action, payload, who):
        started = time.time()
        status, body = _call(url, who, action, payload)
        result = body.get("result") if isinstance(body.get("result"), dict) else {}
        note = result.get("id") if status == 200 else (body.get("error") or body)
        log.append((action, status, note, started, time.time(), payload.get("id")))
        return status, result

    i = 0
    while time.time() < stop_at:
        i += 1
        name = f"omstart-{number}-{i}-{uuid.uuid4().hex[:6]}"
        status, result = call("vgsamverkan_participation_apply", application_data(
            org_type="kommunalt_bolag", organization_name=name, organization_title=name.title()), token)
        if status != 200:
            continue
        call("vgsamverkan_comment_create", {"object_type": "participation", "object_id": result["id"],
                                            "text": f"Kommentar {name}"}, token)
        decision = "vgsamverkan_participation_approve" if i % 2 else "vgsamverkan_participation_reject"
        payload = {"id": result["id"]} if i % 2 else {"id": result["id"], "reason": "Prov under omstart"}
        call(decision, payload, coordinator_token)
    return log


def test_postgres_restarted_during_a_load(cluster, tmp_path):
    coordinator = factories.User(name="e2e-samordnare")
    coordinator_token = factories.APIToken(user=coordinator["name"])["token"]
    applicants = [factories.User() for _ in range(CLIENTS)]
    tokens = [factories.APIToken(user=u["name"])["token"] for u in applicants]
    import ckan.model as model

    model.Session.commit()
    model.Session.remove()
    cluster.copy_in(config["sqlalchemy.url"])

    p = port(53)
    url = f"http://127.0.0.1:{p}"
    ini = _ini(url, p)
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    serving = _serve([gunicorn, "--workers", "4", "--bind", f"127.0.0.1:{p}", "--timeout", "120", "wsgi:application"],
                     url, dict(os.environ, CKAN_SITE_URL=url, CKAN_INI=ini, CKAN_SQLALCHEMY_URL=cluster.url),
                     f"/tmp/vgsamverkan-pg-restart-{p}.log")
    next(serving)
    try:
        start = time.time()
        stop_at = start + SECONDS_BEFORE + SECONDS_AFTER + 2
        jobs = [(url, tokens[n], coordinator_token, n, stop_at) for n in range(CLIENTS)]
        with client_pool(CLIENTS) as pool:
            pending = pool.map_async(_client, jobs, chunksize=1)
            time.sleep(SECONDS_BEFORE)
            crashed_at = time.time()
            cluster.crash()
            time.sleep(0.3)
            page = requests.get(f"{url}/samverkan", timeout=60)  # a person's page meanwhile
            time.sleep(0.7)
            cluster.start()
            back_at = time.time()
            logs = [entry for log in pending.get(timeout=300) for entry in log]
    finally:
        serving.close()

    statuses = {}
    for action, status, note, *_ in logs:
        statuses.setdefault(status, []).append((action, note))
    # every answer: success, a business refusal, or the clear 503
    assert set(statuses) <= {200, 409, 503}, {s: v[:3] for s, v in statuses.items() if s not in (200, 409, 503)}
    unavailable = statuses.get(503, [])
    assert unavailable, "no call met the restart: the test proved nothing"
    messages = {error.get("message") for _action, error in unavailable}
    assert {error.get("__type") for _action, error in unavailable} == {"Service Unavailable"}
    assert messages == {"Databasen går inte att nå just nu (den kanske startas om). Försök igen om en "
                        "stund, efter att ha sett efter om din senaste ändring sparades."}, messages
    assert page.status_code == 503 and page.headers["Retry-After"] == "5", page.status_code
    assert "Databasen går inte att nå just nu" in page.text
    # there was load before the crash, and the portal recovered by itself after it
    assert any(s == 200 and ended < crashed_at for _a, s, _n, _st, ended, _i in logs)
    after = [s for _a, s, _n, started, _e, _i in logs if started > back_at + 1.0]
    assert after and after.count(200) >= len(after) * 0.9, after

    engine = sa.create_engine(cluster.url)
    with engine.connect() as conn:
        def rows(sql):
            return conn.execute(sa.text(sql)).fetchall()

        participations = {r.id: r for r in rows("SELECT * FROM vgsamverkan_participation")}
        events = {}
        for e in rows("SELECT * FROM vgsamverkan_event WHERE object_type = 'participation' ORDER BY created, id"):
            events.setdefault(e.object_id, []).append(e)
        assert set(events) == set(participations)
        for pid, p in participations.items():
            chain = events[pid]
            assert chain[0].from_state is None and chain[0].to_state == "pending", chain
            for before, nxt in zip(chain, chain[1:], strict=False):
                assert nxt.from_state == before.to_state, chain
            assert chain[-1].to_state == p.state, (p.state, chain)
            if p.state == "approved":
                member = rows(
                    "SELECT m.capacity FROM \"group\" g JOIN member m ON m.group_id = g.id "
                    "JOIN \"user\" u ON u.id = m.table_id "
                    f"WHERE g.id = '{p.organization_id}' AND g.state = 'active' AND m.state = 'active' "
                    f"AND u.id = '{p.applicant_id}'")
                assert [m.capacity for m in member] == ["admin"], p.organization_name
            else:
                assert p.organization_id is None or p.state != "pending"
        orphans = rows("SELECT c.id FROM vgsamverkan_comment c LEFT JOIN vgsamverkan_participation p "
                       "ON p.id = c.object_id WHERE p.id IS NULL")
        assert orphans == []
        wrong_tally = rows(
            "SELECT t.* FROM vgsamverkan_tally t WHERE t.tbl = 'vgsamverkan_participation' AND t.n <> "
            "(SELECT count(*) FROM vgsamverkan_participation p WHERE coalesce(p.organization_id, '') = "
            "t.organization_id AND p.state = t.state)")
        assert wrong_tally == []
        # every success the clients were told of is in the database
        comments = {r.id for r in rows("SELECT id FROM vgsamverkan_comment")}
        for action, status, note, _st, _e, object_id in logs:
            if status != 200:
                continue
            if action == "vgsamverkan_participation_apply":
                assert note in participations
            elif action == "vgsamverkan_comment_create":
                assert note in comments
            elif action == "vgsamverkan_participation_approve":
                assert participations[object_id].state == "approved"
            elif action == "vgsamverkan_participation_reject":
                assert participations[object_id].state == "rejected"
    engine.dispose()
    print(f"\n{len(logs)} calls: " + ", ".join(f"{s}: {len(v)}" for s, v in sorted(statuses.items(), key=str)))
