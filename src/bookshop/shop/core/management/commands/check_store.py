from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bookshop.shop.store_client import StoreClient, StoreError


class Command(BaseCommand):
    help = (
        "Check that the store answers at STORE_API_URL and accepts the shop's token; "
        "prints the account the token belongs to."
    )

    def handle(self, *args, **options):
        try:
            with StoreClient() as client:
                identity = client.whoami()
        except StoreError as exc:
            raise CommandError(f"store at {settings.STORE_API_URL}: {exc}") from exc
        if identity.role != "service":
            raise CommandError(
                f"the token belongs to {identity.username!r} ({identity.role}), "
                "not to a service account"
            )
        self.stdout.write(
            f"store at {settings.STORE_API_URL} accepts the token of {identity.username!r} "
            f"({identity.role})"
        )
