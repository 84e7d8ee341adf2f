from django.apps import AppConfig


class CommonConfig(AppConfig):
    """What both services share at start-up."""

    name = "bookshop.common"
    label = "bookshop_common"
    verbose_name = "Bookshop"

    def ready(self) -> None:
        from bookshop.common import csrf_secrets

        csrf_secrets.install()
