"""Benchmark: the action API under load, against the portal under gunicorn (wsgi.py, 4
worker processes), driven by 16 client processes with ckanapi, each with its own API
token. For each call it measures requests per second and the p50/p95 latency, with
CKAN's own ``organization_show`` and ``package_show`` in the same run as the baseline:
apply, list, show, decide (approve) and fee statement show. Then the lists and show
again with 100 000 stored applications instead of 1 000, and EXPLAIN of the list's
query, to show that they stay flat (indexes, no scan of every row).

Usage (from the repository, after `make test` has made the venv):
    .venv/bin/python bench/load.py [--clients 16] [--seconds 8] [--stored 1000 100000]
Uses (and empties) the database vgsamverkan_bench_load and port 5990.
Targets: our list and show no slower than package_show (ratio ≤ 1.0), the lists at
100 000 stored no more than 1.5× the time at 1 000, no error under 16 clients.
"""
from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import subprocess
import sys
import time

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = "vgsamverkan_bench_load"
URL_DB = f"postgresql://ckan_default:pass@127.0.0.1/{DB}"
PORT = 5990
URL = f"http://127.0.0.1:{PORT}"
MONTH = "2026-10"
COORDINATOR = "bench-samordnare"


def setup_database() -> None:
    subprocess.run(["bash", "scripts/db.sh", DB], cwd=ROOT, check=True)
    env = dict(os.environ, CKAN_SQLALCHEMY_URL=URL_DB)
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    for args in (["db", "clean", "--yes"], ["db", "init"], ["db", "upgrade", "-p", "activity"],
                 ["db", "upgrade", "-p", "vgsamverkan"]):
        subprocess.run([ckan, "-c", "test.ini", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def _ini() -> str:
    path = "/tmp/vgsamverkan-bench-load.ini"
    with open(path, "w") as f:
        f.write("[app:main]\n"
                f"use = config:{os.path.join(ROOT, 'test.ini')}\n"
                f"sqlalchemy.url = {URL_DB}\n"
                f"ckan.site_url = {URL}\n"
                f"ckanext.vgsamverkan.coordinators = {COORDINATOR}\n"
                "ckanext.vgsamverkan.notify = false\n"
                "[loggers]\nkeys = root\n[handlers]\nkeys = console\n[formatters]\nkeys = generic\n"
                "[logger_root]\nlevel = WARNING\nhandlers = console\n"
                "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\n"
                "formatter = generic\n[formatter_generic]\nformat = %(levelname)s [%(name)s] %(message)s\n")
    return path


def seed(tk, model) -> dict:
    """Users with tokens, an organisation with a dataset (the baseline), a participant
    with a fee statement, and pending applications to decide."""
    from ckanext.vgsamverkan.model import Participation
    from ckanext.vgsamverkan.model.base import utcnow

    site = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}
    users = {}
    for name in (COORDINATOR, "bench-sokande"):
        tk.get_action("user_create")(dict(site), {"name": name, "email": f"{name}@example.org",
                                                  "password": "Bench-password-1"})
        users[name] = [tk.get_action("api_token_create")(dict(site), {"user": name, "name": f"t{i}"})["token"]
                       for i in range(16)]
    org = tk.get_action("organization_create")(dict(site), {"name": "bench-org", "title": "Bench-kommunen"})
    pkg = tk.get_action("package_create")(dict(site), {"name": "bench-data", "title": "Bench-data",
                                                       "owner_org": org["id"], "notes": "Data"})
    tk.get_action("vgsamverkan_population_import")(dict(site), {
        "year": 2025, "source": "bench", "records": [{"municipality_code": "1480", "name": "Göteborg",
                                                      "population": 600000}]})
    p = tk.get_action("vgsamverkan_participation_apply")(dict(site, user=COORDINATOR), {
        "organization_id": org["id"], "org_type": "kommun", "municipality_code": "1480",
        "org_number": "212000-1355", "contact_name": "Bench", "contact_email": "b@example.org"})
    tk.get_action("vgsamverkan_participation_approve")(dict(site), {"id": p["id"], "effective_from": "2026-01-01"})
    tk.get_action("vgsamverkan_fee_schedule_set")(dict(site), {"valid_from": "2026-01", "total": "100000"})
    tk.get_action("vgsamverkan_fee_run")(dict(site), {"month": MONTH})
    now = utcnow()
    applicant = model.User.get("bench-sokande").id
    pending = []
    for i in range(4000):
        row = Participation(organization_name=f"vantande-{i:05d}", organization_title=f"Väntande {i}",
                            org_type="regional_forvaltning", org_number="212000-1355", contact_name="Bench",
                            contact_email="b@example.org", applicant_id=applicant, state="pending",
                            language="sv", created=now, modified=now)
        model.Session.add(row)
        pending.append(row)
    model.Session.commit()
    return {"tokens": users, "org": org["id"], "pkg": pkg["id"], "participation": p["id"],
            "pending": [r.id for r in pending]}


def store(model, total: int) -> None:
    """Closed applications up to ``total`` stored in all (written directly, fast), made by
    the coordinator's account: the applicant's own list stays as small as in life."""
    import sqlalchemy as sa

    have = model.Session.execute(sa.text("SELECT count(*) FROM vgsamverkan_participation")).scalar()
    model.Session.execute(sa.text(
        "INSERT INTO vgsamverkan_participation (id, organization_name, organization_title, org_type, org_number, "
        "contact_name, contact_email, applicant_id, state, language, created, modified) "
        "SELECT md5(random()::text || g::text), 'arkiv-' || g, 'Arkiv ' || g, 'regional_forvaltning', "
        "'212000-1355', 'Bench', 'b@example.org', "
        "(SELECT id FROM \"user\" WHERE name = :who), "
        "(ARRAY['rejected','withdrawn','terminated'])[1 + g % 3], 'sv', "
        "now() - (g || ' minutes')::interval, now() FROM generate_series(:a, :b) g"),
        {"a": have, "b": max(total - 1, have - 1), "who": COORDINATOR})
    model.Session.commit()
    model.Session.execute(sa.text("ANALYZE vgsamverkan_participation"))
    model.Session.commit()


# -- the clients ------------------------------------------------------------------------

def _client(job: tuple) -> list[tuple[float, bool]]:
    """Call ``action`` for ``seconds``; (latency, ok) of each call."""
    token, action, payloads, seconds = job
    session = requests.Session()
    session.headers.update({"Authorization": token, "Content-Type": "application/json"})
    out = []
    end = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < end and i < len(payloads):
        began = time.perf_counter()
        try:
            answer = session.post(f"{URL}/api/3/action/{action}", json=payloads[i], timeout=60)
            ok = answer.status_code == 200
        except requests.RequestException:
            ok = False
        out.append((time.perf_counter() - began, ok))
        i += 1
    return out


def run(action: str, tokens: list[str], payloads_per_client: list[list[dict]], seconds: float) -> dict:
    jobs = [(tokens[i], action, payloads_per_client[i], seconds) for i in range(len(tokens))]
    began = time.perf_counter()
    pool = multiprocessing.get_context("fork").Pool(len(jobs))
    try:  # closed and joined, not terminated (terminate can leave a worker on the queue's lock)
        results = pool.map_async(_client, jobs, chunksize=1).get(timeout=900)
    finally:
        pool.close()
        pool.join()
    wall = time.perf_counter() - began
    calls = [c for r in results for c in r]
    times = sorted(t for t, _ok in calls)
    errors = sum(1 for _t, ok in calls if not ok)
    return {"action": action, "calls": len(calls), "rps": len(calls) / wall, "errors": errors,
            "p50": statistics.median(times) * 1000, "p95": times[int(len(times) * 0.95) - 1] * 1000}


def _print(row: dict, base: float | None = None) -> None:
    ratio = f"{row['p50'] / base:>7.2f}" if base else f"{'':>7}"
    print(f"{row['action']:<38} {row['calls']:>6} {row['rps']:>7.1f} {row['p50']:>8.1f} {row['p95']:>8.1f} "
          f"{ratio} {row['errors']:>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--stored", type=int, nargs=2, default=[1000, 100_000])
    args = parser.parse_args()
    os.chdir(ROOT)
    os.environ["CKAN_SQLALCHEMY_URL"] = URL_DB
    setup_database()
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(_ini()))
    import ckan.model as model
    import ckan.plugins.toolkit as tk

    with app._wsgi_app.test_request_context():
        world = seed(tk, model)
        store(model, args.stored[0])
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen([gunicorn, "--workers", "4", "--bind", f"127.0.0.1:{PORT}", "--timeout", "120",
                               "wsgi:application"], cwd=ROOT, env=dict(os.environ, CKAN_INI=_ini()),
                              stdout=subprocess.DEVNULL, stderr=open("/tmp/vgsamverkan-bench-load.log", "w"))
    try:
        deadline = time.time() + 90
        while True:
            try:
                if requests.get(f"{URL}/api/3/action/status_show", timeout=2).ok:
                    break
            except requests.RequestException:
                pass
            assert server.poll() is None and time.time() < deadline, "gunicorn did not start"
            time.sleep(0.3)
        n, secs = args.clients, args.seconds
        coordinator, applicant = world["tokens"][COORDINATOR][:n], world["tokens"]["bench-sokande"][:n]
        same = lambda payload: [[payload] * 100_000 for _ in range(n)]  # noqa: E731
        print(f"{n} clients, {secs:.0f} s per action, gunicorn 4 workers; {args.stored[0]} applications stored")
        print(f"{'action':<38} {'calls':>6} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'÷ pkg':>7} {'errors':>6}")
        for _ in range(2):  # warm every worker
            run("package_show", coordinator, same({"id": world["pkg"]}), 1)
        base = run("package_show", coordinator, same({"id": world["pkg"]}), secs)
        _print(base)
        _print(run("organization_show", coordinator, same({"id": world["org"]}), secs), base["p50"])
        results = {}
        for action, payload in (("vgsamverkan_participation_show", {"id": world["participation"]}),
                                ("vgsamverkan_participation_list", {"limit": 20}),
                                ("vgsamverkan_participation_list", {"state": "pending", "limit": 20}),
                                ("vgsamverkan_fee_statement_show", {"organization_id": world["org"],
                                                                    "month": MONTH})):
            row = run(action, coordinator, same(payload), secs)
            results[(action, str(payload))] = row
            row = dict(row, action=action.replace("vgsamverkan_", "") + (" (pending)" if "state" in payload else ""))
            _print(row, base["p50"])
        mine = lambda: [[{"limit": 20}] * 100_000 for _ in range(n)]  # noqa: E731
        _print(dict(run("vgsamverkan_participation_list", applicant, mine(), secs),
                    action="participation_list (an applicant's own)"), base["p50"])
        applies = [[{"organization_name": f"bench-{c}-{i}", "organization_title": f"Bench {c} {i}",
                     "org_type": "regional_forvaltning", "org_number": "212000-1355", "contact_name": "B",
                     "contact_email": "b@example.org"} for i in range(5000)] for c in range(n)]
        _print(dict(run("vgsamverkan_participation_apply", applicant, applies, secs),
                    action="participation_apply"), base["p50"])
        decide = [[{"id": pid} for pid in world["pending"][c::n]] for c in range(n)]
        _print(dict(run("vgsamverkan_participation_approve", coordinator, decide, secs),
                    action="participation_approve"), base["p50"])

        # flat: the same lists and show with many more applications stored
        with app._wsgi_app.test_request_context():
            store(model, args.stored[1])
        print(f"\nwith {args.stored[1]} applications stored (ratio: p50 now ÷ p50 at {args.stored[0]})")
        for action, payload in (("vgsamverkan_participation_show", {"id": world["participation"]}),
                                ("vgsamverkan_participation_list", {"limit": 20}),
                                ("vgsamverkan_participation_list", {"state": "pending", "limit": 20})):
            row = run(action, coordinator, same(payload), secs)
            before = results[(action, str(payload))]["p50"]
            row = dict(row, action=action.replace("vgsamverkan_", "") + (" (pending)" if "state" in payload else ""))
            _print(row, before)
        _print(dict(run("vgsamverkan_participation_list", applicant, mine(), secs),
                    action="participation_list (an applicant's own)"))
        with app._wsgi_app.test_request_context():
            import sqlalchemy as sa

            for title, sql in (
                ("the coordinator's list", "SELECT * FROM vgsamverkan_participation "
                                           "ORDER BY created DESC, id LIMIT 20"),
                ("an applicant's own", "SELECT * FROM vgsamverkan_participation WHERE applicant_id = "
                                       "(SELECT id FROM \"user\" WHERE name = 'bench-sokande') "
                                       "OR organization_id IN ('x') ORDER BY created DESC, id LIMIT 20"),
                ("pending only", "SELECT * FROM vgsamverkan_participation WHERE state = 'pending' "
                                 "ORDER BY created DESC, id LIMIT 20"),
                ("the coordinator's count, from the tallies",
                 "SELECT coalesce(sum(n), 0) FROM vgsamverkan_tally WHERE tbl = 'vgsamverkan_participation'")):
                plan = model.Session.execute(sa.text("EXPLAIN " + sql)).scalars().all()
                print(f"\nEXPLAIN ({title}):\n  " + "\n  ".join(plan))
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
