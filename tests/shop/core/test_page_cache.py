"""Catalogue pages come from a shared skeleton, yet each visitor sees their own page: their
cart's count, a CSRF token that works for them alone, their name, their messages."""

import re

import pytest
from django.test import Client

from bookshop.shop.catalog.services import book_upsert_many
from bookshop.shop.core.page_cache import HOLE_MARK, local_skeletons
from tests.shop.factories import BookFactory, UserFactory, store_book

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
COUNT = re.compile(r"data-cart-count>(\d+)</span>")


@pytest.fixture(autouse=True)
def _empty_skeletons():
    local_skeletons.clear()
    yield
    local_skeletons.clear()


def page(client: Client, url: str = "/") -> str:
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert HOLE_MARK not in text
    return text


def counts(text: str) -> set[str]:
    return set(COUNT.findall(text))


def test_two_visitors_of_one_cached_page_see_their_own_carts(django_assert_num_queries):
    book = BookFactory(title="Solaris")
    first, second = Client(), Client()
    first.post(f"/cart/add/{book.pk}/", {"quantity": "2"})
    page(first)  # renders and keeps the skeleton

    with django_assert_num_queries(1):  # the catalogue's version; no render
        text = page(second)
    assert counts(text) == {"0"}
    # The first visitor's session is read for the count, from the cache.
    with django_assert_num_queries(1):
        assert counts(page(first)) == {"2"}


def test_each_visitor_gets_a_token_that_works_for_them_alone():
    book = BookFactory(title="Solaris")
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    first_token = TOKEN.search(page(first)).group(1)
    second_token = TOKEN.search(page(second)).group(1)  # from the kept skeleton

    # Another visitor's token is refused; one's own is taken.
    stolen = second.post(f"/cart/add/{book.pk}/", {"csrfmiddlewaretoken": first_token})
    assert stolen.status_code == 403
    own = second.post(f"/cart/add/{book.pk}/", {"csrfmiddlewaretoken": second_token})
    assert own.status_code == 302
    assert counts(page(second)) == {"1"}
    assert counts(page(first)) == {"0"}


def test_signed_in_customers_see_their_own_names_and_guests_the_login_link(client):
    BookFactory()
    ann, bob = UserFactory(username="ann"), UserFactory(username="bob<b>")
    as_ann, as_bob = Client(), Client()
    as_ann.force_login(ann)
    as_bob.force_login(bob)

    ann_page, bob_page, guest_page = page(as_ann), page(as_bob), page(client)

    assert 'title="Your profile">ann</a>' in ann_page
    assert 'title="Your profile">bob&lt;b&gt;</a>' in bob_page
    assert "Log out" not in guest_page
    assert ">Log in</a>" in guest_page
    assert ">Log in</a>" not in ann_page


def test_a_message_shows_once_on_a_cached_page():
    book = BookFactory(title="Solaris")
    visitor = Client()
    page(visitor, "/?page=1")  # kept before the message exists

    visitor.post(f"/cart/add/{book.pk}/", {"next": "/?page=1"})

    assert "Added “Solaris” to your cart." in page(visitor, "/?page=1")
    assert "Added “Solaris” to your cart." not in page(visitor, "/?page=1")


def test_a_customers_back_in_stock_box_is_theirs_alone():
    book = BookFactory(title="Solaris", quantity=0)
    ann = UserFactory(username="ann", email="ann@example.com")
    bob = UserFactory(username="bob", email="bob@example.com")
    as_ann, as_bob = Client(), Client()
    as_ann.force_login(ann)
    as_bob.force_login(bob)

    assert "To ann@example.com." in page(as_ann, book.get_absolute_url())
    bob_page = page(as_bob, book.get_absolute_url())
    assert "To bob@example.com." in bob_page
    assert "ann@example.com" not in bob_page


def test_a_url_that_carries_a_hole_is_shown_as_typed_not_filled(client):
    BookFactory()
    typed = "__cart-count-of-this-visitor__"

    response = client.get("/", {"q": typed})

    text = response.content.decode()
    assert f'value="{typed}"' in text  # the search box shows what was typed
    assert counts(text) == {"0"}


def _sync_new_price(price: str) -> None:
    book_upsert_many(
        books=[store_book(id=5, title="Solaris", price=price, updated_at="2099-01-01T00:00:00Z")]
    )


def test_pages_change_as_soon_as_a_sync_changes_the_book(client):
    book = BookFactory(store_id=5, title="Solaris", price="12.50")
    assert "$12.50" in page(client, book.get_absolute_url())

    _sync_new_price("9.99")

    text = page(client, book.get_absolute_url())
    assert "$9.99" in text
    assert "$12.50" not in text


def test_a_process_reads_the_version_once_a_second_and_shows_a_sync_after_it(
    client, settings, monkeypatch, django_assert_num_queries
):
    """With CATALOG_VERSION_SECONDS (1 s unless set), a kept page costs no query at all."""
    settings.CATALOG_VERSION_SECONDS = 1
    clock = [1000.0]
    monkeypatch.setattr("bookshop.shop.catalog.selectors.time.monotonic", lambda: clock[0])
    monkeypatch.setattr("bookshop.shop.catalog.selectors._RecentVersion.read_at", float("-inf"))
    book = BookFactory(store_id=5, title="Solaris", price="12.50")
    url = book.get_absolute_url()
    page(client, url)

    clock[0] += 0.5
    with django_assert_num_queries(0):
        assert "$12.50" in page(client, url)
    _sync_new_price("9.99")
    assert "$12.50" in page(client, url)  # within the second the process trusts

    clock[0] += 0.6  # the version is read again, and the page rendered for it
    text = page(client, url)
    assert "$9.99" in text
    assert "$12.50" not in text


def test_with_the_page_cache_off_every_page_is_rendered(
    client, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr(local_skeletons, "size", 0)  # as PAGE_CACHE_ENTRIES=0 makes it
    book = BookFactory()
    page(client, book.get_absolute_url())

    with django_assert_num_queries(3):  # the book, its subjects, its author's (no version)
        page(client, book.get_absolute_url())
