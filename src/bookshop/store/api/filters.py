"""Query parameters of the list endpoints.

Each takes exactly what the schema says it takes (an empty value counts as absent); the
schema of each is stated here beside the code that reads it.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.core.validators import EMPTY_VALUES
from django.db.models import QuerySet
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter
from rest_framework.request import Request

from bookshop.common.languages import languages_with_codes
from bookshop.store.api.fields import NO_NUL
from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.orders.models import Order


def documented(filter_: filters.Filter, schema: dict[str, Any]) -> filters.Filter:
    """The filter, with the schema its query parameter has in the OpenAPI document."""
    return extend_schema_field(schema)(filter_)


class NamedFiltersBackend(filters.DjangoFilterBackend):
    """django-filter's backend, which does nothing to a list whose query names none of the
    filter set's parameters (every filter skips an absent value): such a request, the
    commonest, is not made to build and validate the filter form, which cost a quarter
    of a 50-book page."""

    def filter_queryset(self, request: Request, queryset: QuerySet[Any], view: Any) -> Any:
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None and not (
            request.query_params.keys() & filterset_class.base_filters.keys()
        ):
            return queryset
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` with the view's `ordering_fields` only, comma-separated, each optionally
    with `-` (anything else is a 400), and `id` appended as a tie-breaker so the cursor
    pagination sees one fixed order."""

    @staticmethod
    def pattern(fields: list[str]) -> str:
        term = "-?(?:{})".format("|".join(re.escape(name) for name in fields))
        return f"^{term}(?:,{term})*$"

    def get_ordering(self, request: Request, queryset: QuerySet[Any], view: Any) -> list[str]:
        raw = request.query_params.get(self.ordering_param, "")
        allowed = list(view.ordering_fields)
        if raw:
            if not re.fullmatch(self.pattern(allowed), raw):
                choices = ", ".join(f"{name}, -{name}" for name in allowed)
                raise ValidationError(
                    {self.ordering_param: [f"Unknown ordering {raw!r}; choose from {choices}."]}
                )
            ordering = raw.split(",")
        else:
            ordering = list(view.ordering)
        if not any(term.lstrip("-") in ("id", "pk") for term in ordering):
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return ordering

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        names = [f"{p}{name}" for name in view.ordering_fields for p in ("", "-")]
        return [
            {
                "name": self.ordering_param,
                "required": False,
                "in": "query",
                "description": "Comma-separated fields to sort by, `-` for descending; "
                "one of: " + ", ".join(names) + ".",
                "schema": {"type": "string", "pattern": self.pattern(list(view.ordering_fields))},
            }
        ]


class FieldSearchFilter(SearchFilter):
    """DRF's search, with its one input error reported under the `search` parameter."""

    def get_search_terms(self, request):
        if "\x00" in request.query_params.get(self.search_param, ""):
            raise ValidationError({self.search_param: ["Null characters are not allowed."]})
        return super().get_search_terms(request)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["description"] = (
                "Words to find in the " + " or ".join(view.search_fields) + " (case-insensitive)."
            )
            parameter["schema"]["pattern"] = NO_NUL
        return parameters


# RFC 3339, the `date-time` of JSON Schema: Python reads many more ISO 8601 spellings.
_RFC3339 = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?(?:[Zz]|[+-][0-9]{2}:[0-9]{2})"
)


EARLIEST = datetime(1, 1, 1, tzinfo=UTC)
LATEST = datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)


class RFC3339Field(forms.Field):
    """An RFC 3339 date-time, as an aware datetime in UTC.

    Instants beyond what Python's datetime holds in UTC (year 1 with a positive offset,
    year 9999 with a negative one) are read as the earliest or latest one: no row is
    older or newer than those anyway.
    """

    default_error_messages = {
        "invalid": "Enter an RFC 3339 date-time with an offset, such as 2026-11-25T12:30:00Z."
    }

    def to_python(self, value: Any) -> datetime | None:
        if value in EMPTY_VALUES:
            return None
        if not isinstance(value, str) or not _RFC3339.fullmatch(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        try:
            parsed = datetime.fromisoformat(value.upper())
        except ValueError:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from None
        try:
            return parsed.astimezone(UTC)
        except OverflowError:
            offset = parsed.utcoffset()
            earliest = offset is not None and offset.total_seconds() > 0
            return EARLIEST if earliest else LATEST


class RFC3339Filter(filters.Filter):
    field_class = RFC3339Field


def _changed_after(what: str) -> filters.Filter:
    return documented(
        RFC3339Filter(field_name="updated_at", lookup_expr="gt"),
        {
            "type": "string",
            "format": "date-time",
            "description": f"Only {what} changed strictly after this RFC 3339 date-time "
            "(with an offset or Z).",
        },
    )


# django-filter's own cap for numbers (no price comes near it), stated exactly.
PRICE_BOUND_MAX = 10**50


def _price_bound(lookup: str, description: str) -> filters.Filter:
    return documented(
        filters.NumberFilter(
            field_name="price",
            lookup_expr=lookup,
            min_value=0,
            max_value=Decimal(PRICE_BOUND_MAX),
        ),
        {"type": "number", "minimum": 0, "maximum": PRICE_BOUND_MAX, "description": description},
    )


_BOOLEAN = [("true", "true"), ("false", "false")]


def _language_choices() -> list[tuple[str, str]]:
    return [(language.alpha_2, language.name) for language in languages_with_codes()]


class BookFilter(filters.FilterSet):
    min_price = _price_bound("gte", "Only books at this price or more.")
    max_price = _price_bound("lte", "Only books at this price or less.")
    updated_after = _changed_after("books")
    is_active = documented(
        filters.ChoiceFilter(choices=_BOOLEAN, method="filter_is_active"),
        {
            "type": "boolean",
            "description": "Only active books (true) or only inactive ones (false); "
            "without it, both.",
        },
    )

    subject = documented(
        filters.CharFilter(method="filter_subject", max_length=100),
        {"type": "string", "maxLength": 100, "pattern": NO_NUL,
         "description": "Only books with the subject of this slug."},
    )  # fmt: skip
    author = documented(
        filters.CharFilter(field_name="author", lookup_expr="iexact", max_length=255),
        {"type": "string", "maxLength": 255, "pattern": NO_NUL,
         "description": "Only books by this author (the whole name, case-insensitive)."},
    )  # fmt: skip
    language = documented(
        filters.ChoiceFilter(choices=_language_choices, field_name="language"),
        {
            "type": "string",
            "enum": [code for code, _ in _language_choices()],
            "description": "Only books in this language: an ISO 639-1 code (en, fr, de…).",
        },
    )
    format = filters.ChoiceFilter(choices=Book.Format.choices)

    class Meta:
        model = Book
        fields = [
            "min_price",
            "max_price",
            "updated_after",
            "is_active",
            "subject",
            "author",
            "language",
            "format",
        ]

    def filter_subject(self, queryset, name, value):
        # A subquery, not a join: a join would need DISTINCT to keep one row per book.
        return queryset.filter(
            pk__in=Book.subjects.through.objects.filter(subject__slug=value).values("book_id")
        )

    def filter_is_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "true")


class BookItemFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=BookItem.Status.choices)

    class Meta:
        model = BookItem
        fields = ["status"]


# What the database's bigint holds: a larger number matches no order, so it is a 400.
BIGINT_MAX = 2**63 - 1


class WholeNumberFilter(filters.Filter):
    """An exact whole number ("5"; "5.0" and "five" are a 400)."""

    field_class = forms.IntegerField


class OrderFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Order.Status.choices)
    updated_after = _changed_after("orders")
    shop_order_number = documented(
        WholeNumberFilter(min_value=1, max_value=BIGINT_MAX),
        {
            "type": "integer",
            "minimum": 1,
            "maximum": BIGINT_MAX,
            "description": "Only orders with this shop order number (the customer's #5).",
        },
    )

    class Meta:
        model = Order
        fields = ["status", "updated_after", "shop_order_number"]
