"""Reads of customer accounts."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.core.exceptions import ValidationError

from bookshop.shop.accounts.emails import email_normalize
from bookshop.shop.accounts.models import User


def user_find_for_login(*, identifier: str) -> User | None:
    """The account a login names: its username, else (with an “@”) its email address."""
    identifier = identifier.strip()
    user = User.objects.filter(**{User.USERNAME_FIELD: identifier}).first()
    if user is not None or "@" not in identifier:
        return user
    try:
        email = email_normalize(identifier)
    except ValidationError:
        return None
    return User.objects.filter(email__iexact=email).exclude(email="").first()


def user_login_key(request: object, credentials: dict[str, Any] | None) -> str:
    """What the login lockout counts failures against: the account's username when the
    login names an account (by username or email), else what was typed, normalised, so
    `bob`, `bob@example.com` and `BOB@Example.com` are one count."""
    typed = (credentials or {}).get("username")
    if typed is None:
        typed = getattr(request, "POST", {}).get("username", "")
    typed = unicodedata.normalize("NFKC", str(typed or "")).strip()
    user = user_find_for_login(identifier=typed) if typed else None
    return user.get_username() if user is not None else typed.lower()
