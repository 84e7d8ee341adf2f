import logging

import pytest

from bookshop.shop.celery import app


@pytest.mark.django_db
def test_healthz_checks_database_and_broker(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "broker": "ok"}}


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_gone(client, unreachable_database, caplog):
    with caplog.at_level(logging.WARNING, logger="bookshop.common.health"):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "fail", "broker": "ok"}
    assert "health check database failed: OperationalError" in caplog.text


@pytest.mark.django_db
def test_healthz_is_503_when_the_broker_is_gone(client, unreachable_broker, caplog):
    with caplog.at_level(logging.WARNING, logger="bookshop.common.health"):
        response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "broker": "fail"},
    }
    assert "health check broker failed" in caplog.text


@pytest.mark.django_db
def test_healthz_tells_a_stranger_nothing_about_the_layout(client, unreachable_broker):
    """The answer names no folder, host or exception, only which check failed."""
    response = client.get("/healthz", HTTP_HOST="localhost")

    text = response.content.decode()
    assert response.status_code == 503
    assert "/" not in text
    assert "rror" not in text
    assert "127.0.0.1" not in text


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
