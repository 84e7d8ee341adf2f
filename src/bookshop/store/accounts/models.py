from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """A store user: staff who work in the admin, or a service account such as the shop."""

    is_service_account = models.BooleanField(
        "service account",
        default=False,
        help_text="A program, not a person: it may create orders and read the orders it created.",
    )

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # the stubs omit Meta
        swappable = "AUTH_USER_MODEL"
