"""Subscribing to a book's return and unsubscribing from the email's link."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from bookshop.shop.alerts import services
from bookshop.shop.alerts.forms import StockAlertForm
from bookshop.shop.catalog.models import Book


@require_POST
def subscribe(request: HttpRequest, book_id: int) -> HttpResponse:
    """ "Email me when it's back": a guest's address from the form, a customer's own."""
    book = get_object_or_404(Book, pk=book_id)
    form = StockAlertForm(request.POST)
    form.is_valid()
    try:
        result = services.stock_alert_subscribe(
            book=book, email=form.cleaned_data.get("email", ""), user=request.user
        )
    except services.AlertError as exc:
        if exc.field is None:
            messages.info(request, exc.message)
            return redirect(book.get_absolute_url())
        form.add_error(exc.field, exc.message)
        # The form again, with its error, on a small page of its own (200, as Django forms).
        return render(request, "alerts/subscribe.html", {"book": book, "stock_alert_form": form})
    address = result.alert.email
    if result.created:
        messages.success(request, f"We will email {address} once “{book.title}” is back.")
    else:
        messages.info(request, f"{address} is already on the list for “{book.title}”.")
    return redirect(book.get_absolute_url())


@csrf_exempt  # the signed token is the authority, not a session; RFC 8058's one-click POST
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The email's unsubscribe link: a page with one button (a link scanner's GET must not
    unsubscribe anyone), and the POST that ends every waiting alert of the address."""
    email = services.unsubscribe_email_of(token)
    if email is None:
        return render(request, "alerts/unsubscribe.html", {"invalid": True}, status=404)
    done = request.method == "POST"
    if done:
        services.stock_alerts_unsubscribe(email=email)
    return render(request, "alerts/unsubscribe.html", {"email": email, "done": done})
