"""First views and cached views of the shop's catalogue pages with a large mirror.

The shop's mirror is filled with N made-up books (as the sync writes them, full-text index
included, and the planner's statistics refreshed after, as the sync does after writing
that many), then each page is fetched in-process through Django's test client: a "first
view" with every cache emptied before it (a search, filter, sort or page nobody asked
for yet; only the facets are worked out first, as the sync does after every change),
and a "cached view" right after it. Median of several fetches, server time
only (no network, no gunicorn), and the queries of one fetch.

.venv/bin/python bench/catalog_pages.py [--books 100000] [--backends sqlite postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _platform import PG_URL, _psql, save

FILL = """
import random, time
from datetime import UTC, datetime
from bookshop.shop.catalog.services import book_upsert_many
from bookshop.store.inventory.made_up import MadeUpBooks
SUBJECTS = ["Fiction", "History", "Science", "Poetry", "Travel", "Crime", "Art", "Cooking"]
made_up = MadeUpBooks(seed=1, authors=max(50, __BOOKS__ // 20))
rng = random.Random(1)
started = time.perf_counter()
for start in range(0, __BOOKS__, 1000):
    batch = []
    for n in range(start, min(start + 1000, __BOOKS__)):
        batch.append({
            "id": n + 1, "title": made_up.title(), "author": made_up.author(),
            "isbn": f"979{n:010d}", "description": made_up.blurb(),
            "price": f"{rng.randint(3, 60)}.{rng.randint(0, 99):02d}", "image": None,
            "quantity": rng.choice([0, 1, 2, 3, 5, 8]), "is_active": rng.random() > 0.02,
            "subjects": [{"name": s, "slug": s.lower()} for s in rng.sample(SUBJECTS, 2)],
            "publisher": f"Press {n % 50}", "published_year": 1900 + n % 120,
            "format": ("paperback", "hardcover", "other")[n % 3], "pages": 100 + n % 600,
            "language": ("en", "en", "en", "fr", "de")[n % 5], "series": "",
            "series_number": None, "updated_at": "2026-01-01T00:00:00Z",
        })
    book_upsert_many(books=batch)
from bookshop.shop.catalog.planner import planner_statistics_refresh
planner_statistics_refresh(changed=__BOOKS__)  # as the sync does after writing that many
print("filled in", round(time.perf_counter() - started, 1), "s")
"""

MEASURE = """
import json, statistics, time
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from bookshop.shop.catalog.facets import catalog_facets_warm
from bookshop.shop.core.page_cache import local_skeletons
settings.ALLOWED_HOSTS = ["*"]
client = Client()
from bookshop.shop.catalog.models import Book
URLS = [Book.objects.first().get_absolute_url() if u == "BOOK" else u for u in __URLS__]
def fetch(url):
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code in (200, 404), (url, response.status_code)
    return (time.perf_counter() - started) * 1000, len(queries)
results = {}
for url in URLS:
    first, cached = [], []
    for _ in range(__RUNS__):
        cache.clear()
        local_skeletons.clear()
        catalog_facets_warm()  # as every sync that changes the mirror does
        ms, first_queries = fetch(url)
        first.append(ms)
        ms, cached_queries = fetch(url)
        cached.append(ms)
    results[url] = {
        "first_ms": round(statistics.median(first), 1), "first_max_ms": round(max(first), 1),
        "first_queries": first_queries,
        "cached_ms": round(statistics.median(cached), 2), "cached_queries": cached_queries,
    }
    print(json.dumps({url: results[url]}), flush=True)
print("RESULTS " + json.dumps(results))
"""


def urls(books: int) -> list[str]:
    last = max(1, books // 20 - 1)
    half = max(1, last // 2)
    return [
        "/",
        f"/?page={half}",
        f"/?page={last}",
        f"/?sort=price&page={half}",
        f"/?sort=price&page={last}",
        f"/?sort=-price&page={half}",
        f"/?sort=newest&page={half}",
        "/?q=river",
        "/?q=night",
        "/?q=the",
        "/?q=the&sort=price",
        "/?q=the&page=50",
        "/?q=zzzznothing",
        "/subjects/history/",
        f"/subjects/history/?sort=price&page={max(1, last // 8)}",
        "/?format=hardcover&language=fr&sort=-price",
        "/?in_stock=on&min_price=10&max_price=20&page=20",
        "/?subject=poetry&q=night",
        "BOOK",  # the first book's page, at its slugged URL
    ]


def run(backend: str, books: int, runs: int, folder: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKSHOP_")}
    env.update(BOOKSHOP_VAR_DIR=str(folder / f"var-{backend}"), DEBUG="0", LOG_LEVEL="WARNING")
    database = None
    if backend == "postgres":
        database = f"bench_pages_{os.getpid()}"
        _psql(f'CREATE DATABASE "{database}"')
        env["BOOKSHOP_SHOP_DATABASE_URL"] = f"{PG_URL}/{database}"
    manage = [sys.executable, "-m", "bookshop", "shop"]
    try:
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True)
        fill = FILL.replace("__BOOKS__", str(books))
        out = subprocess.run(
            [*manage, "shell", "--no-imports", "-c", fill],
            env=env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
        print(backend, out.strip().splitlines()[-1], flush=True)
        if database:
            # What autovacuum does within a minute of a bulk load (its insert threshold;
            # it is off on this machine's PostgreSQL, on in the compose stack's):
            # the visibility map lets far pages read their ids off the index alone, and
            # the planner gets the table's statistics. Without it the first minutes after
            # a first sync read the skipped rows from the table (about 290 ms at 100,000).
            _psql("VACUUM ANALYZE", database=database)
        code = MEASURE.replace("__URLS__", repr(urls(books))).replace("__RUNS__", str(runs))
        process = subprocess.run(
            [*manage, "shell", "--no-imports", "-c", code],
            env=env, capture_output=True, text=True,
        )  # fmt: skip
        if process.returncode:
            raise RuntimeError(process.stdout[-2000:] + process.stderr[-3000:])
    finally:
        if database:
            _psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    line = next(li for li in process.stdout.splitlines() if li.startswith("RESULTS "))
    return json.loads(line.removeprefix("RESULTS "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--books", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    options = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory(prefix="bookshop-bench-pages-") as tmp:
        for backend in options.backends:
            results[backend] = run(backend, options.books, options.runs, Path(tmp))
    path = save("catalog-pages", {"books": options.books, "load_average": os.getloadavg(),
                                  "results": results})  # fmt: skip
    print(f"\n{options.books:,} books; median of {options.runs}; server time in-process")
    header = " | ".join(f"{b}: first ms (max) / queries | {b}: cached ms" for b in results)
    print(f"\n| page | {header} |\n| --- |" + " ---: | ---: |" * len(results))
    for url in next(iter(results.values())):
        cells = " | ".join(
            f"{r[url]['first_ms']} ({r[url]['first_max_ms']}) / {r[url]['first_queries']} "
            f"| {r[url]['cached_ms']}"
            for r in results.values()
        )
        print(f"| `{url}` | {cells} |")
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
