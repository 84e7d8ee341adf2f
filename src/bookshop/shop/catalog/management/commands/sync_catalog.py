from django.core.management.base import BaseCommand, CommandError

from bookshop.shop.catalog.services import catalog_sync
from bookshop.shop.store_client import StoreClient, StoreError


class Command(BaseCommand):
    help = (
        "Bring the catalogue mirror up to date with the store now: the changes since the "
        "last sync, or with --full every book, hiding those the store no longer has."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--full", action="store_true", help="reconcile the whole catalogue, not only changes"
        )

    def handle(self, *args, **options):
        try:
            with StoreClient() as client:
                result = catalog_sync(client=client, full=options["full"])
        except (StoreError, ValueError) as exc:
            raise CommandError(f"catalogue sync failed: {exc}") from exc
        self.stdout.write(
            f"{result.received} books received in {result.pages} pages, {result.written} "
            f"written, {result.deactivated} hidden; cursor {result.cursor or 'not set'}"
        )
