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
