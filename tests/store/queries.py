"""Counting the queries a page makes, for tests that pin them as rows grow."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def page_queries(client, url: str) -> int:
    """How many queries a second GET of `url` makes (the first warms per-process caches
    such as content types), after checking it answers 200."""
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)
