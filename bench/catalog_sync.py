"""How long the catalogue sync takes: every book into an empty mirror, then the steady state,
and the peak memory of the process that ran it (as the Celery worker would).

.venv/bin/python bench/catalog_sync.py [--books 100000] [--profile]

--profile writes a pyinstrument profile of the first sync under bench/results/.
"""

from __future__ import annotations

import argparse
import json
import time

from _platform import RESULTS, SERVICES, backend_label, platform, save

OVERLAP = 5  # seconds; production uses 30, the benchmark need not wait that long

MEASURE = """
OVERLAP = __OVERLAP__
PROFILE = __PROFILE__
import json, resource, statistics, time
from bookshop.shop.catalog.services import catalog_sync
from bookshop.shop.store_client import StoreClient
def peak_rss_mb():
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
rss_before = peak_rss_mb()
if PROFILE:
    from pyinstrument import Profiler
    profiler = Profiler()
    profiler.start()
with StoreClient() as client:
    started, started_cpu = time.perf_counter(), time.process_time()
    first = catalog_sync(client=client)
    first_s = time.perf_counter() - started
    first_cpu_s = time.process_time() - started_cpu
    rss_first = peak_rss_mb()
    if PROFILE:
        profiler.stop()
        with open(PROFILE, "w") as out:
            out.write(profiler.output_text(unicode=True, color=False))
    def quiet(runs):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            result = catalog_sync(client=client)
            times.append(time.perf_counter() - started)
        return round(statistics.median(times) * 1000, 1), result
    # Right after the import every book is inside the overlap window: polls look back.
    recent_ms, recent = quiet(3)
    time.sleep(OVERLAP + 1)
    catalog_sync(client=client)  # the look back after the window closed settles the cursor
    settled_ms, settled = quiet(7)
print(json.dumps({
    "first_sync_s": round(first_s, 2), "first_pages": first.pages, "first_written": first.written,
    "first_sync_cpu_s": round(first_cpu_s, 2),
    "peak_rss_mb_before_sync": rss_before, "peak_rss_mb_after_first_sync": rss_first,
    "peak_rss_mb": peak_rss_mb(),
    "recent_quiet_sync_ms": recent_ms, "recent_quiet_pages": recent.pages,
    "settled_quiet_sync_ms": settled_ms, "settled_quiet_pages": settled.pages,
    "settled_quiet_written": settled.written,
}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--books", type=int, default=100_000)
    parser.add_argument("--profile", action="store_true", help="profile the first sync")
    options = parser.parse_args()
    profile = RESULTS / f"sync-profile-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    if options.profile:
        RESULTS.mkdir(exist_ok=True)
    # Beat stays out of the way: the benchmark runs the syncs itself.
    with platform(
        CATALOG_SYNC_INTERVAL="86400",
        ORDER_STATUS_SYNC_INTERVAL="86400",
        CATALOG_SYNC_OVERLAP=str(OVERLAP),
    ) as running:
        started = time.perf_counter()
        running.manage("store", "populate_db", "--books", str(options.books), "--seed", "1")
        populate_s = time.perf_counter() - started
        if SERVICES:
            # A store in its steady state, not autovacuum catching up with populate_db.
            running.manage(
                "store", "shell", "--no-imports", "-c",
                "from django.db import connection; connection.cursor().execute('VACUUM ANALYZE')",
            )  # fmt: skip
        figures = json.loads(
            running.manage(
                "shop",
                "shell",
                "--no-imports",
                "-c",
                MEASURE.replace("__OVERLAP__", str(OVERLAP)).replace(
                    "__PROFILE__", repr(str(profile)) if options.profile else "None"
                ),
            ).splitlines()[-1]
        )
    with open("/proc/loadavg") as loadavg:
        load = float(loadavg.read().split()[0])
    data = {
        "backends": backend_label(),
        "load_average_1min": load,
        "books": options.books,
        "populate_db_s": round(populate_s, 1),
        **figures,
    }
    path = save("sync", data)
    print(json.dumps(data, indent=2))
    print(
        f"\n{options.books} books ({data['backends']}): populate_db {data['populate_db_s']} s; "
        f"first sync {data['first_sync_s']} s ({data['first_sync_cpu_s']} s CPU in the "
        f"syncing process) in {data['first_pages']} pages, its peak RSS "
        f"{data['peak_rss_mb']} MB; "
        f"a quiet sync inside the overlap window {data['recent_quiet_sync_ms']} ms "
        f"({data['recent_quiet_pages']} requests), once settled "
        f"{data['settled_quiet_sync_ms']} ms ({data['settled_quiet_pages']} request, "
        f"{data['settled_quiet_written']} rows written); load average {load}\nsaved {path}"
        + (f"\nprofile {profile}" if options.profile else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
