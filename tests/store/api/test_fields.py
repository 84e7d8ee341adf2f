"""Request fields take what the schema says and nothing else (schemathesis found DRF's
shortcuts: numbers as strings, strings as numbers, "0" as false, four UUID spellings)."""

import re
import sys
import uuid

import pytest

from bookshop.store.api.fields import NOT_BLANK, PYTHON_WHITESPACE
from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.orders.models import Order
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db

BOOKS = "/api/v1/books/"
MONEY = 'Enter an amount such as "12.50": up to 8 digits, at most 2 decimals.'


@pytest.fixture
def book(db):
    return BookFactory(copies=3)


def _order(book, **changes):
    body = {
        "shop_order_id": str(uuid.uuid4()),
        "customer_email": "reader@example.com",
        "delivery_address": "1 Long Street",
        "items": [{"book": book.pk, "quantity": 1}],
    }
    return {**body, **changes}


NOT_AN_INTEGER = {"items": {"0": {"quantity": ["A valid integer is required."]}}}
NOT_A_UUID = {"shop_order_id": ["Must be a valid UUID."]}


@pytest.mark.parametrize(
    ("changes", "errors"),
    [
        ({"delivery_address": 12}, {"delivery_address": ["Not a valid string."]}),
        ({"customer_email": 12}, {"customer_email": ["Enter a valid email address."]}),
        ({"quantity": "2"}, NOT_AN_INTEGER),
        ({"quantity": True}, NOT_AN_INTEGER),
        ({"shop_order_id": "5c2b4f521f7e4c1b9a537c9f0f7f2a10"}, NOT_A_UUID),
        ({"shop_order_id": "urn:uuid:5c2b4f52-1f7e-4c1b-9a53-7c9f0f7f2a10"}, NOT_A_UUID),
    ],
)
def test_order_fields_take_only_their_json_type(service_api, book, changes, errors):
    if "quantity" in changes:
        changes = {"items": [{"book": book.pk, "quantity": changes["quantity"]}]}

    response = service_api.post("/api/v1/orders/", _order(book, **changes), format="json")

    assert response.status_code == 400
    assert response.json() == errors
    assert not Order.objects.exists()


def test_an_upper_case_uuid_is_a_uuid(service_api, book):
    shop_order_id = str(uuid.uuid4()).upper()

    response = service_api.post("/api/v1/orders/", _order(book, shop_order_id=shop_order_id))

    assert response.status_code == 201
    assert response.json()["shop_order_id"] == shop_order_id.lower()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"place": 7}, "place", "Not a valid string."),
        ({"place": "A-1", "count": "3"}, "count", "A valid integer is required."),
        ({"place": "A-1", "count": 2.5}, "count", "A valid integer is required."),
    ],
)
def test_copy_fields_take_only_their_json_type(staff_api, book, body, field, message):
    response = staff_api.post(f"{BOOKS}{book.pk}/items/", body, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [message]}
    assert BookItem.objects.count() == 3


@pytest.mark.parametrize(
    ("payload", "field", "message"),
    [
        ({"title": 1984}, "title", "Not a valid string."),
        ({"is_active": "false"}, "is_active", "Must be a valid boolean."),
        ({"is_active": 0}, "is_active", "Must be a valid boolean."),
        ({"price": 12.5}, "price", MONEY),
    ],
)
def test_book_fields_take_only_their_json_type(staff_api, book, payload, field, message):
    response = staff_api.patch(f"{BOOKS}{book.pk}/", payload, format="json")

    assert response.status_code == 400
    assert response.json() == {field: [message]}


@pytest.mark.parametrize("flag", ["1", "0", "yes", "on", "True", ""])
def test_a_form_flag_is_true_or_false(staff_api, book, flag):
    response = staff_api.patch(f"{BOOKS}{book.pk}/", {"is_active": flag}, format="multipart")

    assert response.status_code == 400
    assert response.json() == {"is_active": ["Must be a valid boolean."]}


def test_a_form_flag_is_read_as_written(staff_api, book):
    response = staff_api.patch(f"{BOOKS}{book.pk}/", {"is_active": "false"}, format="multipart")

    assert response.status_code == 200
    assert Book.objects.get(pk=book.pk).is_active is False


def test_a_book_posted_as_a_form_without_is_active_is_active(staff_api):
    # DRF reads a form's missing boolean as false (an unticked checkbox); the default is true.
    form = {"title": "Emma", "author": "Jane Austen", "price": "7.50"}

    response = staff_api.post(BOOKS, form, format="multipart")

    assert response.status_code == 201
    assert response.json()["is_active"] is True


def test_a_length_limit_counts_what_was_sent(staff_api, book):
    # The schema's maxLength is about the string sent, before the API trims it.
    response = staff_api.patch(f"{BOOKS}{book.pk}/", {"title": "Emma" + " " * 252}, format="json")

    assert response.status_code == 400
    assert response.json() == {"title": ["Ensure this field has no more than 255 characters."]}


def test_text_is_trimmed(staff_api, book):
    response = staff_api.patch(f"{BOOKS}{book.pk}/", {"title": "  Emma \n"}, format="json")

    assert response.json()["title"] == "Emma"


def test_the_schema_names_the_whitespace_the_api_trims():
    ranges = re.findall(r"\\u([0-9a-f]{4})(?:-\\u([0-9a-f]{4}))?", PYTHON_WHITESPACE)
    listed = {
        chr(code)
        for start, end in ranges
        for code in range(int(start, 16), int(end or start, 16) + 1)
    }

    assert listed == {chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()}


@pytest.mark.parametrize(
    ("text", "blank"), [(" \t\n", True), ("\u3000\x1c", True), ("\x00", True), (" a ", False)]
)
def test_the_not_blank_pattern_agrees_with_drf(staff_api, book, text, blank):
    response = staff_api.patch(f"{BOOKS}{book.pk}/", {"title": text}, format="json")

    assert (re.search(NOT_BLANK, text) is None) is blank
    assert (response.status_code == 400) is blank
