"""CSRF secrets and masks drawn from one read of the system's random source.

Django draws each of a secret's 32 characters with its own `secrets.choice`, one
`os.urandom` call per character, and every page with a form masks the secret with 32
more: about 130 µs of a first visit's page, a tenth of a kept catalogue page's whole
time. `random_csrf_string` gives the same thing (32 characters, each uniformly one of
Django's CSRF_ALLOWED_CHARS, from the same source) from one `secrets.token_bytes`.
"""

from __future__ import annotations

import secrets

from django.middleware import csrf

_ALPHABET = csrf.CSRF_ALLOWED_CHARS
# Bytes at or above the last whole multiple of the alphabet's size are dropped, so that
# every character is equally likely (248 of 256 byte values are kept).
_KEPT = 256 - 256 % len(_ALPHABET)


def random_csrf_string() -> str:
    """A string of CSRF_SECRET_LENGTH characters from CSRF_ALLOWED_CHARS, uniformly random."""
    length = csrf.CSRF_SECRET_LENGTH
    text = ""
    while len(text) < length:
        # A few bytes spare: one in 32 is dropped, so a second read is rare.
        kept = (byte for byte in secrets.token_bytes(length + 8) if byte < _KEPT)
        text += "".join(_ALPHABET[byte % len(_ALPHABET)] for byte in kept)
    return text[:length]


def install() -> None:
    """Make Django's CSRF secrets and masks come from `random_csrf_string`.

    `_get_new_csrf_string` is the one place django.middleware.csrf draws both from (a new
    visitor's secret and each answer's mask); tests/shop/core/test_csrf_secrets.py fails if
    a Django upgrade removes or bypasses it.
    """
    if not hasattr(csrf, "_get_new_csrf_string"):
        raise RuntimeError("django.middleware.csrf no longer has _get_new_csrf_string")
    csrf._get_new_csrf_string = random_csrf_string
