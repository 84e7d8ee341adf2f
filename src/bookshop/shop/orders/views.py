import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bookshop.shop.accounts.models import User
from bookshop.shop.accounts.requests import AuthenticatedRequest
from bookshop.shop.cart.cart import Cart
from bookshop.shop.cart.selectors import cart_summary
from bookshop.shop.orders.cancelling import OrderNotCancellable, order_cancel_request
from bookshop.shop.orders.forms import CheckoutForm, GuestCheckoutForm
from bookshop.shop.orders.models import Order
from bookshop.shop.orders.placing import (
    CheckoutError,
    CheckoutStale,
    checkout_cart_check,
    order_place,
)
from bookshop.shop.orders.reorder import order_items_to_cart
from bookshop.shop.orders.selectors import (
    order_get_for_customer,
    order_last_delivery,
    order_list_for_customer,
)
from bookshop.shop.orders.tracking import order_for_tracking_token, tracking_path, tracking_url


@require_http_methods(["GET", "POST"])
def checkout(request: HttpRequest) -> HttpResponse:
    """Delivery details and the cart once more; "Place order" makes the order. No account
    needed: a guest gives an email too, and follows the order by its tracking link."""
    cart = Cart(request.session)
    user = request.user if request.user.is_authenticated else None
    form_class = CheckoutForm if user is not None else GuestCheckoutForm
    if not cart and request.method == "GET":
        messages.info(request, "Your cart is empty. Add a book or two first.")
        return redirect("cart:detail")
    problems: list[str] = []
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            order = order_place(
                user=user,
                email=form.cleaned_data.get("email", ""),
                cart=cart,
                delivery_address=form.cleaned_data["delivery_address"],
                phone=form.cleaned_data["phone"],
                uuid=form.cleaned_data["token"],
                cart_version=form.cleaned_data["cart_version"],
            )
        except CheckoutStale as exc:
            if exc.order is not None:
                for problem in exc.problems:
                    messages.warning(request, problem)
                return redirect(exc.order)
            # Shown again for the cart as it is now, with what the customer typed.
            problems = exc.problems
            form = _fresh_form(cart, form.cleaned_data, form_class)
        except CheckoutError as exc:
            problems = exc.problems
        else:
            if user is None:
                return redirect(f"{tracking_path(order=order)}?placed=1")
            return redirect("orders:placed", pk=order.pk)
    elif request.method == "GET":
        notice = checkout_cart_check(user=user, cart=cart)
        if notice:
            messages.warning(request, notice)
        last = order_last_delivery(user=user) if user is not None else None
        form = _fresh_form(
            cart,
            {
                "delivery_address": last.delivery_address if last else "",
                "phone": last.phone if last else "",
            },
            form_class,
        )
    summary = cart_summary(cart=cart)
    return render(
        request,
        "orders/checkout.html",
        {"form": form, "summary": summary, "problems": problems},
    )


def _fresh_form(
    cart: Cart, details: dict, form_class: type[CheckoutForm] = CheckoutForm
) -> CheckoutForm:
    """A checkout form for the cart as it is now: a new order uuid, the cart's version."""
    return form_class(
        initial={
            "email": details.get("email", ""),
            "delivery_address": details.get("delivery_address", ""),
            "phone": details.get("phone", ""),
            "token": uuid.uuid4(),
            "cart_version": cart.version,
        }
    )


@login_required
@require_GET
def order_list(request: AuthenticatedRequest) -> HttpResponse:
    """My orders: the customer's own, newest first, paginated."""
    page = Paginator(
        order_list_for_customer(user=request.user), settings.ORDERS_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(request, "orders/order_list.html", {"page": page, "orders": page.object_list})


@login_required
@require_GET
def order_detail(request: AuthenticatedRequest, pk: int, placed: bool = False) -> HttpResponse:
    """One of the customer's orders; anyone else's is a 404, as if it did not exist."""
    order = order_get_for_customer(user=request.user, pk=pk)
    if order is None:
        raise Http404("No such order.")
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "placed": placed,
            "tracking_url": tracking_url(order=order),
            "cancel_url": reverse("orders:cancel", args=[order.pk]),
            "reorder_url": reverse("orders:reorder", args=[order.pk]),
        },
    )


@require_GET
def order_track(request: HttpRequest, token: str) -> HttpResponse:
    """The order its tracking link names, without logging in; a bad token is a 404."""
    order = order_for_tracking_token(token=token)
    if order is None:
        raise Http404("No such order.")
    return render(
        request,
        "orders/order_detail.html",
        {
            "order": order,
            "placed": request.GET.get("placed") == "1",
            "tracking": True,
            "tracking_url": tracking_url(order=order),
            "cancel_url": reverse("orders:track_cancel", args=[token]),
            "reorder_url": reverse("orders:track_reorder", args=[token]),
            "status_url": reverse("orders:track_status", args=[token]),
        },
    )


@require_POST
def order_track_cancel(request: HttpRequest, token: str) -> HttpResponse:
    """ "Cancel order" from the tracking link (the link is the customer's authority)."""
    order = order_for_tracking_token(token=token)
    if order is None:
        raise Http404("No such order.")
    _cancel(request, order, actor=None)
    return redirect("orders:track", token=token)


@login_required
@require_POST
def order_cancel(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """ "Cancel order": the shop cancels it at once if the store never saw it, else asks the
    store through the worker and the page shows "Cancelling…" until it answers."""
    order = order_get_for_customer(user=request.user, pk=pk)
    if order is None:
        raise Http404("No such order.")
    _cancel(request, order, actor=request.user)
    return redirect(order)


def _cancel(request: HttpRequest, order: Order, *, actor: User | None) -> None:
    try:
        order = order_cancel_request(order=order, actor=actor)
    except OrderNotCancellable as exc:
        messages.error(
            request,
            f"Order {order.number} can no longer be cancelled: it is "
            f"{exc.order.get_status_display().lower()}.",
        )
    else:
        if order.status == Order.Status.CANCELLED:
            messages.success(request, f"Order {order.number} is cancelled.")
        else:
            messages.info(
                request,
                f"Cancelling order {order.number}: we are asking the warehouse and will "
                "email you when it is done.",
            )


BADGES = {
    "success": "text-bg-success",
    "fail": "text-bg-danger",
    "in_work": "text-bg-primary",
    "cancelling": "text-bg-warning",
}


def _status_answer(order: Order) -> JsonResponse:
    """What the page's script needs to show the order's status as it is now."""
    state = "cancelling" if order.cancelling else order.status
    response = JsonResponse(
        {
            "number": order.number,
            "status": order.status,
            "status_display": "Cancelling…" if order.cancelling else order.get_status_display(),
            "badge_class": BADGES.get(state, "text-bg-secondary"),
            "cancelling": order.cancelling,
            "fail_reason": order.fail_reason if order.status == Order.Status.FAIL else "",
            # Worth asking again: the store has not answered yet. (What else the page shows
            # for the new status, the script takes from the page itself, fetched again.)
            "live": order.status == Order.Status.PENDING or order.cancelling,
        }
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def order_status(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The order's status as JSON, for its owner (the page's live status)."""
    order = Order.objects.filter(user=request.user, pk=pk).first()
    if order is None:
        raise Http404("No such order.")
    return _status_answer(order)


@require_GET
def order_track_status(request: HttpRequest, token: str) -> HttpResponse:
    """The order's status as JSON, for the holder of its tracking link."""
    order = order_for_tracking_token(token=token, details=False)
    if order is None:
        raise Http404("No such order.")
    return _status_answer(order)


def _reorder(request: HttpRequest, order: Order) -> HttpResponse:
    if order.status != Order.Status.FAIL:
        messages.info(request, f"Order {order.number} did not fail; nothing to put back.")
        return redirect(order)
    result = order_items_to_cart(order=order, cart=Cart(request.session))
    if result.added:
        messages.success(
            request, f"{result.added} of the books from order {order.number} are in your cart."
        )
    for title in result.missing:
        messages.warning(request, f"“{title}” is not available now, so it is not in your cart.")
    return redirect("cart:detail")


@login_required
@require_POST
def order_reorder(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """ "Put the available books back in my cart", for a failed order's owner."""
    order = order_get_for_customer(user=request.user, pk=pk)
    if order is None:
        raise Http404("No such order.")
    return _reorder(request, order)


@require_POST
def order_track_reorder(request: HttpRequest, token: str) -> HttpResponse:
    order = order_for_tracking_token(token=token)
    if order is None:
        raise Http404("No such order.")
    return _reorder(request, order)
