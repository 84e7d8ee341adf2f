"""The PostgreSQL health check reads the socket: no query for a sound connection, and a
connection the server ended is found out and replaced."""

import select
import time

import pytest
from django.db import connection

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif("connection.vendor != 'postgresql'"),
]


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def test_a_kept_connection_is_checked_without_a_query_and_a_dead_one_replaced():
    pid = backend_pid()
    admin = connection.get_new_connection(connection.get_connection_params())
    admin.autocommit = True
    try:
        assert connection.settings_dict["CONN_HEALTH_CHECKS"]
        assert connection.is_usable()
        # The server saw no `SELECT 1` from the check: its last query is still ours.
        (last,) = admin.execute(
            "SELECT query FROM pg_stat_activity WHERE pid = %s", [pid]
        ).fetchone()
        assert last == "SELECT pg_backend_pid()"

        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        deadline = time.monotonic() + 5
        while not select.select([connection.connection.fileno()], [], [], 0.1)[0]:
            assert time.monotonic() < deadline, "the server never said goodbye"
        assert not connection.is_usable()

        # What Django does before a request's first query: the dead one is replaced.
        connection.health_check_done = False
        connection.close_if_health_check_failed()
        assert backend_pid() != pid
    finally:
        admin.close()
