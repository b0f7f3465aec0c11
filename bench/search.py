"""Benchmark of the PostgreSQL search backend (plugin vgsamverkan_pgsearch).

For each size: generate that many search documents shaped as CKAN's indexer builds them
(organisations, tags, formats, licences, 5 % private, Swedish titles and notes), load them
through the backend's own ``add`` in batches (the index build), then time CKAN's
``package_search`` action as an anonymous visitor for a text query, a faceted query
(organisation, tags, res_format, license_id) and an organisation page's count query,
each with the count-and-facet cache warm ("cached": the same query again before any
write, as a portal's listing pages are) and emptied before every call ("cold").

Creating the datasets through CKAN itself would take hours at 100 000 (package_create is
about 50 ms each here), so documents are generated; everything after that is the real
path: CKAN's action, its query building and permission labels, our SQL.

Each size is measured once per text search configuration (``--configurations``: by
default PostgreSQL's snowball stemmer alone, as before issue 22, the extension's Hunspell
one as before issue 35, and that with the compound parts of issue 35: ``+parts``), in the
same run.

CKAN's ``package_autocomplete`` (its n-gram fields, answered as parts of the name and
title) with one word and with ten: a scan of the visible rows, linear in their number.

Issue 35 (bounded work): queries of 1, 4, 16, 40 and 100 plain words (drawn from the
corpus' words, so that each has its bitmaps; CKAN's minimum match asks for 80 % of them)
show the cost per extra word; and the compound splitter's cost per new word is timed on
2 000 generated compounds the index has not seen (the corpus' vocabulary is small, so
its words are split once and then read from the cache).

Usage (from the repository, after `make test` has made the venv):
    .venv/bin/python bench/search.py [--sizes 10000 100000] [--repeat 40] [--configurations …]
Uses (and empties) the database vgsamverkan_bench.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DB = "vgsamverkan_bench"

WORDS = ("cykel väg trafik skola förskola bad miljö luft vatten energi avfall bygglov "
         "detaljplan kollektivtrafik hållplats parkering laddstolpe budget ekonomi "
         "befolkning statistik karta gräns fastighet träd park lekplats bibliotek "
         "kultur idrott hälsa omsorg äldreboende valresultat kommun region mätning").split()
FORMATS = ["CSV", "JSON", "GeoJSON", "XLSX", "API", "WMS", "WFS", "PDF", "XML", "ZIP", "SHP", "HTML"]
LICENSES = ["cc-by", "cc-zero", "cc-by-sa", "odc-by", "odc-odbl", "other-open", "other-pd", "notspecified"]


def setup_database() -> None:
    subprocess.run(["bash", "scripts/db.sh", DB], cwd=ROOT, check=True)
    env = dict(os.environ, CKAN_SQLALCHEMY_URL=f"postgresql://ckan_default:pass@127.0.0.1/{DB}")
    subprocess.run([os.path.join(os.path.dirname(sys.executable), "ckan"), "-c", "test.ini", "db", "init"],
                   cwd=ROOT, env=env, check=True, capture_output=True)


def documents(n: int, site_id: str, seed: int = 7):
    rnd = random.Random(seed)
    orgs = [(str(uuid.UUID(int=rnd.getrandbits(128))), f"org-{i:03d}") for i in range(60)]
    tags = [f"{a}-{b}" if i >= len(WORDS) else WORDS[i]
            for i, (a, b) in enumerate((rnd.choice(WORDS), rnd.choice(WORDS)) for _ in range(300))]
    for i in range(n):
        org_id, org_name = rnd.choice(orgs)
        private = rnd.random() < 0.05
        title = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(2, 5))).capitalize()
        notes = " ".join(rnd.choice(WORDS) for _ in range(rnd.randint(8, 30)))
        dataset_tags = sorted(set(rnd.choice(tags) for _ in range(rnd.randint(1, 4))))
        formats = sorted(set(rnd.choice(FORMATS) for _ in range(rnd.randint(1, 3))))
        created = (f"20{rnd.randint(20, 26)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
                   f"T{rnd.randint(0, 23):02d}:00:00Z")
        package_id = str(uuid.UUID(int=rnd.getrandbits(128)))
        name = f"dataset-{i:06d}"
        validated = {"id": package_id, "name": name, "title": title, "notes": notes,
                     "owner_org": org_id, "private": private, "state": "active", "type": "dataset",
                     "license_id": rnd.choice(LICENSES), "num_resources": len(formats),
                     "num_tags": len(dataset_tags), "tags": [{"name": t} for t in dataset_tags],
                     "organization": {"id": org_id, "name": org_name, "title": org_name},
                     "resources": [{"format": f, "url": f"https://example.org/{name}.{f.lower()}"} for f in formats],
                     "metadata_created": created[:-1], "metadata_modified": created[:-1],
                     "groups": [], "extras": []}
        yield {
            "id": package_id, "index_id": hashlib.md5(f"{package_id}{site_id}".encode()).hexdigest(),
            "site_id": site_id, "entity_type": "package", "dataset_type": "dataset", "state": "active",
            "name": name, "title": title, "title_string": title.lower(), "notes": notes,
            "tags": dataset_tags, "res_format": formats, "res_name": [title] * len(formats),
            "license_id": validated["license_id"], "organization": org_name, "owner_org": org_id,
            "capacity": "private" if private else "public",
            "permission_labels": [f"member-{org_id}"] if private else ["public"],
            "num_resources": len(formats), "num_tags": len(dataset_tags),
            "metadata_created": created, "metadata_modified": created,
            "validated_data_dict": json.dumps(validated), "text": notes,
        }


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def time_calls(fn, repeat: int) -> tuple[float, float]:
    fn()  # warm the connection and plans
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), percentile(samples, 95)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=40)
    parser.add_argument("--configurations", nargs="+",
                        default=["swedish", "vgsamverkan_swedish", "vgsamverkan_swedish+parts"],
                        help="text search configurations of the Swedish part, each measured in turn "
                             "(ckanext.vgsamverkan.search_text_configuration; 'swedish' is the snowball "
                             "stemmer alone, as before issue 22; '+parts' adds the compound parts of "
                             "issue 35, ckanext.vgsamverkan.search_compound_parts)")
    args = parser.parse_args()

    os.chdir(ROOT)
    setup_database()
    os.environ["CKAN_SQLALCHEMY_URL"] = f"postgresql://ckan_default:pass@127.0.0.1/{DB}"
    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(os.path.join(ROOT, "test.ini")))
    import sqlalchemy as sa

    import ckan.model as model
    import ckan.plugins.toolkit as tk

    from ckanext.vgsamverkan.pgsearch.connection import PgSolr

    rows = []
    with app._wsgi_app.test_request_context():
        site_id = tk.config["ckan.site_id"]
        search = tk.get_action("package_search")

        def anonymous(**params):
            return search({"user": "", "ignore_auth": False}, params)

        for size, configuration in [(size, c) for size in args.sizes for c in args.configurations]:
            name, _, parts = configuration.partition("+")
            tk.config["ckanext.vgsamverkan.search_text_configuration"] = name
            tk.config["ckanext.vgsamverkan.search_compound_parts"] = bool(parts)
            with model.meta.engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE vgsamverkan_search_doc, vgsamverkan_search_compound"))
            backend, batch, start = PgSolr(), [], time.perf_counter()
            for doc in documents(size, site_id):
                batch.append(doc)
                if len(batch) == 1000:
                    backend.add(batch)
                    batch = []
            if batch:
                backend.add(batch)
            build = time.perf_counter() - start
            # what autovacuum does after a load: statistics and the visibility map
            with model.meta.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(sa.text("VACUUM ANALYZE vgsamverkan_search_doc, vgsamverkan_search_text, "
                                     "vgsamverkan_search_bits"))
            with model.meta.engine.begin() as conn:
                size_mb = conn.execute(sa.text(
                    "SELECT (pg_total_relation_size('vgsamverkan_search_doc') "
                    "+ pg_total_relation_size('vgsamverkan_search_text') "
                    "+ pg_total_relation_size('vgsamverkan_search_bits')) / 1048576.0")).scalar()
            org_id = json.loads(next(documents(1, site_id))["validated_data_dict"])["owner_org"]
            queries = {
                "text (q=cykel trafik)": lambda: anonymous(q="cykel trafik", rows=20),
                # as the dataset page asks: the text and CKAN's default facets
                "text with 5 facets": lambda: anonymous(
                    q="cykel trafik", rows=20,
                    **{"facet.field": ["organization", "groups", "tags", "res_format", "license_id"]}),
                "faceted (*:*, 4 facets)": lambda: anonymous(
                    q="*:*", rows=20,
                    **{"facet.field": ["organization", "tags", "res_format", "license_id"]}),
                "organisation count": lambda: anonymous(fq=f'+owner_org:"{org_id}"', rows=0, facet="false"),
            }
            # CKAN's package_autocomplete: its n-gram fields are parts of the name and title
            # (strpos over every row a permission label lets the visitor see): 1 and 10 words
            autocomplete = tk.get_action("package_autocomplete")
            for text in ("kel", " ".join(WORDS[:10])):
                label = f"autocomplete ({len(text.split())} word{'s' if ' ' in text else ''})"
                queries[label] = (lambda text: lambda: autocomplete(
                    {"user": "", "ignore_auth": False}, {"q": text, "limit": 10}))(text)
            # issue 35: n plain words, at least 80 % of them (CKAN's mm)
            rnd = random.Random(35)
            for n in (1, 4, 16, 40, 100):
                text = " ".join(rnd.choice(WORDS) for _ in range(n))
                queries[f"{n} words"] = (lambda text: lambda: anonymous(q=text, rows=20))(text)
            def cold(fn):
                def run():
                    with model.meta.engine.begin() as conn:
                        conn.execute(sa.text("DELETE FROM vgsamverkan_search_cache"))
                    return fn()
                return run

            for label, fn in queries.items():
                if len(args.configurations) > 1:
                    label = f"{configuration}: {label}"
                p50, p95 = time_calls(fn, args.repeat)
                rows.append((size, label + ", cached", p50, p95))
                p50, p95 = time_calls(cold(fn), max(5, args.repeat // 4))
                rows.append((size, label + ", cold", p50, p95))
            print(f"{size:>7} datasets ({configuration}): index build {build:6.1f} s "
                  f"({size / build:,.0f} docs/s), table and indexes {size_mb:,.0f} MB", flush=True)
            if parts:
                with model.meta.engine.begin() as conn:
                    new = [f"{a}s{b}{c}" for a in WORDS for b in WORDS for c in ("", "ar", "en")][:2000]
                    started = time.perf_counter()
                    conn.execute(sa.text("SELECT vgsamverkan_search_parts(:text)"), {"text": " ".join(new)})
                    took = time.perf_counter() - started
                    cached = conn.execute(sa.text("SELECT count(*) FROM vgsamverkan_search_compound")).scalar()
                print(f"{size:>7} datasets ({configuration}): {len(new)} new compounds split in {took:.2f} s "
                      f"({took / len(new) * 1000:.2f} ms a word); {cached} words kept", flush=True)

    print()
    width = max(len(r[1]) for r in rows)
    print(f"{'datasets':>8}  {'query':<{width}} {'p50 ms':>8} {'p95 ms':>8}")
    for size, label, p50, p95 in rows:
        print(f"{size:>8}  {label:<{width}} {p50:8.1f} {p95:8.1f}")
    if len(args.sizes) >= 2:
        small, large = args.sizes[0], args.sizes[-1]
        print()
        for label in dict.fromkeys(r[1] for r in rows):
            a = next(r[2] for r in rows if r[0] == small and r[1] == label)
            b = next(r[2] for r in rows if r[0] == large and r[1] == label)
            print(f"p50 ratio {large}/{small} for {label}: {b / a:.1f}x")


if __name__ == "__main__":
    main()
