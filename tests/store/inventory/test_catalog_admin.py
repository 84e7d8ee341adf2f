"""The Book list's Import CSV (upload, preview, confirm) and Export CSV pages."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from bookshop.store.inventory.models import Book
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db

URL = "/admin/inventory/book/import-csv/"
DUNE = "9780441013593"
EMMA = "9780141439587"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path


def upload(client, text, **extra):
    file = SimpleUploadedFile("books.csv", text.encode(), content_type="text/csv")
    return client.post(URL, {"file": file, **extra})


def test_the_book_list_links_to_import_and_export(admin_client):
    page = admin_client.get("/admin/inventory/book/").content.decode()
    assert f'href="{URL}">Import CSV</a>' in page
    assert 'href="/admin/inventory/book/export-csv/">Export CSV</a>' in page


def test_the_upload_page_has_a_labelled_file_input(admin_client):
    page = admin_client.get(URL).content.decode()
    assert '<label for="id_file">CSV file</label>' in page
    assert 'type="file" name="file"' in page


def test_upload_preview_confirm(admin_client, media):
    BookFactory(isbn=EMMA, title="Emma", price=Decimal("4.00"))
    response = upload(admin_client, f"isbn,title,price\n{DUNE},Dune,9.99\n{EMMA},Emma,4.50\n")
    page = response.content.decode()
    assert "Preview: 1 new, 1 updated, 0 unchanged, 0 errors" in page
    assert '<th scope="col">Outcome</th>' in page
    assert '<th scope="row">2</th>' in page
    assert 'value="Confirm import"' in page
    assert Book.objects.count() == 1  # the preview wrote nothing
    assert len(list((media / "catalog-imports").iterdir())) == 1

    response = admin_client.post(URL, {"confirm": "1"})
    assert response.status_code == 302
    assert Book.objects.get(isbn=DUNE).title == "Dune"
    assert Book.objects.get(isbn=EMMA).price == Decimal("4.50")
    assert list((media / "catalog-imports").iterdir()) == []
    # The same confirm again: the upload is gone, nothing happens twice.
    again = admin_client.post(URL, {"confirm": "1"}, follow=True).content.decode()
    assert "That upload has expired" in again


def test_a_preview_with_errors_cannot_be_confirmed(admin_client):
    page = upload(admin_client, f'isbn,title,price\n{DUNE},Dune,"12,50"\n').content.decode()
    assert "0 new, 0 updated, 0 unchanged, 1 errors" in page
    assert "<li>price: &#x27;12,50&#x27;: write decimals with a point, e.g. 12.50</li>" in page
    assert "Confirm import" not in page
    admin_client.post(URL, {"confirm": "1"})
    assert Book.objects.count() == 0


def test_skip_invalid_confirms_the_valid_rows(admin_client):
    page = upload(
        admin_client, f"isbn,title,price\n{DUNE},Dune,1\n{EMMA},Emma,-1\n", skip_invalid="on"
    ).content.decode()
    assert "The rows with errors will be left out." in page
    admin_client.post(URL, {"confirm": "1"})
    assert list(Book.objects.values_list("isbn", flat=True)) == [DUNE]


def test_a_bad_file_is_a_readable_error_not_a_500(admin_client):
    file = SimpleUploadedFile("books.csv", "isbn,title,price\n1,Café,1\n".encode("latin-1"))
    response = admin_client.post(URL, {"file": file})
    assert response.status_code == 200
    page = response.content.decode()
    assert "row 2: the file is not UTF-8 text" in page
    assert "Confirm import" not in page


def test_no_file_is_a_form_error(admin_client):
    page = admin_client.post(URL, {}).content.decode()
    assert "This field is required." in page


def test_export_downloads_the_catalogue(admin_client):
    BookFactory(isbn=DUNE, title="Dune", price=Decimal("9.99"), author="Frank Herbert")
    response = admin_client.get("/admin/inventory/book/export-csv/")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment;" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("isbn,title,author,price")
    assert lines[1].startswith(f"{DUNE},Dune,Frank Herbert,9.99,")


def test_a_new_upload_replaces_the_previewed_one(admin_client, media):
    upload(admin_client, f"isbn,title,price\n{DUNE},Dune,9.99\n")
    upload(admin_client, f"isbn,title,price\n{EMMA},Emma,4.50\n")
    assert len(list((media / "catalog-imports").iterdir())) == 1
    admin_client.post(URL, {"confirm": "1"})
    assert list(Book.objects.values_list("isbn", flat=True)) == [EMMA]


def test_the_confirm_re_validates_against_the_catalogue_as_it_is_then(admin_client):
    page = upload(admin_client, f"isbn,title,price\n{DUNE},Dune,9.99\n").content.decode()
    assert "1 new, 0 updated" in page
    BookFactory(isbn=DUNE, title="Dune", price=Decimal("1.00"))  # someone added it meanwhile
    admin_client.post(URL, {"confirm": "1"})
    assert Book.objects.get(isbn=DUNE).price == Decimal("9.99")
    assert Book.objects.count() == 1
