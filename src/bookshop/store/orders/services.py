"""The order rules: creation with stock reservation, packing, completion, failure, and
what packing means for a copy (it keeps its book and its row while picked or shipped).

API views, the admin and commands all call these functions; nothing else changes an
order's status, its packing, or a copy's book. Each function runs in one transaction.

The lock order, which every function here and in inventory/services.py follows: books,
then the order, then copies; each kind by primary key. A function takes only the locks it
needs but never a lock of an earlier kind after a later one, so whatever locks an order
locks that order's books first (`_order_lock`). The rows a statement locks by itself (the
UPDATE that moves the books' `updated_at`, the foreign-key checks of new rows) are rows
already locked. With one order for all, concurrent calls queue instead of overselling or
deadlocking (tests/store/orders/test_race.py).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import (
    Aggregate,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from bookshop.store.accounts.models import User
from bookshop.store.inventory.codes import copy_code, copy_id_from_code
from bookshop.store.inventory.models import Book, BookItem
from bookshop.store.inventory.services import books_lock, books_touch
from bookshop.store.orders.models import (
    RETURN_NOTE,
    Order,
    OrderEvent,
    OrderItem,
    PackingSlot,
    ShippedCopy,
)
from bookshop.store.orders.selectors import (
    book_availability,
    book_list,
    order_suggested_copies,
)

Status = Order.Status

# The only moves an order can make; success and fail are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.IN_WORK: frozenset({Status.SUCCESS, Status.FAIL, Status.CANCELLED}),
    Status.SUCCESS: frozenset(),
    Status.FAIL: frozenset(),
    Status.CANCELLED: frozenset(),
}


@dataclass(frozen=True)
class OrderLine:
    """One line of an incoming order: this many units of this book."""

    book_id: int
    quantity: int


@dataclass(frozen=True)
class Shortage:
    book_id: int
    title: str
    requested: int
    available: int


class OrderConflict(Exception):
    """The request clashes with the order's state; the API answers 409 with `code`."""

    def __init__(self, code: str, detail: str):
        super().__init__(detail)
        self.code = code
        self.detail = detail


class InsufficientStock(OrderConflict):
    """Some books do not have enough copies available; nothing was reserved."""

    def __init__(self, shortages: Sequence[Shortage]):
        titles = ", ".join(f"“{s.title}”" for s in shortages)
        super().__init__("insufficient_stock", f"Not enough copies available of {titles}.")
        self.shortages = list(shortages)


# -- creation ---------------------------------------------------------------------------------


def order_create(
    *,
    actor: User | None,
    shop_order_id: uuid.UUID,
    customer_email: str,
    delivery_address: str,
    lines: Sequence[OrderLine],
    shop_order_number: int | None = None,
    delivery_fee: Decimal = Decimal("0.00"),
) -> tuple[Order, bool]:
    """Create an order and reserve its units, or return the one already made for this id.

    Returns (order, created). The same `shop_order_id` with the same content returns the
    existing order (created=False), so a client may retry freely; with other content, or
    from another account, it raises OrderConflict("shop_order_id_conflict"). When any book
    is short it raises InsufficientStock and reserves nothing. A line for an inactive book
    counts as short (available 0); a line for a book that does not exist, or two lines for
    one book, raise ValidationError. `shop_order_number` is the number the client's
    customer sees (kept for staff to search by; a replay is judged without it).
    """
    wanted = _wanted(lines)
    replayed = _replay(
        actor=actor,
        shop_order_id=shop_order_id,
        customer_email=customer_email,
        delivery_address=delivery_address,
        delivery_fee=delivery_fee,
        wanted=wanted,
    )
    if replayed:
        return replayed, False
    try:
        with transaction.atomic():
            # Locking the books serializes every order that touches one of them: the
            # availability read below cannot be overtaken by another reservation.
            books = books_lock(book_ids=wanted)
            replayed = _replay(
                actor=actor,
                shop_order_id=shop_order_id,
                customer_email=customer_email,
                delivery_address=delivery_address,
                delivery_fee=delivery_fee,
                wanted=wanted,
            )
            if replayed:
                return replayed, False
            missing = sorted(set(wanted) - set(books))
            if missing:
                raise ValidationError(
                    {"items": [f"Book {pk} does not exist." for pk in missing]}, code="unknown"
                )
            available = book_availability(book_ids=wanted)
            shortages = [
                Shortage(pk, books[pk].title, quantity, available.get(pk, 0))
                for pk, quantity in wanted.items()
                if quantity > available.get(pk, 0)
            ]
            if shortages:
                raise InsufficientStock(shortages)
            order = Order.objects.create(
                shop_order_id=shop_order_id,
                shop_order_number=shop_order_number,
                created_by=actor,
                customer_email=customer_email,
                delivery_address=delivery_address,
                delivery_fee=delivery_fee,
            )
            items = OrderItem.objects.bulk_create(
                OrderItem(
                    order=order,
                    book=books[pk],
                    title=books[pk].title,
                    quantity=quantity,
                    unit_price=books[pk].price,
                )
                for pk, quantity in wanted.items()
            )
            PackingSlot.objects.bulk_create(
                PackingSlot(order=order, order_item=item, position=position)
                for item in items
                for position in range(1, item.quantity + 1)
            )
            OrderEvent.objects.create(
                order=order, actor=actor, to_status=order.status, note="Order received."
            )
            books_touch(book_ids=wanted, reserved=wanted)
            return order, True
    except IntegrityError:
        # Another request with the same shop_order_id committed first.
        replayed = _replay(
            actor=actor,
            shop_order_id=shop_order_id,
            customer_email=customer_email,
            delivery_address=delivery_address,
            delivery_fee=delivery_fee,
            wanted=wanted,
        )
        if replayed:
            return replayed, False
        raise


def _wanted(lines: Sequence[OrderLine]) -> dict[int, int]:
    if not lines:
        raise ValidationError({"items": ["An order needs at least one item."]}, code="empty")
    counts = Counter(line.book_id for line in lines)
    repeated = sorted(pk for pk, n in counts.items() if n > 1)
    if repeated:
        raise ValidationError(
            {
                "items": [
                    f"Book {pk} is listed more than once; send one line per book."
                    for pk in repeated
                ]
            },
            code="duplicate",
        )
    if any(line.quantity < 1 for line in lines):
        raise ValidationError({"items": ["Every quantity must be at least 1."]}, code="min_value")
    return {line.book_id: line.quantity for line in sorted(lines, key=lambda line: line.book_id)}


def _replay(
    *,
    actor: User | None,
    shop_order_id: uuid.UUID,
    customer_email: str,
    delivery_address: str,
    delivery_fee: Decimal,
    wanted: dict[int, int],
) -> Order | None:
    """The existing order for this id if the request repeats it exactly; None if none."""
    order = Order.objects.filter(shop_order_id=shop_order_id).first()
    if order is None:
        return None
    same = (
        order.created_by_id == getattr(actor, "pk", None)
        and order.customer_email == customer_email
        and order.delivery_address == delivery_address
        and order.delivery_fee == delivery_fee
        and dict(order.items.values_list("book_id", "quantity")) == wanted
    )
    if not same:
        raise OrderConflict(
            "shop_order_id_conflict",
            f"An order with shop_order_id {shop_order_id} already exists with other content.",
        )
    return order


# -- status -----------------------------------------------------------------------------------


def order_move_status(*, order: Order, to_status: str, actor: User | None, note: str = "") -> Order:
    """Change the order's status, the only function that does: refuse a move off the
    TRANSITIONS map (OrderConflict "invalid_transition"), save the status (with
    `fail_reason` and `updated_at`), and write the OrderEvent row (who, from, to, note).

    Only the bookkeeping of the move: the caller holds the order's lock (`_order_lock`) and
    has done the work the move means (shipping the copies, releasing them) in the same
    transaction.
    """
    _move_status_check(order=order, to_status=to_status)
    from_status = order.status
    order.status = to_status
    order.save(update_fields=["status", "fail_reason", "updated_at"])
    OrderEvent.objects.create(
        order=order, actor=actor, from_status=from_status, to_status=to_status, note=note
    )
    return order


def _move_status_check(*, order: Order, to_status: str) -> None:
    """Raise OrderConflict unless the order may move to `to_status` now."""
    if to_status not in TRANSITIONS[order.status]:
        raise OrderConflict(
            "invalid_transition",
            f"A {order.get_status_display().lower()} order cannot become "
            f"{Status(to_status).label.lower()}.",
        )


def _order_lock(order_id: int) -> tuple[Order, dict[int, int]]:
    """Lock the order's books, then the order; return it and its lines, the quantity
    ordered per book id (what the order reserves while it is open)."""
    # An order's lines never change once it exists, so reading them unlocked is safe.
    lines = dict(OrderItem.objects.filter(order_id=order_id).values_list("book_id", "quantity"))
    books_lock(book_ids=lines)
    return Order.objects.select_for_update().get(pk=order_id), lines


# -- packing ----------------------------------------------------------------------------------


def _pack_check(*, order: Order, book_item_ids: Sequence[int]) -> list[BookItem]:
    """Check a packing of `order` with exactly these copies; return the copies.

    Raises ValidationError({"book_items": [...]}) listing every broken rule: each copy must
    exist, be listed once, be of a book in the order, be in stock, not be picked for
    another order, and no book may get more copies than were ordered. Fewer is fine:
    packing can happen in several steps; completing needs every unit picked.
    """
    if not order.is_open:
        raise OrderConflict("order_closed", f"The order is {order.get_status_display().lower()}.")
    errors: list[str] = []
    ids = list(book_item_ids)
    for pk, n in sorted(Counter(ids).items()):
        if n > 1:
            errors.append(f"Copy {pk} is listed more than once.")
    copies = {c.pk: c for c in BookItem.objects.filter(pk__in=ids).select_related("book")}
    errors.extend(f"Copy {pk} does not exist." for pk in sorted(set(ids) - set(copies)))
    ordered = dict(order.items.values_list("book_id", "quantity"))
    picked_elsewhere = dict(
        PackingSlot.objects.filter(book_item__in=list(copies))
        .exclude(order=order)
        .values_list("book_item_id", "order_id")
    )
    per_book: Counter[int] = Counter()
    for pk in sorted(copies):
        copy = copies[pk]
        if copy.book_id not in ordered:
            errors.append(f"Copy {pk} is of “{copy.book.title}”, which this order does not hold.")
            continue
        if copy.status != BookItem.Status.IN_STOCK:
            errors.append(f"Copy {pk} is not in stock ({copy.get_status_display().lower()}).")
        if pk in picked_elsewhere:
            errors.append(f"Copy {pk} is already picked for order {picked_elsewhere[pk]}.")
        per_book[copy.book_id] += 1
    titles = {c.book_id: c.book.title for c in copies.values()}
    for book_id, n in sorted(per_book.items()):
        if n > ordered[book_id]:
            errors.append(
                f"{n} copies of “{titles[book_id]}” picked, but {ordered[book_id]} ordered."
            )
    if errors:
        raise ValidationError({"book_items": errors})
    return [copies[pk] for pk in ids]


def order_pack(*, order_id: int, book_item_ids: Sequence[int], actor: User | None = None) -> Order:
    """Set the order's picked copies to exactly `book_item_ids` (see `_pack_check`).

    Replaces any earlier picks, so sending the same list twice is harmless.
    """
    with transaction.atomic():
        order, _ = _order_lock(order_id)
        # Lock the copies too: two staff cannot put one copy in two orders.
        list(BookItem.objects.select_for_update().filter(pk__in=list(book_item_ids)).order_by("pk"))
        copies = _pack_check(order=order, book_item_ids=book_item_ids)
        slots = list(
            PackingSlot.objects.filter(order=order)
            .select_related("order_item")
            .order_by("order_item__book_id", "position")
        )
        # Free every slot first so the assignment below never collides with itself.
        PackingSlot.objects.filter(order=order).update(book_item=None)
        queues: dict[int, list[BookItem]] = {}
        # In the order given, so the admin's slot-by-slot picks land where staff put them.
        for copy in copies:
            queues.setdefault(copy.book_id, []).append(copy)
        for slot in slots:
            queue = queues.get(slot.order_item.book_id)
            slot.book_item = queue.pop(0) if queue else None
        PackingSlot.objects.bulk_update(slots, ["book_item"])
        order.save(update_fields=["updated_at"])
        return order


def order_complete(*, order_id: int, actor: User | None, note: str = "") -> Order:
    """Ship a fully packed order: its copies leave the inventory and it becomes success.

    Refuses (OrderConflict "not_packed") while a unit has no copy, and (ValidationError on
    `book_items`) when a picked copy is no longer in stock or is no longer a copy of its
    unit's book, which no service allows but a write around them could do.
    """
    with transaction.atomic():
        order, lines = _order_lock(order_id)
        _move_status_check(order=order, to_status=Status.SUCCESS)
        slots = list(PackingSlot.objects.filter(order=order).select_related("order_item"))
        # (copy id, the unit's book id and title) of every picked unit.
        picked = [
            (slot.book_item_id, slot.order_item.book_id, slot.order_item.title)
            for slot in slots
            if slot.book_item_id is not None
        ]
        if len(picked) < len(slots):
            empty = len(slots) - len(picked)
            raise OrderConflict("not_packed", f"{empty} of {len(slots)} units are not picked yet.")
        copy_ids = sorted(copy_id for copy_id, _, _ in picked)
        copies = {
            c.pk: c
            for c in BookItem.objects.select_for_update().filter(pk__in=copy_ids).order_by("pk")
        }
        errors = [
            f"Copy {pk} is no longer in stock."
            for pk in copy_ids
            if copies[pk].status != BookItem.Status.IN_STOCK
        ]
        strays = sorted(pick for pick in picked if copies[pick[0]].book_id != pick[1])
        if strays:
            titles = dict(
                Book.objects.filter(
                    pk__in=[copies[copy_id].book_id for copy_id, _, _ in strays]
                ).values_list("pk", "title")
            )
            errors.extend(
                f"Copy {copy_id} is of “{titles[copies[copy_id].book_id]}”, "
                f"but its unit is of “{unit_title}”."
                for copy_id, _, unit_title in strays
            )
        if errors:
            raise ValidationError({"book_items": errors})
        now = timezone.now()
        BookItem.objects.filter(pk__in=copy_ids).update(
            status=BookItem.Status.SHIPPED, updated_at=now
        )
        ShippedCopy.objects.bulk_create(
            ShippedCopy(
                order=order, book_id=c.book_id, book_item_id=c.pk, place=c.place, shipped_at=now
            )
            for c in copies.values()
        )
        order_move_status(order=order, to_status=Status.SUCCESS, actor=actor, note=note)
        # The reservation becomes the shipment: the units are no longer reserved, and
        # the copies (of the units' books, checked above) are no longer in stock.
        shipped = Counter(c.book_id for c in copies.values())
        books_touch(
            book_ids=lines,
            in_stock={pk: -n for pk, n in shipped.items()},
            reserved={pk: -n for pk, n in lines.items()},
        )
        return order


def _fail_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": ["Say why the order failed."]}, code="required")
    return reason


def order_fail(*, order_id: int, actor: User | None, reason: str) -> Order:
    """Give up on an order: its reservation and picked copies are released.

    A reason is required (ValidationError on `reason`); it becomes the order's fail_reason.
    """
    reason = _fail_reason(reason)
    with transaction.atomic():
        order, lines = _order_lock(order_id)
        _move_status_check(order=order, to_status=Status.FAIL)
        order.fail_reason = reason
        order_move_status(order=order, to_status=Status.FAIL, actor=actor, note=reason)
        PackingSlot.objects.filter(order=order).update(book_item=None)
        books_touch(book_ids=lines, reserved={pk: -n for pk, n in lines.items()})
        return order


def order_cancel(*, order_id: int, actor: User | None, note: str = "") -> Order:
    """Withdraw an order that has not shipped: its reservation and picked copies are
    released, so the books are available again (their `updated_at` moves for the shop's
    sync).

    Idempotent: an order already cancelled is returned unchanged, so a client may retry.
    A shipped (success) or failed order refuses (OrderConflict "order_not_cancellable").
    """
    with transaction.atomic():
        order, lines = _order_lock(order_id)
        if order.status == Status.CANCELLED:
            return order
        if Status.CANCELLED not in TRANSITIONS[order.status]:
            raise OrderConflict(
                "order_not_cancellable",
                f"The order is {order.get_status_display().lower()}; it can no longer be "
                "cancelled.",
            )
        order_move_status(
            order=order, to_status=Status.CANCELLED, actor=actor, note=note or "Cancelled."
        )
        PackingSlot.objects.filter(order=order).update(book_item=None)
        books_touch(book_ids=lines, reserved={pk: -n for pk, n in lines.items()})
        return order


def orders_cancel(*, order_ids: Iterable[int], actor: User | None) -> dict[int, str]:
    """Cancel several orders, each on its own; return {order id: error} for the refusals."""
    return _each(order_ids, lambda pk: order_cancel(order_id=pk, actor=actor))


def orders_complete(*, order_ids: Iterable[int], actor: User | None) -> dict[int, str]:
    """Complete several orders, each on its own; return {order id: error} for the refusals."""
    return _each(order_ids, lambda pk: order_complete(order_id=pk, actor=actor))


def orders_fail(*, order_ids: Iterable[int], actor: User | None, reason: str) -> dict[int, str]:
    """Fail several orders for one reason, each on its own; return {order id: error} for the
    refusals. A missing reason refuses them all at once (ValidationError on `reason`)."""
    reason = _fail_reason(reason)
    return _each(order_ids, lambda pk: order_fail(order_id=pk, actor=actor, reason=reason))


def _each(order_ids: Iterable[int], action: Callable[[int], Order]) -> dict[int, str]:
    errors: dict[int, str] = {}
    for pk in sorted(order_ids):
        try:
            action(pk)
        except OrderConflict as exc:
            errors[pk] = exc.detail
        except ValidationError as exc:
            errors[pk] = " ".join(exc.messages)
    return errors


# -- copies the packing holds -----------------------------------------------------------------
# Copies are put on the shelf in inventory/services.py; whether one may move to another book
# or leave the shelf depends on the packing, so those two rules are here.


def _held(copies: Sequence[BookItem], change: str) -> list[str]:
    """Why each of these copies must stay as it is: it has shipped or is picked for an order."""
    picked = dict(
        PackingSlot.objects.filter(book_item__in=[c.pk for c in copies]).values_list(
            "book_item_id", "order_id"
        )
    )
    reasons = []
    for copy in copies:
        if copy.status == BookItem.Status.SHIPPED:
            reasons.append(f"Copy {copy.pk} has shipped, so it cannot {change}.")
        elif copy.pk in picked:
            reasons.append(
                f"Copy {copy.pk} is picked for order {picked[copy.pk]}, so it cannot {change}."
            )
    return reasons


def _copies_lock(
    book_item_ids: Iterable[int], *, more_books: Iterable[int] = ()
) -> tuple[list[BookItem], set[int]]:
    """Lock the copies' books (and `more_books`), then the copies, as the lock order says;
    return the copies and their books' ids."""
    ids = sorted(set(book_item_ids))
    book_ids = set(BookItem.objects.filter(pk__in=ids).values_list("book_id", flat=True))
    books_lock(book_ids=book_ids | set(more_books))
    copies = list(BookItem.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    missing = sorted(set(ids) - {c.pk for c in copies})
    if missing:
        raise ValidationError({"book_items": [f"Copy {pk} does not exist." for pk in missing]})
    # Only book_item_update changes a copy's book, under the old book's lock: a copy that
    # moved while this call waited for that lock is of a book it does not hold.
    moved = [c.pk for c in copies if c.book_id not in book_ids]
    if moved:
        raise ValidationError(
            {
                "book_items": [
                    f"Copy {pk} moved to another book meanwhile; try again." for pk in moved
                ]
            }
        )
    return copies, book_ids


def book_item_update(*, book_item_id: int, book_id: int, place: str) -> BookItem:
    """Change a copy's book or shelf place; the books' `updated_at` moves (both books' when
    the copy moves from one to the other).

    A copy that has shipped or is picked for an order keeps its book (ValidationError on
    `book`): the order's unit and the shipping record name that book. Its place may change.
    """
    with transaction.atomic():
        (copy,), book_ids = _copies_lock([book_item_id], more_books=[book_id])
        old_book_id = copy.book_id
        moving = book_id != old_book_id
        if moving:
            held = _held([copy], "move to another book")
            if held:
                raise ValidationError({"book": held})
        copy.book_id = book_id
        copy.place = place.strip()
        copy.full_clean()
        copy.save(update_fields=["book", "place", "updated_at"])
        # Only a copy on the shelf moves (`_held`): its count goes with it.
        counted = moving and copy.status == BookItem.Status.IN_STOCK
        books_touch(
            book_ids=[*book_ids, book_id],
            in_stock={old_book_id: -1, book_id: 1} if counted else None,
        )
        return copy


def book_items_remove(*, book_item_ids: Iterable[int]) -> int:
    """Take copies off the shelf for good (their rows go); return how many.

    Only free copies: one that has shipped or is picked for an order stays (ValidationError
    on `book_items`, nothing removed). Their books' `updated_at` moves.
    """
    with transaction.atomic():
        copies, book_ids = _copies_lock(book_item_ids)
        held = _held(copies, "be removed")
        if held:
            raise ValidationError({"book_items": held})
        BookItem.objects.filter(pk__in=[c.pk for c in copies]).delete()
        gone = Counter(c.book_id for c in copies if c.status == BookItem.Status.IN_STOCK)
        books_touch(book_ids=book_ids, in_stock={pk: -n for pk, n in gone.items()})
        return len(copies)


# -- the packing screen -----------------------------------------------------------------------


def _picks(order: Order) -> list[int]:
    return list(
        PackingSlot.objects.filter(order=order, book_item__isnull=False)
        .order_by("order_item__book_id", "position")
        .values_list("book_item_id", flat=True)
    )


def order_pick_suggested(*, order_id: int, actor: User | None) -> int:
    """Fill every empty unit with the copy the pick list suggests for it (the first free
    copies of its book by shelf place); return how many units were filled.

    Units without a free copy stay empty. Copies picked already stay where they are.
    """
    with transaction.atomic():
        order, _ = _order_lock(order_id)
        if not order.is_open:
            raise OrderConflict(
                "order_closed", f"The order is {order.get_status_display().lower()}."
            )
        suggested = order_suggested_copies(order=order)
        if suggested:
            order_pack(order_id=order.pk, book_item_ids=[*_picks(order), *suggested], actor=actor)
        return len(suggested)


def order_pick_by_code(*, order_id: int, code: str, actor: User | None) -> PackingSlot:
    """Put the copy a label code names into the next empty unit of its book; return the
    slot filled.

    Refuses, with a ValidationError on `code` and nothing changed, a code that is not a
    label code, a copy that does not exist, is of a book the order does not hold, is not
    in stock, or is picked already (for this order or another), and a copy of a book
    whose units are all filled.
    """
    copy_id = copy_id_from_code(code)
    if copy_id is None:
        raise ValidationError(
            {"code": [f"“{code.strip()}” is not a copy label code (like {copy_code(42)})."]}
        )
    label = copy_code(copy_id)
    with transaction.atomic():
        order, book_ids = _order_lock(order_id)
        if not order.is_open:
            raise OrderConflict(
                "order_closed", f"The order is {order.get_status_display().lower()}."
            )
        copy = BookItem.objects.select_for_update().select_related("book").filter(pk=copy_id)
        found = copy.first()
        if found is None:
            raise ValidationError({"code": [f"There is no copy {label}."]})
        if found.book_id not in book_ids:
            raise ValidationError(
                {
                    "code": [
                        f"Copy {label} is of “{found.book.title}”, which this order does not hold."
                    ]
                }
            )
        if found.status != BookItem.Status.IN_STOCK:
            raise ValidationError(
                {"code": [f"Copy {label} is not in stock ({found.get_status_display().lower()})."]}
            )
        holder = PackingSlot.objects.filter(book_item=found).select_related("order").first()
        if holder is not None:
            where = "this order" if holder.order_id == order.pk else holder.order.number
            raise ValidationError({"code": [f"Copy {label} is already picked for {where}."]})
        slot = (
            PackingSlot.objects.filter(
                order=order, order_item__book_id=found.book_id, book_item__isnull=True
            )
            .order_by("position")
            .first()
        )
        if slot is None:
            raise ValidationError(
                {"code": [f"Every unit of “{found.book.title}” has a copy already."]}
            )
        slot.book_item = found
        slot.save(update_fields=["book_item"])
        order.save(update_fields=["updated_at"])
        return slot


def order_slot_clear(*, order_id: int, slot_id: int, actor: User | None) -> None:
    """Take the copy out of one unit (it is free again); an empty unit stays empty."""
    with transaction.atomic():
        order, _ = _order_lock(order_id)
        slot = PackingSlot.objects.filter(order=order, pk=slot_id).first()
        if slot is None:
            raise ValidationError({"slot": ["That unit is not part of this order."]})
        keep = [pk for pk in _picks(order) if pk != slot.book_item_id]
        order_pack(order_id=order.pk, book_item_ids=keep, actor=actor)


# -- returns ----------------------------------------------------------------------------------


def order_return_copy(
    *, shipped_copy_id: int, place: str, reason: str, actor: User | None
) -> BookItem:
    """Take back a copy a successful order shipped: it goes on the shelf at `place`, in
    stock again (the same copy row, so its label still scans), the shipping record is
    marked returned (and stays, a record that it did ship), an event on the order says
    what came back and why, and the book's `updated_at` moves so the shop syncs the new
    availability.

    Refuses (ValidationError) a missing place or reason and a copy already returned.
    """
    place, reason = (place or "").strip(), (reason or "").strip()
    errors = {}
    if not place:
        errors["place"] = ["Say on which shelf place the copy goes."]
    if not reason:
        errors["reason"] = ["Say why the copy came back."]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        shipped = ShippedCopy.objects.filter(pk=shipped_copy_id).first()
        if shipped is None:
            raise ValidationError({"shipped_copy": ["That shipped copy does not exist."]})
        # The lock order: the book, then the order, then the copy.
        books_lock(book_ids=[shipped.book_id])
        order = Order.objects.select_for_update().get(pk=shipped.order_id)
        shipped = ShippedCopy.objects.select_for_update().get(pk=shipped.pk)
        if shipped.returned_at is not None:
            raise ValidationError({"shipped_copy": ["That copy was returned already."]})
        copy = BookItem.objects.select_for_update().filter(pk=shipped.book_item_id).first()
        label = copy_code(shipped.book_item_id)
        if copy is None or copy.book_id != shipped.book_id:
            # The shipped row is gone (its book was deleted and made again, say): the copy
            # comes back as a new one, with a new label.
            copy = BookItem(book_id=shipped.book_id)
        elif copy.status != BookItem.Status.SHIPPED:
            raise ValidationError({"shipped_copy": [f"Copy {label} is on a shelf already."]})
        copy.status = BookItem.Status.IN_STOCK
        copy.place = place
        copy.full_clean()
        copy.save()
        now = timezone.now()
        shipped.returned_at = now
        shipped.save(update_fields=["returned_at"])
        OrderEvent.objects.create(
            order=order,
            actor=actor,
            from_status=order.status,
            to_status=order.status,
            note=f"{RETURN_NOTE} {copy_code(copy.pk)} to {place}: {reason}",
            created_at=now,
        )
        books_touch(book_ids=[shipped.book_id], in_stock={shipped.book_id: 1})
        return copy


def book_items_remove_free(*, wanted: dict[tuple[int, str], int]) -> dict[tuple[int, str], int]:
    """Take up to `wanted[(book id, place)]` free copies off the shelf at each place.

    The many-at-once variant of `book_items_remove` for the CSV import, which asks for a
    number of copies rather than for given ones. Free means in stock, not picked for an
    order, and not needed by open orders' reservations: a book keeps at least as many
    copies in stock as its open orders reserve (reservations are per book, not per copy,
    so the newest unpicked copies go first). Returns how many went at each place; fewer
    than wanted when the rest are held. The books' `updated_at` moves.
    """
    wanted = {key: n for key, n in wanted.items() if n > 0}
    if not wanted:
        return {}
    book_ids = {book_id for book_id, _ in wanted}
    books_lock(book_ids=book_ids)
    stock = dict(
        book_list()
        .filter(pk__in=sorted(book_ids))
        .values_list("pk", Greatest(F("in_stock") - F("reserved"), 0))
    )
    places = {place for _, place in wanted}
    picked = PackingSlot.objects.filter(book_item=OuterRef("pk"))
    candidates = (
        BookItem.objects.select_for_update()
        .filter(book_id__in=sorted(book_ids), place__in=sorted(places))
        .filter(status=BookItem.Status.IN_STOCK)
        .exclude(Exists(picked))
        .order_by("pk")
        .values_list("pk", "book_id", "place")
    )
    free: dict[tuple[int, str], list[int]] = {}
    for pk, book_id, place in candidates:
        if (book_id, place) in wanted:
            free.setdefault((book_id, place), []).append(pk)
    removed: dict[tuple[int, str], int] = {}
    doomed: list[int] = []
    for key in sorted(wanted):
        budget = stock.get(key[0], 0)
        n = min(wanted[key], budget, len(free.get(key, [])))
        stock[key[0]] = budget - n
        removed[key] = n
        doomed.extend(free.get(key, [])[len(free.get(key, [])) - n :] if n else [])
    if doomed:
        BookItem.objects.filter(pk__in=doomed).delete()
        gone: Counter[int] = Counter()
        for (book_id, _), n in removed.items():
            gone[book_id] += n
        books_touch(book_ids=+gone, in_stock={pk: -n for pk, n in gone.items()})
    return removed


# -- the books' stored stock ------------------------------------------------------------------


def books_stock_recount(*, book_ids: Iterable[int] | None = None) -> None:
    """Count the books' copies in stock and reserved units afresh and store the counts
    (every book's when `book_ids` is None).

    The services keep the counts as they change copies and orders (`books_touch`); this
    is for data written around them, such as the bench's orders made in bulk. Takes the
    books' locks first, as every stock change does. One UPDATE however many books.
    """

    def per_book(queryset: QuerySet[Any], aggregate: Aggregate) -> Coalesce:
        return Coalesce(
            Subquery(
                queryset.order_by().values("book").annotate(n=aggregate).values("n"),
                output_field=IntegerField(),
            ),
            0,
        )

    with transaction.atomic():
        books = Book.objects.all() if book_ids is None else Book.objects.filter(pk__in=book_ids)
        list(books.select_for_update().order_by("pk").values_list("pk", flat=True))
        books.update(
            copies_in_stock=per_book(
                BookItem.objects.filter(book=OuterRef("pk"), status=BookItem.Status.IN_STOCK),
                Count("pk"),
            ),
            units_reserved=per_book(
                OrderItem.objects.filter(book=OuterRef("pk"), order__status=Status.IN_WORK),
                Sum("quantity"),
            ),
        )
