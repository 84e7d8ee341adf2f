from typing import Any

from django import template

from bookshop.shop.alerts.forms import StockAlertForm
from bookshop.shop.alerts.services import stock_alert_waiting_for
from bookshop.shop.catalog.models import Book
from bookshop.shop.core.page_cache import mark_personal

register = template.Library()


@register.inclusion_tag("alerts/_back_in_stock.html", takes_context=True)
def back_in_stock(context: template.Context, book: Book) -> dict[str, Any]:
    """ "Email me when it's back" for a book with no copies: one click for a signed-in
    customer (one query, to say whether they wait already), an address for a guest (none)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated and user.email)
    waiting = stock_alert_waiting_for(book=book, user=user) if signed_in and user else None
    if signed_in and request is not None and book.is_active and not book.in_stock:
        mark_personal(request)  # their address, and whether they wait already
    return {
        "book": book,
        "shown": book.is_active and not book.in_stock,
        "signed_in": signed_in,
        "user": user,
        "waiting": waiting,
        "form": context.get("stock_alert_form") or StockAlertForm(),
        "csrf_token": context.get("csrf_token"),
        "request": request,
    }
