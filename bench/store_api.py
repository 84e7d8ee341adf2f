"""Server time of the Store API's book reads on a big store: the list at 10, 50 and 500 a
page and one book, fetched in-process with the shop's service token (no HTTP, no wrk):
median of several fetches, and the queries of one.

.venv/bin/python bench/store_api.py [--books 100000] [--runs 15]
"""

from __future__ import annotations

import argparse
import json
import time

from _platform import backend_label, platform, save

MEASURE = """
RUNS = __RUNS__
import json, statistics, time
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from bookshop.store.inventory.models import Book

if connection.vendor == "postgresql":
    # Measure the steady state, not autovacuum catching up with populate_db's rows.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
token = Token.objects.get(user__username=settings.STORE_SERVICE_USERNAME).key
client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Token {token}")
# A book from the middle of the catalogue, and a page past the first (a cursor, as a
# client paging through the list holds one).
middle = Book.objects.order_by("pk").values_list("pk", flat=True)[Book.objects.count() // 2]
later = client.get("/api/v1/books/", {"page_size": 1000}).json()["next"]
URLS = {
    "books, 10 a page": "/api/v1/books/?page_size=10",
    "books, 50 a page": "/api/v1/books/?page_size=50",
    "books, 500 a page": "/api/v1/books/?page_size=500",
    "books, 500 a page by updated_at (the sync)": (
        "/api/v1/books/?page_size=500&ordering=updated_at"
    ),
    "books, 50 a page after a cursor": later.replace("page_size=1000", "page_size=50"),
    "one book": f"/api/v1/books/{middle}/",
}
results = {}
for name, url in URLS.items():
    client.get(url)  # warm-up: per-process caches, the database's pages
    times, cpu = [], []
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code, response.content[:300])
    results[name] = {
        "median_ms": round(statistics.median(times), 2),
        "min_ms": round(min(times), 2),
        # This process's CPU: steadier than wall time when other work shares the cores
        # (the database's own CPU is in it only for SQLite, which runs in-process).
        "cpu_median_ms": round(statistics.median(cpu), 2),
        "queries": len(queries),
        "bytes": len(response.content),
    }
print(json.dumps({"pages": results}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--books", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    options = parser.parse_args()
    with platform(CATALOG_SYNC_INTERVAL="86400", ORDER_STATUS_SYNC_INTERVAL="86400") as running:
        started = time.perf_counter()
        running.manage("store", "populate_db", "--books", str(options.books), "--seed", "1")
        populate_s = time.perf_counter() - started
        output = running.manage(
            "store", "shell", "--no-imports", "-c", MEASURE.replace("__RUNS__", str(options.runs))
        )
        figures = json.loads(output.strip().splitlines()[-1])
    with open("/proc/loadavg") as loadavg:
        load = loadavg.read().split()[0]
    data = {
        "backends": backend_label(),
        "books": options.books,
        "populate_db_s": round(populate_s, 1),
        "load_average_1min": float(load),
        **figures,
    }
    path = save("store-api", data)
    print(json.dumps(data, indent=2))
    print(f"\n{options.books} books ({data['backends']}), load average {load}\n")
    print("| request | median | fastest | CPU, median | queries | bytes |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, page in data["pages"].items():
        print(
            f"| {name} | {page['median_ms']} ms | {page['min_ms']} ms "
            f"| {page['cpu_median_ms']} ms | {page['queries']} | {page['bytes']:,} |"
        )
    print(f"\nsaved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
