"""The admin account both services' `bootstrap` commands create."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import BaseCommand, call_command
from django.core.management.base import CommandParser, OutputWrapper
from django.db import transaction

from bookshop.common.conf import env


@transaction.atomic
def admin_ensure() -> tuple[str, bool, str | None]:
    """Make BOOKSHOP_ADMIN_USER (default "admin") a superuser.

    The password is BOOKSHOP_ADMIN_PASSWORD when set. When it is not, a new admin gets a
    generated password and an existing one keeps theirs, so bootstrap stays idempotent.
    Returns the username, whether the user is new, and the generated password if any.
    """
    username = env.str("BOOKSHOP_ADMIN_USER", default="admin")
    password = env.str("BOOKSHOP_ADMIN_PASSWORD", default="")
    user, created = get_user_model().objects.get_or_create(username=username)
    generated = None
    if not password and created:
        password = generated = secrets.token_urlsafe(12)
    # Re-hashing an unchanged password would rewrite the row on every bootstrap (every
    # `docker compose up`) and, with a new salt, log the admin out of every session.
    if password and not user.check_password(password):
        user.set_password(password)
    user.is_staff = user.is_superuser = user.is_active = True
    user.save()
    return username, created, generated


def report_admin(
    out: OutputWrapper, service: str, username: str, created: bool, generated: str | None
) -> None:
    """Say what admin_ensure did, printing a generated password once."""
    out.write(f"{service} admin {username!r} {'created' if created else 'ready'}")
    if generated:
        out.write(f"{service} admin password (generated): {generated}")


class BootstrapCommand(BaseCommand):
    """Base of each service's `bootstrap`: optionally migrate, then create the accounts."""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--migrate", action="store_true", help="apply database migrations first"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["migrate"]:
            call_command("migrate", interactive=False, verbosity=max(options["verbosity"] - 1, 0))
        self.bootstrap()

    def bootstrap(self) -> None:
        raise NotImplementedError
