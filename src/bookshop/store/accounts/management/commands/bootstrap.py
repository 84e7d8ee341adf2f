from django.conf import settings

from bookshop.common.bootstrap import BootstrapCommand, admin_ensure, report_admin
from bookshop.store.accounts.services import service_account_ensure, token_file_write


class Command(BootstrapCommand):
    help = (
        "Create the store's admin (BOOKSHOP_ADMIN_USER / BOOKSHOP_ADMIN_PASSWORD) and the "
        "shop's service account, and write its API token to STORE_API_TOKEN_FILE. "
        "Safe to run any number of times."
    )

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
