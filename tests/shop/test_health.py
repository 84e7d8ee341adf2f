import pytest

from bookshop.shop.celery import app


@pytest.mark.django_db
def test_healthz_checks_database_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_gone(client, unreachable_database):
    response = client.get("/healthz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"].startswith("error: OperationalError")
    assert checks["broker"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_gone(client, unreachable_broker):
    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["broker"].startswith("error: ")


@pytest.fixture
def unreachable_broker(closed_port, monkeypatch):
    """A broker that cannot be reached: RabbitMQ on a closed port, or a missing folder."""
    saved = app.conf.broker_url, app.conf.broker_transport_options
    if saved[0].startswith("filesystem://"):
        app.conf.broker_transport_options = {**saved[1], "data_folder_out": "/nonexistent/queue"}
    else:
        # Celery lets CELERY_BROKER_URL in the environment win over its configuration.
        url = f"amqp://guest:guest@127.0.0.1:{closed_port}//"
        monkeypatch.setenv("CELERY_BROKER_URL", url)
        app.conf.broker_url = url
    yield
    app.conf.broker_url, app.conf.broker_transport_options = saved
