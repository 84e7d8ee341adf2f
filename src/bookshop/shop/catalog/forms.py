from decimal import Decimal
from typing import Any

from django import forms

from bookshop.shop.catalog.models import BookFormat
from bookshop.shop.catalog.selectors import SORT_RELEVANCE

SORT_CHOICES = [
    ("", "Best match"),
    ("title", "Title, A to Z"),
    ("price", "Price: low to high"),
    ("-price", "Price: high to low"),
    ("newest", "Newest"),
]


class CatalogFilterForm(forms.Form):
    """What a customer can ask the catalogue for; every field is optional."""

    q = forms.CharField(label="Search", max_length=200, required=False, strip=True)
    min_price = forms.DecimalField(
        label="Min price", required=False, min_value=Decimal("0"), decimal_places=2, max_digits=10
    )
    max_price = forms.DecimalField(
        label="Max price", required=False, min_value=Decimal("0"), decimal_places=2, max_digits=10
    )
    sort = forms.ChoiceField(label="Sort by", choices=SORT_CHOICES, required=False)
    subject = forms.SlugField(label="Subject", max_length=120, required=False)
    format = forms.ChoiceField(
        label="Format", choices=[("", "Any format"), *BookFormat.choices], required=False
    )
    language = forms.RegexField(
        label="Language", regex=r"^[a-z]{2}$", required=False,
        error_messages={"invalid": "Choose a language from the list."},
    )  # fmt: skip
    in_stock = forms.BooleanField(label="In stock only", required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("min_price"), data.get("max_price")
        if low is not None and high is not None and low > high:
            self.add_error("max_price", "The maximum price must not be below the minimum.")
        return data

    def search_arguments(self) -> dict:
        """Keyword arguments for selectors.book_search from the valid part of the form."""
        data = getattr(self, "cleaned_data", {})
        valid = {name: value for name, value in data.items() if name not in self.errors}
        return {
            "query": valid.get("q") or "",
            "min_price": valid.get("min_price"),
            "max_price": valid.get("max_price"),
            "sort": valid.get("sort") or SORT_RELEVANCE,
            "subject": valid.get("subject") or "",
            "format": valid.get("format") or "",
            "language": valid.get("language") or "",
            "in_stock": bool(valid.get("in_stock")),
        }

    def ignored(self) -> list[tuple[str, str]]:
        """(label, value) of every filter left out because its value was not valid."""
        if not self.is_bound:
            return []
        return [
            (str(self.fields[name].label), str(self.data.get(name, "")))
            for name in self.errors
            if name in self.fields
        ]
