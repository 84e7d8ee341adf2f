"""The signed-in customer is read once per request in one plain query, and is exactly the
account the ORM gives: the same values, inactive accounts signed out."""

import pytest
from django.test import Client

from bookshop.common.plain_reads import row_by
from bookshop.shop.accounts.models import User
from tests.shop.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_customer_is_the_account_as_the_orm_loads_it():
    customer = UserFactory(username="grace", email="grace@example.com")
    customer.refresh_from_db()

    loaded = row_by(User, "pk", customer.pk)

    assert loaded == customer
    assert loaded._state.adding is False
    for field in User._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(customer, field.attname), field.name
    assert loaded.date_joined.tzinfo is not None
    assert row_by(User, "pk", customer.pk + 1000) is None
    assert row_by(User, "username", "grace") == customer


def test_a_signed_in_page_reads_the_customer_once(django_assert_num_queries):
    client = Client()
    client.force_login(UserFactory(username="grace"))
    client.get("/cart/")

    with django_assert_num_queries(1):  # the account; the session comes from the cache
        page = client.get("/cart/").content.decode()

    assert "grace" in page


def test_a_deactivated_account_is_signed_out_on_its_next_page():
    customer = UserFactory(username="grace")
    client = Client()
    client.force_login(customer)
    assert "grace" in client.get("/cart/").content.decode()

    User.objects.filter(pk=customer.pk).update(is_active=False)

    page = client.get("/cart/").content.decode()
    assert "grace" not in page
    assert "Log in" in page
