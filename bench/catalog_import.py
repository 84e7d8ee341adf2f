"""How long the catalogue CSV import takes, and how its memory grows with the file.

For each backend (SQLite, and PostgreSQL in a throwaway database of its own) and each
size: a generated CSV imported into an empty store, then the same file again (every row
unchanged). Peak memory is the import process's peak RSS above what it had before.

.venv/bin/python bench/catalog_import.py [--rows 10000 20000] [--backends sqlite postgres]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _platform import PG_URL, _psql, save

SUBJECTS = ["Fiction", "History", "Science", "Poetry", "Travel", "Crime", "Art", "Cooking"]

MEASURE = """
import json, resource, sys, time
from bookshop.store.inventory.catalog_import import catalog_import
def rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
figures = {}
for label in ("first", "again"):
    before = rss_mb()
    started, cpu = time.perf_counter(), time.process_time()
    with open(__FILE__, "rb") as handle:
        report = catalog_import(handle)
    figures[label + "_s"] = round(time.perf_counter() - started, 2)
    # The importing process's own CPU: wall clock on shared cores mostly measures the others.
    figures[label + "_cpu_s"] = round(time.process_time() - cpu, 2)
    figures[label + "_summary"] = report.summary
    figures[label + "_peak_rss_growth_mb"] = round(rss_mb() - before, 1)
figures["peak_rss_mb"] = round(rss_mb(), 1)
print(json.dumps(figures))
"""


def isbn13(n: int) -> str:
    core = f"979{n:09d}"
    total = sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(core))
    return core + str((10 - total % 10) % 10)


def write_csv(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["isbn", "title", "author", "price", "publisher", "published_year", "format",
             "pages", "language", "subjects", "copies"]
        )  # fmt: skip
        for n in range(rows):
            writer.writerow(
                [isbn13(n), f"Book number {n}", f"Author {n % 997}", f"{5 + n % 40}.{n % 100:02d}",
                 f"Press {n % 50}", 1900 + n % 120, ("paperback", "hardcover")[n % 2],
                 100 + n % 600, "en", f"{SUBJECTS[n % 8]};{SUBJECTS[(n + 3) % 8]}",
                 f"A-{n % 40:02d}-{n % 7}:{n % 4};B-{n % 13:02d}:1"]
            )  # fmt: skip


def run(backend: str, rows: int, folder: Path) -> dict:
    csv_path = folder / f"books-{rows}.csv"
    write_csv(csv_path, rows)
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOOKSHOP_")}
    env.update(BOOKSHOP_VAR_DIR=str(folder / f"var-{backend}-{rows}"), DEBUG="0")
    database = None
    if backend == "postgres":
        database = f"bench_import_{os.getpid()}_{rows}"
        _psql(f'CREATE DATABASE "{database}"')
        env["BOOKSHOP_STORE_DATABASE_URL"] = f"{PG_URL}/{database}"
    try:
        manage = [sys.executable, "-m", "bookshop", "store"]
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, check=True)
        code = MEASURE.replace("__FILE__", repr(str(csv_path)))
        out = subprocess.run(
            [*manage, "shell", "--no-imports", "-c", code],
            env=env, check=True, capture_output=True, text=True,
        ).stdout  # fmt: skip
    finally:
        if database:
            _psql(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return {"backend": backend, "rows": rows, "csv_mb": round(csv_path.stat().st_size / 1e6, 2),
            **json.loads(out.strip().splitlines()[-1])}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 20_000])
    parser.add_argument("--backends", nargs="+", default=["sqlite", "postgres"])
    options = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory(prefix="bookshop-bench-import-") as tmp:
        for backend in options.backends:
            for rows in options.rows:
                result = run(backend, rows, Path(tmp))
                print(json.dumps(result), flush=True)
                results.append(result)
    path = save("import", {"results": results})
    print("\n| backend | rows | CSV MB | first import s (CPU s) | again, unchanged s (CPU s) "
          "| peak RSS MB | RSS growth during the first import MB |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for r in results:
        print(f"| {r['backend']} | {r['rows']} | {r['csv_mb']} "
              f"| {r['first_s']} ({r['first_cpu_s']}) | {r['again_s']} ({r['again_cpu_s']}) "
              f"| {r['peak_rss_mb']} "
              f"| {r['first_peak_rss_growth_mb']} |")  # fmt: skip
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
