"""A replaced or removed cover's file goes once the change is committed, unless another
book still uses it."""

import pytest
from django.core.files.base import ContentFile
from django.db import transaction

from bookshop.store.inventory.models import Book
from bookshop.store.inventory.services import book_update
from tests.store.factories import BookFactory
from tests.store.forms import form_data
from tests.store.images import image_bytes, upload

pytestmark = pytest.mark.django_db

BOOKS = "/api/v1/books/"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def files(media) -> list[str]:
    return sorted(path.relative_to(media).as_posix() for path in media.rglob("*.*"))


def book_with_cover(name: str = "old.png") -> Book:
    book = BookFactory()
    book.image.save(name, ContentFile(image_bytes()))
    return Book.objects.get(pk=book.pk)


def test_replacing_a_cover_through_the_api_deletes_the_old_file(
    staff_api, media, django_capture_on_commit_callbacks
):
    book = book_with_cover()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.patch(
            f"{BOOKS}{book.pk}/", {"image": upload("new.png")}, format="multipart"
        )

    assert response.status_code == 200
    assert files(media) == [Book.objects.get().image.name]
    assert Book.objects.get().image.name.startswith("books/new")


def test_removing_a_cover_through_the_api_deletes_its_file(
    staff_api, media, django_capture_on_commit_callbacks
):
    book = book_with_cover()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.patch(f"{BOOKS}{book.pk}/", {"image": None}, format="json")

    assert response.status_code == 200
    assert response.json()["image"] is None
    assert files(media) == []


def test_a_refused_upload_keeps_the_old_cover(staff_api, media, django_capture_on_commit_callbacks):
    book = book_with_cover()
    before = files(media)

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_api.patch(
            f"{BOOKS}{book.pk}/",
            {"image": upload("x.png", content=b"GIF89a nope")},
            format="multipart",
        )

    assert response.status_code == 400
    assert files(media) == before


def test_a_change_without_a_new_cover_keeps_the_file(
    staff_api, media, django_capture_on_commit_callbacks
):
    book = book_with_cover()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        staff_api.patch(f"{BOOKS}{book.pk}/", {"price": "9.99"}, format="json")

    assert callbacks == []
    assert files(media) == [book.image.name]


def test_the_admin_replacing_and_clearing_a_cover_deletes_the_old_files(
    admin_client, media, django_capture_on_commit_callbacks
):
    book = book_with_cover()
    first = book.image.name
    url = f"/admin/inventory/book/{book.pk}/change/"

    data = form_data(admin_client.get(url).content.decode(), "book_form")
    with django_capture_on_commit_callbacks(execute=True):
        replaced = admin_client.post(url, {**data, "image": upload("second.png")})
    second = Book.objects.get().image.name
    data = form_data(admin_client.get(url).content.decode(), "book_form")
    with django_capture_on_commit_callbacks(execute=True):
        cleared = admin_client.post(url, {**data, "image-clear": "on"})

    assert (replaced.status_code, cleared.status_code) == (302, 302)
    assert second != first
    assert Book.objects.get().image.name == ""
    assert files(media) == []


def test_the_old_file_stays_until_the_transaction_commits(
    media, django_capture_on_commit_callbacks
):
    book = book_with_cover()
    old = book.image.name

    with django_capture_on_commit_callbacks() as callbacks:
        book_update(book=book, data={"image": upload("new.png")})
        assert (media / old).is_file()  # shop pages still show the committed cover

    for callback in callbacks:
        callback()
    assert not (media / old).exists()
    assert (media / Book.objects.get().image.name).is_file()


def test_a_rolled_back_replacement_keeps_the_old_file(media, django_capture_on_commit_callbacks):
    book = book_with_cover()
    old = book.image.name

    def import_that_fails() -> None:
        with transaction.atomic():
            book_update(book=book, data={"image": None})
            raise RuntimeError("the import failed further down")

    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        import_that_fails()

    assert callbacks == []
    assert Book.objects.get().image.name == old
    assert (media / old).is_file()


def test_a_file_another_book_still_uses_is_kept(media, django_capture_on_commit_callbacks):
    book = book_with_cover("shared.png")
    twin = BookFactory(image=book.image.name)

    with django_capture_on_commit_callbacks(execute=True):
        book_update(book=book, data={"image": None})

    assert files(media) == [twin.image.name]
    with django_capture_on_commit_callbacks(execute=True):
        book_update(book=Book.objects.get(pk=twin.pk), data={"image": None})
    assert files(media) == []


def test_a_deleted_book_takes_its_cover_file_along(media, django_capture_on_commit_callbacks):
    book = book_with_cover()

    with django_capture_on_commit_callbacks(execute=True):
        Book.objects.get(pk=book.pk).delete()

    assert files(media) == []


def test_a_book_loaded_without_its_image_column_saves_without_touching_files(
    media, django_capture_on_commit_callbacks, django_assert_num_queries
):
    book = book_with_cover()
    partial = Book.objects.only("pk", "price").get(pk=book.pk)
    partial.price = 3

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        django_assert_num_queries(1),
    ):
        partial.save(update_fields=["price"])

    assert callbacks == []
    assert files(media) == [book.image.name]
