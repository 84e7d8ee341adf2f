"""The committed OpenAPI document (docs/store-api.yaml) is the contract: it is what the code
generates, and it says what the API really does."""

from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.management import call_command

from bookshop.store.api.fields import NOT_BLANK
from tests.store.factories import BookFactory

COMMITTED = Path(__file__).resolve().parents[3] / "docs" / "store-api.yaml"
ERRORS = {"400", "401", "403", "404", "406", "409", "413", "415", "429"}


@pytest.fixture(scope="module")
def schema() -> dict:
    return yaml.safe_load(COMMITTED.read_text())


def _operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_the_committed_schema_is_the_one_the_code_generates(tmp_path):
    generated = tmp_path / "store-api.yaml"

    # --fail-on-warn turns any warning into an error, so this raises if the schema is unclear.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(generated))

    assert generated.read_text() == COMMITTED.read_text(), (
        "docs/store-api.yaml is not what the code generates: run `make schema` and commit it."
    )


def test_every_operation_is_documented(schema):
    assert sorted(name for name, _ in _operations(schema)) == [
        "DELETE /api/v1/books/{id}/",
        "GET /api/v1/books/",
        "GET /api/v1/books/{book_id}/items/",
        "GET /api/v1/books/{id}/",
        "GET /api/v1/me/",
        "GET /api/v1/orders/",
        "GET /api/v1/orders/{id}/",
        "PATCH /api/v1/books/{id}/",
        "POST /api/v1/auth/token/",
        "POST /api/v1/books/",
        "POST /api/v1/books/{book_id}/items/",
        "POST /api/v1/orders/",
        "POST /api/v1/orders/{id}/cancel/",
        "POST /api/v1/orders/{id}/complete/",
        "POST /api/v1/orders/{id}/fail/",
        "POST /api/v1/orders/{id}/pack/",
    ]


@pytest.mark.parametrize(
    ("operation", "codes"),
    [
        ("POST /api/v1/auth/token/", {"400", "406", "413", "415", "429"}),
        ("GET /api/v1/books/", {"400", "401", "404", "406", "429"}),
        ("GET /api/v1/books/{id}/", {"401", "404", "406", "429"}),
        ("POST /api/v1/books/", {"400", "401", "403", "406", "413", "415"}),
        ("DELETE /api/v1/books/{id}/", {"401", "403", "404", "406"}),
        ("GET /api/v1/me/", {"401", "406"}),
        ("POST /api/v1/orders/", {"400", "401", "403", "406", "409", "413", "415"}),
        ("GET /api/v1/orders/{id}/", {"401", "403", "404", "406"}),
        (
            "POST /api/v1/orders/{id}/fail/",
            {"400", "401", "403", "404", "406", "409", "413", "415"},
        ),
    ],
)
def test_each_operation_documents_the_errors_it_can_answer(schema, operation, codes):
    responses = dict(_operations(schema))[operation]["responses"]

    assert set(responses) & ERRORS == codes
    for code in codes:
        assert set(responses[code]["content"]) == {"application/json"}, code


def test_copies_added_are_a_plain_list_not_a_page(schema):
    created = schema["paths"]["/api/v1/books/{book_id}/items/"]["post"]["responses"]["201"]

    assert created["content"]["application/json"]["schema"] == {
        "type": "array",
        "items": {"$ref": "#/components/schemas/BookItem"},
    }
    parameters = schema["paths"]["/api/v1/books/{book_id}/items/"]["post"]["parameters"]
    assert [p["name"] for p in parameters] == ["book_id"]  # no cursor, filters or ordering


def test_is_active_is_a_boolean_a_client_can_send(schema):
    (parameter,) = [
        p
        for p in schema["paths"]["/api/v1/books/"]["get"]["parameters"]
        if p["name"] == "is_active"
    ]

    assert parameter["schema"] == {"type": "boolean"}


def test_the_limits_the_api_enforces_are_declared(schema):
    components = schema["components"]["schemas"]
    (page_size,) = [
        p
        for p in schema["paths"]["/api/v1/books/"]["get"]["parameters"]
        if p["name"] == "page_size"
    ]
    order = components["OrderCreateRequest"]["properties"]

    assert page_size["schema"] == {"type": "integer", "minimum": 1, "maximum": 1000}
    assert (order["items"]["minItems"], order["items"]["maxItems"]) == (1, 100)
    line = components["OrderLineRequest"]["properties"]["quantity"]
    assert (line["minimum"], line["maximum"]) == (1, 1000)
    for component, field in [
        ("OrderCreateRequest", "delivery_address"),
        ("BookRequest", "title"),
        ("BookRequest", "author"),
        ("BookItemsAddRequest", "place"),
        ("OrderFailRequest", "reason"),
        ("CredentialsRequest", "username"),
    ]:
        assert components[component]["properties"][field]["pattern"] == NOT_BLANK, field
        assert components[component]["properties"][field]["minLength"] == 1, field


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        '{"items": [{"book": 1, "quantity": 0}]}',  # field errors, nested by line
        '{"items": []}',
        '{"items": [',  # not JSON: a detail
    ],
)
def test_error_bodies_match_their_documented_schema(schema, service_api, body):
    BookFactory(pk=1, copies=1)

    response = service_api.post("/api/v1/orders/", body, content_type="application/json")

    assert response.status_code == 400
    documented = schema["paths"]["/api/v1/orders/"]["post"]["responses"]["400"]
    body_schema = documented["content"]["application/json"]["schema"]
    jsonschema.validate(response.json(), {**body_schema, "components": schema["components"]})


@pytest.mark.django_db
def test_swagger_ui_works_offline(api):
    page = api.get("/api/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert api.get("/api/schema/", HTTP_ACCEPT="application/json").status_code == 200
