from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import EmptyPage, PageNotAnInteger
from django.http import Http404, HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from bookshop.shop.catalog.facets import catalog_facets, catalog_facets_kept, known_count
from bookshop.shop.catalog.forms import CatalogFilterForm
from bookshop.shop.catalog.pagination import CataloguePaginator
from bookshop.shop.catalog.selectors import (
    author_name,
    book_get_for_page,
    books_by_author,
    books_in_subject,
    catalog_results_key,
    catalog_version_for,
    narrowing,
    subject_get,
    subjects_listed,
)
from bookshop.shop.catalog.seo import book_structured_data
from bookshop.shop.core.page_cache import CSRF_HOLE, cached_page, rendering_skeleton


@require_safe
@cached_page
def book_list(request: HttpRequest) -> HttpResponse:
    """The home page: the catalogue, searched, filtered, sorted and paginated."""
    return _catalogue(request, template="catalog/book_list.html")


@require_safe
@cached_page
def subject_list(request: HttpRequest) -> HttpResponse:
    """Every subject with listed books, linked from the navigation."""
    return render(request, "catalog/subject_list.html", {"subjects": list(subjects_listed())})


@require_safe
@cached_page
def subject_detail(request: HttpRequest, slug: str) -> HttpResponse:
    subject = subject_get(slug=slug)
    if subject is None:
        raise Http404("No such subject.")
    return _catalogue(
        request,
        template="catalog/browse.html",
        fixed={"subject": subject.slug},
        extra={"heading": subject.name, "kind": "Subject", "canonical": subject.get_absolute_url()},
    )


@require_safe
@cached_page
def author_detail(request: HttpRequest, slug: str) -> HttpResponse:
    name = author_name(slug=slug)
    if name is None:
        raise Http404("No such author.")
    return _catalogue(
        request,
        template="catalog/browse.html",
        fixed={"author": slug},
        extra={
            "heading": name,
            "kind": "Author",
            "canonical": reverse("catalog:author", args=[slug]),
        },
    )


def _catalogue(
    request: HttpRequest,
    *,
    template: str,
    fixed: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    """The catalogue's results, searched, filtered, sorted and paginated, in `template`.

    `fixed` are the filters of a subject's or an author's page. The results (count, cards,
    page links) are rendered once per catalogue version and query and then served from
    the cache; a sync that changes the mirror changes the version, so customers never see
    a stale page. Only the CSRF token differs per visitor, and it is put in after the cache.
    """
    form = CatalogFilterForm(request.GET)
    form.is_valid()  # bad input shows as field errors; the valid rest still filters
    arguments = {**form.search_arguments(), **(fixed or {})}
    # What the customer chose, not what the page fixes (its subject or author).
    filtered = bool(narrowing(arguments) - set(fixed or {}))
    page_number = request.GET.get("page") or "1"
    path = request.get_full_path()

    def results_key(version: str) -> str:
        return catalog_results_key(
            arguments=arguments, page=page_number, path=path, version=version
        )

    version = catalog_version_for(request)
    cached = cache.get(key := results_key(version))
    if cached is None and (current := catalog_version_for(request, current=True)) != version:
        version = current  # rendered anew: for the mirror as it is now
        cached = cache.get(key := results_key(version))
    facets = catalog_facets(version)
    if cached is None:
        cached = _render_results(
            request, arguments, page_number, filtered=filtered, count=known_count(arguments, facets)
        )
        cache.set(key, cached, settings.CATALOG_CACHE_SECONDS)
    results, past_end = cached
    if not rendering_skeleton(request):  # a skeleton keeps the hole for each visitor's token
        # Every masked token of the visitor's secret is valid; each render gets its own.
        results = results.replace(CSRF_HOLE, get_token(request))
    context = {
        "form": form,
        "results": mark_safe(results),  # noqa: S308 - rendered by our template
        "searching": bool(arguments["query"]),
        "query": arguments["query"],
        "filtered": filtered,
        "ignored": form.ignored(),
        "facets": facets,
        "fixed": fixed or {},
        **(extra or {}),
    }
    return render(request, template, context, status=404 if past_end else 200)


def _render_results(
    request: HttpRequest,
    arguments: dict[str, Any],
    page_number: str,
    *,
    filtered: bool,
    count: int | None,
) -> tuple[str, bool]:
    """The results' HTML and whether the page asked for lies past the last one (`count`:
    how many books match, if known)."""
    paginator = CataloguePaginator(arguments, settings.CATALOG_PAGE_SIZE, count=count)
    past_end = False
    try:
        page = paginator.page(page_number)
    except PageNotAnInteger:
        page = paginator.page(1)
    except EmptyPage:
        past_end = paginator.count > 0 or page_number != "1"
        page = paginator.page(paginator.num_pages)
    # Page links keep the current search, filters and sort.
    query = request.GET.copy()
    query.pop("page", None)
    html = render_to_string(
        "catalog/_results.html",
        {
            "page": page,
            "books": [] if past_end else page.object_list,
            "past_end": past_end,
            "asked_page": page_number,
            # A few numbers around this page and at both ends, not a link per page:
            # 100 000 books make 5 000 pages.
            "page_numbers": paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            "ellipsis": paginator.ELLIPSIS,
            "query_string": query.urlencode(),
            "filtered": filtered,
            "next_url": request.get_full_path(),
            "csrf_placeholder": CSRF_HOLE,
        },
    )
    return html, past_end


@require_safe
@cached_page
def book_detail(request: HttpRequest, pk: int, slug: str = "") -> HttpResponse:
    """One book's page; an inactive book's page says it is no longer available.

    The URL carries the title's slug; the old slugless URL and a wrong slug redirect
    permanently to the right one.
    """
    book = book_get_for_page(pk=pk)
    if book is None:
        raise Http404("No such book.")
    if slug != book.slug:
        return HttpResponsePermanentRedirect(book.get_absolute_url())
    subjects = list(book.subjects.all())
    subject = subjects[0] if subjects else None
    # The subject's size, if the kept facets say it, tells how to find its other books.
    facets = catalog_facets_kept(catalog_version_for(request)) if subject else None
    subject_books = known_count({"subject": subject.slug}, facets) if subject and facets else None
    return render(
        request,
        "catalog/book_detail.html",
        {
            "book": book,
            "subjects": subjects,
            "related_subject": subject,
            "by_author": books_by_author(book=book),
            "in_subject": books_in_subject(book=book, subject=subject, subject_books=subject_books),
            "structured_data": book_structured_data(book, request=request),
        },
    )
