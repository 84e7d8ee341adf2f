"""Placing an order: from the customer's cart to a pending order, queued for the store."""

from __future__ import annotations

import uuid as uuid_module

from django.db import IntegrityError, transaction
from django.db.models import QuerySet

from bookshop.shop import dispatch
from bookshop.shop.accounts.models import User
from bookshop.shop.cart.cart import Cart
from bookshop.shop.cart.selectors import cart_summary
from bookshop.shop.orders.delivery import delivery_fee_for
from bookshop.shop.orders.models import (
    DELIVERY_ADDRESS_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    Order,
    OrderEvent,
    OrderItem,
)
from bookshop.shop.orders.phone import phone_problem

Status = Order.Status


class CheckoutError(Exception):
    """The cart cannot be ordered as it stands; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class CheckoutStale(CheckoutError):
    """The checkout page that posted is older than the cart in the session: it was shown
    for a cart that has been ordered since (`order`), or that has changed since. Nothing
    was written and the cart is left as it is."""

    def __init__(self, problems: list[str], *, order: Order | None = None) -> None:
        super().__init__(problems)
        self.order = order


NO_EMAIL = (
    "Your account has no email address, and we send order updates by email: add one to "
    "your profile, then place your order."
)
GUEST_NO_EMAIL = "Enter your email address: we send the order's updates and tracking link there."
CART_CHANGED = (
    "Your cart changed after this checkout page was loaded. Check it below and place "
    "your order again."
)


def _already_ordered(order: Order) -> str:
    return (
        f"That checkout page was already used: it placed order {order.number}. "
        "Your cart is as you left it."
    )


def order_place(
    *,
    user: User | None,
    cart: Cart,
    delivery_address: str,
    phone: str = "",
    uuid: uuid_module.UUID | None = None,
    cart_version: str | None = None,
    email: str = "",
) -> Order:
    """Turn the cart into a pending order, in one transaction, and empty the cart.

    The cart is checked again against the mirror as it is now (a book may have left the
    catalogue or sold out since it went in); any problem raises CheckoutError and writes
    nothing. Prices are copied into the items. After commit the submission task is
    enqueued; if the broker refuses it, the order stays pending for the sweep to find.

    One cart makes at most one order: the order claims the cart's token (a unique
    column), so of several checkouts posted at once from as many tabs, one wins and the
    others raise CheckoutStale naming its order. The checkout form carries `uuid` (the
    order's uuid to be) and `cart_version` (the cart it showed); a form that already placed
    its order, or that shows another version of the cart, raises CheckoutStale and leaves
    the cart in the session alone. A double-clicked "Place order" whose two posts race
    returns the one order to both.
    """
    delivery_address = (delivery_address or "").strip()
    phone = (phone or "").strip()
    problems = []
    if not delivery_address:
        problems.append("Enter a delivery address.")
    elif len(delivery_address) > DELIVERY_ADDRESS_MAX_LENGTH:
        problems.append(
            f"The delivery address must be at most {DELIVERY_ADDRESS_MAX_LENGTH} characters."
        )
    if len(phone) > PHONE_MAX_LENGTH:
        problems.append(f"The phone number must be at most {PHONE_MAX_LENGTH} characters.")
    elif phone_problem(phone):
        problems.append(phone_problem(phone))
    email = user.email if user is not None else (email or "").strip()
    if user is not None and not email:
        problems.append(NO_EMAIL)
    elif not email:
        problems.append(GUEST_NO_EMAIL)
    if problems:
        raise CheckoutError(problems)

    if uuid is not None:
        placed = _order_placed_before(user=user, uuid=uuid)
        if placed is not None:
            raise CheckoutStale([_already_ordered(placed)], order=placed)
    if cart_version is not None and cart_version != cart.version:
        shown = Cart.token_of(cart_version)
        ordered = _own(Order.objects.filter(cart_token=shown), user).first() if shown else None
        if ordered is not None:
            raise CheckoutStale([_cart_ordered(ordered)], order=ordered)
        raise CheckoutStale([CART_CHANGED])
    token = cart.token
    try:
        with transaction.atomic():
            order = _order_create(
                user=user,
                email=email,
                cart=cart,
                delivery_address=delivery_address,
                phone=phone,
                uuid=uuid or uuid_module.uuid4(),
                cart_token=token,
            )
    except IntegrityError:
        # Another request won the claim on this cart, or on this form's uuid. The winner
        # empties the session's cart; this request leaves the session alone, or saving it
        # could bring the ordered cart back.
        if uuid is not None:
            same_form = _order_placed_before(user=user, uuid=uuid)
            if same_form is not None:
                return same_form
        claimed = order_for_cart(user=user, cart=cart)
        if claimed is None:
            raise
        raise CheckoutStale([_cart_ordered(claimed)], order=claimed) from None
    cart.clear()
    return order


def _cart_ordered(order: Order) -> str:
    return (
        f"That cart has already been ordered, as order {order.number} (from another tab "
        "or window); it was not ordered twice."
    )


def _own(orders: QuerySet[Order], user: User | None) -> QuerySet[Order]:
    """These orders of this customer; a guest's (user None) are those without an account."""
    return orders.filter(user=user) if user is not None else orders.filter(user__isnull=True)


def order_for_cart(*, user: User | None, cart: Cart) -> Order | None:
    """The customer's order that claimed this cart already, if one did."""
    return _own(Order.objects.filter(cart_token=cart.token), user).first()


def checkout_cart_check(*, user: User | None, cart: Cart) -> str:
    """Before showing checkout: if the session kept a cart that was ordered already (two
    requests saved the session in the wrong order), give it a new identity, so it can be
    ordered on purpose, and return what to tell the customer ("" when all is well)."""
    if not cart:
        return ""
    claimed = order_for_cart(user=user, cart=cart)
    if claimed is None:
        return ""
    cart.renew()
    return (
        f"Order {claimed.number} was already placed from this cart. The books below are "
        "still in your cart: place another order only if you want them again."
    )


def _order_placed_before(*, user: User | None, uuid: uuid_module.UUID) -> Order | None:
    order = Order.objects.filter(uuid=uuid).first()
    if order is not None and order.user_id != (user.pk if user is not None else None):
        raise CheckoutError(["This checkout form has expired. Please check out again."])
    return order


def _order_create(
    *,
    user: User | None,
    email: str,
    cart: Cart,
    delivery_address: str,
    phone: str,
    uuid: uuid_module.UUID,
    cart_token: uuid_module.UUID,
) -> Order:
    summary = cart_summary(cart=cart)
    if not summary.lines:
        raise CheckoutError(["Your cart is empty."])
    problems = [f"“{line.book.title}”: {line.problem}." for line in summary.problems]
    if problems:
        raise CheckoutError(problems)
    order = Order.objects.create(
        uuid=uuid,
        cart_token=cart_token,
        user=user,
        email=email,
        delivery_address=delivery_address,
        phone=phone,
        total=summary.total,
        delivery_fee=delivery_fee_for(subtotal=summary.total),
    )
    OrderItem.objects.bulk_create(
        [
            OrderItem(
                order=order,
                book=line.book,
                store_book_id=line.book.store_id,
                title=line.book.title,
                unit_price=line.book.price,
                quantity=line.quantity,
            )
            for line in summary.lines
        ]
    )
    OrderEvent.objects.create(
        order=order, from_status="", to_status=Status.PENDING, note="Order placed", actor=user
    )
    order_id = order.pk
    # robust: the order is committed by then; a broker outage must not turn the
    # customer's successful checkout into an error page (the pending sweep retries).
    transaction.on_commit(lambda: dispatch.order_submit_enqueue(order_id=order_id), robust=True)
    return order
