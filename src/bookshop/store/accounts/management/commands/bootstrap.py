from django.conf import settings

from bookshop.common.bootstrap import BootstrapCommand, admin_ensure, report_admin
from bookshop.store.accounts.services import service_account_ensure, token_file_write
from bookshop.store.inventory.demo.services import demo_catalog_report, demo_catalog_seed


class Command(BootstrapCommand):
    help = (
        "Create the store's admin (BOOKSHOP_ADMIN_USER / BOOKSHOP_ADMIN_PASSWORD) and the "
        "shop's service account, and write its API token to STORE_API_TOKEN_FILE; with "
        "--demo, also the demo catalogue if the store has no books. Safe to run any number "
        "of times."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--demo",
            action="store_true",
            help="add the demo catalogue if the store has no books (`bookshop up` does)",
        )

    def handle(self, *args, **options):
        super().handle(*args, **options)
        if options["demo"]:
            self.stdout.write(demo_catalog_report(demo_catalog_seed()))

    def bootstrap(self) -> None:
        report_admin(self.stdout, "store", *admin_ensure())
        token = service_account_ensure(
            username=settings.STORE_SERVICE_USERNAME, token=settings.STORE_API_TOKEN
        )
        token_file_write(path=settings.STORE_API_TOKEN_FILE, token=token.key)
        self.stdout.write(
            f"service account {settings.STORE_SERVICE_USERNAME!r} ready; "
            f"its token is in {settings.STORE_API_TOKEN_FILE}"
        )
