"""Query parameters of the list endpoints."""

from django_filters import rest_framework as filters
from rest_framework.exceptions import ValidationError
from rest_framework.filters import OrderingFilter, SearchFilter

from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.orders.models import Order


class StrictOrderingFilter(OrderingFilter):
    """`?ordering=` with the view's `ordering_fields` only (unknown names are a 400), and
    `id` appended as a tie-breaker so the cursor pagination sees one fixed order."""

    def get_ordering(self, request, queryset, view) -> list[str]:
        raw = request.query_params.get(self.ordering_param, "").strip()
        allowed = list(view.ordering_fields)
        if raw:
            ordering = [term.strip() for term in raw.split(",") if term.strip()]
            unknown = [term for term in ordering if term.lstrip("-") not in allowed]
            if unknown or not ordering:
                choices = ", ".join(f"{name}, -{name}" for name in allowed)
                raise ValidationError(
                    {self.ordering_param: [f"Unknown ordering {raw!r}; choose from {choices}."]}
                )
        else:
            ordering = list(view.ordering)
        if not any(term.lstrip("-") in ("id", "pk") for term in ordering):
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return ordering

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            names = [f"{p}{name}" for name in view.ordering_fields for p in ("", "-")]
            parameter["description"] = (
                "Comma-separated fields to sort by; one of: " + ", ".join(names) + "."
            )
        return parameters


class FieldSearchFilter(SearchFilter):
    """DRF's search, with its one input error reported under the `search` parameter."""

    def get_search_terms(self, request):
        if "\x00" in request.query_params.get(self.search_param, ""):
            raise ValidationError({self.search_param: ["Null characters are not allowed."]})
        return super().get_search_terms(request)


_BOOLEAN = [("true", "true"), ("false", "false")]


class BookFilter(filters.FilterSet):
    min_price = filters.NumberFilter(field_name="price", lookup_expr="gte", min_value=0)
    max_price = filters.NumberFilter(field_name="price", lookup_expr="lte", min_value=0)
    updated_after = filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gt",
        help_text="Only books changed strictly after this ISO 8601 date-time.",
    )
    is_active = filters.ChoiceFilter(choices=_BOOLEAN, method="filter_is_active")

    class Meta:
        model = Book
        fields = ["min_price", "max_price", "updated_after", "is_active"]

    def filter_is_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "true")


class BookItemFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=BookItem.Status.choices)

    class Meta:
        model = BookItem
        fields = ["status"]


class OrderFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Order.Status.choices)
    updated_after = filters.IsoDateTimeFilter(
        field_name="updated_at",
        lookup_expr="gt",
        help_text="Only orders changed strictly after this ISO 8601 date-time.",
    )

    class Meta:
        model = Order
        fields = ["status", "updated_after"]
