from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from bookshop.shop.accounts.emails import EmailAddressField
from bookshop.shop.catalog.models import Book


class StockAlertQuerySet(models.QuerySet):
    def waiting(self) -> "StockAlertQuerySet":
        """Subscriptions that still wait for their book."""
        return self.filter(ended_at__isnull=True)


class StockAlert(models.Model):
    """ "Email me when it's back": one address waiting for one book that has no copies.

    While it waits `ended_at` is empty, and there is at most one such row per book and
    address. It ends when the book comes back (the email is then owed: `sent_at` records it)
    or when the address unsubscribes; ended rows stay as the record of what was sent.
    """

    class Ending(models.TextChoices):
        RESTOCKED = "restocked", "Back in stock"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"

    book = models.ForeignKey(Book, on_delete=models.CASCADE, related_name="stock_alerts")
    email = EmailAddressField(max_length=254)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    ended_at = models.DateTimeField(null=True, blank=True)
    ending = models.CharField(max_length=16, choices=Ending.choices, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A sender holds the email until then; another sender keeps off meanwhile.
    claimed_until = models.DateTimeField(null=True, blank=True)

    objects = StockAlertQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["book", "email"],
                condition=Q(ended_at__isnull=True),
                name="alerts_stockalert_one_waiting",
            ),
        ]
        indexes = [
            models.Index(
                fields=["book"], condition=Q(ended_at__isnull=True), name="alerts_waiting_book"
            ),
            models.Index(fields=["email"], name="alerts_stockalert_email"),
        ]

    def __str__(self) -> str:
        return f"{self.email} for {self.book}"
