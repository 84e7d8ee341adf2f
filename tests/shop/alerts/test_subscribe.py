"""Subscribing from an out-of-stock book's page, and unsubscribing from the email's link."""

import pytest

from bookshop.shop.alerts.models import StockAlert
from bookshop.shop.alerts.services import unsubscribe_token
from tests.shop.factories import BookFactory, UserFactory

pytestmark = pytest.mark.django_db
BUTTON = "Email me when it's back"


@pytest.fixture
def sold_out():
    return BookFactory(title="Solaris", quantity=0)


def test_an_out_of_stock_book_offers_the_alert_to_a_guest_with_an_email_field(client, sold_out):
    page = client.get(sold_out.get_absolute_url()).content.decode()

    assert f'action="/alerts/books/{sold_out.pk}/"' in page
    assert (
        f'<label class="form-label small mb-1" for="alert-email-{sold_out.pk}">Your email</label>'
        in page
    )
    assert f">{BUTTON}</button>" in page
    assert "Add to cart" not in page


def test_a_book_in_stock_offers_no_alert(client):
    book = BookFactory(quantity=2)

    page = client.get(book.get_absolute_url()).content.decode()

    assert BUTTON not in page
    assert "Add to cart" in page


def test_the_book_page_of_a_guest_costs_no_extra_query(client, sold_out, django_assert_num_queries):
    # The book page's own queries (the catalogue's version, the book, the author's other
    # books, its subjects' — none here): the alert form adds none.
    with django_assert_num_queries(4):
        client.get(sold_out.get_absolute_url())


def test_a_guest_subscribes_with_an_email(client, sold_out):
    response = client.post(f"/alerts/books/{sold_out.pk}/", {"email": "Ann@Example.COM"})

    assert response.status_code == 302
    assert response["Location"] == sold_out.get_absolute_url()
    alert = StockAlert.objects.get()
    assert (alert.book, alert.email, alert.user, alert.ended_at) == (
        sold_out,
        "Ann@example.com",
        None,
        None,
    )
    page = client.get(response["Location"]).content.decode()
    assert "We will email Ann@example.com once “Solaris” is back." in page


@pytest.mark.parametrize("email", ["", "not-an-email", "ann@", "a\u200b@example.com"])
def test_a_bad_email_is_a_form_error_and_nothing_is_saved(client, sold_out, email):
    response = client.post(f"/alerts/books/{sold_out.pk}/", {"email": email})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a valid email address." in page
    assert 'aria-invalid="true"' in page
    assert StockAlert.objects.count() == 0


def test_a_signed_in_customer_subscribes_in_one_click(client, sold_out):
    grace = UserFactory(username="grace")
    client.force_login(grace)
    page = client.get(sold_out.get_absolute_url()).content.decode()
    assert 'name="email"' not in page
    assert "To grace@example.com." in page

    response = client.post(f"/alerts/books/{sold_out.pk}/")

    assert response.status_code == 302
    alert = StockAlert.objects.get()
    assert (alert.email, alert.user) == ("grace@example.com", grace)
    page = client.get(sold_out.get_absolute_url()).content.decode()
    assert "We will email grace@example.com once it is back." in page
    assert BUTTON not in page


def test_subscribing_twice_is_one_subscription(client, sold_out):
    client.post(f"/alerts/books/{sold_out.pk}/", {"email": "ann@example.com"})
    response = client.post(
        f"/alerts/books/{sold_out.pk}/", {"email": "ann@example.com"}, follow=True
    )

    assert StockAlert.objects.count() == 1
    assert "ann@example.com is already on the list for “Solaris”." in response.content.decode()


def test_a_book_in_stock_takes_no_alert(client):
    book = BookFactory(title="Dune", quantity=3)

    response = client.post(f"/alerts/books/{book.pk}/", {"email": "ann@example.com"}, follow=True)

    assert StockAlert.objects.count() == 0
    assert "“Dune” is in stock: you can add it to your cart now." in response.content.decode()


def test_subscribing_is_a_post(client, sold_out):
    assert client.get(f"/alerts/books/{sold_out.pk}/").status_code == 405


def test_the_unsubscribe_link_asks_then_ends_every_waiting_alert_without_logging_in(client):
    books = BookFactory.create_batch(2, quantity=0)
    for book in books:
        client.post(f"/alerts/books/{book.pk}/", {"email": "ann@example.com"})
    client.post(f"/alerts/books/{books[0].pk}/", {"email": "bob@example.com"})
    url = f"/alerts/unsubscribe/{unsubscribe_token('ann@example.com')}/"

    page = client.get(url).content.decode()
    assert "Stop every back-in-stock email to ann@example.com?" in page
    assert StockAlert.objects.waiting().count() == 3  # a GET (a link scanner) changes nothing

    page = client.post(url).content.decode()

    assert "You are unsubscribed: ann@example.com gets no more back-in-stock emails." in page
    assert list(StockAlert.objects.waiting().values_list("email", flat=True)) == ["bob@example.com"]
    ended = StockAlert.objects.filter(email="ann@example.com")
    assert set(ended.values_list("ending", flat=True)) == {StockAlert.Ending.UNSUBSCRIBED}


def test_a_forged_unsubscribe_link_is_refused(client):
    client.post(f"/alerts/books/{BookFactory(quantity=0).pk}/", {"email": "ann@example.com"})
    forged = unsubscribe_token("ann@example.com")[:-2] + "xx"

    response = client.post(f"/alerts/unsubscribe/{forged}/")

    assert response.status_code == 404
    assert "This unsubscribe link is not valid." in response.content.decode()
    assert StockAlert.objects.waiting().count() == 1


def test_after_unsubscribing_one_may_subscribe_again(client, sold_out):
    client.post(f"/alerts/books/{sold_out.pk}/", {"email": "ann@example.com"})
    client.post(f"/alerts/unsubscribe/{unsubscribe_token('ann@example.com')}/")

    client.post(f"/alerts/books/{sold_out.pk}/", {"email": "ann@example.com"})

    assert StockAlert.objects.count() == 2
    assert StockAlert.objects.waiting().count() == 1
