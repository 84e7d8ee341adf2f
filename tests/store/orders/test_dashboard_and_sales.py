"""The admin index's dashboard and the Sales page: figures, chart, table, top books, CSV."""

import base64
import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from bookshop.store.orders import admin_sales
from bookshop.store.orders.models import Order
from bookshop.store.orders.reports import dashboard
from bookshop.store.orders.services import order_fail
from tests.store.factories import BookFactory
from tests.store.queries import page_queries

pytestmark = pytest.mark.django_db

SALES = "/admin/orders/order/sales/"


def _age(order, **delta):
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(**delta))


def _text(response):
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))
    return text.replace(" :", ":")


@pytest.fixture
def sales(place_order):
    """Today: #1 (2 x 10.00 + 4.50 fee) and a failed #2; three days ago #3 (1 x 5.00);
    forty days ago #4 (1 x 10.00)."""
    dune = BookFactory(title="Dune", price="10.00", isbn="9780306406157", copies=10)
    emma = BookFactory(title="Emma", price="5.00", copies=10)
    first = place_order({dune: 2}, number=1)
    Order.objects.filter(pk=first.pk).update(delivery_fee=Decimal("4.50"))
    failed = place_order({dune: 1}, number=2)
    order_fail(order_id=failed.pk, actor=None, reason="x")
    _age(place_order({emma: 1}, number=3), days=3)
    _age(place_order({dune: 1}, number=4), days=40)
    return dune, emma


def test_the_dashboard_shows_open_orders_low_stock_and_takings(admin_client, sales, settings):
    settings.STORE_LOW_STOCK_THRESHOLD = 1
    scarce = BookFactory(title="Scarce", copies=1)
    BookFactory(title="Plenty", copies=2)

    text = _text(admin_client.get("/admin/"))

    assert "Waiting to be packed 3 open orders The oldest arrived 1 month" in text
    assert "Low stock 1 book Active books with 1 or fewer available. Scarce: 1 available" in text
    assert "Today 1 order Revenue 24.50" in text
    assert "Last 7 days 2 orders Revenue 29.50" in text
    page = admin_client.get("/admin/").content.decode()
    assert f'href="/admin/inventory/book/{scarce.pk}/change/"' in page


def test_the_threshold_is_a_setting(admin_client, sales, settings):
    settings.STORE_LOW_STOCK_THRESHOLD = 2
    BookFactory(title="Two left", copies=2)

    assert "Two left: 2 available" in _text(admin_client.get("/admin/"))


def test_the_sales_page_has_a_chart_a_table_and_top_books(admin_client, sales):
    response = admin_client.get(SALES)

    text = _text(response)
    today = timezone.localdate()
    three_ago = today - dt.timedelta(days=3)
    assert f"{today:%a} {today.day} {today:%b} 1 24.50" in text
    assert f"{three_ago:%a} {three_ago.day} {three_ago:%b} 1 5.00" in text
    assert "2 orders, revenue 29.50" in text
    assert "Top books Book Units Revenue Dune 2 20.00 Emma 1 5.00" in text
    page = response.content.decode()
    chart = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="Chart', page)
    svg = base64.b64decode(chart.group(1)).decode()
    assert "Revenue and orders per day" in svg
    # No tooltip script from a CDN (an <img> would run none anyway).
    assert 'xlink:href="http' not in svg
    assert "kozea.github.io" not in svg
    assert len(re.findall(r"<tr><th scope=\"row\">", response.content.decode())) == 30


def test_ninety_days_reach_further(admin_client, sales):
    text = _text(admin_client.get(SALES, {"days": "90"}))

    assert "3 orders, revenue 39.50" in text
    assert "Dune 3 30.00" in text


def test_the_csv_export_streams_the_sales_lines(admin_client, sales):
    response = admin_client.get("/admin/orders/order/sales.csv", {"days": "30"})

    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    today, three_ago = timezone.localdate(), timezone.localdate() - dt.timedelta(days=3)
    assert rows == [
        ["date", "order number", "book", "ISBN", "quantity", "unit price"],
        [three_ago.isoformat(), "#3", "Emma", "", "1", "5.00"],
        [today.isoformat(), "#1", "Dune", "9780306406157", "2", "10.00"],
    ]


def test_the_csv_comes_in_pieces_with_the_header_first(admin_client, sales, monkeypatch):
    monkeypatch.setattr(admin_sales, "CSV_LINES_PER_PIECE", 1)
    response = admin_client.get("/admin/orders/order/sales.csv", {"days": "30"})

    pieces = [piece.decode() for piece in response.streaming_content]

    assert pieces[0] == "date,order number,book,ISBN,quantity,unit price\r\n"
    assert [piece.split(",")[1] for piece in pieces[1:]] == ["#3", "#1"]


def test_a_sales_line_is_dated_by_the_stores_day_not_by_utc(admin_client, place_order, settings):
    settings.TIME_ZONE = "Pacific/Kiritimati"  # UTC+14: its mornings are yesterday in UTC
    order = place_order({BookFactory(title="Dune", price="10.00", copies=1): 1}, number=7)
    today = timezone.localdate()
    early = timezone.make_aware(dt.datetime.combine(today, dt.time(0, 30)))
    Order.objects.filter(pk=order.pk).update(created_at=early)

    response = admin_client.get("/admin/orders/order/sales.csv", {"days": "30"})

    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][:2] == [today.isoformat(), "#7"]
    assert early.astimezone(dt.UTC).date() != today


def test_the_pages_have_fixed_query_counts(admin_client, place_order):
    book = BookFactory(copies=400, price="3.00")
    place_order({book: 1})
    index, sales_page = page_queries(admin_client, "/admin/"), page_queries(admin_client, SALES)
    for n in range(30):
        _age(place_order({book: 2}, number=n + 10), days=n)
        BookFactory(copies=n % 2)

    assert page_queries(admin_client, "/admin/") == index
    assert page_queries(admin_client, SALES) == sales_page


def test_low_stock_counts_what_open_orders_reserve(admin_client, place_order, settings):
    settings.STORE_LOW_STOCK_THRESHOLD = 1
    reserved = BookFactory(title="Mostly promised", copies=3)
    place_order({reserved: 2})
    BookFactory(title="Three free", copies=3)
    BookFactory(title="Gone quiet", copies=0, is_active=False)

    text = _text(admin_client.get("/admin/"))

    assert "Mostly promised: 1 available" in text
    assert "Three free" not in text
    assert "Gone quiet" not in text


def test_low_stock_lists_the_emptiest_ten_by_title_and_counts_them_all(admin_client, settings):
    settings.STORE_LOW_STOCK_THRESHOLD = 1
    for n in range(12):
        BookFactory(title=f"One left {n:02d}", copies=1)
    BookFactory(title="Zero left", copies=0)

    text = _text(admin_client.get("/admin/"))

    listed = re.findall(r"(\w+ left(?: \d\d)?): (\d) available", text)
    assert listed == [("Zero left", "0")] + [(f"One left {n:02d}", "1") for n in range(9)]
    assert "Low stock 13 books" in text
    assert "The 10 with fewest available shown." in text


def test_the_dashboards_figures_take_seven_queries(django_assert_num_queries, place_order):
    # Open orders (1), the low-stock count and its first books (2), the takings of today
    # and of the week (2 each), however many books, copies and orders there are.
    for n in range(20):
        place_order({BookFactory(copies=n % 3 + 1): 1})

    with django_assert_num_queries(7):
        figures = dashboard(low_stock_threshold=1)

    assert figures["open_count"] == 20
    assert figures["low_stock_count"] == 14  # the books with 1 or 2 copies, one reserved
