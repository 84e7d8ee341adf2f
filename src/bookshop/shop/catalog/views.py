from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from bookshop.shop.catalog.forms import CatalogFilterForm
from bookshop.shop.catalog.selectors import book_get_for_page, book_search, catalog_results_key

# Stands in the cached results where each visitor's CSRF token goes.
CSRF_PLACEHOLDER = "__csrf-token-of-this-visitor__"


@require_GET
def book_list(request: HttpRequest) -> HttpResponse:
    """The home page: the catalogue, searched, filtered, sorted and paginated.

    The results (count, cards, page links) are rendered once per catalogue version and
    query and then served from the cache; a sync that changes the mirror changes the
    version, so customers never see a stale page. Only the CSRF token differs per visitor,
    and it is put in after the cache.
    """
    form = CatalogFilterForm(request.GET)
    form.is_valid()  # bad input shows as field errors; the valid rest still filters
    arguments = form.search_arguments()
    filtered = any(
        arguments[name] not in (None, "") for name in ("query", "min_price", "max_price")
    )
    page_number = request.GET.get("page") or "1"
    key = catalog_results_key(arguments=arguments, page=page_number, path=request.get_full_path())
    results = cache.get(key)
    if results is None:
        page = Paginator(book_search(**arguments), settings.CATALOG_PAGE_SIZE).get_page(page_number)
        # Page links keep the current search, filters and sort.
        query = request.GET.copy()
        query.pop("page", None)
        results = render_to_string(
            "catalog/_results.html",
            {
                "page": page,
                "books": page.object_list,
                # A few numbers around this page and at both ends, not a link per page:
                # 100 000 books make 5 000 pages.
                "page_numbers": page.paginator.get_elided_page_range(
                    page.number, on_each_side=2, on_ends=1
                ),
                "ellipsis": page.paginator.ELLIPSIS,
                "query_string": query.urlencode(),
                "filtered": filtered,
                "next_url": request.get_full_path(),
                "csrf_placeholder": CSRF_PLACEHOLDER,
            },
        )
        cache.set(key, results, settings.CATALOG_CACHE_SECONDS)
    return render(
        request,
        "catalog/book_list.html",
        {
            "form": form,
            # Every masked token of the visitor's secret is valid; each render gets its own.
            "results": mark_safe(results.replace(CSRF_PLACEHOLDER, get_token(request))),  # noqa: S308
            "searching": bool(arguments["query"]),
            "filtered": filtered,
        },
    )


@require_GET
def book_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One book's page; an inactive book's page says it is no longer available."""
    book = book_get_for_page(pk=pk)
    if book is None:
        raise Http404("No such book.")
    return render(request, "catalog/book_detail.html", {"book": book})
