from typing import ClassVar

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower

from bookshop.shop.accounts.emails import EmailAddressField, email_normalize


class UserManager(BaseUserManager):
    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        """The shop's spelling of an address (see accounts.emails). An address it refuses
        is left as it is, for the email field's validation to reject with its message."""
        try:
            return email_normalize(email or "")
        except ValidationError:
            return email or ""


class User(AbstractUser):
    """A shop customer (or shop staff). Email addresses are stored normalised and are
    unique whatever their case."""

    email = EmailAddressField("email address", blank=True)
    # Set by the link in the verification email (accounts/verification.py); an
    # unverified account shops all the same, but sees no orders placed as a guest.
    email_verified = models.BooleanField("email verified", default=False)

    objects: ClassVar[UserManager] = UserManager()

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # the stubs omit Meta
        swappable = "AUTH_USER_MODEL"
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                condition=~models.Q(email=""),
                name="accounts_user_email_ci_unique",
                violation_error_message="A user with this email address already exists.",
            ),
        ]
