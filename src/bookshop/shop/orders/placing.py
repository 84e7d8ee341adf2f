"""Placing an order: from the customer's cart to a pending order, queued for the store."""

from __future__ import annotations

import uuid as uuid_module

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import IntegrityError, transaction

from bookshop.shop import dispatch
from bookshop.shop.cart.cart import Cart
from bookshop.shop.cart.selectors import cart_summary
from bookshop.shop.orders.models import (
    DELIVERY_ADDRESS_MAX_LENGTH,
    PHONE_MAX_LENGTH,
    Order,
    OrderEvent,
    OrderItem,
)

Status = Order.Status


class CheckoutError(Exception):
    """The cart cannot be ordered as it stands; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def order_place(
    *,
    user: AbstractBaseUser,
    cart: Cart,
    delivery_address: str,
    phone: str = "",
    uuid: uuid_module.UUID | None = None,
) -> Order:
    """Turn the cart into a pending order, in one transaction, and empty the cart.

    The cart is checked again against the mirror as it is now (a book may have left the
    catalogue or sold out since it went in); any problem raises CheckoutError and writes
    nothing. Prices are copied into the items. After commit the submission task is
    enqueued; if the broker refuses it, the order stays pending for the sweep to find.

    `uuid`, when given (the checkout form carries one), makes a double submit safe: a
    second call with the same uuid returns the first order instead of making another.
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
    if problems:
        raise CheckoutError(problems)

    if uuid is not None:
        existing = _order_placed_before(user=user, uuid=uuid)
        if existing is not None:
            cart.clear()
            return existing
    try:
        with transaction.atomic():
            order = _order_create(
                user=user,
                cart=cart,
                delivery_address=delivery_address,
                phone=phone,
                uuid=uuid or uuid_module.uuid4(),
            )
    except IntegrityError:
        # Another request with the same checkout form won the race.
        existing = _order_placed_before(user=user, uuid=uuid) if uuid else None
        if existing is None:
            raise
        order = existing
    cart.clear()
    return order


def _order_placed_before(*, user: AbstractBaseUser, uuid: uuid_module.UUID) -> Order | None:
    order = Order.objects.filter(uuid=uuid).first()
    if order is not None and order.user_id != user.pk:
        raise CheckoutError(["This checkout form has expired. Please check out again."])
    return order


def _order_create(
    *, user: AbstractBaseUser, cart: Cart, delivery_address: str, phone: str, uuid: uuid_module.UUID
) -> Order:
    summary = cart_summary(cart=cart)
    if not summary.lines:
        raise CheckoutError(["Your cart is empty."])
    problems = [f"“{line.book.title}”: {line.problem}." for line in summary.problems]
    if problems:
        raise CheckoutError(problems)
    order = Order.objects.create(
        uuid=uuid,
        user=user,
        email=user.email,
        delivery_address=delivery_address,
        phone=phone,
        total=summary.total,
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
