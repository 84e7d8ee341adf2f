"""ISO 639-1 language codes and their English names, from pycountry (Debian's iso-codes).

The store validates a book's `language` with it; the shop names the language facets.
"""

from __future__ import annotations

from functools import lru_cache

import pycountry


@lru_cache(maxsize=256)
def language_name(code: str) -> str | None:
    """The English name of a two-letter ISO 639-1 code ("fr" -> "French"), else None."""
    if len(code) != 2 or not code.islower():
        return None
    language = pycountry.languages.get(alpha_2=code)
    return language.name if language is not None else None
