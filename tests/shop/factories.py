"""Factories for the shop's models; tests build their world with these."""

from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.text import slugify

from bookshop.shop.catalog.models import Book, Subject
from bookshop.shop.orders.models import Order, OrderItem


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"reader{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.django.Password("a-Long-password-1")


class BookFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Book

    store_id = factory.Sequence(lambda n: 1000 + n)
    title = factory.Sequence(lambda n: f"Book number {n}")
    author = "Ursula K. Le Guin"
    author_slug = factory.LazyAttribute(lambda book: slugify(book.author))
    isbn = factory.Sequence(lambda n: f"978-0-00-{n:06d}-0")
    description = "A book worth reading."
    price = Decimal("12.50")
    image_url = ""
    quantity = 5
    is_active = True
    store_updated_at = factory.LazyFunction(timezone.now)


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Subject {n}")
    slug = factory.LazyAttribute(lambda subject: slugify(subject.name))


def store_book(**overrides) -> dict:
    """A book exactly as the Store API returns it."""
    data = {
        "id": 1,
        "title": "The Dispossessed",
        "author": "Ursula K. Le Guin",
        "isbn": "978-0-06-051275-7",
        "description": "An ambiguous utopia.",
        "price": "12.50",
        "image": "http://127.0.0.1:8001/media/books/dispossessed.jpg",
        "quantity": 3,
        "is_active": True,
        "subjects": [{"name": "Science fiction", "slug": "science-fiction"}],
        "publisher": "Harper & Row",
        "published_year": 1974,
        "format": "paperback",
        "pages": 387,
        "language": "en",
        "series": "Hainish Cycle",
        "series_number": 6,
        "updated_at": "2025-01-02T10:00:00.123456Z",
    }
    data.update(overrides)
    return data


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order

    user = factory.SubFactory(UserFactory)
    email = factory.LazyAttribute(lambda order: order.user.email)
    delivery_address = "1 Library Lane\n12345 Booktown"
    total = Decimal("0.00")


class OrderItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderItem

    order = factory.SubFactory(OrderFactory)
    book = factory.SubFactory(BookFactory)
    store_book_id = factory.LazyAttribute(lambda item: item.book.store_id)
    title = factory.LazyAttribute(lambda item: item.book.title)
    unit_price = factory.LazyAttribute(lambda item: item.book.price)
    quantity = 1


def order_with_items(*, items: int = 2, **fields) -> Order:
    """An order with `items` lines and a matching total."""
    order = OrderFactory(**fields)
    lines = OrderItemFactory.create_batch(items, order=order)
    order.total = sum((line.line_total for line in lines), Decimal("0.00"))
    order.save(update_fields=["total"])
    return order
