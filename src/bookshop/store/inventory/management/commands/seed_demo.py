"""Put the demo catalogue in an empty store."""

from typing import Any

from django.core.management.base import BaseCommand

from bookshop.store.inventory.demo.services import demo_catalog_report, demo_catalog_seed


class Command(BaseCommand):
    help = (
        "Add the demo catalogue (100 public-domain books with generated covers and copies "
        "on the shelves) if the store has no books. A store with books is left alone."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-covers", action="store_true", help="skip drawing the covers")

    def handle(self, *args: Any, no_covers: bool, **options: Any) -> None:
        self.stdout.write(demo_catalog_report(demo_catalog_seed(covers=not no_covers)))
