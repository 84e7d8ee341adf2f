"""Requests per second and latency of the shop's and the store's busiest pages (wrk).

.venv/bin/python bench/web_throughput.py [--books 10000] [--duration 10] [--connections 16]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

from _platform import backend_label, platform, save

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def wrk(url: str, *, duration: int, connections: int, headers: tuple[str, ...] = ()) -> dict:
    flags = [item for header in headers for item in ("-H", header)]
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", *flags, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return round(float(value) * UNITS[unit], 2)

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50%"),
        "p99_ms": latency("99%"),
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def gunicorn_rss_mb(ports: dict[str, int]) -> dict[str, float]:
    """Resident memory of this run's gunicorn processes (master and workers), from /proc."""
    binds = {f"127.0.0.1:{ports[name]}".encode(): name for name in ("shop", "store")}
    totals: dict[str, float] = {}
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().split(b"\0")
            status = (proc / "status").read_text()
        except OSError:
            continue
        service = next((binds[arg] for arg in cmdline if arg in binds), None)
        if service is None or b"gunicorn" not in b" ".join(cmdline):
            continue
        rss = int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024
        totals[service] = round(totals.get(service, 0) + rss, 1)
    return totals


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--books", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2
    with platform() as running:
        running.manage("store", "populate_db", "--books", str(options.books), "--seed", "1")
        running.manage("shop", "sync_catalog", "--full")
        book = running.get_json(running.url("store", "/api/v1/books/?page_size=1"))["results"][0]
        word = book["title"].split()[0]
        shop_book = re.search(
            r'href="/books/(\d+)/"', _get(running.url("shop", "/"))
        ).group(1)  # fmt: skip
        targets = {
            "shop: catalogue, page 1": running.url("shop", "/"),
            "shop: catalogue, page 40": running.url("shop", "/?page=40"),
            f"shop: search “{word}”": running.url("shop", f"/?q={word}"),
            "shop: book page": running.url("shop", f"/books/{shop_book}/"),
            "shop: empty cart": running.url("shop", "/cart/"),
            "shop: /healthz (database + broker)": running.url("shop", "/healthz"),
            "store API: books, 50 a page": running.url("store", "/api/v1/books/?page_size=50"),
            "store API: one book": running.url("store", f"/api/v1/books/{book['id']}/"),
        }
        # The store throttles anonymous clients; call it as the shop does, with its token.
        token = (running.root / "var" / "store-api-token").read_text().strip()
        results = {}
        for name, url in targets.items():
            headers = (f"Authorization: Token {token}",) if name.startswith("store") else ()
            load = {"connections": options.connections, "headers": headers}
            wrk(url, duration=2, **load)  # warm up
            results[name] = wrk(url, duration=options.duration, **load)
            print(f"{name}: {results[name]}", flush=True)
        memory = gunicorn_rss_mb(running.ports)
    data = {
        "backends": backend_label(),
        "books": options.books,
        "connections": options.connections,
        "duration_s": options.duration,
        "results": results,
        "gunicorn_rss_mb": memory,
    }
    path = save("web", data)
    print(f"\nBackends: {data['backends']}; {options.books} books; wrk -t1 -c{options.connections}")
    print("\n| page | req/s | p50 ms | p99 ms | non-2xx |\n| --- | ---: | ---: | ---: | ---: |")
    for name, r in results.items():
        print(f"| {name} | {r['rps']:.0f} | {r['p50_ms']} | {r['p99_ms']} | {r['non_2xx']} |")
    print(f"\ngunicorn RSS after the load (MB, master + 2 workers): {memory}\nsaved {path}")
    return 0


def _get(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        return response.read().decode()


if __name__ == "__main__":
    raise SystemExit(main())
