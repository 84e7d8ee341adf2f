"""The choices of the catalogue's facet filters (subjects with their counts, languages,
formats) and the number of listed books, kept per catalogue version.

Counting every subject's listed books reads every book-subject link (about 200 ms at
100,000 books on SQLite), so the sync works them out as soon as it has changed the
mirror, and no visitor waits for them; a page finds them already kept.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache

from bookshop.shop.catalog.models import Book, BookFormat
from bookshop.shop.catalog.selectors import (
    catalog_version,
    languages_listed,
    narrowing,
    subjects_listed,
)


def catalog_facets(version: str) -> dict[str, Any]:
    """The facets of catalogue `version`, from the cache or worked out and kept."""
    facets = catalog_facets_kept(version)
    if facets is None:
        facets = {
            "subjects": [
                (subject.slug, subject.name, getattr(subject, "book_count", 0))
                for subject in subjects_listed()
            ],
            "languages": languages_listed(),
            "formats": list(BookFormat.choices),
            "listed": Book.objects.listed().count(),
        }
        cache.set(_key(version), facets, settings.CATALOG_CACHE_SECONDS)
    return facets


def catalog_facets_kept(version: str) -> dict[str, Any] | None:
    """The facets of catalogue `version` if they are kept already, else None (for a
    page that can do without them rather than work them out)."""
    facets: dict[str, Any] | None = cache.get(_key(version))
    return facets


def _key(version: str) -> str:
    return f"catalog:facets:{version}"


def known_count(arguments: dict[str, Any], facets: dict[str, Any]) -> int | None:
    """How many books the catalogue's `arguments` (`book_search`'s) select, when `facets`
    say it already: the whole catalogue, or one subject, in any order; else None."""
    if narrowing(arguments) - {"subject"}:
        return None
    if not arguments.get("subject"):
        listed = facets.get("listed")  # facets kept before this count was among them lack it
        return None if listed is None else int(listed)
    return next(
        (count for slug, _, count in facets["subjects"] if slug == arguments["subject"]), None
    )


def catalog_facets_warm() -> None:
    """Work out the facets of the mirror as it is now, ahead of the first page view."""
    catalog_facets(catalog_version())
