"""The catalogue sync's two big writes, as plain parameterised SQL.

`bulk_create(update_conflicts=True)` builds the very same INSERT … ON CONFLICT statement,
but prepares every value of every row through its model field first: for a page of books
that was most of the sync's time (a first sync writes 100,000 books). Here the rows are
plain values, adapted for the database once per column kind, and sent as multi-row
statements, as many rows a statement as the database takes parameters (the whole page on
PostgreSQL). Both PostgreSQL and SQLite (3.24 and later) speak this SQL.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import connection, transaction
from django.db.models import DateTimeField, DecimalField
from django.db.models.expressions import RawSQL

from bookshop.shop.catalog.models import Book


def _quoted(name: str) -> str:
    return connection.ops.quote_name(name)


def _column(model: Any, name: str) -> str:
    """The quoted column of `model`'s field `name`."""
    return _quoted(str(getattr(model._meta.get_field(name), "column")))  # noqa: B009


def books_upsert(*, rows: Sequence[Mapping[str, Any]], update_fields: Sequence[str]) -> None:
    """Insert each row (model field name → value) or, where its store_id is held, update
    `update_fields` of the row held."""
    if not rows:
        return
    names = list(rows[0])
    fields = [Book._meta.get_field(name) for name in names]
    columns = [_column(Book, name) for name in names]
    ops = connection.ops
    adapt: list[Any] = []
    for field in fields:
        if isinstance(field, DateTimeField):
            adapt.append(ops.adapt_datetimefield_value)
        elif isinstance(field, DecimalField):
            adapt.append(
                lambda value, f=field: ops.adapt_decimalfield_value(
                    value, f.max_digits, f.decimal_places
                )
            )
        else:
            adapt.append(None)
    updated = [_column(Book, name) for name in update_fields]
    updates = ", ".join(f"{column} = EXCLUDED.{column}" for column in updated)
    conflict = _column(Book, "store_id")
    table = _quoted(Book._meta.db_table)
    head = f"INSERT INTO {table} ({', '.join(columns)}) "
    tail = f" ON CONFLICT ({conflict}) DO UPDATE SET {updates}"
    # A page shares one synced_at, and many books one price: each value is adapted once.
    adapted: list[dict[Any, Any]] = [{} for _ in adapt]
    values = [
        [
            value
            if convert is None
            else (seen[value] if value in seen else seen.setdefault(value, convert(value)))
            for value, convert, seen in zip(row.values(), adapt, adapted, strict=True)
        ]
        for row in rows
    ]
    if connection.vendor == "postgresql":
        _copy_then_insert(table, columns, values, tail)
    else:
        _insert(head, values, tail, fields)


def _copy_then_insert(table: str, columns: list[str], values: list[list[Any]], tail: str) -> None:
    """PostgreSQL: COPY the rows into a scratch table, then one INSERT … SELECT from it.

    With Django's client-side binding, the arrays of `unnest` travel as one huge literal
    that psycopg quotes value by value in Python and the server parses back: for a page of
    books, more than the insert itself. COPY sends the rows in psycopg's C code.
    """
    staging = _quoted(f"staging_{Book._meta.db_table}")
    listed = ", ".join(columns)
    # In the caller's transaction if there is one; the scratch table goes at its commit.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {staging} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {listed} FROM {table} WITH NO DATA"
        )
        with cursor.cursor.copy(f"COPY {staging} ({listed}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        cursor.execute(
            f"WITH page AS (DELETE FROM {staging} RETURNING {listed}) "  # noqa: S608
            f"INSERT INTO {table} ({listed}) SELECT {listed} FROM page{tail}"
        )


def _insert(head: str, values: list[list[Any]], tail: str, fields: list[Any]) -> None:
    """`head` + the rows + `tail`, in as few statements as the database allows.

    PostgreSQL gets one array a column (`unnest`): psycopg rewrites a statement of more
    than 50 parameters afresh each time, which for a page in VALUES lists cost more than
    the database's own work. SQLite gets VALUES lists, as many rows as it takes parameters.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            columns = [list(column) for column in zip(*values, strict=True)]
            # Names and types from the models; every value a parameter.
            cursor.execute(f"{head}SELECT * FROM unnest({arrays}){tail}", columns)  # noqa: S608
            return
        placeholder = f"({', '.join(['%s'] * len(fields))})"
        size = max(1, connection.ops.bulk_batch_size(fields, values))
        for start in range(0, len(values), size):
            batch = values[start : start + size]
            cursor.execute(
                f"{head}VALUES {', '.join([placeholder] * len(batch))}{tail}",
                [value for row in batch for value in row],
            )


def store_ids_in(ids: list[int]) -> Any:
    """`ids` as the right-hand side of an `__in` filter. On PostgreSQL one array parameter
    (see _insert: a list of a thousand is a thousand parameters); elsewhere the list."""
    if connection.vendor == "postgresql":
        return RawSQL("SELECT unnest(%s::bigint[])", [ids])
    return ids


def subject_links_insert(*, links: Sequence[tuple[int, int]]) -> None:
    """Add (book id, subject id) links; the caller removed the books' old ones."""
    if not links:
        return
    through = Book.subjects.through
    fields = [through._meta.get_field("book"), through._meta.get_field("subject")]
    columns = f"{_column(through, 'book')}, {_column(through, 'subject')}"
    head = f"INSERT INTO {_quoted(through._meta.db_table)} ({columns}) "
    _insert(head, [list(link) for link in links], "", fields)
