"""Content-Security-Policy on the store: the admin and the Swagger UI work with no
'unsafe-inline'; the few inline blocks carry the request's nonce; nothing can frame a page."""

import re

import pytest

pytestmark = pytest.mark.django_db


def policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.parametrize("path", ["/admin/login/", "/admin/", "/api/v1/books/", "/healthz"])
def test_every_answer_forbids_framing_and_inline_code(admin_client, path):
    response = admin_client.get(path)
    directives = policy(response)

    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["script-src"] == ["'self'"]  # no page here asked for a nonce
    assert directives["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def nonces(html: str) -> set[str]:
    return set(re.findall(r'<(?:script|style) nonce="([^"]+)"', html))


def test_the_swagger_ui_marks_its_inline_script_and_style_with_the_nonce(client):
    response = client.get("/api/docs/")

    directives = policy(response)
    [nonce] = nonces(response.content.decode())
    assert directives["script-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert directives["style-src"] == ["'self'", f"'nonce-{nonce}'"]
    assert nonces(client.get("/api/docs/").content.decode()) != {nonce}  # one per request
