"""Figures for the store's dashboard and Sales page, each a fixed number of queries
whatever the number of orders and books (aggregated by the database, not in Python).

A sale is an order the store accepted and has not given up on: in work or shipped (not
failed, not cancelled), counted on the day it arrived, in the store's time zone. Its
revenue is what the customer pays: the lines plus the delivery fee.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Min, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from bookshop.store.inventory.models import Book
from bookshop.store.orders.models import Order, OrderItem

Status = Order.Status
SOLD = [Status.IN_WORK, Status.SUCCESS]
_MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=14, decimal_places=2)


def _cents(*amounts: Any) -> Decimal:
    """The sum of these amounts to the cent (SQLite hands sums back as floats)."""
    total = sum((Decimal(str(a)) for a in amounts if a is not None), start=Decimal("0"))
    return total.quantize(Decimal("0.01"))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def _sold_since(day: dt.date) -> QuerySet[Order]:
    return Order.objects.filter(status__in=SOLD, created_at__gte=_day_start(day))


@dataclass(frozen=True)
class Takings:
    orders: int
    revenue: Decimal


def _takings(since: dt.date) -> Takings:
    # Two aggregates: the lines' sum would count an order's fee once per line if joined.
    orders = _sold_since(since).aggregate(
        n=Count("pk"), fees=Coalesce(Sum("delivery_fee"), 0, output_field=_MONEY)
    )
    lines = OrderItem.objects.filter(
        order__status__in=SOLD, order__created_at__gte=_day_start(since)
    ).aggregate(total=Coalesce(Sum(F("quantity") * F("unit_price")), 0, output_field=_MONEY))
    return Takings(orders=orders["n"], revenue=_cents(orders["fees"], lines["total"]))


def dashboard(*, low_stock_threshold: int, low_stock_shown: int = 10) -> dict[str, Any]:
    """What the admin's index shows: open orders (how many, the oldest one's arrival),
    active books with `low_stock_threshold` or fewer available (how many, the first few,
    emptiest first), and the takings of today and of the last 7 days (today included)."""
    today = timezone.localdate()
    open_orders = Order.objects.filter(status=Status.IN_WORK).aggregate(
        n=Count("pk"), oldest=Min("created_at")
    )
    low = _low_stock(threshold=low_stock_threshold)
    return {
        "open_count": open_orders["n"],
        "oldest_open": open_orders["oldest"],
        "low_stock_threshold": low_stock_threshold,
        "low_stock_count": low.count(),
        "low_stock": [LowBook(*row) for row in low[:low_stock_shown]],
        "today": _takings(today),
        "week": _takings(today - dt.timedelta(days=6)),
    }


@dataclass(frozen=True)
class LowBook:
    pk: int
    title: str
    available: int


def _low_stock(*, threshold: int) -> QuerySet[Book, tuple[int, str, int]]:
    # The books' stored availability and the index on (is_active, stock_available,
    # title, id) make both the count and the first rows a range of one index, however
    # large the catalogue (computing each book's stock took seconds for 100,000 books).
    return (
        Book.objects.filter(is_active=True, stock_available__lte=threshold)
        .order_by("stock_available", "title", "id")
        .values_list("pk", "title", "stock_available")
    )


@dataclass(frozen=True)
class Day:
    day: dt.date
    orders: int
    revenue: Decimal


def daily_sales(*, days: int) -> list[Day]:
    """Orders and revenue per day over the last `days` days (today included), oldest
    first, with the days without sales as zeros."""
    first = timezone.localdate() - dt.timedelta(days=days - 1)
    tz = timezone.get_current_timezone()
    fees = {
        row["day"]: (row["n"], row["fees"])
        for row in _sold_since(first)
        .annotate(day=TruncDate("created_at", tzinfo=tz))
        .values("day")
        .annotate(n=Count("pk"), fees=Sum("delivery_fee"))
        .order_by()
    }
    lines = dict(
        OrderItem.objects.filter(order__status__in=SOLD, order__created_at__gte=_day_start(first))
        .annotate(day=TruncDate("order__created_at", tzinfo=tz))
        .values("day")
        .annotate(total=Sum(F("quantity") * F("unit_price"), output_field=_MONEY))
        .order_by()
        .values_list("day", "total")
    )
    out = []
    for n in range(days):
        day = first + dt.timedelta(days=n)
        count, fee = fees.get(day, (0, Decimal("0")))
        out.append(Day(day=day, orders=count, revenue=_cents(fee, lines.get(day))))
    return out


def top_books(*, days: int, limit: int = 10) -> list[dict[str, Any]]:
    """The books that sold the most units over the last `days` days: id, title, units,
    revenue (the lines', without fees)."""
    first = timezone.localdate() - dt.timedelta(days=days - 1)
    rows = list(
        OrderItem.objects.filter(order__status__in=SOLD, order__created_at__gte=_day_start(first))
        .values("book_id", "book__title")
        .annotate(
            units=Sum("quantity"),
            revenue=Sum(F("quantity") * F("unit_price"), output_field=_MONEY),
        )
        .order_by("-units", "-revenue", "book__title")[:limit]
    )
    return [{**row, "revenue": _cents(row["revenue"])} for row in rows]


SALES_CSV_HEADER = ["date", "order number", "book", "ISBN", "quantity", "unit price"]


def sales_lines(*, days: int) -> Iterator[list[str]]:
    """Every sold line of the last `days` days, oldest first, as CSV rows (SALES_CSV_HEADER),
    read in chunks so an export of any size streams in constant memory."""
    first = timezone.localdate() - dt.timedelta(days=days - 1)
    rows = (
        OrderItem.objects.filter(order__status__in=SOLD, order__created_at__gte=_day_start(first))
        # The database tells the local day: converting 20,000 timestamps one by one in
        # Python was most of the export's time.
        .annotate(day=TruncDate("order__created_at", tzinfo=timezone.get_current_timezone()))
        .order_by("order__created_at", "order_id", "id")
        .values_list(
            "day",
            "order__shop_order_number",
            "order_id",
            "title",
            "book__isbn",
            "quantity",
            "unit_price",
        )
    )
    for day, number, order_id, title, isbn, quantity, price in rows.iterator(chunk_size=2000):
        yield [
            day.isoformat(),
            f"#{number}" if number is not None else f"Order {order_id}",
            title,
            isbn,
            str(quantity),
            f"{price:.2f}",
        ]
