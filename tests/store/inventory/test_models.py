from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from bookshop.store.inventory.models import Book
from bookshop.store.inventory.services import book_create, book_update
from tests.store.images import image_bytes, upload

pytestmark = pytest.mark.django_db


def _book(**fields):
    return {"title": "Dune", "author": "Frank Herbert", "price": Decimal("9.99"), **fields}


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("978-0-306-40615-7", "9780306406157"),
        ("0 306 40615 2", "0306406152"),
        ("080442957x", "080442957X"),
        ("", ""),
    ],
)
def test_valid_isbns_are_stored_without_hyphens(given, stored):
    assert book_create(data=_book(isbn=given)).isbn == stored


@pytest.mark.parametrize("isbn", ["978-0-306-40615-8", "0306406153", "12345", "97803064061570"])
def test_invalid_isbns_are_refused(isbn):
    with pytest.raises(ValidationError) as caught:
        book_create(data=_book(isbn=isbn))

    assert "isbn" in caught.value.message_dict


def test_a_negative_price_is_refused_by_the_model_and_the_database():
    with pytest.raises(ValidationError) as caught:
        book_create(data=_book(price=Decimal("-0.01")))
    assert "price" in caught.value.message_dict

    with pytest.raises(IntegrityError):
        Book.objects.create(**_book(price=Decimal("-1")))


@pytest.mark.parametrize("image_format", ["JPEG", "PNG", "WEBP", "GIF"])
def test_covers_in_web_formats_are_stored_under_media_root(image_format, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    book = book_create(data=_book(image=upload(f"c.{image_format.lower()}", image_format)))

    assert (tmp_path / book.image.name).is_file()
    assert book.image.name.startswith("books/")


def test_a_file_that_is_not_an_image_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    with pytest.raises(ValidationError) as caught:
        book_create(data=_book(image=upload("c.png", content=b"<?php evil(); ?>")))

    assert caught.value.message_dict["image"] == ["Upload a valid image: JPEG, PNG, WebP or GIF."]


def test_an_image_in_another_format_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    with pytest.raises(ValidationError) as caught:
        book_create(data=_book(image=upload("c.bmp", "BMP")))

    assert caught.value.message_dict["image"] == [
        "BMP images are not accepted; use JPEG, PNG, WebP or GIF."
    ]


def test_an_image_over_the_size_limit_is_refused(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORE_MAX_IMAGE_BYTES = 100

    with pytest.raises(ValidationError) as caught:
        book_create(data=_book(image=upload(content=image_bytes(size=(200, 200)))))

    assert caught.value.message_dict["image"][0].endswith("the limit is 100\xa0bytes.")


def test_editing_a_book_does_not_reread_its_stored_image(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    book = book_create(data=_book(image=upload()))
    (tmp_path / book.image.name).unlink()

    book_update(book=book, data={"price": Decimal("1.00")})

    assert Book.objects.get().price == Decimal("1.00")
