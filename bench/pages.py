"""Benchmark: server time of the pages a coordinator and an organisation's admin open
first (issue 39): the coordinator's workplace (``/ckan-admin/samverkan``), "Väntar på dig"
(``/samverkan/vantar``) and the front page (``/``), at 49 participants and at ten times
that, each participant with the demo's volume of requests.

Each participant is shaped as the demo's Exempelstads kommun (``ckan vgsamverkan demo
seed``, ckanext/vgsamverkan/demo.py): an approved participation, an admin, five publisher
requests (pending, approved with an end date, rejected, withdrawn, revoked), eight
connection requests (one in each state, with their quotes), five call-offs (requested,
assigned, in progress with time logged, delivered, cancelled), the history's events of
each; and for every four participants the demo's other applications (a pending one for a
new organisation, a pending one of an existing organisation, a rejected and a withdrawn
one). Rows are written directly (fast; the tallies follow by their triggers), as in
bench/auth_overhead.py; the month before last is run and closed and last month run, as
the demo does.

"first": the first request to the page in a new server process, after log-in (each in
its own process, as after a deploy or a restart); "warm": the same page again in one
process. Server time is the WSGI call through Flask's test client (no network, no
browser). Each measurement also counts the SQL statements of the request.

Usage (from the repository, after `make test` has made the venv):
    .venv/bin/python bench/pages.py [--sizes 49 490] [--repeat 15] [--first 3]
    .venv/bin/python bench/pages.py --sizes 490 --profile workplace   # cProfile and the statements
Uses (and empties) the database vgsamverkan_bench_pages (or $VGS_BENCH_DB); Redis from CKAN_REDIS_URL
(default redis://127.0.0.1:6379/14).
Target (issue 39): under 300 ms server time, first and warm, at both sizes; the number of
statements not growing with the participants.
"""
from __future__ import annotations

import argparse
import collections
import cProfile
import datetime as dt
import io
import json
import os
import pstats
import re
import statistics
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = os.environ.get("VGS_BENCH_DB", "vgsamverkan_bench_pages")  # another name for a run beside another
URL_DB = f"postgresql://ckan_default:pass@127.0.0.1/{DB}"
REDIS = os.environ.get("CKAN_REDIS_URL", "redis://127.0.0.1:6379/14")
COORDINATOR = "samordnare"
ADMIN = "p00000-admin"  # the admin of the first participant: a quote to answer, open requests
PASSWORD = "Bench-losenord-123"
PAGES = {"workplace": "/ckan-admin/samverkan", "waiting": "/samverkan/vantar", "front": "/"}
# (page, user) measured: the coordinator on all three, the admin on the waiting list and
# the front page, and an anonymous visitor on the front page
CASES = [("workplace", COORDINATOR), ("waiting", COORDINATOR), ("waiting", ADMIN), ("front", COORDINATOR),
         ("front", ADMIN), ("front", "")]


def _ini() -> str:
    path = f"/tmp/{DB}.ini"
    with open(path, "w") as f:
        f.write("[app:main]\n"
                f"use = config:{os.path.join(ROOT, 'test.ini')}\n"
                f"sqlalchemy.url = {URL_DB}\n"
                f"ckan.redis.url = {REDIS}\n"
                f"ckanext.vgsamverkan.coordinators = {COORDINATOR}\n"
                "ckanext.vgsamverkan.notify = false\n"
                "ckan.display_timezone = Europe/Stockholm\n"
                "[loggers]\nkeys = root\n[handlers]\nkeys = console\n[formatters]\nkeys = generic\n"
                "[logger_root]\nlevel = WARNING\nhandlers = console\n"
                "[handler_console]\nclass = StreamHandler\nargs = (sys.stderr,)\nlevel = NOTSET\n"
                "formatter = generic\n[formatter_generic]\nformat = %(levelname)s [%(name)s] %(message)s\n")
    return path


def setup_database() -> None:
    subprocess.run(["bash", "scripts/db.sh", DB], cwd=ROOT, check=True, capture_output=True)
    env = dict(os.environ, CKAN_SQLALCHEMY_URL=URL_DB, CKAN_REDIS_URL=REDIS)
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    for args in (["db", "clean", "--yes"], ["db", "init"], ["db", "upgrade", "-p", "activity"],
                 ["db", "upgrade", "-p", "vgsamverkan"]):
        subprocess.run([ckan, "-c", _ini(), *args], cwd=ROOT, env=env, check=True, capture_output=True)


def make_app():
    os.environ["CKAN_SQLALCHEMY_URL"] = URL_DB
    os.environ["CKAN_REDIS_URL"] = REDIS
    from ckan.cli import load_config
    from ckan.config.middleware import make_app as make

    from ckanext.vgsamverkan import warm

    app = make(load_config(_ini()))
    warm.templates(app)  # as wsgi.py does in each production worker: a first load compiles nothing
    return app


# -- the data ---------------------------------------------------------------------------

def _users(model, names: list[str]) -> list:
    users = []
    for name in names:
        user = model.User(id=str(uuid.uuid4()), name=name, fullname=name.replace("-", " ").title(),
                          email=f"{name}@example.org", state="active")
        user._password = "!"  # no log-in needed; hashing thousands of passwords would take minutes
        users.append(user)
    return users


def fill(model, start: int, stop: int, coordinator_id: str) -> None:
    """Participants ``start`` … ``stop - 1``, each shaped as the demo's kommun."""
    from ckanext.vgsamverkan.model import (
        Calloff,
        CalloffTime,
        Connection,
        ConnectionQuote,
        Event,
        Participation,
        PublisherRequest,
    )
    from ckanext.vgsamverkan.population_file import shipped_rows

    codes = sorted({r["municipality_code"] for r in shipped_rows()})
    now = dt.datetime.now(dt.timezone.utc)
    today = dt.date.today()
    last = today.replace(day=1) - dt.timedelta(days=1)
    objects: list = []

    def event(kind: str, obj, verb: str, actor: str, when: dt.datetime, frm=None, to=None) -> None:
        objects.append(Event(object_type=kind, object_id=obj.id, organization_id=obj.organization_id,
                             actor_id=actor, action=verb, from_state=frm, to_state=to, created=when))

    for i in range(start, stop):
        org_id = str(uuid.uuid4())
        name = f"deltagare-{i:05d}"
        org = model.Group(name=name, title=f"Deltagare {i}", type="organization", is_organization=True)
        org.id, org.state, org.approval_status = org_id, "active", "approved"
        objects.append(org)
        admin, expert, david, erika, filip, greta, hugo = _users(model, [
            f"p{i:05d}-{role}" for role in ("admin", "expert", "david", "erika", "filip", "greta", "hugo")])
        objects += [admin, expert, david, erika, filip, greta, hugo]
        objects.append(model.Member(group=org, table_name="user", table_id=admin.id, capacity="admin",
                                    state="active"))
        objects.append(model.Member(group=org, table_name="user", table_id=erika.id, capacity="editor",
                                    state="active"))
        created = now - dt.timedelta(days=30 + i % 60, hours=i % 24)

        def at(days: float) -> dt.datetime:
            return created + dt.timedelta(days=days)

        kommun = i < len(codes)
        p = Participation(id=str(uuid.uuid4()), organization_id=org_id, organization_name=name,
                          organization_title=f"Deltagare {i}",
                          org_type="kommun" if kommun else "kommunalt_bolag",
                          municipality_code=codes[i % len(codes)], org_number="212000-1355",
                          contact_name="Anna", contact_email="anna@example.org", invoice_reference=f"REF-{i}",
                          applicant_id=admin.id, state="approved", language="sv", decided_by=coordinator_id,
                          decided_at=at(1), effective_from=dt.date(2026, 1, 1), began_at=at(1),
                          created=created, modified=at(1))
        objects.append(p)
        event("participation", p, "apply", admin.id, created, None, "pending")
        event("participation", p, "approve", coordinator_id, at(1), "pending", "approved")

        # publisher rights: pending, approved (ends in 10 days), rejected, withdrawn, revoked
        for user, state in ((david, "pending"), (erika, "approved"), (filip, "rejected"), (greta, "withdrawn"),
                            (hugo, "revoked")):
            r = PublisherRequest(id=str(uuid.uuid4()), organization_id=org_id, user_id=user.id,
                                 applicant_id=user.id, role="editor", state=state, language="sv",
                                 motivation="Demo.", created=at(2), modified=at(3) if state != "pending" else at(2))
            if state in ("approved", "rejected", "revoked"):
                r.decided_by, r.decided_at = coordinator_id, at(3)
            if state == "approved":
                r.expires = today + dt.timedelta(days=10)
            if state == "rejected":
                r.reason = "Okänd användare"
            if state == "revoked":
                r.ended_at = at(4)
            objects.append(r)
            event("publisher", r, "request", user.id, at(2), None, "pending")
            if state != "pending":
                event("publisher", r, {"approved": "approve", "rejected": "reject", "withdrawn": "withdraw",
                                       "revoked": "approve"}[state], coordinator_id, at(3), "pending",
                      "approved" if state == "revoked" else state)
            if state == "revoked":
                event("publisher", r, "revoke", coordinator_id, at(4), "approved", "revoked")

        # connections: one in each state, with the quote of those that got one
        paths = {"submitted": [], "investigating": ["investigate"], "quoted": ["investigate", "quote"],
                 "accepted": ["investigate", "quote", "accept"],
                 "connected": ["investigate", "quote", "accept", "complete"],
                 "declined": ["investigate", "quote", "decline"], "cancelled": ["cancel"],
                 "disconnected": ["investigate", "quote", "accept", "complete", "disconnect"]}
        targets = {"investigate": "investigating", "quote": "quoted", "accept": "accepted", "complete": "connected",
                   "decline": "declined", "cancel": "cancelled", "disconnect": "disconnected"}
        for state, steps in paths.items():
            c = Connection(id=str(uuid.uuid4()), organization_id=org_id, applicant_id=admin.id, state=state,
                           language="sv", information_sets=f"Kartor och trafikdata ({state})",
                           proposed_solution="WMS-tjänst och API", technical_contact="Anna Exempelsson",
                           created=at(5), modified=at(5 + len(steps)))
            objects.append(c)
            event("connection", c, "create", admin.id, at(5), None, "submitted")
            frm = "submitted"
            for n, step in enumerate(steps, 1):
                if step == "investigate":
                    c.investigator = "Sam Samordnare"
                if step == "quote":
                    q = ConnectionQuote(id=str(uuid.uuid4()), connection_id=c.id, number=1, solution="Skörd",
                                        effort_hours=8, price_ore=640000, valid_until=today + dt.timedelta(days=30),
                                        author_id=coordinator_id, created=at(5 + n))
                    objects.append(q)
                    c.current_quote_id = q.id
                if step == "accept":
                    c.accepted_quote_id, c.accepted_by, c.accepted_at, c.price_ore = (
                        c.current_quote_id, admin.id, at(5 + n), 640000)
                if step == "complete":
                    c.connected_date = last.replace(day=15)
                if step == "disconnect":
                    c.disconnected_date = last.replace(day=20)
                who = admin.id if step in ("accept", "decline", "cancel") else coordinator_id
                event("connection", c, step, who, at(5 + n), frm, targets[step])
                frm = targets[step]

        # call-offs: requested, assigned (fixed price), in progress (hours), delivered, cancelled
        for state in ("requested", "assigned", "in_progress", "delivered", "cancelled"):
            c = Calloff(id=str(uuid.uuid4()), organization_id=org_id, applicant_id=admin.id, state=state,
                        language="sv", competence_area="metadata", description=f"Demo: {state}",
                        estimated_hours=6, period_start=last.replace(day=1),
                        period_end=today + dt.timedelta(days=60), created=at(6), modified=at(7))
            objects.append(c)
            event("calloff", c, "create", admin.id, at(6), None, "requested")
            if state in ("assigned", "in_progress", "delivered"):
                c.expert_name, c.expert_user_id, c.planned_hours = expert.fullname, expert.id, 6
                c.assigned_by, c.assigned_at = coordinator_id, at(7)
                if state == "assigned":
                    c.fixed_price_ore = 1200000
                else:
                    c.hourly_rate_ore = 95000
                event("calloff", c, "assign", coordinator_id, at(7), "requested", "assigned")
            if state in ("in_progress", "delivered"):
                for day, hours in ((last.replace(day=10), 3), (last.replace(day=17), 2.5)):
                    objects.append(CalloffTime(id=str(uuid.uuid4()), calloff_id=c.id, organization_id=org_id,
                                               date=day, hours=hours, note="Genomgång", expert_key=expert.id,
                                               expert_name=expert.fullname, hourly_rate_ore=95000,
                                               author_id=expert.id, created=at(8)))
                event("calloff", c, "log_time", expert.id, at(8), "assigned", "in_progress")
            if state == "delivered":
                c.delivered_date = last
                event("calloff", c, "deliver", coordinator_id, at(9), "in_progress", "delivered")
            if state == "cancelled":
                event("calloff", c, "cancel", admin.id, at(7), "requested", "cancelled")

        # the demo's other applications, one of each for every four participants
        other = i % 4
        applicant = _users(model, [f"p{i:05d}-applicant"])[0]
        objects.append(applicant)
        other_org = None
        if other == 1:  # a pending application of an organisation that exists
            other_org = model.Group(name=f"bolag-{i:05d}", title=f"Bolag {i} AB", type="organization",
                                    is_organization=True)
            other_org.id, other_org.state, other_org.approval_status = str(uuid.uuid4()), "active", "approved"
            objects.append(other_org)
            objects.append(model.Member(group=other_org, table_name="user", table_id=applicant.id,
                                        capacity="admin", state="active"))
        state = ("pending", "pending", "rejected", "withdrawn")[other]
        a = Participation(id=str(uuid.uuid4()), organization_id=other_org.id if other_org else None,
                          organization_name=f"ny-{i:05d}", organization_title=f"Ny organisation {i}",
                          org_type="regional_forvaltning", org_number="212000-1355", contact_name="Cecilia",
                          contact_email="c@example.org", applicant_id=applicant.id, state=state, language="sv",
                          motivation="Demo.", created=at(10), modified=at(11) if state != "pending" else at(10))
        if state == "rejected":
            a.decided_by, a.decided_at, a.reason = coordinator_id, at(11), "Dubblett"
        objects.append(a)
        event("participation", a, "apply", applicant.id, at(10), None, "pending")
        if state != "pending":
            event("participation", a, state[:-2] if state == "rejected" else "withdraw",
                  coordinator_id if state == "rejected" else applicant.id, at(11), "pending", state)
    model.Session.add_all(objects)
    model.Session.commit()


def seed_once(model, tk) -> str:
    """The coordinator and the admin who log in, a fee schedule; the coordinator's id."""
    site = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"], "ignore_auth": True}
    tk.get_action("user_create")(dict(site), {"name": COORDINATOR, "email": "samordnare@example.org",
                                              "password": PASSWORD, "fullname": "Sam Samordnare"})
    tk.get_action("vgsamverkan_fee_schedule_set")(dict(site), {
        "valid_from": "2026-01", "total": "100000.00", "base_percent": "10", "regional_fixed": "5000.00"})
    return model.User.get(COORDINATOR).id


def run_fees(tk) -> None:
    """As the demo: the month before last run and closed, last month run (open)."""
    site = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
    last = dt.date.today().replace(day=1) - dt.timedelta(days=1)
    before_last = (last.replace(day=1) - dt.timedelta(days=1)).strftime("%Y-%m")
    tk.get_action("vgsamverkan_fee_run")(dict(site), {"month": before_last})
    tk.get_action("vgsamverkan_fee_close")(dict(site), {"month": before_last})
    tk.get_action("vgsamverkan_fee_run")(dict(site), {"month": last.strftime("%Y-%m")})


def grow(app, size: int, made: int) -> None:
    import sqlalchemy as sa

    import ckan.model as model
    import ckan.plugins.toolkit as tk

    from ckanext.vgsamverkan.model import FeeMonth

    with app._wsgi_app.test_request_context():
        if made == 0:
            coordinator_id = seed_once(model, tk)
        else:
            coordinator_id = model.User.get(COORDINATOR).id
        for start in range(made, size, 50):  # in batches: the session stays small
            fill(model, start, min(start + 50, size), coordinator_id)
            model.Session.remove()
        admin = model.User.get(ADMIN)
        admin.password = PASSWORD
        model.Session.commit()
        # the fee months again as the demo leaves them (a closed month stays closed: the
        # month before last is closed on the first size only)
        if model.Session.query(FeeMonth).count() == 0:
            run_fees(tk)
        else:
            site = {"user": tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]}
            last = dt.date.today().replace(day=1) - dt.timedelta(days=1)
            tk.get_action("vgsamverkan_fee_run")(site, {"month": last.strftime("%Y-%m")})
        for table in ("vgsamverkan_participation", "vgsamverkan_publisher", "vgsamverkan_connection",
                      "vgsamverkan_calloff", "vgsamverkan_event", '"user"', '"group"', "member"):
            model.Session.execute(sa.text(f"ANALYZE {table}"))
        model.Session.commit()


# -- measuring --------------------------------------------------------------------------

class Statements:
    """Counts the SQL statements (and keeps their text, to find the repeated ones)."""

    def __init__(self) -> None:
        import sqlalchemy as sa

        self.texts: list[str] = []
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self._seen)

    def _seen(self, conn, cursor, statement, *args) -> None:
        self.texts.append(statement)

    def __len__(self) -> int:
        return len(self.texts)


_TOKEN = re.compile(r'name="_csrf_token" value="([^"]+)"')


def client_for(app, user: str):
    from werkzeug.test import Client

    client = Client(app)  # the whole WSGI stack (CKAN's and our middleware), keeping cookies
    if user:
        page = client.get("/user/login")
        csrf = _TOKEN.search(page.get_data(as_text=True)).group(1)
        answer = client.post("/user/login", data={"login": user, "password": PASSWORD, "_csrf_token": csrf})
        assert answer.status_code == 302, f"log-in of {user} failed"
    return client


def timed(client, path: str, statements: Statements) -> tuple[float, int]:
    before = len(statements)
    began = time.perf_counter()
    answer = client.get(path)
    elapsed = (time.perf_counter() - began) * 1000
    assert answer.status_code == 200, f"{path}: {answer.status_code}"
    return elapsed, len(statements) - before


def first_request(page: str, user: str) -> None:
    """In a new process: log in, then the first request to ``page``; prints ms and statements."""
    app = make_app()
    statements = Statements()
    client = client_for(app, user)
    ms, n = timed(client, PAGES[page], statements)
    print(json.dumps({"ms": ms, "statements": n}))


def measure_first(page: str, user: str, times: int) -> list[tuple[float, int]]:
    out = []
    for _ in range(times):
        answer = subprocess.run([sys.executable, os.path.abspath(__file__), "--first-request", page, user],
                                cwd=ROOT, capture_output=True, text=True, check=True)
        row = json.loads(answer.stdout.strip().splitlines()[-1])
        out.append((row["ms"], row["statements"]))
    return out


def profile(app, page: str, user: str) -> None:
    statements = Statements()
    client = client_for(app, user)
    client.get(PAGES[page])  # warm
    before = len(statements)
    profiler = cProfile.Profile()
    profiler.enable()
    ms, _n = timed(client, PAGES[page], statements)
    profiler.disable()
    texts = statements.texts[before:]
    print(f"{page} as {user or 'anonymous'}: {ms:.0f} ms, {len(texts)} statements")
    shapes = collections.Counter(re.sub(r"\s+", " ", t)[:160] for t in texts)
    for text, n in shapes.most_common(12):
        print(f"  {n:>6} × {text}")
    profiler.dump_stats(f"/tmp/vgsamverkan-bench-pages-{page}.prof")  # for pstats' callers and callees
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(45)
    print(out.getvalue())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[49, 490])
    parser.add_argument("--repeat", type=int, default=15, help="warm requests per page and user")
    parser.add_argument("--first", type=int, default=3, help="first requests (new processes) per page and user")
    parser.add_argument("--profile", choices=sorted(PAGES), help="profile this page as the coordinator")
    parser.add_argument("--profile-user", default=COORDINATOR)
    parser.add_argument("--keep", action="store_true", help="measure the data already there (one size)")
    parser.add_argument("--first-request", nargs=2, metavar=("PAGE", "USER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.first_request:
        first_request(*args.first_request)
        return
    if not args.keep:
        setup_database()
    app = make_app()
    rows = []
    made = 0
    for size in args.sizes:
        if not args.keep:
            grow(app, size, made)
            made = size
        if args.profile:
            with app._wsgi_app.app_context():
                profile(app, args.profile, args.profile_user)
            continue
        statements = Statements()
        for page, user in CASES:
            firsts = measure_first(page, user, args.first) if args.first else []
            client = client_for(app, user)
            timed(client, PAGES[page], statements)  # the first of this process: not counted as warm
            warm = [timed(client, PAGES[page], statements) for _ in range(args.repeat)]
            rows.append((size, page, user or "anonymous", firsts, warm))
            ms = [m for m, _ in warm]
            print(f"{size:>5} {page:<10} {user or 'anonymous':<14} warm median {statistics.median(ms):7.1f} ms"
                  + (f", first median {statistics.median(m for m, _ in firsts):7.1f} ms" if firsts else ""),
                  flush=True)
    if args.profile:
        return
    print()
    print(f"{'size':>5}  {'page':<10} {'user':<14} {'first med':>9} {'max':>7} {'warm med':>9} {'max':>7} "
          f"{'statements':>10}")
    for size, page, user, firsts, warm in rows:
        f = [m for m, _ in firsts]
        w = [m for m, _ in warm]
        fmt = (f"{statistics.median(f):9.0f} {max(f):7.0f}" if f else f"{'':>9} {'':>7}")
        print(f"{size:>5}  {page:<10} {user:<14} {fmt} {statistics.median(w):9.0f} {max(w):7.0f} "
              f"{warm[-1][1]:>10}")


if __name__ == "__main__":
    main()
