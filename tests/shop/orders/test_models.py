"""What the database itself holds the shop's orders to."""

import pytest
from django.db import IntegrityError, transaction

from bookshop.shop.orders.models import Order
from tests.shop.factories import OrderFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("status", list(Order.Status))
def test_every_shop_status_can_be_stored(status):
    order = OrderFactory()

    Order.objects.filter(pk=order.pk).update(status=status)

    assert Order.objects.get(pk=order.pk).status == status


@pytest.mark.parametrize("status", ["shipped", "refunded", ""])
def test_a_status_outside_the_choices_is_refused_by_the_database(status):
    order = OrderFactory()

    with pytest.raises(IntegrityError), transaction.atomic():
        Order.objects.filter(pk=order.pk).update(status=status)
