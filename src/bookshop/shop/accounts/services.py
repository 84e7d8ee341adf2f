"""Customer accounts: sign-up and profile changes."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction

from bookshop.shop.accounts.forms import EMAIL_TAKEN, ProfileForm, RegistrationForm


def user_register(*, form: RegistrationForm) -> AbstractBaseUser | None:
    """Create the account a valid registration form describes.

    The form checks that the email is free, but two sign-ups can race past that check;
    the database's case-insensitive unique constraint decides, and the loser gets the
    same field error instead of a 500. Returns None when that happened.
    """
    try:
        with transaction.atomic():
            return form.save()
    except IntegrityError:
        form.add_error("email", EMAIL_TAKEN)
        return None


def user_update_profile(*, form: ProfileForm) -> bool:
    """Save a valid profile form; False (with a field error) if the email was just taken."""
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:
        form.add_error("email", EMAIL_TAKEN)
        return False
    return True
