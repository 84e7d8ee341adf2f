"""What search engines read: sitemaps, robots.txt and each book's schema.org data."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_safe

from bookshop.shop.catalog.models import Book, Subject

# Inside <script> a "</script>" in a title would end the element; escape what HTML sees.
_SCRIPT_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


def book_structured_data(book: Book, *, request: HttpRequest) -> SafeString:
    """A schema.org Book with its Offer, as JSON for a <script type="application/ld+json">."""
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Book",
        "name": book.title,
        "url": request.build_absolute_uri(book.get_absolute_url()),
        "inLanguage": book.language,
        "bookFormat": {
            "hardcover": "https://schema.org/Hardcover",
            "paperback": "https://schema.org/Paperback",
        }.get(book.format),
        "offers": {
            "@type": "Offer",
            "price": f"{book.price:.2f}",
            "priceCurrency": settings.SHOP_CURRENCY_CODE,
            "availability": "https://schema.org/InStock"
            if book.in_stock
            else "https://schema.org/OutOfStock",
            "url": request.build_absolute_uri(book.get_absolute_url()),
        },
    }
    if book.author:
        data["author"] = {"@type": "Person", "name": book.author}
    if book.isbn:
        data["isbn"] = book.isbn
        data["offers"]["gtin13"] = book.isbn.replace("-", "").replace(" ", "")
    if book.publisher:
        data["publisher"] = {"@type": "Organization", "name": book.publisher}
    if book.published_year is not None and book.published_year > 0:
        data["datePublished"] = f"{book.published_year:04d}"
    if book.pages:
        data["numberOfPages"] = book.pages
    if book.image_url:
        data["image"] = book.image_url
    data = {key: value for key, value in data.items() if value is not None}
    return mark_safe(json.dumps(data, ensure_ascii=False).translate(_SCRIPT_ESCAPES))  # noqa: S308


class BookSitemap(Sitemap):
    # Django splits a sitemap into pages of `limit` URLs (50,000, the protocol's maximum)
    # and the index lists the pages.
    changefreq = "weekly"

    def items(self) -> QuerySet[Book]:
        return Book.objects.listed().only("id", "title", "store_updated_at").order_by("id")

    def lastmod(self, item: Book) -> Any:
        return item.store_updated_at


class SubjectSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[Subject]:
        return Subject.objects.filter(books__is_active=True).distinct().order_by("slug")


class AuthorSitemap(Sitemap):
    changefreq = "weekly"

    def items(self) -> QuerySet[Book]:
        return (
            Book.objects.listed()
            .exclude(author_slug="")
            .order_by("author_slug")
            .values_list("author_slug", flat=True)
            .distinct()
        )

    def location(self, item: str) -> str:
        return reverse("catalog:author", args=[item])


SITEMAPS = {"books": BookSitemap, "subjects": SubjectSitemap, "authors": AuthorSitemap}

_ROBOTS = """User-agent: *
Disallow: /cart/
Disallow: /checkout/
Disallow: /accounts/
Disallow: /orders/
Disallow: /admin/

Sitemap: {sitemap}
"""


@require_safe
def robots_txt(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("sitemap-index"))
    return HttpResponse(_ROBOTS.format(sitemap=sitemap), content_type="text/plain")
