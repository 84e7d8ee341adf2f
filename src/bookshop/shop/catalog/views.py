from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from bookshop.shop.catalog.forms import CatalogFilterForm
from bookshop.shop.catalog.selectors import book_get_for_page, book_search


@require_GET
def book_list(request: HttpRequest) -> HttpResponse:
    """The home page: the catalogue, searched, filtered, sorted and paginated."""
    form = CatalogFilterForm(request.GET)
    form.is_valid()  # bad input shows as field errors; the valid rest still filters
    arguments = form.search_arguments()
    page = Paginator(book_search(**arguments), settings.CATALOG_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    # Page links keep the current search, filters and sort.
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/book_list.html",
        {
            "form": form,
            "page": page,
            "books": page.object_list,
            "query_string": query.urlencode(),
            "searching": bool(arguments["query"]),
            "filtered": any(
                arguments[name] not in (None, "") for name in ("query", "min_price", "max_price")
            ),
        },
    )


@require_GET
def book_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One book's page; an inactive book's page says it is no longer available."""
    book = book_get_for_page(pk=pk)
    if book is None:
        raise Http404("No such book.")
    return render(request, "catalog/book_detail.html", {"book": book})
