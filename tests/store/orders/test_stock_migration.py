"""Migration orders.0004 fills the books' stored stock from the copies and open orders that
were there before the counts existed."""

import uuid

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("inventory", "0002_subjects_and_bibliographic_fields"),
    ("orders", "0003_shipped_copy_returned_at"),
]
AFTER = [("inventory", "0003_stored_stock"), ("orders", "0004_fill_book_stock")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_the_counts_are_filled_from_the_copies_and_the_open_orders():
    old = _migrate(BEFORE)
    try:
        Book, BookItem = old.get_model("inventory", "Book"), old.get_model("inventory", "BookItem")
        Order, OrderItem = old.get_model("orders", "Order"), old.get_model("orders", "OrderItem")
        dune, emma, idle = (
            Book.objects.create(title=title, price="9.99", is_active=active)
            for title, active in (("Dune", True), ("Emma", True), ("Idle", False))
        )
        for book, status in [(dune, "in_stock")] * 3 + [(dune, "shipped"), (emma, "in_stock")]:
            BookItem.objects.create(book=book, place="A-1", status=status)
        BookItem.objects.create(book=idle, place="A-2")
        for status, quantity in (("in_work", 2), ("success", 1), ("fail", 1)):
            order = Order.objects.create(
                shop_order_id=uuid.uuid4(),
                customer_email="reader@example.com",
                delivery_address="1 Long Street",
                status=status,
            )
            OrderItem.objects.create(
                order=order, book=dune, title="Dune", quantity=quantity, unit_price="9.99"
            )

        new = _migrate(AFTER)

        rows = new.get_model("inventory", "Book").objects.values_list(
            "title", "copies_in_stock", "units_reserved", "stock_available"
        )
        assert sorted(rows) == [("Dune", 3, 2, 1), ("Emma", 1, 0, 1), ("Idle", 1, 0, 0)]
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
