"""Benchmark: the time and peak memory of a fee run (``vgsamverkan_fee_run``, saved) for
one month, at two sizes: the 49 municipalities of Västra Götaland, and 2 900
participants (ten times every municipality of Sweden, with municipal companies), each
size with a year of call-off time logs (a tenth of the participants have a call-off with
time logged on every working day of the year before and the month itself).

Usage (from the repository, after `make test` has made the venv):
    .venv/bin/python bench/fees.py [--sizes 49 1450 2900] [--repeat 3]
Uses (and empties) the database vgsamverkan_bench_fees. Target: the 2 900-participant
month under 2 seconds on this machine, and the time growing linearly with participants.
"""
from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = "vgsamverkan_bench_fees"
MONTH = "2026-10"


def setup_database() -> None:
    subprocess.run(["bash", "scripts/db.sh", DB], cwd=ROOT, check=True)
    env = dict(os.environ, CKAN_SQLALCHEMY_URL=f"postgresql://ckan_default:pass@127.0.0.1/{DB}")
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    for args in (["db", "clean", "--yes"], ["db", "init"], ["db", "upgrade", "-p", "activity"],
                 ["db", "upgrade", "-p", "vgsamverkan"]):
        subprocess.run([ckan, "-c", "test.ini", *args], cwd=ROOT, env=env, check=True, capture_output=True)


def fill(model, size: int) -> None:
    """``size`` participants: one kommun per municipality code (290 codes at most, as
    Sweden has), the rest municipal companies of those municipalities; a regional
    administration per 100; population for every code; a schedule; a tenth with a
    call-off and a year of daily time logs; a connection completed in the month for a
    twentieth. Rows are written directly (fast)."""
    from ckanext.vgsamverkan.model import (
        Calloff,
        CalloffTime,
        Connection,
        FeeSchedule,
        Participation,
        Population,
    )
    from ckanext.vgsamverkan.model.base import utcnow

    now = utcnow()
    codes = [f"{1000 + i:04d}" for i in range(min(size, 290))]
    objects: list = [FeeSchedule(valid_from=dt.date(2026, 1, 1), total_ore=250_000_00, base_percent=10,
                                 regional_fixed_ore=5_000_00, created=now)]
    for i, code in enumerate(codes):
        objects.append(Population(municipality_code=code, year=2025, name=f"Kommun {code}",
                                  population=2_000 + (i * 7919) % 600_000, source="bench", modified=now))
    start_days = [dt.date(2025, 10, 1) + dt.timedelta(days=d) for d in range(396)]
    work_days = [d for d in start_days if d.weekday() < 5 and d <= dt.date(2026, 10, 31)]
    for i in range(size):
        org_id = str(uuid.uuid4())
        group = model.Group(name=f"org-{i:05d}", title=f"Org {i:05d}", type="organization", is_organization=True)
        group.id, group.state = org_id, "active"
        objects.append(group)
        if i % 100 == 99:
            org_type, code = "regional_forvaltning", None
        elif i < len(codes):
            org_type, code = "kommun", codes[i]
        else:
            org_type, code = "kommunalt_bolag", codes[i % len(codes)]
        # a few join or leave within the month
        start = dt.date(2026, 10, 1 + i % 28) if i % 17 == 0 else dt.date(2020, 1, 1)
        end = dt.date(2026, 10, 5 + i % 20) if i % 23 == 0 else None
        objects.append(Participation(
            organization_id=org_id, organization_name=group.name, organization_title=group.title,
            org_type=org_type, municipality_code=code, org_number="212000-1355", contact_name="Test",
            contact_email="t@example.org", applicant_id="bench", state="terminated" if end else "approved",
            effective_from=start, effective_to=end, created=now, modified=now))
        if i % 10 == 0:
            calloff_id = str(uuid.uuid4())
            objects.append(Calloff(
                id=calloff_id, state="in_progress", organization_id=org_id, applicant_id="bench", language="sv",
                competence_area="metadata", description="bench", estimated_hours=100,
                period_start=dt.date(2025, 10, 1), period_end=dt.date(2026, 12, 31), expert_name=f"Expert {i}",
                hourly_rate_ore=950_01, planned_hours=300, created=now, modified=now))
            for day in work_days:
                objects.append(CalloffTime(
                    calloff_id=calloff_id, organization_id=org_id, date=day, hours=1.25, expert_key=f"name:e{i}",
                    expert_name=f"Expert {i}", hourly_rate_ore=950_01, created=now))
        if i % 20 == 0:
            objects.append(Connection(
                state="connected", organization_id=org_id, applicant_id="bench", language="sv",
                information_sets="bench", technical_contact="bench", price_ore=18_500_00,
                connected_date=dt.date(2026, 10, 15), created=now, modified=now))
    model.Session.add_all(objects)
    model.Session.commit()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[49, 1450, 2900])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    os.chdir(ROOT)
    os.environ["CKAN_SQLALCHEMY_URL"] = f"postgresql://ckan_default:pass@127.0.0.1/{DB}"
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    print(f"fee run of {MONTH}, saved; best and median of {args.repeat} runs; peak Python memory "
          f"(tracemalloc) of one more run")
    print(f"{'participants':>12} {'time entries':>12} {'statements':>10} {'best s':>8} {'median s':>9} "
          f"{'peak MiB':>9} {'s per 1000':>10}")
    rows = []
    app = None
    for size in args.sizes:
        setup_database()
        if app is None:
            app = make_app(load_config(os.path.join(ROOT, "test.ini")))
        import ckan.model as model
        import ckan.plugins.toolkit as tk

        from ckanext.vgsamverkan.model import CalloffTime

        with app._wsgi_app.test_request_context():
            model.Session.remove()
            fill(model, size)
            entries = model.Session.query(CalloffTime).count()
            site = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
            times, count = [], 0
            for _ in range(args.repeat):
                model.Session.remove()
                began = time.perf_counter()
                result = tk.get_action("vgsamverkan_fee_run")({"user": site}, {"month": MONTH})
                times.append(time.perf_counter() - began)
                count = result["count"]
            # memory in a run of its own: tracemalloc slows Python down about threefold
            model.Session.remove()
            tracemalloc.start()
            tk.get_action("vgsamverkan_fee_run")({"user": site}, {"month": MONTH})
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            best, median = min(times), statistics.median(times)
            rows.append((size, best))
            print(f"{size:>12} {entries:>12} {count:>10} {best:>8.3f} {median:>9.3f} {peak / 2**20:>9.1f} "
                  f"{best / size * 1000:>10.3f}")
    for (n1, t1), (n2, t2) in zip(rows, rows[1:], strict=False):
        print(f"growth {n1} → {n2}: {n2 / n1:.1f}× the participants took {t2 / t1:.1f}× the time "
              f"(linear would be {n2 / n1:.1f}×)")


if __name__ == "__main__":
    main()
