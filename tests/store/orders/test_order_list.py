"""The store's order list: the customer's number, what staff need per order, open first."""

import datetime as dt
import html as html_lib
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from bookshop.store.orders.models import Order
from bookshop.store.orders.services import order_fail
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/orders/order/"


def _rows(html):
    """The numbers the list's rows show, top to bottom."""
    return re.findall(r'<th class="field-number"><a [^>]*>([^<]+)</a>', html)


def _cells(html):
    """The texts of the first row's cells, after its checkbox."""
    row = re.search(r"<tr>.*?</tr>", html.split("<tbody>")[1], re.S).group(0)
    cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
    return [html_lib.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells][1:]


def _age(order, **delta):
    Order.objects.filter(pk=order.pk).update(created_at=timezone.now() - dt.timedelta(**delta))


def test_an_order_is_called_by_the_customers_number(place_order):
    book = BookFactory(copies=2)

    assert str(place_order({book: 1}, number=5)) == "#5"
    assert str(without := place_order({book: 1})) == f"Order {without.pk}"


def test_the_list_shows_number_customer_units_total_status_and_age(admin_client, place_order):
    Order.objects.all().delete()
    book = BookFactory(copies=3, price="12.50")
    order = place_order({book: 2}, number=5, email="grace@example.com")
    Order.objects.filter(pk=order.pk).update(delivery_fee=Decimal("3.95"))
    _age(order, hours=5, minutes=3)

    html = admin_client.get(LIST).content.decode()

    cells = _cells(html)
    assert cells == ["#5", "grace@example.com", "2", "0", "28.95", "In work", "5 h", "Pack & ship"]


def test_open_orders_come_first_the_oldest_on_top(admin_client, place_order):
    book = BookFactory(copies=10)
    closed_old = place_order({book: 1}, number=1)
    old = place_order({book: 1}, number=2)
    new = place_order({book: 1}, number=3)
    closed_new = place_order({book: 1}, number=4)
    for order, days in ((closed_old, 9), (old, 3), (new, 1), (closed_new, 2)):
        _age(order, days=days)
    for order in (closed_old, closed_new):
        order_fail(order_id=order.pk, actor=None, reason="Damaged")

    assert _rows(admin_client.get(LIST).content.decode()) == ["#2", "#3", "#4", "#1"]


@pytest.mark.parametrize("term", ["5", "#5", " # 5 "])
def test_search_finds_the_customers_number_exactly(admin_client, place_order, term):
    book = BookFactory(copies=5)
    for number in (5, 15, 50):
        place_order({book: 1}, number=number)

    assert _rows(admin_client.get(LIST, {"q": term}).content.decode()) == ["#5"]


def test_there_is_a_filter_for_every_status(admin_client):
    html = admin_client.get(LIST).content.decode()

    for status in Order.Status:
        assert f"?status__exact={status.value}" in html
        assert f">{status.label}</a>" in html
