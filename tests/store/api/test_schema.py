import pytest
from django.core.management import call_command


def test_the_openapi_schema_generates_and_validates_with_no_warnings(tmp_path):
    target = tmp_path / "schema.yaml"

    # --fail-on-warn turns any warning into an error, so this raises if the schema is unclear.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    for path in (
        "/api/v1/books/",
        "/api/v1/books/{id}/",
        "/api/v1/books/{book_id}/items/",
        "/api/v1/orders/",
        "/api/v1/orders/{id}/pack/",
        "/api/v1/orders/{id}/complete/",
        "/api/v1/orders/{id}/fail/",
        "/api/v1/auth/token/",
    ):
        assert f"  {path}:" in text


@pytest.mark.django_db
def test_swagger_ui_works_offline(api):
    page = api.get("/api/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert api.get("/api/schema/", HTTP_ACCEPT="application/json").status_code == 200
