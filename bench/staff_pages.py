"""How the store's staff pages fare on a big store: 100,000 books (populate_db) and 10,000
orders over the last 90 days (made in bulk here), each page timed and its queries counted.

.venv/bin/python bench/staff_pages.py [--books 100000] [--orders 10000]
"""

from __future__ import annotations

import argparse
import json
import time

from _platform import backend_label, platform, save

MEASURE = """
ORDERS = __ORDERS__
import datetime as dt, json, random, statistics, time, uuid
from decimal import Decimal
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from bookshop.store.accounts.models import User
from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.orders.models import Order, OrderItem, PackingSlot

random.seed(1)
started = time.perf_counter()
books = list(Book.objects.order_by("?").values_list("pk", "title", "price")[:2000])
now = timezone.now()
S = Order.Status
statuses = [S.SUCCESS] * 7 + [S.FAIL, S.IN_WORK, S.IN_WORK]
orders = Order.objects.bulk_create(
    Order(
        shop_order_id=uuid.uuid4(), shop_order_number=n + 1,
        customer_email=f"reader{n}@example.com", delivery_address="1 Long Street",
        delivery_fee=Decimal("3.95"), status=random.choice(statuses),
    )
    for n in range(ORDERS)
)
# Spread them over 90 days (created_at is auto_now_add: set it afterwards, in one statement
# per day).
by_day = {}
for order in orders:
    by_day.setdefault(random.randrange(90), []).append(order.pk)
for day, ids in by_day.items():
    when = now - dt.timedelta(days=day, minutes=random.randrange(600))
    Order.objects.filter(pk__in=ids).update(created_at=when)
items = []
for order in orders:
    for pk, title, price in random.sample(books, random.randint(1, 3)):
        n = random.randint(1, 2)
        items.append(OrderItem(order=order, book_id=pk, title=title, quantity=n, unit_price=price))
items = OrderItem.objects.bulk_create(items, batch_size=5000)
PackingSlot.objects.bulk_create(
    (
        PackingSlot(order_id=item.order_id, order_item=item, position=p)
        for item in items
        for p in range(1, item.quantity + 1)
    ),
    batch_size=5000,
)
# Made around the services, so the books' stored stock counts the open orders afresh.
from bookshop.store.orders.services import books_stock_recount
books_stock_recount()
make_s = time.perf_counter() - started

client = Client(HTTP_HOST="127.0.0.1")
client.force_login(User.objects.get(username="admin"))
open_order = Order.objects.filter(status=Order.Status.IN_WORK).first()
book = Book.objects.first()
PAGES = {
    "admin index (dashboard)": "/admin/",
    "order list": "/admin/orders/order/",
    "order list, search #5000": "/admin/orders/order/?q=%235000",
    "order list, failed": "/admin/orders/order/?status__exact=fail",
    "pack & ship": f"/admin/orders/order/{open_order.pk}/pack/",
    "sales, 30 days": "/admin/orders/order/sales/",
    "sales, 90 days": "/admin/orders/order/sales/?days=90",
    "sales CSV, 90 days": "/admin/orders/order/sales.csv?days=90",
    "book list": "/admin/inventory/book/",
    "labels of a book": f"/admin/inventory/bookitem/labels/?book={book.pk}",
}
results = {}
for name, url in PAGES.items():
    client.get(url)
    times, firsts = [], []
    for _ in range(5):
        with CaptureQueriesContext(connection) as queries:
            t = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                # The test client hands the stream over unread: time its first piece too.
                pieces = iter(response.streaming_content)
                body = next(pieces, b"")
                firsts.append((time.perf_counter() - t) * 1000)
                body += b"".join(pieces)
            else:
                body = response.content
            times.append((time.perf_counter() - t) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    median = round(statistics.median(times))
    results[name] = {"median_ms": median, "queries": len(queries), "bytes": len(body)}
    if firsts:
        results[name]["first_piece_ms"] = round(statistics.median(firsts))
print(json.dumps({"make_orders_s": round(make_s, 1), "lines": len(items), "pages": results}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--books", type=int, default=100_000)
    parser.add_argument("--orders", type=int, default=10_000)
    options = parser.parse_args()
    with platform(CATALOG_SYNC_INTERVAL="86400", ORDER_STATUS_SYNC_INTERVAL="86400") as running:
        started = time.perf_counter()
        running.manage("store", "populate_db", "--books", str(options.books), "--seed", "1")
        populate_s = time.perf_counter() - started
        output = running.manage(
            "store",
            "shell",
            "--no-imports",
            "-c",
            MEASURE.replace("__ORDERS__", str(options.orders)),
        )
        figures = json.loads(output.strip().splitlines()[-1])
    data = {
        "backends": backend_label(),
        "books": options.books,
        "orders": options.orders,
        "populate_db_s": round(populate_s, 1),
        **figures,
    }
    path = save("staff-pages", data)
    print(json.dumps(data, indent=2))
    print(f"\n{options.books} books, {options.orders} orders ({data['backends']})\n")
    print("| page | median | queries |\n| --- | ---: | ---: |")
    for name, page in data["pages"].items():
        first = f" (first piece {page['first_piece_ms']} ms)" if "first_piece_ms" in page else ""
        print(f"| {name} | {page['median_ms']} ms{first} | {page['queries']} |")
    print(f"\nsaved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
