"""Content-Security-Policy on the shop: nothing inline, nothing from elsewhere but the
store's covers, never framed."""

import re
from pathlib import Path

import pytest

from tests.shop.factories import BookFactory, UserFactory

pytestmark = pytest.mark.django_db
SHOP = Path(__file__).resolve().parents[3] / "src" / "bookshop" / "shop"


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", ["/", "/cart/", "/accounts/login/", "/admin/login/", "/books/"])
def test_every_page_forbids_framing_inline_code_and_other_origins(client, path):
    book = BookFactory()
    response = client.get(path.replace("/books/", book.get_absolute_url()))

    directives = policy(response)
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["img-src"] == ["'self'", "data:", "http://127.0.0.1:8001"]
    assert response["X-Frame-Options"] == "DENY"


def test_checkout_and_order_pages_carry_the_policy_too(client):
    client.force_login(UserFactory())
    client.post(f"/cart/add/{BookFactory().pk}/")

    assert policy(client.get("/checkout/"))["script-src"] == ["'self'"]


def test_no_shop_page_template_holds_inline_script_style_or_handlers():
    """Inline code would be refused by the policy; JSON for scripts goes in json_script."""
    offenders = []
    for template in SHOP.rglob("templates/**/*.html"):
        if "/email/" in template.as_posix():
            continue  # mail clients need inline styles, and no policy applies there
        text = template.read_text()
        # JSON-LD is data the browser never runs, so the policy does not apply to it.
        patterns = (
            r"<script(?![^>]*\b(?:src=|type=\"application/ld\+json\"))[^>]*>",
            r"\sstyle=",
            r"\son[a-z]+=",
        )
        for pattern in patterns:
            if re.search(pattern, text):
                offenders.append(f"{template.relative_to(SHOP)}: {pattern}")
    assert offenders == []


def test_the_policy_built_once_is_the_librarys_and_follows_the_settings(client, settings):
    from csp.utils import build_policy

    assert client.get("/").headers["Content-Security-Policy"] == build_policy()

    changed = {**settings.CONTENT_SECURITY_POLICY}
    changed["DIRECTIVES"] = {**changed["DIRECTIVES"], "img-src": ["'self'"]}
    settings.CONTENT_SECURITY_POLICY = changed
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    response = client.get("/")

    assert policy(response)["img-src"] == ["'self'"]
    assert response.headers["Content-Security-Policy-Report-Only"] == "default-src 'none'"


def test_a_view_that_changes_its_policy_still_gets_its_change(rf):
    from csp.decorators import csp_update
    from django.http import HttpResponse

    from bookshop.common.content_security import CSPMiddleware

    @csp_update({"img-src": "https://covers.example"})
    def view(request):
        return HttpResponse("ok")

    request = rf.get("/")
    middleware = CSPMiddleware(view)
    middleware.process_request(request)
    response = middleware.process_response(request, view(request))

    assert "https://covers.example" in policy(response)["img-src"]
