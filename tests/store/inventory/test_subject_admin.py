"""Subjects in the store admin: their own screen, and on the book pages."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bookshop.store.inventory.models import Book, Subject
from bookshop.store.inventory.services import subjects_get_or_create
from tests.store.factories import BookFactory
from tests.store.forms import form_data
from tests.store.queries import page_queries

pytestmark = pytest.mark.django_db

SUBJECTS = "/admin/inventory/subject/"
BOOKS = "/admin/inventory/book/"


def _book(subjects=(), **fields):
    book = BookFactory(**fields)
    book.subjects.set(subjects_get_or_create(names=subjects))
    # Older than anything the test does, so a change to updated_at shows.
    Book.objects.filter(pk=book.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    return Book.objects.get(pk=book.pk)


def test_the_subject_list_shows_book_counts_and_is_searchable(admin_client):
    _book(["Poetry", "Classics"])
    _book(["Classics"])
    subjects_get_or_create(names=["Horror"])

    page = admin_client.get(SUBJECTS).content.decode()
    found = admin_client.get(SUBJECTS, {"q": "poe"}).content.decode()

    classics = Subject.objects.get(slug="classics")
    assert f'?subjects__id__exact={classics.pk}">2</a>' in page
    assert "Horror" in page
    assert "Poetry" in found
    assert "Classics" not in found


def test_the_subject_list_costs_the_same_queries_for_more_subjects(admin_client):
    _book(["Poetry"])
    few = page_queries(admin_client, SUBJECTS)
    for n in range(20):
        _book([f"Genre {n}", "Poetry"])

    assert page_queries(admin_client, SUBJECTS) == few


def test_renaming_a_subject_moves_its_slug_and_its_books_in_the_sync(admin_client):
    tagged = _book(["Sci-fi"])
    other = _book(["Poetry"])
    subject = Subject.objects.get(slug="sci-fi")
    url = f"{SUBJECTS}{subject.pk}/change/"
    data = form_data(admin_client.get(url).content.decode(), "subject_form")
    data["name"] = "Science fiction"

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    subject.refresh_from_db()
    assert (subject.name, subject.slug) == ("Science fiction", "science-fiction")
    assert Book.objects.get(pk=tagged.pk).updated_at > tagged.updated_at
    assert Book.objects.get(pk=other.pk).updated_at == other.updated_at


def test_a_rename_onto_a_taken_slug_is_a_form_error_and_changes_nothing(admin_client):
    subjects_get_or_create(names=["Science fiction", "Sci-fi"])
    subject = Subject.objects.get(slug="sci-fi")
    url = f"{SUBJECTS}{subject.pk}/change/"
    data = form_data(admin_client.get(url).content.decode(), "subject_form")
    data["name"] = "science  Fiction"

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "already exists" in " ".join(response.context["adminform"].form.errors["name"])
    subject.refresh_from_db()
    assert subject.name == "Sci-fi"


def test_staff_add_a_subject_and_its_slug_follows_the_name(admin_client):
    response = admin_client.post(f"{SUBJECTS}add/", {"name": "Science   fiction"})

    assert response.status_code == 302
    assert list(Subject.objects.values_list("name", "slug")) == [
        ("Science fiction", "science-fiction")
    ]


def test_deleting_a_subject_moves_its_books_in_the_sync(admin_client):
    book = _book(["Gothic", "Horror"])
    gothic = Subject.objects.get(slug="gothic")

    response = admin_client.post(f"{SUBJECTS}{gothic.pk}/delete/", {"post": "yes"})

    assert response.status_code == 302
    saved = Book.objects.get(pk=book.pk)
    assert [s.slug for s in saved.subjects.all()] == ["horror"]
    assert saved.updated_at > book.updated_at


def test_the_book_page_edits_the_details_and_subjects_through_the_service(admin_client):
    book = _book(["Fiction"])
    mystery, _ = subjects_get_or_create(names=["Mystery", "Fiction"])
    url = f"{BOOKS}{book.pk}/change/"
    data = form_data(admin_client.get(url).content.decode(), "book_form")
    data.update(
        {
            "subjects": [str(mystery.pk)],
            "publisher": "George Newnes",
            "published_year": "1892",
            "format": "hardcover",
            "pages": "307",
            "language": "en",
            "series": "Sherlock Holmes",
            "series_number": "3",
        }
    )

    response = admin_client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:3000]
    saved = Book.objects.get(pk=book.pk)
    assert [s.name for s in saved.subjects.all()] == ["Mystery"]
    assert (saved.publisher, saved.published_year, saved.format, saved.pages) == (
        "George Newnes",
        1892,
        "hardcover",
        307,
    )
    assert (saved.series, saved.series_number) == ("Sherlock Holmes", 3)
    assert saved.updated_at > book.updated_at


@pytest.mark.parametrize(
    ("field", "value"),
    [("published_year", "3000"), ("language", "xx"), ("format", "scroll"), ("pages", "0")],
)
def test_bad_details_on_the_book_page_are_form_errors(admin_client, field, value):
    book = _book(["Fiction"])
    url = f"{BOOKS}{book.pk}/change/"
    data = form_data(admin_client.get(url).content.decode(), "book_form")
    data[field] = value

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field]
    assert Book.objects.get(pk=book.pk).updated_at == book.updated_at


def test_staff_add_a_book_with_subjects(admin_client):
    (poetry,) = subjects_get_or_create(names=["Poetry"])
    data = form_data(admin_client.get(f"{BOOKS}add/").content.decode(), "book_form")
    data.update(
        {
            "title": "Leaves of Grass",
            "author": "Walt Whitman",
            "price": "8.00",
            "subjects": [str(poetry.pk)],
            "published_year": "1855",
        }
    )

    response = admin_client.post(f"{BOOKS}add/", data)

    assert response.status_code == 302, response.content.decode()[:3000]
    book = Book.objects.get()
    assert [s.name for s in book.subjects.all()] == ["Poetry"]
    assert (book.published_year, book.language, book.format) == (1855, "en", "paperback")


def test_the_subject_autocomplete_of_the_book_page_finds_subjects(admin_client):
    subjects_get_or_create(names=["Science fiction", "Satire", "Poetry"])

    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "inventory", "model_name": "book", "field_name": "subjects", "term": "s"},
    )

    assert sorted(r["text"] for r in response.json()["results"]) == ["Satire", "Science fiction"]


def test_the_book_list_filters_by_subject_format_and_language(admin_client):
    _book(["Poetry"], title="Leaves of Grass", format="hardcover", language="en")
    _book(["Drama"], title="Faust", format="paperback", language="de")
    poetry = Subject.objects.get(slug="poetry")

    by_subject = admin_client.get(BOOKS, {"subjects__id__exact": poetry.pk}).content.decode()
    by_format = admin_client.get(BOOKS, {"format__exact": "paperback"}).content.decode()
    by_language = admin_client.get(BOOKS, {"language": "de"}).content.decode()

    def titles(page):
        return {title for title in ("Leaves of Grass", "Faust") if title in page}

    assert titles(by_subject) == {"Leaves of Grass"}
    assert titles(by_format) == {"Faust"}
    assert titles(by_language) == {"Faust"}
