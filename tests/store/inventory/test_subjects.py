from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from bookshop.store.inventory.models import Book, Subject
from bookshop.store.inventory.services import (
    book_create,
    book_update,
    subject_rename,
    subjects_get_or_create,
)
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db


def test_subjects_match_by_slug_and_keep_the_first_spelling():
    first = subjects_get_or_create(names=["Science fiction", "Poetry"])
    again = subjects_get_or_create(names=["science   Fiction", "Drama", "poetry"])

    assert [s.name for s in first] == ["Science fiction", "Poetry"]
    assert [s.name for s in again] == ["Science fiction", "Drama", "Poetry"]
    assert Subject.objects.count() == 3
    assert again[0].slug == "science-fiction"


def test_a_name_without_letters_or_digits_is_refused():
    with pytest.raises(ValueError, match="not a usable subject name"):
        subjects_get_or_create(names=["--"])
    assert not Subject.objects.exists()


def test_setting_subjects_moves_the_book_for_the_sync_and_only_when_they_change():
    poetry, drama = subjects_get_or_create(names=["Poetry", "Drama"])
    book = book_create(
        data={"title": "Faust", "author": "Goethe", "price": "9.00", "subjects": [poetry]}
    )
    assert list(book.subjects.all()) == [poetry]

    Book.objects.filter(pk=book.pk).update(updated_at=timezone.now() - timedelta(days=1))
    book_update(book=Book.objects.get(pk=book.pk), data={"subjects": [poetry, drama]})
    moved = Book.objects.get(pk=book.pk).updated_at
    assert moved > timezone.now() - timedelta(minutes=1)
    assert set(book.subjects.values_list("name", flat=True)) == {"Poetry", "Drama"}


def test_renaming_a_subject_moves_its_books():
    (poetry,) = subjects_get_or_create(names=["Poetry"])
    book = BookFactory()
    book.subjects.add(poetry)
    Book.objects.filter(pk=book.pk).update(updated_at=timezone.now() - timedelta(days=1))

    subject_rename(subject=poetry, name="Verse  and poetry")

    assert Subject.objects.get().slug == "verse-and-poetry"
    assert Book.objects.get(pk=book.pk).updated_at > timezone.now() - timedelta(minutes=1)


@pytest.mark.parametrize(
    ("field", "value"),
    [("published_year", 3000), ("language", "english"), ("language", "xx"), ("format", "scroll")],
)
def test_bibliographic_fields_refuse_impossible_values(field, value):
    with pytest.raises(ValidationError) as caught:
        book_create(data={"title": "T", "author": "A", "price": "1.00", field: value})
    assert field in caught.value.message_dict
    assert not Book.objects.exists()


def test_defaults_and_bce_years():
    book = book_create(
        data={"title": "The Odyssey", "author": "Homer", "price": "5.00", "published_year": -700}
    )
    assert (book.language, book.format, book.published_year) == ("en", "paperback", -700)
