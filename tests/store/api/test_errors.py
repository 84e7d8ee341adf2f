"""Every answer under /api/ is JSON with the documented shape, whatever a client sends:
never an HTML page, never a 500 (the client here reports 500s instead of raising them)."""

import base64
import json
from decimal import Decimal

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from bookshop.store.api import views
from bookshop.store.inventory.models import Book
from tests.store.factories import BookFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"
BOOKS = "/api/v1/books/"


@pytest.fixture
def client():
    """A client with no credentials that sees 500s as a client would, as answers."""
    return APIClient(raise_request_exception=False)


@pytest.fixture
def staff_client(client, staff):
    client.force_authenticate(staff)
    return client


def error(response, status: int) -> dict:
    """The JSON body of an error answer, after checking its status and type."""
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


# -- bodies -----------------------------------------------------------------------------------


def test_json_nested_a_thousand_levels_deep_is_a_400(client):
    body = "[" * 1000 + "]" * 1000

    response = client.post(TOKEN, body, content_type="application/json")

    assert error(response, 400) == {"detail": "JSON parse error - nested deeper than 32 levels."}


def test_json_nested_deeper_than_the_limit_is_a_400_even_when_python_could_read_it(client):
    nested: object = "x"
    for _ in range(32):
        nested = [nested]
    body = json.dumps({"username": nested})  # 33 levels with the object around it

    response = client.post(TOKEN, body, content_type="application/json")

    assert error(response, 400) == {"detail": "JSON parse error - nested deeper than 32 levels."}


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        (b"{not json", "JSON parse error - Expecting property name enclosed in double quotes"),
        (b'{"username": NaN}', "JSON parse error - NaN is not valid JSON"),
        (b'{"username": "\xff"}', "JSON parse error - the body is not UTF-8."),
        (b'{"username": "\\ud800"}', "JSON parse error - a string holds a lone UTF-16 surrogate."),
    ],
)
def test_bodies_that_are_not_json_are_400_with_a_detail(client, body, detail):
    response = client.post(TOKEN, body, content_type="application/json")

    assert error(response, 400)["detail"].startswith(detail)


def test_a_body_over_the_upload_limit_is_a_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"username": "x" * 2000, "password": "y"})

    response = client.post(TOKEN, body, content_type="application/json")

    assert error(response, 413) == {"detail": "The request body is larger than 1000 bytes."}


def test_a_form_with_too_many_fields_is_a_400(staff_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 5
    form = {f"field{n}": "x" for n in range(10)}

    response = staff_client.post(BOOKS, form, format="multipart")

    assert error(response, 400) == {"detail": "The form has more than 5 fields."}


def test_a_multipart_body_without_a_field_is_a_400_not_an_empty_change(staff_client):
    book = BookFactory(title="Emma")
    garbled = b"--x\r\n[]--x--\r\n"  # a part with no headers, which Django skips

    response = staff_client.patch(
        f"{BOOKS}{book.pk}/", garbled, content_type="multipart/form-data; boundary=x"
    )

    assert error(response, 400) == {
        "detail": "Multipart form parse error - the body has no fields."
    }


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        (TOKEN, "text/plain"),
        (TOKEN, "application/x-www-form-urlencoded"),
        ("/api/v1/orders/", "multipart/form-data; boundary=x"),
    ],
)
def test_bodies_in_other_formats_are_a_415(staff_client, path, content_type):
    response = staff_client.post(path, "a=b", content_type=content_type)

    assert error(response, 415) == {
        "detail": f'Unsupported media type "{content_type}" in request.'
    }


# -- paths and methods ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/books/abc/",
        "/api/v1/books/-1/",
        "/api/v1/books/\u0661/",  # ARABIC-INDIC DIGIT ONE: a regex's \d takes it, int() too
        "/api/v1/books/1/items/x/",
        "/api/v1/nothing/",
        "/api/",
        "/api/v2/books/",
    ],
)
def test_paths_the_api_does_not_have_are_a_json_404(client, path):
    BookFactory()

    assert error(client.get(path), 404) == {"detail": "Not found."}


def test_a_post_to_a_path_the_api_does_not_have_is_a_404_not_a_csrf_failure(client):
    client.cookies["csrftoken"] = "x" * 32  # a browser's cookie without its header

    assert error(client.post("/api/v1/nothing/", {}), 404) == {"detail": "Not found."}


def test_no_credentials_a_token_that_does_not_exist_and_the_wrong_role_are_json(
    client, service_api
):
    assert error(client.get("/api/v1/orders/"), 401) == {
        "detail": "Authentication credentials were not provided."
    }
    client.credentials(HTTP_AUTHORIZATION="Token nothing-like-a-token")
    response = client.get(BOOKS)  # a public list: a bad token is still refused
    assert error(response, 401) == {"detail": "Invalid token."}
    assert response["WWW-Authenticate"] == "Token"
    assert error(service_api.post(BOOKS, {}), 403) == {
        "detail": "You do not have permission to perform this action."
    }


@override_settings(DEBUG=True)
def test_with_debug_on_a_404_is_still_json(client):
    assert error(client.get("/api/v1/books/abc/"), 404) == {"detail": "Not found."}


def test_a_method_an_operation_lacks_is_a_405_with_allow(staff_client):
    book = BookFactory()

    response = staff_client.put(f"{BOOKS}{book.pk}/", {})

    assert error(response, 405) == {"detail": 'Method "PUT" not allowed.'}
    assert response["Allow"] == "GET, PATCH, DELETE, HEAD, OPTIONS"


def test_an_accept_header_that_rules_out_json_is_a_406(client):
    response = client.get(BOOKS, HTTP_ACCEPT="text/html")

    assert error(response, 406) == {"detail": "Could not satisfy the request Accept header."}


# -- the schema's own endpoint ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "params", "accept", "status"),
    [
        ("get", {"format": "xml"}, "*/*", 404),
        ("get", {}, "text/html", 406),
        ("post", {}, "*/*", 405),
    ],
)
def test_errors_of_the_schema_endpoint_are_json(client, method, params, accept, status):
    response = getattr(client, method)("/api/schema/", params, HTTP_ACCEPT=accept)

    assert set(error(response, status)) == {"detail"}


def test_errors_of_the_docs_page_are_json(client):
    assert set(error(client.post("/api/docs/"), 405)) == {"detail"}


# -- cursors ----------------------------------------------------------------------------------


def _cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        "\x00",
        "not base64!",
        _cursor("x=1"),
        _cursor("o=1&o=2"),
        _cursor("o=-1"),
        _cursor("o=1e3"),
        _cursor("r=2"),
        _cursor("o=" + "9" * 5000),
        _cursor("p=abc"),  # a position that is no id
        "\u00e9",
    ],
)
def test_a_cursor_the_api_did_not_make_is_a_404(client, cursor):
    BookFactory.create_batch(3)

    response = client.get(BOOKS, {"cursor": cursor})

    assert error(response, 404) == {"detail": "Invalid cursor"}


def test_an_empty_cursor_is_the_first_page(client):
    books = BookFactory.create_batch(3)

    response = client.get(BOOKS, {"cursor": "", "page_size": 2})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [b.pk for b in books[:2]]


def test_a_cursor_deep_into_rows_that_share_a_value_pages_on(client):
    # 2100 books with one price: the third page's cursor holds an offset of 2000, and DRF's
    # default cut-off (1000) would serve the second page's rows again.
    Book.objects.bulk_create(
        Book(title=f"B{n}", author="A", price=Decimal("5.00")) for n in range(2100)
    )
    response = client.get(BOOKS, {"ordering": "price", "page_size": 1000})
    ids = []
    for _ in range(5):  # three pages are enough; a cursor that repeats pages never ends
        ids.extend(row["id"] for row in response.json()["results"])
        if not response.json()["next"]:
            break
        response = client.get(response.json()["next"])

    assert len(ids) == len(set(ids)) == 2100


# -- whatever else goes wrong -----------------------------------------------------------------


def test_an_unexpected_error_is_a_json_500(client, monkeypatch):
    def broken(self, request):
        raise RuntimeError("a fault injected by the test")

    monkeypatch.setattr(views.WhoAmIView, "get", broken)
    monkeypatch.setattr(views.WhoAmIView, "permission_classes", [])

    assert error(client.get("/api/v1/me/"), 500) == {"detail": "Internal Server Error."}


@override_settings(DEBUG=True)
def test_with_debug_on_an_unexpected_error_is_still_json(client, monkeypatch):
    def broken(self, request):
        raise RuntimeError("a fault injected by the test")

    monkeypatch.setattr(views.WhoAmIView, "get", broken)
    monkeypatch.setattr(views.WhoAmIView, "permission_classes", [])

    assert error(client.get("/api/v1/me/"), 500) == {"detail": "Internal Server Error."}


def test_a_host_the_store_does_not_serve_is_a_json_400(client):
    response = client.get(BOOKS, HTTP_HOST="evil.example.com")

    assert error(response, 400) == {"detail": "Bad Request."}


def test_pages_outside_the_api_keep_their_html(client):
    response = client.get("/nothing/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
