"""Reads of customer accounts."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError

from bookshop.shop.accounts.emails import email_normalize


def user_find_for_login(*, identifier: str) -> AbstractBaseUser | None:
    """The account a login names: its username, else (with an “@”) its email address."""
    User = get_user_model()
    identifier = identifier.strip()
    user = User.objects.filter(**{User.USERNAME_FIELD: identifier}).first()
    if user is not None or "@" not in identifier:
        return user
    try:
        email = email_normalize(identifier)
    except ValidationError:
        return None
    return User.objects.filter(email__iexact=email).exclude(email="").first()
