import pytest

from bookshop.shop.celery import app


@pytest.fixture
def celery_eager():
    """Run tasks in the test's process when enqueued, to see what they do."""
    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved
