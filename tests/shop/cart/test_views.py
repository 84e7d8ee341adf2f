from decimal import Decimal

import pytest

from tests.shop.factories import BookFactory, UserFactory

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}


def add(client, book, quantity=None, **extra):
    data = {} if quantity is None else {"quantity": quantity}
    return client.post(f"/cart/add/{book.pk}/", data, **extra)


def cart_lines(client) -> dict[str, int]:
    summary = client.get("/cart/").context["summary"]
    return {line.book.title: line.quantity for line in summary.lines}


def test_empty_cart_page(client):
    response = client.get("/cart/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Your cart is empty." in page
    assert "<title>Your cart · Bookshop</title>" in page


def test_add_by_plain_form_post_redirects_back_with_a_message(client):
    book = BookFactory(title="Solaris")

    response = client.post(f"/cart/add/{book.pk}/", {"next": "/?page=2"})

    assert response.status_code == 302
    assert response["Location"] == "/?page=2"
    page = client.get("/cart/").content.decode()
    assert "Added “Solaris” to your cart." in page
    assert "Solaris" in page
    assert "data-cart-count>1</span>" in page


def test_add_never_redirects_to_another_site(client):
    book = BookFactory()

    response = client.post(f"/cart/add/{book.pk}/", {"next": "https://evil.example/"})

    assert response["Location"] == "/cart/"


def test_add_answers_json_to_the_script(client):
    book = BookFactory(title="Solaris", price=Decimal("12.50"))

    add(client, book, **JSON)
    response = add(client, book, quantity="2", **JSON)

    assert response.status_code == 200
    assert response.json() == {
        "ok": True,
        "message": "Added “Solaris” to your cart.",
        "level": "success",
        "line": {
            "book_id": book.pk,
            "quantity": 3,
            "max": 5,
            "line_total": "37.50",
            "line_total_display": "$37.50",
            "problem": "",
            "limit": "",
        },
        "count": 3,
        "total": "37.50",
        "total_display": "$37.50",
        "delivery_display": "$3.50",
        "amount_due_display": "$41.00",
        "has_problems": False,
    }


def test_quantity_is_capped_at_availability_with_a_message(client):
    book = BookFactory(title="Solaris", quantity=2)

    response = add(client, book, quantity="5", **JSON)

    body = response.json()
    assert response.status_code == 200
    assert body["level"] == "warning"
    assert body["message"] == "Only 2 copies of “Solaris” available; your cart now has 2."
    assert body["line"]["quantity"] == 2

    again = client.post(f"/cart/increase/{book.pk}/", **JSON).json()
    assert again["line"]["quantity"] == 2
    assert again["message"] == (
        "Only 2 copies of “Solaris” available, and all of them are in your cart."
    )
    assert cart_lines(client) == {"Solaris": 2}


def test_cap_message_shows_on_the_page_without_javascript(client):
    book = BookFactory(title="Solaris", quantity=1)

    response = client.post(f"/cart/add/{book.pk}/", {"quantity": "3"}, follow=True)

    assert "Only 1 copy of “Solaris” available; your cart now has 1." in response.content.decode()


def test_an_unavailable_book_cannot_be_added(client):
    sold_out = BookFactory(title="Sold out", quantity=0)
    withdrawn = BookFactory(title="Withdrawn", is_active=False)

    first = add(client, sold_out, **JSON)
    second = add(client, withdrawn, **JSON)

    assert first.status_code == 409
    assert first.json()["message"] == "Sorry, “Sold out” is out of stock."
    assert second.json()["message"] == "Sorry, “Withdrawn” is no longer available."
    assert cart_lines(client) == {}


@pytest.mark.parametrize("quantity", ["0", "-1", "100", "two"])
def test_bad_quantities_are_a_400_with_a_field_message(client, quantity):
    book = BookFactory()

    response = add(client, book, quantity=quantity, **JSON)

    assert response.status_code == 400
    assert response.json()["errors"]["quantity"]
    assert cart_lines(client) == {}


def test_adding_an_unknown_book_is_404(client):
    assert client.post("/cart/add/999999/", **JSON).status_code == 404


def test_increase_decrease_remove_and_clear(client):
    solaris = BookFactory(title="Solaris", price=Decimal("10.00"))
    dune = BookFactory(title="Dune", price=Decimal("7.25"))
    add(client, solaris)
    add(client, dune)

    body = client.post(f"/cart/increase/{solaris.pk}/", **JSON).json()
    assert body["line"]["quantity"] == 2
    assert (body["count"], body["total_display"]) == (3, "$27.25")

    body = client.post(f"/cart/decrease/{solaris.pk}/", **JSON).json()
    assert body["line"]["quantity"] == 1
    assert body["total"] == "17.25"

    body = client.post(f"/cart/decrease/{solaris.pk}/", **JSON).json()
    assert body["line"]["quantity"] == 0
    assert body["message"] == "Removed “Solaris” from your cart."
    assert cart_lines(client) == {"Dune": 1}

    body = client.post(f"/cart/remove/{dune.pk}/", **JSON).json()
    assert (body["count"], body["total"]) == (0, "0.00")

    add(client, dune)
    body = client.post("/cart/clear/", **JSON).json()
    assert body["count"] == 0
    assert cart_lines(client) == {}


def test_plain_posts_of_every_operation_redirect_to_the_cart(client):
    book = BookFactory(title="Solaris")
    add(client, book)

    for action in ("increase", "decrease", "remove"):
        response = client.post(f"/cart/{action}/{book.pk}/")
        assert response.status_code == 302
        assert response["Location"] == "/cart/"
    assert client.post("/cart/clear/")["Location"] == "/cart/"


def test_a_get_never_changes_the_cart(client):
    book = BookFactory(title="Solaris")
    add(client, book)

    for url in (
        f"/cart/add/{book.pk}/",
        f"/cart/increase/{book.pk}/",
        f"/cart/decrease/{book.pk}/",
        f"/cart/remove/{book.pk}/",
        "/cart/clear/",
    ):
        assert client.get(url).status_code == 405

    assert cart_lines(client) == {"Solaris": 1}


def test_cart_mutations_need_the_csrf_token():
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    book = BookFactory()

    assert client.post(f"/cart/add/{book.pk}/", **JSON).status_code == 403


def test_cart_page_shows_lines_totals_and_controls(client):
    book = BookFactory(title="Solaris", price=Decimal("12.5"))
    add(client, book, quantity="2")

    page = client.get("/cart/").content.decode()

    assert "Solaris" in page
    assert "$12.50 each" in page
    assert "$25.00" in page
    assert 'aria-label="Increase quantity"' in page
    assert 'aria-label="Decrease quantity"' in page
    assert '>Remove<span class="visually-hidden"> Solaris</span></button>' in page
    assert "/static/cart/cart.js" in page


def test_a_book_that_became_unavailable_is_flagged(client):
    gone = BookFactory(title="Gone", quantity=3)
    short = BookFactory(title="Short", quantity=3)
    add(client, gone)
    add(client, short, quantity="3")
    gone.is_active = False
    gone.save()
    short.quantity = 1
    short.save()

    page = client.get("/cart/").content.decode()

    assert "No longer available" in page
    assert "Only 1 available" in page
    assert "Adjust or remove them to check out." in page


def test_decrease_drops_a_line_above_availability_to_what_is_left(client):
    book = BookFactory(title="Short", quantity=5)
    add(client, book, quantity="5")
    book.quantity = 2
    book.save()

    body = client.post(f"/cart/decrease/{book.pk}/", **JSON).json()

    assert body["line"]["quantity"] == 2
    assert body["line"]["problem"] == ""


def test_the_cart_survives_logging_in(client):
    book = BookFactory(title="Solaris")
    UserFactory(username="grace")
    add(client, book, quantity="2")

    client.post("/accounts/login/", {"username": "grace", "password": "a-Long-password-1"})

    assert cart_lines(client) == {"Solaris": 2}
    assert "data-cart-count>2</span>" in client.get("/").content.decode()


def test_the_cart_survives_registering(client):
    book = BookFactory(title="Solaris")
    add(client, book)

    client.post(
        "/accounts/register/",
        {
            "username": "ada",
            "email": "ada@example.com",
            "password1": "Analytical-Engine-1843",
            "password2": "Analytical-Engine-1843",
        },
    )

    assert cart_lines(client) == {"Solaris": 1}


def test_catalogue_cards_have_add_to_cart_buttons_disabled_when_out_of_stock(client):
    BookFactory(title="Available")
    BookFactory(title="Sold out", quantity=0)

    page = client.get("/").content.decode()

    assert page.count(">Add to cart</button>") == 2
    assert page.count('disabled aria-disabled="true" data-add-button aria-label=') == 1


def test_book_page_has_a_labelled_quantity_and_add_to_cart(client):
    book = BookFactory()

    page = client.get(book.get_absolute_url()).content.decode()

    assert f'<label class="form-label small mb-1" for="quantity-{book.pk}">Quantity</label>' in page
    assert f'aria-label="Add to cart: {book.title}">Add to cart</button>' in page


@pytest.mark.parametrize("rows", [10, 200])
def test_cart_page_query_count_does_not_grow_with_lines(client, django_assert_num_queries, rows):
    books = BookFactory.create_batch(rows)
    for book in books[:rows]:
        add(client, book)

    with django_assert_num_queries(1):  # the books (the session comes from the cache)
        response = client.get("/cart/")
    assert response.context["summary"].count == rows


@pytest.mark.parametrize("rows", [10, 200])
def test_cart_mutation_query_count_does_not_grow_with_lines(
    client, django_assert_num_queries, rows
):
    books = BookFactory.create_batch(rows)
    for book in books:
        add(client, book)

    # book, the cart's books for the totals, then saving the session (3); the session
    # itself is read from the cache
    with django_assert_num_queries(5):
        client.post(f"/cart/increase/{books[0].pk}/", **JSON)


def test_every_add_to_cart_button_is_named_with_its_book(client):
    BookFactory(title="Solaris")
    BookFactory(title="Sold out", quantity=0)

    page = client.get("/").content.decode()

    # Visible "Add to cart", and "Add to cart: <title>" to a screen reader.
    assert 'aria-label="Add to cart: Solaris">Add to cart</button>' in page
    assert 'aria-label="Add to cart: Sold out">Add to cart</button>' in page


def test_the_header_stays_in_view_and_pages_have_the_toast_region(client):
    page = client.get("/").content.decode()

    assert '<header class="sticky-top">' in page
    assert 'role="status" aria-live="polite" aria-atomic="true" data-cart-toasts>' in page


def test_a_full_line_says_why_increase_is_off(client):
    book = BookFactory(title="Solaris", quantity=4)
    add(client, book, quantity="4")

    page = client.get("/cart/").content.decode()

    limit = f'id="line-{book.pk}-limit" data-line-limit>Only 4 in stock</span>'
    assert limit in page
    assert f'aria-describedby="line-{book.pk}-limit line-{book.pk}-problem"' in page
    # Off, yet focusable: aria-disabled, not disabled.
    assert 'data-increase aria-disabled="true">+</button>' in page


def test_a_line_below_availability_may_grow(client):
    book = BookFactory(title="Solaris", quantity=4)
    add(client, book, quantity="3")

    page = client.get("/cart/").content.decode()

    assert "data-increase>+</button>" in page
    assert f'id="line-{book.pk}-limit" data-line-limit></span>' in page


def test_increase_to_the_last_copy_answers_the_limit(client):
    book = BookFactory(title="Solaris", quantity=2)
    add(client, book, **JSON)

    line = client.post(f"/cart/increase/{book.pk}/", **JSON).json()["line"]

    assert (line["quantity"], line["max"], line["limit"]) == (2, 2, "Only 2 in stock")


def test_an_unavailable_line_names_its_problem_not_a_limit(client):
    book = BookFactory(title="Solaris", quantity=3)
    add(client, book, quantity="3")
    book.quantity = 1
    book.save()

    page = client.get("/cart/").content.decode()

    assert "Only 1 available" in page
    assert "Only 1 in stock" not in page


def test_a_plain_post_of_a_full_lines_increase_says_why(client):
    book = BookFactory(title="Solaris", quantity=1)
    add(client, book)

    client.post(f"/cart/increase/{book.pk}/")

    page = client.get("/cart/").content.decode()
    assert "Only 1 copy of “Solaris” available, and all of them are in your cart." in page
