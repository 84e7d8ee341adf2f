"""Django's PostgreSQL backend, checking a kept connection without asking the server.

With CONN_HEALTH_CHECKS Django runs `SELECT 1` before the first query of every request
that reuses a connection: a round trip to the server, which for a page that needs one
query is half of its database time. A server that ends a connection (a restart,
`pg_terminate_backend`, an idle timeout) says so on the socket: an error message, then
the end of the stream. So while the connection sits idle between requests, a socket
with nothing to read is an open connection, and only one with something waiting is
asked with Django's own check.
"""

from __future__ import annotations

import select

from django.db.backends.postgresql.base import DatabaseWrapper as PostgreSQLDatabaseWrapper
from psycopg import pq


class DatabaseWrapper(PostgreSQLDatabaseWrapper):
    def is_usable(self) -> bool:
        connection = self.connection
        if connection is None or connection.closed:
            return False
        if connection.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            return bool(super().is_usable())
        try:
            waiting, _, _ = select.select([connection.fileno()], [], [], 0)
        except (OSError, ValueError):
            return False
        # Nothing from the server since its last answer: it has not hung up. Anything else
        # (a notice, or the goodbye of a closed connection) goes to the real check.
        return not waiting or bool(super().is_usable())
