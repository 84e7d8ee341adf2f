"""Fill the books' stored stock counts (inventory 0003) from the copies and open orders.

Here rather than in inventory: the reserved units are the orders' to count. Two UPDATEs
with correlated subqueries, whatever the number of books; the generated `stock_available`
follows by itself.
"""

from django.db import migrations
from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce


def _per_book(queryset, aggregate):
    return Coalesce(
        Subquery(
            queryset.order_by().values("book").annotate(n=aggregate).values("n"),
            output_field=IntegerField(),
        ),
        0,
    )


def fill(apps, schema_editor):
    Book = apps.get_model("inventory", "Book")
    BookItem = apps.get_model("inventory", "BookItem")
    OrderItem = apps.get_model("orders", "OrderItem")
    Book.objects.update(
        copies_in_stock=_per_book(
            BookItem.objects.filter(book=OuterRef("pk"), status="in_stock"), Count("pk")
        ),
        units_reserved=_per_book(
            OrderItem.objects.filter(book=OuterRef("pk"), order__status="in_work"),
            Sum("quantity"),
        ),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0003_stored_stock"),
        ("orders", "0003_shipped_copy_returned_at"),
    ]

    # Backwards there is nothing to undo: inventory 0003's reversal drops the columns.
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
