"""Template helpers for every shop page."""

from decimal import Decimal, InvalidOperation

from django import template
from django.forms import BoundField
from django.template import Context
from django.utils.safestring import SafeString

from bookshop.shop.core.money import money_format

register = template.Library()


@register.filter
def money(value: object) -> str:
    """A price with the shop's currency symbol and exactly two decimals: $12.50."""
    if value is None or value == "":
        return ""
    try:
        return money_format(Decimal(str(value)))
    except InvalidOperation:
        return ""


@register.simple_tag(takes_context=True)
def page_url(context: Context, number: int) -> str:
    """A link to another page of the current listing, keeping its filters."""
    query = context.get("query_string") or ""
    return f"?{query}&page={number}" if query else f"?page={number}"


@register.filter
def control(field: BoundField) -> SafeString:
    """Render a bound form field's widget with Bootstrap's classes (and its error state)."""
    widget = field.field.widget
    if getattr(widget, "input_type", "") == "checkbox":
        css = "form-check-input"
    elif widget.__class__.__name__.endswith("Select"):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    attrs: dict[str, str | bool] = {"class": css}
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    return field.as_widget(attrs=attrs)


@register.filter
def tint(value: object) -> int:
    """One of six colour variants for a placeholder cover, stable per book."""
    try:
        return int(str(value)) % 6
    except ValueError:
        return 0
