"""Requests per second and latency of the shop's and the store's busiest pages (wrk), each
also as a share of a Django view that only answers "ok" (bench/ceiling.py), served the
same way and measured in the same run.

.venv/bin/python bench/web_throughput.py [--books 10000] [--duration 10] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from _platform import backend_label, free_ports, platform, save

UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def cpu_ticks() -> tuple[int, int]:
    """(all, stolen) CPU ticks of the machine since boot, from /proc/stat: the host of a
    virtual machine takes its CPUs away now and then (`steal`), and a process that loses
    its CPU for a slice of 100 ms adds that to the requests it holds."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split()[1:9]]
    return sum(fields), fields[7]


def wrk(url: str, *, duration: int, connections: int, headers: tuple[str, ...] = ()) -> dict:
    flags = [item for header in headers for item in ("-H", header)]
    before = cpu_ticks()
    output = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{duration}s", "--latency", *flags, url],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    after = cpu_ticks()

    def latency(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", output, re.M).groups()
        return round(float(value) * UNITS[unit], 2)

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50_ms": latency("50%"),
        "p99_ms": latency("99%"),
        "non_2xx": int(errors.group(1)) if errors else 0,
        "steal_pct": round(100 * (after[1] - before[1]) / max(1, after[0] - before[0]), 1),
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


# A signed-in customer with ten books in the cart: a session made in the shop's own store.
MEMBER_SESSION = """
from importlib import import_module
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from bookshop.shop.accounts.models import User
from bookshop.shop.cart.cart import SESSION_KEY as CART_KEY
from bookshop.shop.catalog.models import Book
user = User.objects.create_user("bench", "bench@example.com", "bench-Pass-2026")
session = import_module(settings.SESSION_ENGINE).SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = settings.SHOP_LOGIN_BACKEND
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
books = Book.objects.filter(is_active=True, quantity__gt=0).order_by("pk")[:10]
session[CART_KEY] = {str(book.pk): 1 for book in books}
session.save()
print(settings.SESSION_COOKIE_NAME + "=" + session.session_key)
"""


def measure_against(
    url: str, ceiling_url: str, *, rounds: int, duration: int, connections: int, headers=()
) -> tuple[dict, list[dict]]:
    """The median of `rounds` wrk runs of `url` (by req/s) after a 2 s warm-up, each round
    right after a round of the ceiling, and the page's share of the ceiling as the median
    of the rounds' shares: the machine's speed drifts by a fifth within a run here, and a
    share of two figures minutes apart would measure that drift. Returns the page's
    figures and the ceiling's rounds."""
    wrk(url, duration=2, connections=connections, headers=headers)
    pairs = []
    for _ in range(rounds):
        top = wrk(ceiling_url, duration=duration, connections=connections)
        pairs.append((wrk(url, duration=duration, connections=connections, headers=headers), top))
    shares = sorted(page["rps"] / top["rps"] for page, top in pairs)
    page, _ = sorted(pairs, key=lambda pair: pair[0]["rps"])[len(pairs) // 2]
    result = {
        **page,
        "rounds_rps": [page["rps"] for page, _ in pairs],
        "rounds_p99_ms": [page["p99_ms"] for page, _ in pairs],
        "rounds_steal_pct": [page["steal_pct"] for page, _ in pairs],
        "ceiling_rounds_rps": [top["rps"] for _, top in pairs],
        "share_of_ceiling": round(shares[len(shares) // 2], 3),
    }
    return result, [top for _, top in pairs]


@contextmanager
def ceiling(workers: int) -> Iterator[str]:
    """bench/ceiling.py under gunicorn and bookshop up's supervisor, as the platform's
    services are served, its output to a file as `bookshop up`'s is (bench/_platform.py)."""
    (port,) = free_ports(1)
    here = Path(__file__).resolve().parent
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            [sys.executable, str(here / "ceiling.py"), str(port), str(workers)],
            cwd=here, stdout=log, stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONPATH": str(here)},
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    _get(url)
                    break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        log.seek(0)
                        output = log.read().decode(errors="replace")[-2000:]
                        raise RuntimeError(output) from None
                    time.sleep(0.2)
            yield url
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(30)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--books", type=int, default=10_000)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=16)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is missing: apt-get install wrk", file=sys.stderr)
        return 2
    load = {"rounds": options.rounds, "duration": options.duration,
            "connections": options.connections}  # fmt: skip
    results = {}
    with platform() as running:
        running.manage("store", "populate_db", "--books", str(options.books), "--seed", "1")
        running.manage("shop", "sync_catalog", "--full")
        book = running.get_json(running.url("store", "/api/v1/books/?page_size=1"))["results"][0]
        word = book["title"].split()[0]
        home = _get(running.url("shop", "/"))
        shop_book = re.search(r'href="(/books/\d+[^"]*/)"', home).group(1)
        subject = re.search(r'href="(/subjects/[^"/]+/)"', _get(running.url("shop", "/subjects/")))
        far_page = max(1, options.books // 20 - 1)
        # The shell prints a banner first; the cookie is its last line.
        cookie = running.manage("shop", "shell", "-c", MEMBER_SESSION).strip().splitlines()[-1]
        member = (f"Cookie: {cookie}",)
        # The store throttles anonymous clients; call it as the shop does, with its token.
        token = (running.root / "var" / "store-api-token").read_text().strip()
        service = (f"Authorization: Token {token}",)
        targets = {
            "shop: catalogue, page 1": (running.url("shop", "/"), ()),
            f"shop: catalogue, page {far_page:,}": (
                running.url("shop", f"/?page={far_page}"), ()),
            f"shop: search “{word}”": (running.url("shop", f"/?q={word}"), ()),
            "shop: a subject's page": (running.url("shop", subject.group(1)), ()),
            "shop: book page": (running.url("shop", shop_book), ()),
            "shop: empty cart": (running.url("shop", "/cart/"), ()),
            "shop, signed in with 10 books in the cart: catalogue": (
                running.url("shop", "/"), member),
            "shop, signed in with 10 books in the cart: book page": (
                running.url("shop", shop_book), member),
            "shop: `/healthz` (database and broker)": (running.url("shop", "/healthz"), ()),
            "store API: books, 10 a page": (
                running.url("store", "/api/v1/books/?page_size=10"), service),
            "store API: books, 50 a page": (
                running.url("store", "/api/v1/books/?page_size=50"), service),
            "store API: one book": (running.url("store", f"/api/v1/books/{book['id']}/"), service),
        }  # fmt: skip
        ceiling_runs: list[dict] = []
        with ceiling(workers=2) as ceiling_url:
            wrk(ceiling_url, duration=2, connections=options.connections)
            for name, (url, headers) in targets.items():
                results[name], tops = measure_against(url, ceiling_url, headers=headers, **load)
                ceiling_runs += tops
                print(f"{name}: {results[name]}", flush=True)
        ceiling_runs.sort(key=lambda run: run["rps"])
        results = {
            "Django “ok” view (the ceiling)": {
                **ceiling_runs[len(ceiling_runs) // 2], "share_of_ceiling": 1.0,
                "rounds_rps": [run["rps"] for run in ceiling_runs]},
            **results,
        }  # fmt: skip
        memory = gunicorn_rss_mb(running.ports)
    data = {
        "backends": backend_label(),
        "books": options.books,
        "connections": options.connections,
        "duration_s": options.duration,
        "rounds": options.rounds,
        "load_average": os.getloadavg(),
        "results": results,
        "gunicorn_rss_mb": memory,
    }
    path = save("web", data)
    print(
        f"\nBackends: {data['backends']}; {options.books} books; wrk -t1 -c{options.connections}"
        f", {options.duration} s, median of {options.rounds}; each round of a page right after"
        f" one of the ceiling, the share the median of the rounds' shares; the ceiling's req/s"
        f" the median of all its {len(ceiling_runs)} rounds"
    )
    print(
        "\n| page | req/s | share of the ceiling | p50 ms | p99 ms | p99 of each round "
        "| CPU stolen by the host, each round | non-2xx |"
    )
    print("| --- | ---: | ---: | ---: | ---: | --- | --- | ---: |")
    for name, r in results.items():
        rounds = " / ".join(str(p99) for p99 in r.get("rounds_p99_ms", []))
        steal = " / ".join(f"{pct} %" for pct in r.get("rounds_steal_pct", []))
        print(
            f"| {name} | {r['rps']:,.0f} | {r['share_of_ceiling']:.0%} | {r['p50_ms']} "
            f"| {r['p99_ms']} | {rounds} | {steal} | {r['non_2xx']} |"
        )
    print(f"\ngunicorn RSS after the load (MB, master + 2 workers): {memory}\nsaved {path}")
    return 0


def _get(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - loopback
        return response.read().decode()


if __name__ == "__main__":
    raise SystemExit(main())
