"""compose.yaml's stack from the project's images, checked from outside through nginx as
customers and staff meet it, then taken down and up again. The tests run in this order
and share one stack (conftest.py); the last ones stop and restart services.

The journey steps are tests/e2e/journeys.py's, which the production-configuration suite
walks without containers.
"""

from __future__ import annotations

import time

import httpx
import pytest

from tests.containers.stack import REPORT, ComposeStack
from tests.e2e import journeys

PNG = journeys.png()
# What the shop's processes share with the broker; nothing else may reach it.
SHOP_PROCESSES = ("shop", "shop-worker", "shop-beat")
# The catalogue syncs every 30 s, order statuses every 5 s (the stack's defaults).
SYNC_TIMEOUT = 120


@pytest.fixture(scope="module")
def completed(stack: ComposeStack):
    """One order, from a new customer's checkout to completion."""
    with stack.store_api() as staff:
        done = journeys.order_to_completion(stack, staff, sync_timeout=SYNC_TIMEOUT)
    REPORT.append(
        "memory after one order: "
        + ", ".join(f"{name} {usage}" for name, usage in stack.memory().items())
    )
    yield done
    done.customer.close()


def writers(stack: ComposeStack) -> list[str]:
    """The long-running services that write to a database."""
    return sorted(
        name
        for name, service in stack.services.items()
        if not stack.one_shot(name)
        and any(key.endswith("DATABASE_URL") for key in service.get("environment", {}))
    )


def databases(stack: ComposeStack) -> list[str]:
    return sorted(
        name
        for name, service in stack.services.items()
        if "POSTGRES_DB" in service.get("environment", {})
    )


def every_row(stack: ComposeStack) -> dict[str, dict[str, tuple[int, str]]]:
    """Each database's tables: row count and a digest of every row."""
    return {service: stack.table_rows(service) for service in databases(stack)}


def test_every_service_is_healthy_and_bootstrap_is_done(stack: ComposeStack):
    states = stack.states()

    assert set(states) == set(stack.services)

    one_shots = {name: state for name, state in states.items() if stack.one_shot(name)}
    assert {name: (s.status, s.exit_code) for name, s in one_shots.items()} == {
        "bootstrap": ("exited", 0)
    }
    unhealthy = {
        name: state
        for name, state in states.items()
        if not stack.one_shot(name) and (state.status, state.health) != ("running", "healthy")
    }
    assert unhealthy == {}


def test_the_shop_s_home_page_answers_through_nginx(stack: ComposeStack):
    home = stack.get("shop", "/")

    assert home.status_code == 200
    assert "<title>" in home.text
    assert home.headers["content-type"].startswith("text/html")


def test_an_order_goes_from_checkout_to_completion(stack: ComposeStack, completed):
    assert completed.customer.order_status(completed.order_id) == "Completed"
    assert completed.store_order["items"] == [
        {"book": completed.book["id"], "title": completed.title, "quantity": 1,
         "unit_price": "12.50"}
    ]  # fmt: skip
    assert stack.mail_subjects(completed.email) == [
        f"Bookshop Order #{completed.order_id}: completed",
        f"Bookshop Order #{completed.order_id}: received",
    ]


def test_the_store_api_docs_load_every_static_file_they_name(stack: ComposeStack):
    assets = journeys.static_files_named_by(stack, "store", "/api/docs/")

    for asset, fetched in assets.items():
        assert fetched.status_code == 200, asset
        # nginx serves them from the image, by the names collectstatic hashed.
        assert fetched.headers["cache-control"].endswith("immutable"), asset


def test_a_cover_uploaded_through_the_api_is_served_under_media(stack: ComposeStack):
    with stack.store_api() as staff:
        image_url = journeys.upload_cover(staff, PNG).json()["image"]
    response = httpx.get(image_url, timeout=15)

    assert image_url.startswith(stack.url("store", "/media/"))
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == PNG
    # From the media volume by nginx, never by the store's gunicorn.
    assert "GET /media/" not in stack.logs("store")


def test_the_store_s_address_leads_to_the_admin(stack: ComposeStack):
    response = stack.get("store", "/", follow_redirects=True)

    assert [r.headers["location"] for r in response.history][:1] == ["/admin/"]
    assert response.status_code == 200
    assert "Bookshop Store" in response.text


def test_the_web_servers_start_without_a_control_socket(stack: ComposeStack):
    # gunicorn 27 opened one under $HOME/.gunicorn, which is not writable in the images.
    for service in ("store", "shop"):
        log = stack.logs(service)
        assert "Booting worker" in log, service
        assert "Control s" not in log, service


def _reaches_the_broker(stack: ComposeStack, service: str) -> bool:
    """Whether a container can open a connection to the broker: with Python where the
    image has it, else with wget to the management UI (both answer when reachable)."""
    probe = (
        "if command -v python >/dev/null 2>&1; then "
        "python -c \"import socket; socket.create_connection(('rabbitmq', 5672), timeout=3)\"; "
        "else wget -q -T 3 -O /dev/null http://rabbitmq:15672/; fi"
    )
    return stack.exec(service, "sh", "-c", probe, check=False).returncode == 0


def test_only_the_shop_s_processes_reach_the_broker(stack: ComposeStack):
    running = [name for name in stack.services if not stack.one_shot(name)]
    others = [name for name in running if name not in (*SHOP_PROCESSES, "rabbitmq")]

    reach = {name: _reaches_the_broker(stack, name) for name in (*SHOP_PROCESSES, *others)}

    assert reach == {name: name in SHOP_PROCESSES for name in reach}
    assert {"nginx", "store", "smtp-server"} <= set(others)


def test_the_worker_and_beat_probes_close_their_broker_connections(stack: ComposeStack):
    seen = len(stack.logs("rabbitmq"))
    for _ in range(3):
        for service, probe in (("shop-worker", "worker"), ("shop-beat", "beat")):
            result = stack.exec(service, "python", "/app/deploy/healthcheck.py", probe)
            assert result.returncode == 0, result.stdout + result.stderr

    new = stack.logs("rabbitmq")[seen:]
    assert "closing AMQP connection" in new
    assert "client unexpectedly closed TCP connection" not in new


def test_nginx_reaches_a_recreated_shop(stack: ComposeStack):
    before, nginx = stack.addresses("shop")["web"], stack.started_at("nginx")

    stack.recreate("shop")
    after = stack.addresses("shop")["web"]
    answers = stack.wait_for(lambda: _status(stack, "shop", "/healthz") == 200, timeout=30)

    # Else this would prove nothing: a new address, and the same nginx as before.
    assert after != before
    assert stack.started_at("nginx") == nginx
    assert answers


def _status(stack: ComposeStack, site: str, path: str) -> int | None:
    try:
        return stack.get(site, path).status_code
    except httpx.TransportError:
        return None


def test_bootstrap_run_again_changes_nothing(stack: ComposeStack, completed):
    stack.stop(*writers(stack))
    try:
        before = every_row(stack)
        stack.recreate("bootstrap")
        after = every_row(stack)
    finally:
        stack.up(writers(stack))

    assert sum(count for rows in before.values() for count, _ in rows.values()) > 0
    assert after == before


def test_down_then_up_keeps_every_row(stack: ComposeStack, completed):
    stack.stop(*writers(stack))
    before = every_row(stack)

    stack.down()
    stack.up(databases(stack))
    after = every_row(stack)
    started = time.monotonic()
    stack.up()
    REPORT.append(f"up again after down: all healthy in {time.monotonic() - started:.0f} s")

    assert after == before
    # The customer's session lives in the shop's database too.
    assert stack.wait_for(
        lambda: _order_status(completed, completed.order_id) == "Completed", timeout=30
    )


def _order_status(completed, order_id: int) -> str | None:
    try:
        return completed.customer.order_status(order_id)
    except httpx.TransportError:  # a kept-alive connection to the nginx that went away
        return None
