"""The "Pack & ship" screen: slots, the pick list's suggestion, the scan box, ship, fail."""

import html
import re

import pytest

from bookshop.store.inventory.codes import copy_code, copy_id_from_code
from bookshop.store.inventory.models import BookItem
from bookshop.store.orders.models import Order, PackingSlot
from bookshop.store.orders.services import order_pick_by_code
from tests.store.factories import BookFactory, BookItemFactory
from tests.store.queries import page_queries

pytestmark = pytest.mark.django_db


def _url(order):
    return f"/admin/orders/order/{order.pk}/pack/"


@pytest.fixture
def dune_and_emma(place_order):
    dune = BookFactory(title="Dune")
    emma = BookFactory(title="Emma")
    copies = {
        "dune_c": BookItemFactory(book=dune, place="C-3"),
        "dune_a": BookItemFactory(book=dune, place="A-1"),
        "dune_b": BookItemFactory(book=dune, place="B-2"),
        "emma": BookItemFactory(book=emma, place="E-5"),
    }
    order = place_order({dune: 2, emma: 1}, number=5)
    return order, copies


def _page(client, order):
    return html.unescape(client.get(_url(order)).content.decode())


def _picked(order):
    return sorted(
        PackingSlot.objects.filter(order=order, book_item__isnull=False).values_list(
            "book_item__place", flat=True
        )
    )


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def _post(client, order, **data):
    return client.post(_url(order), data, follow=True)


@pytest.mark.parametrize(
    ("text", "copy_id"),
    [("C00000042", 42), ("c42", 42), (" 42 ", 42), ("C0", None), ("X42", None), ("", None)],
)
def test_a_label_code_names_a_copy(text, copy_id):
    assert copy_id_from_code(text) == copy_id
    assert copy_code(42) == "C00000042"


def test_the_page_shows_one_slot_per_unit_and_the_order(admin_client, dune_and_emma):
    order, _ = dune_and_emma

    page = _page(admin_client, order)

    assert "Pack & ship #5" in page
    assert page.count('<span class="empty">empty</span>') == 3
    assert re.findall(r"<td>(\w+ #\d)</td>", page) == ["Dune #1", "Dune #2", "Emma #1"]
    assert "Scan or type a copy's label code" in page
    assert "<strong>Received</strong>" in page


def test_pick_suggested_copies_fills_every_slot_from_the_pick_list(admin_client, dune_and_emma):
    order, _ = dune_and_emma

    response = _post(admin_client, order, suggest="1")

    assert _messages(response) == ["3 units filled from the pick list."]
    # The pick list's first places: A-1 and B-2 for Dune (not C-3), E-5 for Emma.
    assert _picked(order) == ["A-1", "B-2", "E-5"]


def test_scanning_a_code_fills_the_next_open_slot_of_its_book(admin_client, dune_and_emma):
    order, copies = dune_and_emma

    response = _post(admin_client, order, scan="1", code=copy_code(copies["dune_c"].pk))

    assert _messages(response) == [f"Copy {copy_code(copies['dune_c'].pk)} is in “Dune” #1."]
    assert _picked(order) == ["C-3"]
    assert copy_code(copies["dune_c"].pk) in html.unescape(response.content.decode())


def test_a_copy_of_another_book_is_refused_and_changes_nothing(admin_client, dune_and_emma):
    order, _ = dune_and_emma
    stray = BookItemFactory(book=BookFactory(title="Ulysses"), place="U-1")

    response = _post(admin_client, order, scan="1", code=copy_code(stray.pk))

    code = copy_code(stray.pk)
    assert _messages(response) == [
        f"Nothing changed: Copy {code} is of “Ulysses”, which this order does not hold."
    ]
    assert _picked(order) == []


@pytest.mark.parametrize("case", ["shipped", "picked_here", "picked_elsewhere", "missing", "junk"])
def test_a_copy_that_cannot_go_in_is_refused_with_a_reason(
    admin_client, dune_and_emma, place_order, case
):
    order, copies = dune_and_emma
    copy = copies["dune_a"]
    if case == "shipped":
        BookItem.objects.filter(pk=copy.pk).update(status=BookItem.Status.SHIPPED)
    elif case == "picked_here":
        order_pick_by_code(order_id=order.pk, code=copy_code(copy.pk), actor=None)
    elif case == "picked_elsewhere":
        other = place_order({copy.book: 1}, number=9)
        order_pick_by_code(order_id=other.pk, code=copy_code(copy.pk), actor=None)
    code = {"missing": "C99999999", "junk": "hello"}.get(case, copy_code(copy.pk))
    before = _picked(order)

    said = _messages(_post(admin_client, order, scan="1", code=code))

    expected = {
        "shipped": f"Copy {code} is not in stock (shipped).",
        "picked_here": f"Copy {code} is already picked for this order.",
        "picked_elsewhere": f"Copy {code} is already picked for #9.",
        "missing": "There is no copy C99999999.",
        "junk": "“hello” is not a copy label code (like C00000042).",
    }[case]
    assert said == [f"Nothing changed: {expected}"]
    assert _picked(order) == before


def test_a_book_whose_units_are_full_takes_no_more(admin_client, dune_and_emma):
    order, copies = dune_and_emma
    for key in ("dune_a", "dune_b"):
        order_pick_by_code(order_id=order.pk, code=copy_code(copies[key].pk), actor=None)

    said = _messages(_post(admin_client, order, scan="1", code=copy_code(copies["dune_c"].pk)))

    assert said == ["Nothing changed: Every unit of “Dune” has a copy already."]


def test_take_out_empties_one_slot(admin_client, dune_and_emma):
    order, _ = dune_and_emma
    _post(admin_client, order, suggest="1")
    slot = PackingSlot.objects.get(order=order, book_item__place="B-2")

    _post(admin_client, order, clear=str(slot.pk))

    assert _picked(order) == ["A-1", "E-5"]


def test_ship_after_picking_and_the_history_reads_in_words(admin_client, dune_and_emma, admin_user):
    order, _ = dune_and_emma
    _post(admin_client, order, suggest="1")

    response = _post(admin_client, order, ship="1")

    order.refresh_from_db()
    assert order.status == Order.Status.SUCCESS
    assert _messages(response) == ["#5 shipped."]
    page = html.unescape(response.content.decode())
    assert re.search(rf"<strong>In work → Success</strong>, {admin_user.username}, <time", page)
    assert "Scan or type" not in page


def test_ship_with_an_empty_unit_is_refused(admin_client, dune_and_emma):
    order, _ = dune_and_emma

    said = _messages(_post(admin_client, order, ship="1"))

    assert said == ["Nothing changed: 3 of 3 units are not picked yet."]
    order.refresh_from_db()
    assert order.status == Order.Status.IN_WORK


def test_fail_needs_a_reason_and_then_frees_the_copies(admin_client, dune_and_emma):
    order, _ = dune_and_emma
    _post(admin_client, order, suggest="1")

    refused = _messages(_post(admin_client, order, fail="1", reason="  "))
    failed = _post(admin_client, order, fail="1", reason="Water damage")

    assert refused == ["Nothing changed: Say why the order failed."]
    order.refresh_from_db()
    assert (order.status, order.fail_reason) == (Order.Status.FAIL, "Water damage")
    assert _picked(order) == []
    assert "<strong>In work → Fail</strong>" in html.unescape(failed.content.decode())


def test_staff_without_change_permission_cannot_pack(client, dune_and_emma, django_user_model):
    from django.contrib.auth.models import Permission

    order, _ = dune_and_emma
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_order"))
    client.force_login(viewer)

    assert client.get(_url(order)).status_code == 200
    assert client.post(_url(order), {"suggest": "1"}).status_code == 403
    assert _picked(order) == []


def test_the_page_has_bounded_queries_as_units_grow(admin_client, place_order):
    small_book, big_book = BookFactory(copies=3), BookFactory(copies=40)
    small, big = place_order({small_book: 2}), place_order({big_book: 30})
    admin_client.post(_url(big), {"suggest": "1"})
    admin_client.post(_url(small), {"suggest": "1"})

    assert page_queries(admin_client, _url(big)) == page_queries(admin_client, _url(small))
