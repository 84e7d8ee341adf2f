"""Faults on the real processes, as issue 11 lists them, each followed by what the customer
sees and a count of what reached the store and the inbox: nothing lost, nothing doubled.

The broker-folder blip runs the embedded mode's `bookshop up` (its supervisor stops
everything when one child dies). The others share one stack of separately started
processes (tests/e2e/stack.py), so a test can freeze, cut off or stop one of them.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request

from tests.e2e.platform import deployment, wait_for


def health(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_a_blip_of_the_broker_folder_leaves_the_worker_running(tmp_path):
    # The embedded broker even when the session has RabbitMQ: the folder is the point.
    with deployment(tmp_path, CELERY_BROKER_URL="filesystem://localhost//") as deploy:
        platform = deploy.up("--no-demo")
        try:
            platform.wait_until_running()
            queue = deploy.var / "celery" / "queue"
            healthz = deploy.url("shop", "/healthz")
            assert health(healthz)[0] == 200
            mark = len(platform.output())

            # Renamed away until health has seen it (a few tenths of a second), while the
            # worker polls it ten times a second and beat keeps queueing.
            queue.rename(queue.with_name("queue-away"))
            try:
                during = wait_for(lambda: (h := health(healthz))[0] == 503 and h, timeout=10)
                time.sleep(0.5)
            finally:
                queue.with_name("queue-away").rename(queue)

            after = wait_for(lambda: (h := health(healthz))[0] == 200 and h, timeout=10)
            # Tasks flow again: beat's status sync (every 5 s) is taken and run, and the
            # worker asks the store for its orders.
            wait_for(lambda: "is back" in platform.output()[mark:], timeout=10)
            back = platform.output().index("is back", mark)
            wait_for(lambda: "GET /api/v1/orders/?" in platform.output()[back:], timeout=30)
            running = platform.process.poll() is None
            output = platform.output()[mark:]
        finally:
            status = platform.stop()

    assert during[1] == {"status": "unavailable", "checks": {"database": "ok", "broker": "fail"}}
    assert after[1]["checks"] == {"database": "ok", "broker": "ok"}
    assert running, output[-3000:]
    assert "is missing; taking its queues as empty" in output
    assert "FileNotFoundError" not in output
    assert status == 0
