"""The cart page and its mutations. Every mutation is a CSRF-protected POST that answers
JSON to the page's script and redirects a plain form post (no JavaScript needed)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from bookshop.shop.cart import services
from bookshop.shop.cart.cart import Cart
from bookshop.shop.cart.selectors import CartLine, cart_summary
from bookshop.shop.catalog.models import Book
from bookshop.shop.core.money import money_format
from bookshop.shop.orders.delivery import charges_for

_LEVEL = {
    "success": messages.SUCCESS,
    "info": messages.INFO,
    "warning": messages.WARNING,
    "error": messages.ERROR,
}


def wants_json(request: HttpRequest) -> bool:
    """The cart script asks for JSON; a browser's own form post asks for HTML."""
    accept = request.headers.get("Accept", "")
    return "application/json" in accept and "text/html" not in accept


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse("cart:detail")


def _delivery_display(fee: Decimal) -> str:
    return money_format(fee) if fee else "Free"


def _state(cart: Cart) -> dict:
    summary = cart_summary(cart=cart)
    charges = charges_for(subtotal=summary.total)
    return {
        "count": summary.count,
        "total": f"{summary.total:.2f}",
        "total_display": money_format(summary.total),
        "delivery_display": _delivery_display(charges.delivery),
        "amount_due_display": money_format(charges.total),
        "has_problems": bool(summary.problems),
    }


def _line(book: Book, quantity: int) -> dict:
    line = CartLine(book=book, quantity=quantity)
    return {
        "book_id": book.pk,
        "quantity": quantity,
        "max": line.available,
        "line_total": f"{line.line_total:.2f}",
        "line_total_display": money_format(line.line_total),
        "problem": line.problem if quantity else "",
        "limit": line.limit,
    }


def _answer(request: HttpRequest, change: services.CartChange, status: int = 200) -> HttpResponse:
    cart = Cart(request.session)
    if wants_json(request):
        return JsonResponse(
            {
                "ok": change.ok,
                "message": change.message,
                "level": change.level,
                "line": _line(change.book, change.quantity),
                **_state(cart),
            },
            status=status if change.ok else 409,
        )
    messages.add_message(request, _LEVEL[change.level], change.message)
    return redirect(_next_url(request))


def _bad_request(request: HttpRequest, field: str, message: str) -> HttpResponse:
    if wants_json(request):
        return JsonResponse(
            {"ok": False, "message": message, "level": "error", "errors": {field: [message]}},
            status=400,
        )
    messages.error(request, message)
    return redirect(_next_url(request))


def _book_action(
    operation: Callable[..., services.CartChange],
) -> Callable[[HttpRequest, int], HttpResponse]:
    @require_POST
    def view(request: HttpRequest, book_id: int) -> HttpResponse:
        book = get_object_or_404(Book, pk=book_id)
        return _answer(request, operation(cart=Cart(request.session), book=book))

    view.__doc__ = operation.__doc__
    return view


@require_POST
def add(request: HttpRequest, book_id: int) -> HttpResponse:
    """Add copies of a book (from a book card or the book page)."""
    book = get_object_or_404(Book, pk=book_id)
    raw = request.POST.get("quantity", "1") or "1"
    try:
        quantity = int(raw)
    except ValueError:
        return _bad_request(request, "quantity", "Enter a whole number of copies.")
    if not 1 <= quantity <= services.MAX_ADD:
        return _bad_request(request, "quantity", f"Choose between 1 and {services.MAX_ADD} copies.")
    return _answer(
        request, services.cart_add(cart=Cart(request.session), book=book, quantity=quantity)
    )


increase = _book_action(services.cart_increase)
decrease = _book_action(services.cart_decrease)
remove = _book_action(services.cart_remove)


@require_POST
def clear(request: HttpRequest) -> HttpResponse:
    """Empty the cart."""
    cart = Cart(request.session)
    services.cart_clear(cart=cart)
    message = "Your cart is empty now."
    if wants_json(request):
        return JsonResponse(
            {"ok": True, "message": message, "level": "info", "line": None, **_state(cart)}
        )
    messages.info(request, message)
    return redirect(_next_url(request))


@require_GET
def detail(request: HttpRequest) -> HttpResponse:
    """The cart page."""
    summary = cart_summary(cart=Cart(request.session))
    return render(request, "cart/detail.html", {"summary": summary})
