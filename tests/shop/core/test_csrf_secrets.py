"""CSRF secrets drawn in one read of the random source still make working tokens."""

import re
from collections import Counter

import pytest
from django.middleware import csrf

from bookshop.common.csrf_secrets import random_csrf_string
from tests.shop.factories import BookFactory

pytestmark = pytest.mark.django_db


def test_django_draws_its_secrets_and_masks_from_ours():
    assert csrf._get_new_csrf_string is random_csrf_string
    token = csrf._mask_cipher_secret(random_csrf_string())
    assert len(token) == csrf.CSRF_TOKEN_LENGTH


def test_each_secret_is_32_allowed_characters_and_all_are_used_evenly():
    secrets = [random_csrf_string() for _ in range(2000)]

    assert all(re.fullmatch(r"[a-zA-Z0-9]{32}", secret) for secret in secrets)
    assert len(set(secrets)) == len(secrets)
    counts = Counter("".join(secrets))
    assert set(counts) == set(csrf.CSRF_ALLOWED_CHARS)
    # 64,000 characters over 62: about 1,032 each; a skewed mapping (byte % 62 with no
    # dropping) would give the first eight about 1,250.
    assert max(counts.values()) < 1200
    assert min(counts.values()) > 870


def test_a_first_visitors_form_token_is_accepted(client):
    client.handler.enforce_csrf_checks = True
    book = BookFactory(title="Tokens and Rivers")
    page = client.get(book.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    refused = client.post(f"/cart/add/{book.pk}/", {"csrfmiddlewaretoken": token[::-1]})
    added = client.post(f"/cart/add/{book.pk}/", {"csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert added.status_code == 302
    assert "Tokens and Rivers" in client.get("/cart/").content.decode()
