"""Writes about store accounts: the shop's service account and its token."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token


@transaction.atomic
def service_account_ensure(*, username: str, token: str = "") -> Token:
    """Create or reuse the service account and its API token.

    With `token` given, the account ends up with exactly that key (a deployment that shares
    the token through its environment); otherwise an existing token is kept, so running
    bootstrap twice does not cut off a shop that already has it.
    """
    user, _ = get_user_model().objects.get_or_create(
        username=username, defaults={"is_service_account": True}
    )
    if not user.is_service_account or user.is_staff or user.has_usable_password():
        # A service account is never a person: no password, no admin access.
        user.is_service_account = True
        user.is_staff = user.is_superuser = False
        user.set_unusable_password()
        user.save()
    existing = Token.objects.filter(user=user).first()
    if existing and token and existing.key != token:
        existing.delete()
        existing = None
    if existing:
        return existing
    return Token.objects.create(user=user, key=token) if token else Token.objects.create(user=user)


def token_file_write(*, path: Path, token: str) -> None:
    """Write the token atomically, readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".token-")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(token)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
