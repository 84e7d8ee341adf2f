from django.db import models


class SyncState(models.Model):
    """Where one periodic sync with the store stands: its cursor and its last outcome.

    One row per sync ("catalog", "order_status"); the sync tasks keep it current and the
    admin shows it, so "is the shop up to date?" has a visible answer.
    """

    name = models.SlugField(max_length=50, unique=True)
    cursor = models.DateTimeField(
        null=True, blank=True, help_text="The store's updated_at up to which changes are applied."
    )
    settled = models.BooleanField(
        default=False,
        help_text=(
            "A poll has looked back over the overlap window after it closed: later polls "
            "need only ask for what is newer than the cursor."
        ),
    )
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True, help_text="Empty when the last run succeeded.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "sync state"

    def __str__(self) -> str:
        return self.name
