"""Benchmark: what the publishing rule (plugin vgsamverkan, ckanext.vgsamverkan.enforce)
adds to dataset create, update and show.

For each size (number of organisations): fill the database with that many organisations,
each with an approved participation, two members and a publisher request, then time
CKAN's ``package_create``, ``package_update`` and ``package_show`` as an editor of one
participant organisation (auth checked, as through the API), with the plugin loaded and
with it unloaded, alternating in the same run, and count the SQL statements of one call.
The search index (plugin vgsamverkan_pgsearch) stays loaded in both.

Usage (from the repository, after `make test` has made the venv):
    .venv/bin/python bench/auth_overhead.py [--sizes 10 10000] [--repeat 40]
Uses (and empties) the database vgsamverkan_bench_auth.
"""
from __future__ import annotations

import argparse
import itertools
import os
import statistics
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = "vgsamverkan_bench_auth"


def setup_database() -> None:
    subprocess.run(["bash", "scripts/db.sh", DB], cwd=ROOT, check=True)
    env = dict(os.environ, CKAN_SQLALCHEMY_URL=f"postgresql://ckan_default:pass@127.0.0.1/{DB}")
    ckan = os.path.join(os.path.dirname(sys.executable), "ckan")
    subprocess.run([ckan, "-c", "test.ini", "db", "clean", "--yes"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    subprocess.run([ckan, "-c", "test.ini", "db", "init"], cwd=ROOT, env=env, check=True,
                   capture_output=True)
    for plugin in ("activity", "vgsamverkan"):
        subprocess.run([ckan, "-c", "test.ini", "db", "upgrade", "-p", plugin], cwd=ROOT, env=env,
                       check=True, capture_output=True)


def fill(model, size: int, start: int) -> None:
    """``size`` more organisations, each with an approved participation, an admin, an
    editor and an approved publisher request (rows written directly: fast)."""
    from ckanext.vgsamverkan.model import Participation, PublisherRequest
    from ckanext.vgsamverkan.model.base import utcnow

    now = utcnow()
    objects = []
    for i in range(start, start + size):
        org_id = str(uuid.uuid4())
        group = model.Group(name=f"org-{i:05d}", title=f"Org {i}", type="organization",
                            is_organization=True)
        group.id, group.state = org_id, "active"
        objects.append(group)
        for role in ("admin", "editor"):
            user_id = str(uuid.uuid4())
            user = model.User(id=user_id, name=f"u{i:05d}-{role}", email=f"u{i}-{role}@example.org",
                              state="active")
            user._password = "!"  # no log-in needed; hashing 20 000 passwords would take minutes
            objects.append(user)
            objects.append(model.Member(group=group, table_name="user", table_id=user_id,
                                        capacity=role, state="active"))
        objects.append(Participation(organization_id=org_id, organization_name=f"org-{i:05d}",
                                     organization_title=f"Org {i}", org_type="regional_forvaltning",
                                     org_number="212000-1355", contact_name="Test", contact_email="t@example.org",
                                     applicant_id=user_id, state="approved", created=now, modified=now))
        objects.append(PublisherRequest(organization_id=org_id, user_id=user_id, applicant_id=user_id,
                                        role="editor", state="approved", language="sv",
                                        created=now, modified=now))
    model.Session.add_all(objects)
    model.Session.commit()


class QueryCounter:
    def __init__(self, engine) -> None:
        import sqlalchemy as sa

        self.count = 0
        sa.event.listen(sa.engine.Engine, "before_cursor_execute", self._count)

    def _count(self, *args) -> None:
        self.count += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 10_000])
    parser.add_argument("--repeat", type=int, default=40)
    args = parser.parse_args()

    os.chdir(ROOT)
    setup_database()
    os.environ["CKAN_SQLALCHEMY_URL"] = f"postgresql://ckan_default:pass@127.0.0.1/{DB}"
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(os.path.join(ROOT, "test.ini")))
    import ckan.model as model
    import ckan.plugins as plugins
    import ckan.plugins.toolkit as tk

    counter = QueryCounter(model.meta.engine)
    names = itertools.count()
    rows = []
    with app._wsgi_app.test_request_context():
        made = 0
        for size in args.sizes:
            fill(model, size - made, made)
            made = size
            editor = "u00000-editor"
            org = "org-00000"

            def context():
                return {"user": editor, "ignore_auth": False}

            dataset = tk.get_action("package_create")(context(), {"name": f"bench-{size}", "owner_org": org})
            calls = {
                "package_create": lambda: tk.get_action("package_create")(
                    context(), {"name": f"b{next(names)}", "owner_org": org}),
                "package_update": lambda: tk.get_action("package_update")(
                    context(), {"id": dataset["id"], "name": dataset["name"], "owner_org": org,
                                "notes": f"n{next(names)}"}),
                "package_show": lambda: tk.get_action("package_show")(context(), {"id": dataset["id"]}),
            }
            for label, fn in calls.items():
                samples = {"on": [], "off": []}
                queries = {}
                for round_ in range(args.repeat + 2):
                    for state in ("on", "off"):  # alternate, so drift hits both alike
                        if state == "off":
                            plugins.unload("vgsamverkan")
                        try:
                            model.Session.remove()
                            before = counter.count
                            start = time.perf_counter()
                            fn()
                            elapsed = (time.perf_counter() - start) * 1000
                            if round_ >= 2:  # two warm-up rounds
                                samples[state].append(elapsed)
                            queries[state] = counter.count - before
                        finally:
                            if state == "off":
                                plugins.load("vgsamverkan")
                on, off = statistics.median(samples["on"]), statistics.median(samples["off"])
                rows.append((size, label, on, off, on / off, queries["on"], queries["off"]))
            print(f"{size:>6} organisations filled and measured", flush=True)

    print()
    print(f"{'orgs':>6}  {'action':<15} {'on ms':>7} {'off ms':>7} {'ratio':>6} {'queries on':>10} {'off':>5}")
    for size, label, on, off, ratio, q_on, q_off in rows:
        print(f"{size:>6}  {label:<15} {on:7.1f} {off:7.1f} {ratio:6.2f} {q_on:>10} {q_off:>5}")


if __name__ == "__main__":
    main()
