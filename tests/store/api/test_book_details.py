"""The bibliographic fields of Store API books: subjects, publisher, year, format, pages,
language and series, read, written and filtered."""

import pytest

from bookshop.store.inventory.models import Book, Subject
from bookshop.store.inventory.services import subjects_get_or_create
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db

BOOKS = "/api/v1/books/"


def _ids(response):
    assert response.status_code == 200, response.content
    return [book["id"] for book in response.json()["results"]]


def test_a_book_reads_with_its_subjects_by_name(api):
    book = BookFactory(
        publisher="Penguin Classics",
        published_year=-700,
        format=Book.Format.HARDCOVER,
        pages=541,
        language="en",
        series="Penguin Black Classics",
        series_number=12,
    )
    book.subjects.set(subjects_get_or_create(names=["Poetry", "Epic poetry"]))

    body = api.get(f"{BOOKS}{book.pk}/").json()

    assert body["subjects"] == [
        {"name": "Epic poetry", "slug": "epic-poetry"},
        {"name": "Poetry", "slug": "poetry"},
    ]
    assert {key: body[key] for key in ("publisher", "published_year", "format", "pages")} == {
        "publisher": "Penguin Classics",
        "published_year": -700,
        "format": "hardcover",
        "pages": 541,
    }
    assert (body["language"], body["series"], body["series_number"]) == (
        "en",
        "Penguin Black Classics",
        12,
    )


def test_staff_write_subjects_by_name_and_new_ones_are_made(staff_api):
    subjects_get_or_create(names=["Science fiction"])

    response = staff_api.post(
        BOOKS,
        {
            "title": "The Time Machine",
            "author": "H. G. Wells",
            "price": "7.00",
            "subjects": ["science fiction", "Novella"],
            "published_year": 1895,
            "format": "other",
            "language": "en",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    assert [s["slug"] for s in response.json()["subjects"]] == ["novella", "science-fiction"]
    assert Subject.objects.count() == 2

    book_id = response.json()["id"]
    patched = staff_api.patch(f"{BOOKS}{book_id}/", {"subjects": []}, format="json")
    assert patched.json()["subjects"] == []
    assert Subject.objects.count() == 2  # subjects outlive their books


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("published_year", 3000),
        ("published_year", "1895"),
        ("language", "english"),
        ("language", "xx"),
        ("format", "scroll"),
        ("pages", 0),
        ("series_number", 0),
        ("subjects", "Poetry"),
        ("subjects", ["--"]),
        ("subjects", ["É"]),
        ("subjects", ["x" * 101]),
    ],
)
def test_bad_bibliographic_values_are_a_400_on_their_field_and_write_nothing(
    staff_api, field, value
):
    response = staff_api.post(
        BOOKS,
        {"title": "T", "author": "A", "price": "1.00", field: value},
        format="json",
    )

    assert response.status_code == 400
    assert field in response.json()
    assert not Book.objects.exists()
    assert not Subject.objects.exists()


@pytest.mark.parametrize("subjects", ["Drama;;Poetry", "Drama; --"])
def test_a_form_with_a_blank_subject_name_is_a_400(staff_api, subjects):
    response = staff_api.post(
        BOOKS,
        {"title": "Faust", "author": "Goethe", "price": "9.00", "subjects": subjects},
        format="multipart",
    )

    assert response.status_code == 400
    assert "subjects" in response.json()
    assert not Book.objects.exists()


def test_a_form_upload_takes_subjects_separated_by_semicolons(staff_api):
    response = staff_api.post(
        BOOKS,
        {"title": "Faust", "author": "Goethe", "price": "9.00", "subjects": "Drama; Poetry"},
        format="multipart",
    )

    assert response.status_code == 201, response.content
    assert [s["name"] for s in response.json()["subjects"]] == ["Drama", "Poetry"]


def test_filters_by_subject_author_language_and_format(api):
    poetry, drama = subjects_get_or_create(names=["Poetry", "Drama"])
    odyssey = BookFactory(author="Homer", language="el", format="hardcover")
    odyssey.subjects.set([poetry])
    faust = BookFactory(author="Johann Wolfgang von Goethe", language="de")
    faust.subjects.set([poetry, drama])
    plain = BookFactory(author="Homer")

    assert _ids(api.get(BOOKS, {"subject": "poetry"})) == [odyssey.pk, faust.pk]
    assert _ids(api.get(BOOKS, {"subject": "drama"})) == [faust.pk]
    assert _ids(api.get(BOOKS, {"subject": "nothing-here"})) == []
    assert _ids(api.get(BOOKS, {"author": "homer"})) == [odyssey.pk, plain.pk]
    assert _ids(api.get(BOOKS, {"author": "Home"})) == []
    assert _ids(api.get(BOOKS, {"language": "de"})) == [faust.pk]
    assert _ids(api.get(BOOKS, {"format": "hardcover", "subject": "poetry"})) == [odyssey.pk]


@pytest.mark.parametrize(("name", "value"), [("language", "xx"), ("format", "scroll")])
def test_a_bad_filter_value_is_a_400_on_its_parameter(api, name, value):
    response = api.get(BOOKS, {name: value})

    assert response.status_code == 400
    assert name in response.json()
