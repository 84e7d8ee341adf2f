import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

DELIVERY_ADDRESS_MAX_LENGTH = 500
PHONE_MAX_LENGTH = 32


class OrderStatus(models.TextChoices):
    """The shop's order statuses: its own words, whatever the store calls its states
    (orders.status_sync maps the store's to these)."""

    PENDING = "pending", "Pending"  # saved by the shop, not yet accepted by the store
    IN_WORK = "in_work", "Processing"
    SUCCESS = "success", "Completed"
    FAIL = "fail", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class Order(models.Model):
    """A customer's order as the shop keeps it. `id` is the order number customers see;
    `uuid` is what the store knows it by (its shop_order_id)."""

    Status = OrderStatus

    uuid = models.UUIDField("UUID", default=uuid.uuid4, unique=True, editable=False)
    # The session cart this order was made from (cart.Cart.token): unique, so one cart
    # makes at most one order however many checkout pages post it at once.
    cart_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # None for a guest's order: the guest follows it by its tracking link (orders/tracking.py).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="orders",
        null=True,
        blank=True,
    )
    email = models.EmailField(help_text="The customer's email when they ordered.")
    delivery_address = models.TextField(max_length=DELIVERY_ADDRESS_MAX_LENGTH)
    phone = models.CharField(max_length=PHONE_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    fail_reason = models.TextField(blank=True)
    store_order_id = models.PositiveIntegerField(
        "store order id", null=True, blank=True, unique=True
    )
    # The items' sum (the subtotal); what the customer pays is `amount_due`.
    total = models.DecimalField(max_digits=12, decimal_places=2)
    delivery_fee = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text="What delivery cost when the order was placed (orders/delivery.py).",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    status_changed_at = models.DateTimeField(default=timezone.now)
    submit_attempts = models.PositiveIntegerField(
        default=0, help_text="How many times the shop has sent this order to the store."
    )
    last_submit_at = models.DateTimeField(
        null=True, blank=True, help_text="When a submission to the store was last tried or queued."
    )
    # The customer asked to cancel (orders/cancelling.py): the order shows "Cancelling…"
    # until the store answers; the worker asks it, and the sweep asks again when stuck.
    cancel_requested_at = models.DateTimeField(null=True, blank=True)
    last_cancel_at = models.DateTimeField(
        null=True, blank=True, help_text="When the store was last asked to cancel this order."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "-created_at"], name="orders_order_user_created"),
            # The sweep looks for orders stuck in pending since before some time.
            models.Index(fields=["status", "created_at"], name="orders_order_status_created"),
            models.Index(fields=["status", "last_submit_at"], name="orders_order_status_submit"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(total__gte=0), name="orders_order_total_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(delivery_fee__gte=0), name="orders_order_delivery_fee_gte_0"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=OrderStatus.values),
                name="orders_order_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Order #{self.pk}"

    def get_absolute_url(self) -> str:
        if self.user_id is None:
            from bookshop.shop.orders.tracking import tracking_path  # it imports this module

            return tracking_path(order=self)
        return reverse("orders:detail", args=[self.pk])

    @property
    def number(self) -> str:
        return f"#{self.pk}"

    @property
    def status_url(self) -> str:
        """The owner's live status endpoint (a guest's page uses its tracking token's)."""
        return reverse("orders:status", args=[self.pk])

    @property
    def cancelling(self) -> bool:
        """Cancel requested, and the store has not answered yet."""
        return self.cancel_requested_at is not None and self.status in (
            OrderStatus.PENDING,
            OrderStatus.IN_WORK,
        )

    @property
    def cancellable(self) -> bool:
        """The customer may still ask to cancel: not shipped, failed or asked already."""
        return self.cancel_requested_at is None and self.status in (
            OrderStatus.PENDING,
            OrderStatus.IN_WORK,
        )

    @property
    def cancel_refused(self) -> bool:
        """Cancelling was asked for, but the store had shipped or failed the order first."""
        return self.cancel_requested_at is not None and self.status in (
            OrderStatus.SUCCESS,
            OrderStatus.FAIL,
        )

    @property
    def amount_due(self) -> Decimal:
        """What the customer pays: the items and delivery."""
        return self.total + self.delivery_fee


class OrderItem(models.Model):
    """One ordered book, with its title and price as they were at checkout."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    # The mirror never deletes books (the store only deactivates them); SET_NULL keeps
    # the order readable even if someone removes one by hand.
    book = models.ForeignKey(
        "catalog.Book", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    store_book_id = models.PositiveIntegerField("store book id")
    title = models.CharField(max_length=300)
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    quantity = models.PositiveIntegerField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "store_book_id"], name="orders_item_one_line_per_book"
            ),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="orders_item_quantity_gte_1"
            ),
            models.CheckConstraint(
                condition=models.Q(unit_price__gte=0), name="orders_item_price_gte_0"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.title}"

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


class OrderEvent(models.Model):
    """One step of an order's history: who moved it from which status to which, and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=16, choices=Order.Status.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=Order.Status.choices)
    note = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Who acted when it was no user: "store sync", "order submission", ...
    actor_label = models.CharField("actor", max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.order}: {self.from_status or '—'} → {self.to_status}"

    @property
    def actor_display(self) -> str:
        if self.actor is not None:
            return self.actor.get_username()
        return self.actor_label or "system"


class Notification(models.Model):
    """One email a customer is owed about their order. Unique per order and kind, so each
    customer-visible step sends exactly one email, however often the syncs run."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "Order received"
        COMPLETED = "completed", "Order completed"
        FAILED = "failed", "Order failed"
        CANCELLED = "cancelled", "Order cancelled"

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    # A sender holds the notification until then; another sender keeps off meanwhile.
    claimed_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "kind"], name="orders_notification_once"),
        ]
        indexes = [
            models.Index(fields=["sent_at", "created_at"], name="orders_notification_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.order}"
