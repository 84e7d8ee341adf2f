"""Template helpers for every shop page."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.conf import settings

register = template.Library()


@register.filter
def money(value) -> str:
    """A price with the shop's currency symbol and exactly two decimals: $12.50."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return ""
    return f"{settings.SHOP_CURRENCY_SYMBOL}{amount:,.2f}"


@register.simple_tag(takes_context=True)
def page_url(context, number) -> str:
    """A link to another page of the current listing, keeping its filters."""
    query = context.get("query_string") or ""
    return f"?{query}&page={number}" if query else f"?page={number}"


@register.filter
def control(field) -> str:
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
    attrs = {"class": css}
    if field.help_text:
        attrs["aria-describedby"] = f"{field.auto_id}_help"
    return field.as_widget(attrs=attrs)
