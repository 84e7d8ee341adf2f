"""The JSON shapes of Store API v1 (see docs/api.md)."""

import re
from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from bookshop.common.languages import languages_with_codes
from bookshop.store.api.fields import (
    CheckedText,
    Email,
    Flag,
    FormFlag,
    IdList,
    Money,
    Text,
    UUIDString,
    WholeNumber,
    in_form,
)
from bookshop.store.api.permissions import is_service, is_staff
from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.inventory.services import (
    book_create,
    book_update,
    subjects_get_or_create,
)
from bookshop.store.inventory.validators import (
    YEAR_MAX,
    YEAR_MIN,
    validate_published_year,
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
    def get_role(self, user: Any) -> str:
        if is_staff(user):
            return "staff"
        if is_service(user):
            return "service"
        return "user"


# -- books ------------------------------------------------------------------------------------


class PublicImageField(serializers.ImageField):
    """Write: a JPEG, PNG, WebP or GIF file (multipart), or null to remove the cover.
    Read: its absolute URL, or null."""

    def to_representation(self, value):
        if not value:
            return None
        return f"{settings.STORE_PUBLIC_URL}{value.url}"


MAX_SUBJECTS_PER_BOOK = 20


SUBJECT_NAME_NEEDS = re.compile(r"[A-Za-z0-9]")


class SubjectsField(serializers.Field):
    """Read: the book's subjects as `{name, slug}` objects, by name. Write: their names, a
    list that replaces the book's subjects; a name not known yet makes a new subject.

    Names stay names until the service runs: nothing is created for a request that fails.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.names = serializers.ListField(
            child=Text(max_length=100),
            max_length=MAX_SUBJECTS_PER_BOOK,
        )

    def to_representation(self, value: Any) -> list[dict[str, str]]:
        # `.all()` reads the prefetched subjects; sorted here, not by a second query.
        subjects = sorted(value.all(), key=lambda subject: subject.name)
        return [{"name": subject.name, "slug": subject.slug} for subject in subjects]

    def to_internal_value(self, data: Any) -> list[str]:
        if isinstance(data, str) and in_form(self):
            # A form field holds one string: the names separated by semicolons.
            data = data.split(";") if data.strip() else []
        names = self.names.run_validation(data)
        # A slug is made of the name's letters A-Z and digits: a name needs one (the
        # schema's pattern says the same).
        blank = [name for name in names if not SUBJECT_NAME_NEEDS.search(name)]
        if blank:
            raise serializers.ValidationError(
                f"{blank[0]!r} is not a usable subject name: it needs a letter A-Z or a digit."
            )
        return names


class FormSubjectsField(SubjectsField):
    """`subjects` in a multipart form: one text field, the names separated by semicolons
    (an empty field clears them)."""

    def to_internal_value(self, data: Any) -> list[str]:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data.split(";") if data.strip() else [])


def _year(*, nullable: bool) -> WholeNumber:
    return WholeNumber(
        required=False,
        allow_null=nullable,
        min_value=YEAR_MIN,
        max_value=YEAR_MAX,
        help_text="Year of first publication; negative for BCE. Not after next year.",
    )


def _pages(*, nullable: bool) -> WholeNumber:
    return WholeNumber(required=False, allow_null=nullable, min_value=1, max_value=100_000)


def _series_number(*, nullable: bool) -> WholeNumber:
    return WholeNumber(required=False, allow_null=nullable, min_value=1, max_value=32767)


ACTIVE_HELP = (
    "Inactive books stay in the API (so the shop learns they are gone) but cannot be ordered."
)


class BookSerializer(serializers.ModelSerializer):
    """A book of the catalogue. Beyond the fields' shapes, the ISBN's check digit and the
    cover's type and size are checked (a 400 on that field)."""

    title = Text(max_length=255)
    author = Text(max_length=255)
    isbn = Text(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="ISBN-10 or ISBN-13 with its check digit; hyphens and spaces are dropped.",
    )
    description = Text(required=False, allow_blank=True)
    price = Money(help_text='At least 0, two decimals at most: "12.50".')
    image: serializers.ImageField = PublicImageField(
        required=False,
        allow_null=True,
        help_text="Absolute URL of the cover, or null. Upload one with multipart/form-data; "
        "null removes it.",
    )
    quantity = serializers.IntegerField(
        source="available",
        read_only=True,
        help_text="Copies available to order: in stock minus reserved by open orders; "
        "0 for an inactive book.",
    )
    is_active = Flag(required=False, help_text=ACTIVE_HELP)
    subjects = SubjectsField(
        required=False,
        help_text="The book's genres, by name. Read: `{name, slug}` objects; written: "
        "a list of names replacing them all (a new name makes a new subject).",
    )
    publisher = Text(max_length=255, required=False, allow_blank=True)
    published_year = _year(nullable=True)
    format = serializers.ChoiceField(choices=Book.Format.choices, required=False)
    pages = _pages(nullable=True)
    language = serializers.ChoiceField(
        choices=[(language.alpha_2, language.name) for language in languages_with_codes()],
        required=False,
        help_text="ISO 639-1 code, lower case: en, fr, de…",
    )
    series = Text(max_length=255, required=False, allow_blank=True)
    series_number = _series_number(nullable=True)

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
            "subjects",
            "publisher",
            "published_year",
            "format",
            "pages",
            "language",
            "series",
            "series_number",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]

    def validate_published_year(self, value: int | None) -> int | None:
        try:
            validate_published_year(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
        return value

    @staticmethod
    def _with_subjects(validated_data: dict[str, Any]) -> dict[str, Any]:
        if "subjects" in validated_data:
            names = validated_data.pop("subjects")
            validated_data["subjects"] = subjects_get_or_create(names=names)
        return validated_data

    @transaction.atomic
    def create(self, validated_data):
        return book_create(data=self._with_subjects(validated_data))

    @transaction.atomic
    def update(self, instance, validated_data):
        return book_update(book=instance, data=self._with_subjects(validated_data))


class BookUploadSerializer(BookSerializer):
    """A book sent as multipart/form-data, to upload its cover in `image`. Every field of
    a form is text: `is_active` is "true" or "false". A form has at least one field."""

    schema_extra: ClassVar[dict[str, Any]] = {"minProperties": 1}

    image = serializers.ImageField(required=False, help_text="The cover: JPEG, PNG, WebP or GIF.")
    is_active = FormFlag(required=False, help_text=ACTIVE_HELP)
    subjects = FormSubjectsField(
        required=False,
        help_text="The book's genres: their names separated by semicolons.",
    )
    # A form has no null: an unknown year, page count or series number is left out.
    published_year = _year(nullable=False)
    pages = _pages(nullable=False)
    series_number = _series_number(nullable=False)


class BookItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = BookItem
        fields = ["id", "place", "status"]
        read_only_fields = fields


class BookItemsAddSerializer(serializers.Serializer):
    place = Text(max_length=64, help_text="Shelf place, e.g. A-03-2.")
    count = WholeNumber(
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
            "shop_order_number",
            "customer_email",
            "delivery_address",
            "delivery_fee",
            "status",
            "fail_reason",
            "items",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OrderLineSerializer(serializers.Serializer):
    book = WholeNumber(min_value=1, max_value=MAX_ID, help_text="A book id.")
    quantity = WholeNumber(min_value=1, max_value=MAX_UNITS_PER_LINE)


class OrderCreateSerializer(serializers.Serializer):
    """The order's shape; `order_create` judges its content (books that exist, one line
    per book, stock) and answers with field errors or a 409."""

    shop_order_id = UUIDString(
        help_text="The client's id for the order. Sending it again with the same content "
        "returns the same order."
    )
    shop_order_number = WholeNumber(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        help_text="The number the client's customer sees and quotes (the shop's #5); "
        "staff search by it. Optional for other clients.",
    )
    customer_email = Email(max_length=254)
    delivery_address = Text(max_length=2000)
    delivery_fee = Money(
        required=False,
        default=Decimal("0.00"),
        help_text="What the customer pays for delivery: at least 0, two decimals at most, "
        '"3.50". Defaults to "0.00".',
    )
    items = OrderLineSerializer(
        many=True,
        allow_empty=False,
        max_length=MAX_ITEMS_PER_ORDER,  # type: ignore[call-arg]  # DRF's, not in its stubs
        help_text="One line per book, of a book that exists; a book listed twice is a 400.",
    )


class OrderPackSerializer(serializers.Serializer):
    book_items = IdList(
        child=WholeNumber(min_value=1, max_value=MAX_ID),
        max_length=MAX_ITEMS_PER_ORDER * MAX_UNITS_PER_LINE,
        help_text="Ids of the copies packed into the order; replaces earlier picks.",
    )


class OrderCompleteSerializer(serializers.Serializer):
    note = Text(max_length=2000, required=False, allow_blank=True, default="")


class OrderCancelSerializer(serializers.Serializer):
    note = Text(max_length=2000, required=False, allow_blank=True, default="")


class OrderFailSerializer(serializers.Serializer):
    reason = CheckedText(max_length=2000, help_text="Why the order failed; not blank.")


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
            "order_not_cancellable",
        ]
    )
    detail = serializers.CharField()
    items = ShortageSerializer(
        many=True, required=False, help_text="With insufficient_stock: the short lines."
    )


# -- auth -------------------------------------------------------------------------------------


class CredentialsSerializer(serializers.Serializer):
    username = Text(max_length=150)
    password = Text(max_length=4096, trim_whitespace=False)


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()


class TooManyRequestsSerializer(serializers.Serializer):
    """A 429: the anonymous throttle (`detail` only), or a log-in lockout."""

    detail = serializers.CharField(help_text="Why, in a sentence.")
    # A plain string, not an enum: a second `code` enum would rename Conflict's in the schema.
    code = serializers.CharField(
        required=False,
        help_text="`locked_out`: too many failed log-ins for this username or from this "
        "address; no password is accepted until `retry_after` seconds have passed.",
    )
    retry_after = serializers.IntegerField(
        required=False, help_text="With `code`: seconds until log-in is allowed again."
    )
