"""The committed schema (docs/store-api.yaml) holds for a real store, whatever a client sends.

Schemathesis runs against a store process started for it, on a throwaway database with some
books, copies and orders, as each of the API's three roles at once: anonymous, the shop's
service account and staff (whose requests rename books and fail orders). Every check is on,
in both data modes: requests the schema allows must be served, the others refused, and
every answer must be one the schema documents. tests/e2e/schemathesis.toml holds the few
exceptions, each with its reason; docs/api.md lists what these runs found.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import yaml

from bookshop.devserver.endpoints import Endpoints
from bookshop.devserver.runner import UpOptions, child_environment, programs
from tests.e2e.platform import HOST, deployment
from tests.e2e.stack import ADMIN_PASSWORD, DevStack

REPO = Path(__file__).resolve().parents[2]
SCHEMA = REPO / "docs" / "store-api.yaml"
CONFIG = Path(__file__).with_name("schemathesis.toml")
ROLES = ("anonymous", "service", "staff")
EXAMPLES = 100
# One seed, so a run that fails can be repeated (BOOKSHOP_FUZZ_SEED picks another).
SEED = int(os.environ.get("BOOKSHOP_FUZZ_SEED", "20261202"))


def _paths() -> dict[str, dict]:
    return yaml.safe_load(SCHEMA.read_text())["paths"]


@dataclass
class LiveStore:
    stack: DevStack
    tokens: dict[str, str | None]

    @property
    def url(self) -> str:
        return self.stack.url("store").rstrip("/")


def _seed(staff: httpx.Client, service: httpx.Client) -> None:
    """A small catalogue with copies, and orders in each state, made as clients make them."""
    books = []
    for n in range(12):
        book = staff.post(
            "/books/",
            json={"title": f"Seed book {n}", "author": f"Author {n % 4}", "price": f"{n + 5}.50"},
        )
        book.raise_for_status()
        books.append(book.json()["id"])
        copies = staff.post(f"/books/{books[-1]}/items/", json={"place": f"A-{n:02d}", "count": 3})
        copies.raise_for_status()
    orders = []
    for n in range(6):
        order = service.post(
            "/orders/",
            json={
                "shop_order_id": f"00000000-0000-4000-8000-{n:012d}",
                "customer_email": f"reader{n}@example.com",
                "delivery_address": f"{n} Long Street",
                "items": [{"book": books[n], "quantity": 1}, {"book": books[n + 6], "quantity": 2}],
            },
        )
        order.raise_for_status()
        orders.append(order.json()["id"])
    # The first two orders get their copies picked; the second then ships, the third fails.
    for order_id in orders[:2]:
        lines = staff.get(f"/orders/{order_id}/").json()["items"]
        copies = [
            copy["id"]
            for line in lines
            for copy in staff.get(
                f"/books/{line['book']}/items/",
                params={"status": "in_stock", "page_size": line["quantity"]},
            ).json()["results"]
        ]
        staff.post(f"/orders/{order_id}/pack/", json={"book_items": copies}).raise_for_status()
    staff.post(f"/orders/{orders[1]}/complete/", json={}).raise_for_status()
    staff.post(f"/orders/{orders[2]}/fail/", json={"reason": "Seeded"}).raise_for_status()


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Iterator[LiveStore]:
    root = tmp_path_factory.mktemp("store-api")
    # Anonymous fuzzing would meet the throttle (120/min) at once; tests/store checks it.
    with deployment(
        root, BOOKSHOP_ADMIN_PASSWORD=ADMIN_PASSWORD, STORE_ANON_THROTTLE_RATE="1000000/min"
    ) as deploy:
        options = UpOptions(
            endpoints=Endpoints(host=HOST, **deploy.ports), var_dir=deploy.var, web_workers=2
        )
        setup, children = programs(options, child_environment(options, ADMIN_PASSWORD, deploy.env))
        (bootstrap,) = [step for step in setup if step.name == "store"]
        subprocess.run(
            list(bootstrap.argv), cwd=root, env=dict(bootstrap.env or {}), check=True,
            capture_output=True, timeout=180,
        )  # fmt: skip
        stack = DevStack(deploy=deploy, programs={p.name: p for p in children if p.name == "store"})
        try:
            stack.start("store")
            service_token = (deploy.var / "store-api-token").read_text().strip()
            with (
                stack.staff_api() as staff,
                httpx.Client(
                    base_url=staff.base_url,
                    headers={"Authorization": f"Token {service_token}"},
                    timeout=15,
                ) as service,
            ):
                _seed(staff, service)
                staff_token = staff.headers["Authorization"].removeprefix("Token ")
            yield LiveStore(
                stack=stack,
                tokens={"anonymous": None, "service": service_token, "staff": staff_token},
            )
        finally:
            stack.stop_all()


def _schemathesis(store: LiveStore, role: str, reports: Path) -> subprocess.Popen:
    token = store.tokens[role]
    auth = ["--header", f"Authorization: Token {token}"] if token else []
    # One worker each: the three roles run side by side, and Python 3.11's compile() is
    # not safe in threads (schemathesis compiles as it generates).
    command = [
        str(Path(sys.executable).with_name("st")), "--no-color", "--config-file", str(CONFIG),
        "run", str(SCHEMA), "--url", store.url, *auth,
        "--max-examples", str(EXAMPLES), "--seed", str(SEED), "--workers", "1",
        "--report", "json,ndjson", "--report-json-path", str(reports / f"{role}.json"),
        "--report-ndjson-path", str(reports / f"{role}.ndjson"),
    ]  # fmt: skip
    log = (reports / f"{role}.log").open("w")
    return subprocess.Popen(
        command,
        cwd=reports,  # where schemathesis keeps its cache
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def _requests_per_operation(events: Path) -> dict[str, int]:
    """How many requests each operation got from the run's event log, outside the stateful
    phase (whose chains of requests are logged as one "Stateful tests")."""
    counts: dict[str, int] = {}
    with events.open() as lines:
        for line in lines:
            finished = json.loads(line).get("ScenarioFinished")
            if finished and finished["phase"] != "stateful" and finished["recorder"].get("cases"):
                label = finished["recorder"]["label"]
                counts[label] = counts.get(label, 0) + len(finished["recorder"]["cases"])
    return counts


def test_the_store_answers_as_its_schema_says_to_every_role(store, tmp_path):
    started = time.monotonic()
    runs = {role: _schemathesis(store, role, tmp_path) for role in ROLES}
    codes = {role: run.wait(timeout=600) for role, run in runs.items()}
    elapsed = time.monotonic() - started

    summaries, counts = [], {}
    for role in ROLES:
        report = json.loads((tmp_path / f"{role}.json").read_text())
        counts[role] = _requests_per_operation(tmp_path / f"{role}.ndjson")
        summaries.append(
            f"{role}: {report['test_cases']['generated']} requests, "
            f"{len(counts[role])} operations, at least {min(counts[role].values(), default=0)} "
            f"each, {report['test_cases']['with_failures']} failing"
        )
    print(f"schemathesis, seed {SEED}, {elapsed:.0f} s: " + "; ".join(summaries))
    for role in ROLES:
        output = (tmp_path / f"{role}.log").read_text()
        assert codes[role] == 0, f"schemathesis as {role} (seed {SEED}):\n{output[-12000:]}"
    documented = len([m for methods in _paths().values() for m in methods])
    for role in ROLES:
        assert len(counts[role]) == documented, role
        assert min(counts[role].values()) >= EXAMPLES, (role, counts[role])
    assert store.stack.processes["store"].poll() is None
