"""The production configuration, for real but without containers: gunicorn for both
services on PostgreSQL, the worker and beat on RabbitMQ and Redis, and Debian's nginx with
the committed config in front, which every request here goes through; one order travels
from checkout to completion (tests/e2e/production.py says how to write more)."""

import gzip
import json
import secrets
import stat

import httpx
import pytest

from tests import services
from tests.e2e import journeys
from tests.e2e.production import ProductionStack, production_stack, rabbitmq_log

pytestmark = pytest.mark.skipif(
    not services.ENABLED,
    reason="the production stack runs on PostgreSQL, Redis and RabbitMQ: "
    "set BOOKSHOP_TEST_SERVICES=1",
)


PNG = journeys.png()


@pytest.fixture(scope="module")
def production(tmp_path_factory):
    root = tmp_path_factory.mktemp("production")
    # The processes' own home, as /app is the containers' (gunicorn looks there).
    (root / "home").mkdir()
    # Syncs every second or two, so an order's journey takes seconds, not minutes.
    with production_stack(
        root,
        CATALOG_SYNC_INTERVAL="2",
        ORDER_STATUS_SYNC_INTERVAL="1",
        HOME=str(root / "home"),
        XDG_RUNTIME_DIR="",
    ) as stack:
        yield stack


def test_both_services_are_healthy_through_nginx(production: ProductionStack):
    shop = production.get("shop", "/healthz")
    store = production.get("store", "/healthz")

    assert shop.status_code == 200
    assert shop.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}
    assert store.status_code == 200
    assert store.json() == {"status": "ok", "checks": {"database": "ok"}}


@pytest.mark.parametrize(
    ("service", "probe"),
    [("store", "web"), ("shop", "web"), ("shop", "worker"), ("shop", "beat")],
)
def test_the_container_health_probes_pass(production: ProductionStack, service, probe):
    result = production.healthcheck(service, probe)

    assert result.returncode == 0, result.stdout + result.stderr


def test_the_worker_and_beat_probes_close_their_broker_connections(production: ProductionStack):
    before = set(rabbitmq_log())
    for probe in ("worker", "beat"):
        result = production.healthcheck("shop", probe)
        assert result.returncode == 0, result.stdout + result.stderr

    # RabbitMQ warns of every connection dropped without the AMQP close handshake.
    dropped = [
        line
        for line in rabbitmq_log()
        if line not in before and "[warning]" in line and f"vhost: '{services.VHOST}'" in line
    ]
    assert dropped == []


def test_the_web_servers_open_no_control_socket(production: ProductionStack):
    # gunicorn's default is $HOME/.gunicorn/gunicorn.ctl; in the images $HOME is /app,
    # which the app user cannot write.
    assert list((production.root / "home").iterdir()) == []
    for service in ("store", "shop"):
        assert "Control s" not in production.log(service), service


def test_staff_reach_the_store_api_through_nginx(production: ProductionStack):
    with production.store_api() as staff:
        me = staff.get("/api/v1/me/")

    assert me.status_code == 200
    assert me.json()["username"] == "admin"


def test_an_order_goes_from_checkout_to_completion_through_nginx(production: ProductionStack):
    with production.store_api() as staff:
        done = journeys.order_to_completion(production, staff, sync_timeout=30)
    done.customer.close()

    assert done.store_order["items"] == [
        {"book": done.book["id"], "title": done.title, "quantity": 1, "unit_price": "12.50"}
    ]
    assert production.mail_subjects(done.email) == [
        f"Bookshop Order #{done.order_id}: completed",
        f"Bookshop Order #{done.order_id}: received",
    ]


def test_bootstrap_handed_the_token_to_the_shop_and_can_run_again(production: ProductionStack):
    token_file = production.root / "token" / "store-api-token"
    token = token_file.read_text()

    # Every `docker compose up` runs bootstrap again: it must change nothing.
    production.entrypoint("bootstrap", "bootstrap")
    check = production.manage("shop", "check_store")

    assert token_file.read_text() == token
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert "accepts the token of 'shop-service' (service)" in check.stdout


def test_nginx_serves_static_files_itself(production: ProductionStack):
    for site in ("shop", "store"):
        manifest = json.loads((production.static_root(site) / "staticfiles.json").read_text())
        hashed = manifest["paths"]["admin/css/base.css"]
        login = production.get(site, "/admin/login/")
        plain = production.get(site, "/static/admin/css/base.css")
        # The raw bytes: httpx would otherwise undo the gzip encoding silently.
        with (
            production.client(site) as client,
            client.stream("GET", f"/static/{hashed}", headers={"Accept-Encoding": "gzip"}) as r,
        ):
            immutable, body = r, b"".join(r.iter_raw())

        # Pages name static files by content hash, which nginx lets browsers keep.
        assert login.status_code == 200
        assert f'href="/static/{hashed}"' in login.text
        assert immutable.status_code == 200
        assert immutable.headers["content-type"] == "text/css"
        assert immutable.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert immutable.headers["content-encoding"] == "gzip"
        assert gzip.decompress(body) == (production.static_root(site) / hashed).read_bytes()
        assert plain.status_code == 200
        assert plain.headers["cache-control"] == "public, max-age=3600"
        assert plain.headers["x-content-type-options"] == "nosniff"
        assert production.get(site, "/static/admin/css/missing.css").status_code == 404
    assert "/static/" not in production.log("shop") + production.log("store")


@pytest.mark.parametrize(("site", "page"), [("shop", "/"), ("store", "/api/docs/")])
def test_pages_load_every_static_file_they_name_through_nginx(
    production: ProductionStack, site, page
):
    assets = journeys.static_files_named_by(production, site, page)

    for asset, fetched in assets.items():
        assert fetched.status_code == 200, asset
        # Hashed names only: the manifest collectstatic wrote at "image build" time.
        assert fetched.headers["cache-control"].endswith("immutable"), asset


def test_nginx_serves_uploaded_images_itself(production: ProductionStack):
    with production.store_api() as staff:
        image_url = journeys.upload_cover(staff, PNG).json()["image"]

    # The API names the image at nginx's public address (STORE_PUBLIC_URL).
    assert image_url.startswith(production.url("store", "/media/"))
    response = httpx.get(image_url, timeout=15)

    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"
    assert response.content == PNG
    assert response.headers["cache-control"] == "public, max-age=604800"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in response.headers["content-security-policy"]
    assert "GET /media/" not in production.log("store")


def test_nginx_takes_image_uploads_up_to_its_limit(production: ProductionStack):
    with production.client("store") as client:
        too_big = client.post("/api/v1/books/", content=b"x" * (21 * 1024 * 1024))
        fits = client.post("/api/v1/books/", content=b"x" * (2 * 1024 * 1024))

    assert too_big.status_code == 413
    # Past nginx, the store itself answers: no credentials, so no entry.
    assert fits.status_code in (400, 401, 403)


def test_django_sees_the_client_s_host_protocol_and_address(production: ProductionStack):
    plain = production.get("shop", "/healthz")
    via_tls_proxy = production.get("shop", "/healthz", headers={"X-Forwarded-Proto": "https"})
    spoofed = production.get("shop", "/healthz", headers={"X-Forwarded-Proto": "gopher"})
    other_host = production.get("shop", "/healthz", headers={"Host": "evil.example.com"})
    production.get("store", "/healthz?probe=xff", headers={"X-Forwarded-For": "203.0.113.9"})

    # HSTS goes out only on requests Django takes for https.
    assert "strict-transport-security" not in plain.headers
    assert via_tls_proxy.headers["strict-transport-security"] == "max-age=3600"
    assert "strict-transport-security" not in spoofed.headers
    # nginx hands the Host header on, so Django's ALLOWED_HOSTS guards it.
    assert other_host.status_code == 400
    # gunicorn's access log shows the client's address as nginx saw it.
    production.wait_for(lambda: "/healthz?probe=xff" in production.log("store"))
    line = next(
        line for line in production.log("store").splitlines() if "/healthz?probe=xff" in line
    )
    assert "203.0.113.9, 127.0.0.1" in line


def test_nginx_compresses_pages(production: ProductionStack):
    with (
        production.client("shop") as client,
        client.stream("GET", "/admin/login/", headers={"Accept-Encoding": "gzip"}) as page,
    ):
        body = b"".join(page.iter_raw())

    assert page.headers["content-encoding"] == "gzip"
    assert b"<form" in gzip.decompress(body)


def test_the_worker_runs_tasks_from_rabbitmq_and_keeps_results_in_redis(
    production: ProductionStack,
):
    result = production.manage(
        "shop", "shell", "--no-imports", "-c",
        "from bookshop.shop.celery import app;"
        "print(app.send_task('celery.accumulate', args=(6, 7)).get(timeout=30))",
    )  # fmt: skip

    # Only the worker can have put that result into Redis: tasks never run eagerly here.
    assert result.stdout.strip() == "[6, 7]"


def test_mail_reaches_the_inbox_behind_nginx(production: ProductionStack):
    production.manage("shop", "sendtestemail", "reader@example.com")

    subjects = production.wait_for(production.mail_subjects, timeout=30)
    assert any(subject.startswith("Test email from") for subject in subjects)


def test_rotating_the_service_token_as_the_operations_guide_says(production: ProductionStack):
    # Last in this module: the stack keeps the new token.
    old = (production.root / "token" / "store-api-token").read_text()
    new = secrets.token_hex(20)

    production.entrypoint("bootstrap", "bootstrap", extra={"STORE_API_TOKEN": new})
    check = production.manage("shop", "check_store")
    with production.client("store") as client:
        with_old = client.get("/api/v1/me/", headers={"Authorization": f"Token {old}"})
        with_new = client.get("/api/v1/me/", headers={"Authorization": f"Token {new}"})

    assert (production.root / "token" / "store-api-token").read_text() == new
    assert "accepts the token of 'shop-service' (service)" in check.stdout
    assert with_old.status_code == 401
    assert with_new.status_code == 200
