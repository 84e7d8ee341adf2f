"""ISO 639-1 language codes and their English names, from pycountry (Debian's iso-codes).

The store validates a book's `language` with it; the shop names the language facets.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pycountry


@lru_cache(maxsize=256)
def language_name(code: str) -> str | None:
    """The English name of a two-letter ISO 639-1 code ("fr" -> "French"), else None."""
    if len(code) != 2 or not code.islower():
        return None
    language = pycountry.languages.get(alpha_2=code)
    return language.name if language is not None else None


@lru_cache(maxsize=1)
def languages_with_codes() -> tuple[Any, ...]:
    """Every language that has an ISO 639-1 code, by code."""
    found = [language for language in pycountry.languages if hasattr(language, "alpha_2")]
    return tuple(sorted(found, key=lambda language: language.alpha_2))
