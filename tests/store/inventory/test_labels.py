"""Copy labels: a book's copies, a selection, or today's; each a Code128 barcode of the
copy's label code, its shelf place and its book's title."""

import base64
import datetime as dt
import re

import pytest
from django.utils import timezone

from bookshop.store.inventory.codes import copy_code
from bookshop.store.inventory.models import BookItem
from tests.store.factories import BookFactory, BookItemFactory
from tests.store.queries import page_queries

pytestmark = pytest.mark.django_db

LABELS = "/admin/inventory/bookitem/labels/"


def _labels(html):
    """(code, place, title) of each label on the sheet, in order."""
    return re.findall(
        r'<div class="title">([^<]*)</div>\s*<img src="[^"]+" alt="Barcode (\w+)">\s*'
        r'<div class="line"><span class="code">\w+</span><span class="place">([^<]*)</span>',
        html,
    )


def _barcodes(html):
    return [
        base64.b64decode(m).decode()
        for m in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', html)
    ]


def test_a_books_labels_show_code_barcode_place_and_title(admin_client):
    dune = BookFactory(title="Dune")
    second = BookItemFactory(book=dune, place="B-2")
    first = BookItemFactory(book=dune, place="A-1")
    BookItemFactory(book=BookFactory(title="Emma"), place="A-0")

    html = admin_client.get(LABELS, {"book": dune.pk}).content.decode()

    assert _labels(html) == [
        ("Dune", copy_code(first.pk), "A-1"),
        ("Dune", copy_code(second.pk), "B-2"),
    ]
    svg = _barcodes(html)[0]
    assert svg.count("<rect") > 20  # bars, not an empty picture
    assert "@page { size: A4" in html


def test_a_barcode_encodes_the_code_as_code128():
    from bookshop.store.inventory.labels import barcode_data_url

    # Another code, other bars: the picture depends on the code it encodes.
    assert barcode_data_url("C00000001") != barcode_data_url("C00000002")


def test_the_copy_list_action_prints_the_selection(admin_client):
    copies = [BookItemFactory(place=f"S-{n}") for n in range(3)]

    response = admin_client.post(
        "/admin/inventory/bookitem/",
        {"action": "print_labels", "_selected_action": [copies[0].pk, copies[2].pk]},
    )

    assert [code for _, code, _ in _labels(response.content.decode())] == [
        copy_code(copies[0].pk),
        copy_code(copies[2].pk),
    ]


def test_without_a_choice_the_sheet_holds_the_copies_added_today(admin_client):
    today = BookItemFactory(place="T-1")
    old = BookItemFactory(place="O-1")
    BookItem.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=2))

    html = admin_client.get(LABELS).content.decode()

    assert [code for _, code, _ in _labels(html)] == [copy_code(today.pk)]
    assert "Labels for the copies added today" in html


def test_the_book_page_and_copy_list_link_to_labels(admin_client):
    book = BookFactory(copies=1)

    book_page = admin_client.get(f"/admin/inventory/book/{book.pk}/change/").content.decode()
    copy_list = admin_client.get("/admin/inventory/bookitem/").content.decode()

    assert f'href="{LABELS}?book={book.pk}"' in book_page
    assert f'href="{LABELS}">Print labels for today' in copy_list


def test_the_copy_list_finds_a_copy_by_its_label_code(admin_client):
    wanted, other = BookItemFactory(place="W-1"), BookItemFactory(place="W-2")

    html = admin_client.get("/admin/inventory/bookitem/", {"q": copy_code(wanted.pk)}).content
    assert copy_code(wanted.pk) in html.decode()
    assert copy_code(other.pk) not in html.decode()


def test_the_sheet_has_bounded_queries(admin_client):
    book = BookFactory(copies=2)
    few = page_queries(admin_client, f"{LABELS}?book={book.pk}")
    for n in range(30):
        BookItemFactory(book=book, place=f"Z-{n}")

    assert page_queries(admin_client, f"{LABELS}?book={book.pk}") == few


def test_the_book_lists_price_boxes_are_named_for_their_books(admin_client):
    BookFactory(title="Dune", copies=1)

    html = admin_client.get("/admin/inventory/book/").content.decode()

    box = r'<input(?=[^>]*aria-label="Price of Dune")(?=[^>]*name="form-0-price")'
    assert re.search(box, html)
