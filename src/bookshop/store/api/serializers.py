"""The JSON shapes of Store API v1 (see docs/api.md)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookshop.store.api.permissions import is_service, is_staff
from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.inventory.services import book_create, book_update
from bookshop.store.inventory.validators import (
    isbn_is_valid,
    normalize_isbn,
    validate_book_image,
)
from bookshop.store.orders.models import Order, OrderItem

# Ids are 64-bit: a bigger number is a bad request, not a database overflow.
MAX_ID = 2**63 - 1
MAX_ITEMS_PER_ORDER = 100
MAX_UNITS_PER_LINE = 1000
MAX_COPIES_PER_POST = 1000


class WhoAmISerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=["staff", "service", "user"]))
    def get_role(self, user) -> str:
        if is_staff(user):
            return "staff"
        if is_service(user):
            return "service"
        return "user"


# -- books ------------------------------------------------------------------------------------


class PublicImageField(serializers.ImageField):
    """Upload: a JPEG, PNG, WebP or GIF file. Read: its absolute URL, or null."""

    def to_representation(self, value):
        if not value:
            return None
        return f"{settings.STORE_PUBLIC_URL}{value.url}"


class BookSerializer(serializers.ModelSerializer):
    isbn = serializers.CharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="ISBN-10 or ISBN-13; hyphens and spaces are dropped.",
    )
    price = serializers.DecimalField(
        max_digits=10, decimal_places=2, min_value=0, help_text='A string such as "12.50".'
    )
    image = PublicImageField(
        required=False,
        allow_null=True,
        validators=[validate_book_image],
        help_text="Absolute URL of the cover, or null. Upload with multipart/form-data.",
    )
    quantity = serializers.IntegerField(
        source="available",
        read_only=True,
        help_text="Copies available to order: in stock minus reserved by open orders; "
        "0 for an inactive book.",
    )

    class Meta:
        model = Book
        fields = [
            "id",
            "title",
            "author",
            "isbn",
            "description",
            "price",
            "image",
            "quantity",
            "is_active",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]

    def validate_isbn(self, value: str) -> str:
        value = normalize_isbn(value)
        if value and not isbn_is_valid(value):
            raise serializers.ValidationError(
                "Enter a valid ISBN-10 or ISBN-13 (check digit included)."
            )
        return value

    def create(self, validated_data):
        return book_create(data=validated_data)

    def update(self, instance, validated_data):
        return book_update(book=instance, data=validated_data)


class BookItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = BookItem
        fields = ["id", "place", "status"]
        read_only_fields = fields


class BookItemsAddSerializer(serializers.Serializer):
    place = serializers.CharField(max_length=64, help_text="Shelf place, e.g. A-03-2.")
    count = serializers.IntegerField(
        min_value=1,
        max_value=MAX_COPIES_PER_POST,
        default=1,
        help_text="How many copies to put at this place.",
    )


# -- orders -----------------------------------------------------------------------------------


class OrderItemSerializer(serializers.ModelSerializer):
    book = serializers.IntegerField(source="book_id")
    unit_price = serializers.DecimalField(max_digits=10, decimal_places=2)

    class Meta:
        model = OrderItem
        fields = ["book", "title", "quantity", "unit_price"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    items = OrderItemSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "shop_order_id",
            "customer_email",
            "delivery_address",
            "status",
            "fail_reason",
            "items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrderLineSerializer(serializers.Serializer):
    book = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="A book id.")
    quantity = serializers.IntegerField(min_value=1, max_value=MAX_UNITS_PER_LINE)


class StrictUUIDField(serializers.UUIDField):
    """A UUID written as a string; DRF would also take an integer, which no client means."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid", value=data)
        return super().to_internal_value(data)


class OrderCreateSerializer(serializers.Serializer):
    shop_order_id = StrictUUIDField(
        help_text="The client's id for the order. Sending it again with the same content "
        "returns the same order."
    )
    customer_email = serializers.EmailField(max_length=254)
    delivery_address = serializers.CharField(max_length=2000)
    items = OrderLineSerializer(
        many=True,
        allow_empty=False,
        max_length=MAX_ITEMS_PER_ORDER,
        help_text="One line per book; a book listed twice is a 400.",
    )

    def validate_items(self, items: list[dict]) -> list[dict]:
        # Errors are keyed by the line's index, as DRF does for the lines' own fields.
        known = set(
            Book.objects.filter(pk__in=[i["book"] for i in items]).values_list("pk", flat=True)
        )
        seen: set[int] = set()
        errors: dict[str, dict] = {}
        for index, item in enumerate(items):
            if item["book"] not in known:
                errors[str(index)] = {"book": [f"Book {item['book']} does not exist."]}
            elif item["book"] in seen:
                errors[str(index)] = {
                    "book": [
                        f"Book {item['book']} is listed more than once; send one line per book."
                    ]
                }
            seen.add(item["book"])
        if errors:
            raise serializers.ValidationError(errors)
        return items


class OrderPackSerializer(serializers.Serializer):
    book_items = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        max_length=MAX_ITEMS_PER_ORDER * MAX_UNITS_PER_LINE,
        help_text="Ids of the copies packed into the order; replaces earlier picks.",
    )


class OrderCompleteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class OrderFailSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="Why the order failed.")


class ShortageSerializer(serializers.Serializer):
    book = serializers.IntegerField()
    title = serializers.CharField()
    requested = serializers.IntegerField()
    available = serializers.IntegerField()


class ConflictSerializer(serializers.Serializer):
    code = serializers.ChoiceField(
        choices=[
            "shop_order_id_conflict",
            "insufficient_stock",
            "invalid_transition",
            "order_closed",
            "not_packed",
        ]
    )
    detail = serializers.CharField()
    items = ShortageSerializer(
        many=True, required=False, help_text="With insufficient_stock: the short lines."
    )


# -- auth -------------------------------------------------------------------------------------


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
