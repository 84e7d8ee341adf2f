"""Orders the store received, what they hold, how they were packed, and their history.

Status changes go through `bookshop.store.orders.services.order_move_status` only.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from bookshop.store.inventory.models import Book, BookItem


class Order(models.Model):
    class Status(models.TextChoices):
        IN_WORK = "in_work", "In work"
        SUCCESS = "success", "Success"
        FAIL = "fail", "Fail"
        # The customer withdrew the order before it shipped; what it held is free again.
        CANCELLED = "cancelled", "Cancelled"

    shop_order_id = models.UUIDField(
        "shop order id", unique=True, help_text="The client's id for this order (idempotency key)."
    )
    shop_order_number = models.PositiveBigIntegerField(
        "shop order number",
        null=True,
        blank=True,
        db_index=True,
        help_text="The number the customer sees and quotes (#5); none for orders "
        "created by other clients.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="store_orders",
        help_text="The account (usually the shop's service account) that sent the order.",
    )
    customer_email = models.EmailField()
    delivery_address = models.TextField()
    delivery_fee = models.DecimalField(
        max_digits=10,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
        help_text="What the customer pays for delivery, on top of the items.",
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.IN_WORK, db_index=True
    )
    fail_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The shop's status sync reads this: every status change moves it.
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(delivery_fee__gte=0), name="order_delivery_fee_not_negative"
            )
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def number(self) -> str:
        """What staff call the order: the customer's number ("#5") when the client sent
        one, else the store's own id ("Order 4")."""
        if self.shop_order_number is not None:
            return f"#{self.shop_order_number}"
        return f"Order {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.IN_WORK


class OrderItem(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="order_items")
    # Snapshots: the order keeps what was sold even when the book is renamed or repriced.
    title = models.CharField(max_length=255)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["order", "book"], name="orderitem_one_line_per_book"),
            models.CheckConstraint(
                condition=models.Q(quantity__gte=1), name="orderitem_quantity_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} x {self.title}"


class PackingSlot(models.Model):
    """One ordered unit; staff fill it with the physical copy they picked."""

    # The order as well as the line, so the admin can show an order's slots inline.
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="slots")
    order_item = models.ForeignKey(OrderItem, on_delete=models.CASCADE, related_name="slots")
    position = models.PositiveIntegerField()
    # One-to-one: a copy can sit in one slot only, whichever order it belongs to.
    book_item = models.OneToOneField(
        BookItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packing_slot",
        verbose_name="copy",
    )

    class Meta:
        ordering = ["order_item_id", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_item", "position"], name="packingslot_unique_position"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_item.title} #{self.position}"


# How a return's event note begins (orders/services.py writes it, the history reads it).
RETURN_NOTE = "Returned copy"


class OrderEvent(models.Model):
    """One status move: who, from, to, when, and why."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    from_status = models.CharField(max_length=16, blank=True, choices=Order.Status.choices)
    to_status = models.CharField(max_length=16, choices=Order.Status.choices)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        """The move in words, as staff read it: "In work → Success"; "Received" for the
        order's first event; a return (the status stays) reads "Copy returned"."""
        if not self.from_status:
            return "Received"
        if self.from_status == self.to_status:
            return "Copy returned" if self.note.startswith(RETURN_NOTE) else "Note"
        return f"{self.get_from_status_display()} → {self.get_to_status_display()}"


class ShippedCopy(models.Model):
    """Which copy left the warehouse with a successful order, and from which place.

    Plain values rather than a foreign key: the record must outlive the copy's row.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipped_copies")
    book = models.ForeignKey(Book, on_delete=models.PROTECT, related_name="+")
    book_item_id = models.PositiveBigIntegerField("copy id")
    place = models.CharField("shelf place", max_length=64)
    shipped_at = models.DateTimeField(default=timezone.now)
    # Set when the customer sent the copy back and it went on a shelf again; the row stays,
    # a record that it did ship with this order.
    returned_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["place", "book_item_id"]
        verbose_name_plural = "shipped copies"

    def __str__(self) -> str:
        return f"copy #{self.book_item_id} from {self.place}"
