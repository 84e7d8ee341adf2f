"""One row by a unique column, read in a query written once per process.

The ORM compiles a query afresh every time it runs, which for a lookup by key costs
several times the query itself (0.3-0.5 ms on this machine). A few lookups run on nearly
every request: the Store API's token, the shop's signed-in customer. `row_by` reads them
with a statement made once from the model's own tables and columns, and puts each value
through the fields' converters as the ORM would (aware times, decimals and so on), so
the instance is the one `Model.objects.get()` gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar

from django.db import connections, router
from django.db.models import Field, ForeignKey, Model

M = TypeVar("M", bound=Model)


@dataclass(frozen=True)
class _Statement:
    sql: str
    # The column looked up, and the attnames of what is read: the model's, then the
    # related model's (if any).
    lookup: Field
    attnames: tuple[str, ...]
    related_model: type[Model] | None
    related_attnames: tuple[str, ...]
    # By value's index: its converters, and the column they are told they convert.
    converters: tuple[tuple[int, tuple[Any, ...], Any], ...]


def row_by(model: type[M], field: str, value: Any, *, related: str | None = None) -> M | None:
    """The `model` whose unique `field` ("pk" for the primary key) is `value`, or None.

    With `related`, the name of a foreign key, the related row comes in the same query
    (as `select_related` does)."""
    alias = router.db_for_read(model)
    statement = _statement(model, field, related, alias)
    values = _read(statement, value, alias)
    if values is None:
        return None
    split = len(statement.attnames)
    instance = model.from_db(alias, statement.attnames, values[:split])
    if related is not None:
        assert statement.related_model is not None  # made with the join
        other = statement.related_model.from_db(alias, statement.related_attnames, values[split:])
        setattr(instance, related, other)
    return instance


def values_by(model: type[Model], field: str, value: Any) -> dict[str, Any] | None:
    """What `values()` gives for the `model` whose unique `field` is `value` (every
    column, by its field's attname), or None."""
    alias = router.db_for_read(model)
    statement = _statement(model, field, None, alias)
    values = _read(statement, value, alias)
    if values is None:
        return None
    return dict(zip(statement.attnames, values, strict=True))


def _read(statement: _Statement, value: Any, alias: str) -> list[Any] | None:
    connection = connections[alias]
    prepared = statement.lookup.get_db_prep_value(value, connection)
    if isinstance(prepared, int) and not _in_range(statement.lookup, prepared, connection):
        return None  # no row can hold it (the ORM finds nothing too, without asking)
    with connection.cursor() as cursor:
        cursor.execute(statement.sql, [prepared])
        row = cursor.fetchone()
    if row is None:
        return None
    values = list(row)
    for index, converters, column in statement.converters:
        for converter in converters:
            values[index] = converter(values[index], column, connection)
    return values


def _in_range(field: Field, value: int, connection: Any) -> bool:
    low, high = connection.ops.integer_field_range(field.get_internal_type())
    return (low is None or value >= low) and (high is None or value <= high)


def _field(model: type[Model], name: str) -> Field:
    found = model._meta.pk if name == "pk" else model._meta.get_field(name)
    assert isinstance(found, Field)  # a column of the model's own table
    return found


def _foreign_key(model: type[Model], name: str) -> tuple[ForeignKey, type[Model]]:
    """The foreign key `name` of `model`, and the model it points to."""
    link = model._meta.get_field(name)
    assert isinstance(link, ForeignKey)
    other = link.related_model
    assert not isinstance(other, str)  # resolved once the apps are loaded
    return link, other


@cache
def _statement(model: type[Model], field: str, related: str | None, alias: str) -> _Statement:
    connection = connections[alias]
    quote = connection.ops.quote_name
    fields = tuple(model._meta.concrete_fields)
    selected = [f"t.{quote(f.column)}" for f in fields]
    join = ""
    other: type[Model] | None = None
    related_fields: tuple[Field, ...] = ()
    if related is not None:
        link, other = _foreign_key(model, related)
        related_fields = tuple(other._meta.concrete_fields)
        selected += [f"r.{quote(f.column)}" for f in related_fields]
        join = (
            f" JOIN {quote(other._meta.db_table)} r"
            f" ON r.{quote(link.target_field.column)} = t.{quote(link.column)}"
        )
    lookup = _field(model, field)
    # Names from the models; the value is a parameter.
    sql = (
        f"SELECT {', '.join(selected)} FROM {quote(model._meta.db_table)} t{join}"  # noqa: S608
        f" WHERE t.{quote(lookup.column)} = %s"
    )
    converters = []
    for index, each in enumerate(fields + related_fields):
        # What the ORM's compiler applies to a column: the backend's, then the field's
        # (Field.get_db_converters is missing from django-stubs).
        own = each.get_db_converters(connection)  # type: ignore[attr-defined]
        column = each.get_col(each.model._meta.db_table)
        found = connection.ops.get_db_converters(column) + own
        if found:
            converters.append((index, tuple(found), column))
    return _Statement(
        sql,
        lookup,
        tuple(f.attname for f in fields),
        other,
        tuple(f.attname for f in related_fields),
        tuple(converters),
    )
