"""Empty the catalogue and the orders (accounts and tokens stay)."""

from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction
from django.db.models import Model

from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.orders.models import Order, OrderEvent, OrderItem, PackingSlot, ShippedCopy

# Children first, so no foreign key ever points at a deleted row.
MODELS: list[type[Model]] = [
    OrderEvent,
    ShippedCopy,
    PackingSlot,
    OrderItem,
    Order,
    BookItem,
    Book.subjects.through,  # the books' subjects (the subjects themselves stay)
    Book,
]


class Command(BaseCommand):
    help = "Delete every book, copy and order (and the books' cover files). Asks first."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--yes", action="store_true", help="do not ask")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="never ask; without --yes, refuse",
        )

    def handle(self, *args: Any, yes: bool, interactive: bool, **options: Any) -> None:
        counts = {
            model._meta.verbose_name_plural: model._default_manager.count() for model in MODELS
        }
        summary = ", ".join(f"{n} {name}" for name, n in counts.items())
        if not yes:
            if not interactive:
                raise CommandError("Refusing to delete without --yes.")
            answer = input(f"This deletes {summary}. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                self.stdout.write("Nothing deleted.")
                return
        images = list(Book.objects.exclude(image="").values_list("image", flat=True))
        with transaction.atomic(), connection.cursor() as cursor:
            # Plain DELETEs: the ORM would load every row to follow relations first.
            for model in MODELS:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(model._meta.db_table)}")  # noqa: S608
        for name in images:
            default_storage.delete(name)
        self.stdout.write(f"Deleted {summary}.")
        # Rows deleted here leave no tombstones for the shop's incremental sync to see.
        self.stdout.write(
            "The shop lists the deleted books until a full sync: "
            "`bookshop shop sync_catalog --full`."
        )
