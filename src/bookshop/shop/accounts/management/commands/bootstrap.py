from bookshop.common.bootstrap import BootstrapCommand, admin_ensure, report_admin


class Command(BootstrapCommand):
    help = (
        "Create the shop's admin (BOOKSHOP_ADMIN_USER / BOOKSHOP_ADMIN_PASSWORD). "
        "Safe to run any number of times."
    )

    def bootstrap(self) -> None:
        report_admin(self.stdout, "shop", *admin_ensure())
