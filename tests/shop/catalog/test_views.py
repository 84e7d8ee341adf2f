import re
from decimal import Decimal

import pytest
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bookshop.shop.catalog.models import Book, book_search_document
from bookshop.shop.catalog.selectors import book_search, book_search_count
from bookshop.shop.catalog.services import book_upsert_many
from tests.shop.factories import BookFactory, SubjectFactory, store_book

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [book.title for book in response.context["books"]]


def test_home_page_lists_books_with_price_author_and_cover(client):
    BookFactory(title="The Left Hand of Darkness", price=Decimal("9.5"))
    BookFactory(title="Earthsea", image_url="http://127.0.0.1:8001/media/earthsea.jpg")

    response = client.get("/")

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Books · Bookshop</title>" in page
    assert "The Left Hand of Darkness" in page
    assert "$9.50" in page
    assert "Ursula K. Le Guin" in page
    assert 'src="http://127.0.0.1:8001/media/earthsea.jpg" alt="Cover of Earthsea"' in page
    assert 'alt="No cover available for The Left Hand of Darkness"' in page
    assert "/static/bootstrap/css/bootstrap.min.css" in page


def test_an_empty_catalogue_tells_staff_where_books_come_from(client):
    page = client.get("/").content.decode()

    assert "No books found" in page
    assert "Running this shop?" in page
    assert "store admin" in page
    assert "bookshop store seed_demo" in page
    assert "bookshop store populate_db --books 200" in page
    assert "bookshop store import_catalog books.csv" in page


def test_a_search_that_finds_nothing_gives_no_operator_hints(client):
    BookFactory(title="Earthsea")

    page = client.get("/?q=zzzz").content.decode()

    assert "No books found" in page
    assert "Try fewer words" in page
    assert "Running this shop?" not in page


def test_bootstrap_is_served_from_the_package(client):
    response = client.get("/static/bootstrap/css/bootstrap.min.css")

    assert response.status_code == 200
    assert b"Bootstrap" in b"".join(response.streaming_content)[:200]


def test_home_page_paginates_twenty_books(client):
    BookFactory.create_batch(45)

    first = client.get("/")
    third = client.get("/?page=3")

    assert len(titles(first)) == 20
    assert "page 1 of 3" in first.content.decode()
    assert len(titles(third)) == 5
    assert client.get("/?page=99").context["page"].number == 3
    assert client.get("/?page=abc").context["page"].number == 1


def test_inactive_books_are_not_listed(client):
    BookFactory(title="Still here")
    BookFactory(title="Withdrawn", is_active=False)

    assert titles(client.get("/")) == ["Still here"]


def test_out_of_stock_books_are_listed_with_a_badge(client):
    BookFactory(title="Sold out", quantity=0)

    page = client.get("/").content.decode()

    assert "Sold out" in page
    assert "Out of stock" in page


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("title", ["Alpha", "Beta", "Gamma"]),
        ("price", ["Beta", "Gamma", "Alpha"]),
        ("-price", ["Alpha", "Gamma", "Beta"]),
        ("newest", ["Gamma", "Beta", "Alpha"]),
    ],
)
def test_sort_orders(client, sort, expected):
    BookFactory(title="Alpha", price=Decimal("30.00"), store_id=1)
    BookFactory(title="Beta", price=Decimal("10.00"), store_id=2)
    BookFactory(title="Gamma", price=Decimal("20.00"), store_id=3)

    assert titles(client.get("/", {"sort": sort})) == expected


def test_price_range_filter(client):
    BookFactory(title="Cheap", price=Decimal("5.00"))
    BookFactory(title="Middle", price=Decimal("15.00"))
    BookFactory(title="Dear", price=Decimal("50.00"))

    response = client.get("/", {"min_price": "10", "max_price": "20"})

    assert titles(response) == ["Middle"]
    assert "Clear filters" in response.content.decode()


def test_bad_filters_show_field_errors_not_a_500(client):
    BookFactory(title="Anything")

    response = client.get("/", {"min_price": "cheap", "max_price": "-1", "sort": "bogus"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Enter a number." in page
    assert "Ensure this value is greater than or equal to 0." in page
    assert "Select a valid choice." in page
    assert titles(response) == ["Anything"]


def test_min_price_above_max_price_is_an_error(client):
    response = client.get("/", {"min_price": "20", "max_price": "10"})

    assert "The maximum price must not be below the minimum." in response.content.decode()


def test_search_by_title_author_and_isbn(client):
    BookFactory(title="A Wizard of Earthsea", author="Ursula K. Le Guin", isbn="978-0-547-77374-2")
    BookFactory(title="Neuromancer", author="William Gibson", isbn="978-0-441-56959-5")
    BookFactory(title="Dune", author="Frank Herbert", isbn="9780441172719")

    assert titles(client.get("/", {"q": "wizard"})) == ["A Wizard of Earthsea"]
    assert titles(client.get("/", {"q": "gibson"})) == ["Neuromancer"]
    assert titles(client.get("/", {"q": "9780547773742"})) == ["A Wizard of Earthsea"]
    assert titles(client.get("/", {"q": "978-0-441-17271-9"})) == ["Dune"]
    assert titles(client.get("/", {"q": "frank dune"})) == ["Dune"]
    assert titles(client.get("/", {"q": "tolkien"})) == []


def test_search_page_says_what_it_searched_for(client):
    BookFactory(title="Neuromancer")

    page = client.get("/", {"q": "neuromancer"}).content.decode()

    assert "Results for “neuromancer”" in page
    assert "<title>Search: neuromancer · Bookshop</title>" in page
    assert "1 book" in page


def test_search_finds_word_prefixes(client):
    BookFactory(title="The Hobbit")

    assert titles(client.get("/", {"q": "hobb"})) == ["The Hobbit"]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_search_ranks_title_matches_above_author_matches(client):
    BookFactory(title="About Gibson", author="Somebody")
    BookFactory(title="Zzz", author="William Gibson")
    BookFactory(title="Gibson Gibson", author="Someone")

    assert titles(client.get("/", {"q": "gibson"}))[-1] == "Zzz"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_a_search_reads_the_stored_document_s_gin_index():
    """A search that computed the document afresh would scan every book."""
    BookFactory.create_batch(3)
    search = SearchQuery("book:*", search_type="raw", config="simple")
    books = Book.objects.annotate(document=book_search_document()).filter(document=search)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = books.explain()

    assert "catalog_book_search_document" in plan


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_stored_document_weighs_title_isbn_author_and_description_and_follows_changes():
    book = BookFactory(title="Ocean", author="Wave Smith", isbn="978-1", description="Salt sand")
    expected = (
        SearchVector("title", weight="A", config="simple")
        + SearchVector("author", weight="B", config="simple")
        + SearchVector("isbn", weight="A", config="simple")
        + SearchVector("description", weight="C", config="simple")
    )

    def document():
        return (
            Book.objects.filter(pk=book.pk)
            .annotate(stored=book_search_document(), expected=expected)
            .values_list("stored", "expected")
            .get()
        )

    stored, wanted = document()
    assert stored == wanted
    assert "'ocean':1A" in stored
    assert "'sand':" in stored
    Book.objects.filter(pk=book.pk).update(title="Desert")
    stored, wanted = document()
    assert stored == wanted
    assert "'desert':1A" in stored
    assert "ocean" not in stored


def test_book_page_shows_the_book(client):
    book = BookFactory(
        title="The Dispossessed", description="An ambiguous utopia.", price=Decimal("12.5")
    )

    response = client.get(book.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>The Dispossessed · Bookshop</title>" in page
    assert "An ambiguous utopia." in page
    assert "$12.50" in page
    assert "5 available" in page
    assert "No cover available for The Dispossessed" in page


def test_book_page_of_an_inactive_book_says_it_is_gone(client):
    book = BookFactory(title="Withdrawn", is_active=False)

    response = client.get(book.get_absolute_url())

    assert response.status_code == 200
    assert "This book is no longer available." in response.content.decode()


def test_unknown_book_is_a_friendly_404(client, settings):
    settings.DEBUG = False

    response = client.get("/books/999999/")

    assert response.status_code == 404
    assert "We couldn't find that page" in response.content.decode()


def test_catalogue_pages_do_not_accept_posts(client):
    assert client.post("/").status_code == 405


def test_catalogue_pages_answer_head_as_get_without_the_body(client):
    book = BookFactory(title="Solaris")

    for url in ("/", book.get_absolute_url(), "/robots.txt", "/healthz"):
        head = client.head(url)
        assert head.status_code == 200, url
        assert head.content == b""
        assert head["Content-Type"] == client.get(url)["Content-Type"]
    # A page first asked for with HEAD is kept whole for the next GET.
    client.head("/?q=solaris")
    assert "Solaris" in client.get("/?q=solaris").content.decode()


@pytest.mark.parametrize("rows", [10, 200])
def test_catalogue_query_count_does_not_grow_with_books(client, django_assert_num_queries, rows):
    BookFactory.create_batch(rows)

    # The catalogue's version, the facets' subjects, languages and count of listed books
    # (the page's count), the page's ids and its books.
    with django_assert_num_queries(6):
        response = client.get("/")
    assert response.status_code == 200
    with django_assert_num_queries(1):  # the version: the results come from the cache
        assert client.get("/").status_code == 200


@pytest.mark.parametrize("rows", [10, 200])
def test_search_query_count_does_not_grow_with_books(client, django_assert_num_queries, rows):
    BookFactory.create_batch(rows)

    # The version, the facets (subjects, languages, the listed books' count: none after a
    # sync, which works them out), the search's count, the page's ids and its books.
    with django_assert_num_queries(7):
        response = client.get("/", {"q": "book", "min_price": "1", "sort": "price"})
    assert len(response.context["books"]) == min(rows, 20)
    with django_assert_num_queries(1):
        client.get("/", {"q": "book", "min_price": "1", "sort": "price"})


@pytest.mark.parametrize("rows", [10, 200])
def test_book_page_query_count_does_not_grow_with_books(client, django_assert_num_queries, rows):
    books = BookFactory.create_batch(rows)

    # The catalogue's version (the page's cache key), the book, its subjects and the
    # author's other books (no subject: no "More in").
    with django_assert_num_queries(4):
        assert client.get(books[-1].get_absolute_url()).status_code == 200
    with django_assert_num_queries(1):  # the version: the page comes from the cache
        assert client.get(books[-1].get_absolute_url()).status_code == 200


def test_a_sync_that_changes_the_mirror_shows_at_once_despite_the_cache(client):
    BookFactory(store_id=5, title="Solaris", price="12.50")
    assert "$12.50" in client.get("/").content.decode()

    book_upsert_many(
        books=[store_book(id=5, title="Solaris", price="9.75", updated_at="2099-01-01T00:00:00Z")]
    )

    page = client.get("/").content.decode()
    assert "$9.75" in page
    assert "$12.50" not in page


def test_cached_results_carry_each_visitors_own_csrf_token(client):
    book = BookFactory()
    other = Client(enforce_csrf_checks=True)
    client.get("/")  # fills the cache

    page = other.get("/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    assert "__csrf" not in page
    response = other.post(f"/cart/add/{book.pk}/", {"csrfmiddlewaretoken": token, "next": "/"})
    assert response.status_code == 302
    assert other.session["cart"]


def test_a_search_matching_more_books_than_the_rank_limit_is_listed_by_title(client, settings):
    settings.CATALOG_RANK_LIMIT = 2
    BookFactory(title="Zed", description="an ocean story")
    BookFactory(title="Ocean", description="waves")
    BookFactory(title="Middle", description="ocean again")

    # Ranked, "Ocean" (the word in its title) would come first.
    assert titles(client.get("/", {"q": "ocean"})) == ["Middle", "Ocean", "Zed"]
    settings.CATALOG_RANK_LIMIT = 3
    assert titles(client.get("/", {"q": "ocean", "page": "1"}))[0] == "Ocean"


def _broad_catalogue():
    history = SubjectFactory(name="History")
    for n in range(30):
        book = BookFactory(
            title=f"{'Ocean' if n % 3 else 'Desert'} tale {(n * 7) % 30:02d}",
            price=Decimal(10 + n % 4),  # many books share a price: title and id decide
            quantity=n % 2,
            is_active=n % 10 != 4,
        )
        if n % 2:
            book.subjects.add(history)


@pytest.mark.parametrize("sort", ["", "relevance", "title", "price", "-price", "newest"])
@pytest.mark.parametrize(
    "arguments",
    [{"query": "ocean"}, {"subject": "history"}, {"query": "tale", "subject": "history"},
     {"query": "ocean", "in_stock": True, "max_price": Decimal("12")}],
)  # fmt: skip
def test_a_broad_list_has_the_books_of_the_narrow_one_in_the_same_order(arguments, sort):
    _broad_catalogue()
    narrow = book_search(**arguments, sort=sort)
    if sort in ("", "relevance") and arguments.get("query"):
        narrow = narrow.order_by("title", "id")  # what a broad search is listed by

    broad = list(book_search(**arguments, sort=sort, broad=True).values_list("pk", flat=True))

    assert broad == list(narrow.values_list("pk", flat=True))
    assert len(broad) > 5


@pytest.mark.parametrize(
    "arguments",
    [{"query": "ocean"}, {"query": "ocean tale"}, {"query": 'oce"an'}, {"query": "desert"},
     {"query": "ocean", "sort": "price"}, {"query": "ocean", "max_price": Decimal("0")},
     {"query": "ocean", "min_price": Decimal("11")}, {"query": "tale", "subject": "history"},
     {"query": "978-0-00"}, {"query": "ocean", "in_stock": True}, {"query": "zzz"}, {}],
)  # fmt: skip
def test_a_search_s_count_is_the_number_of_books_it_lists(arguments):
    _broad_catalogue()
    BookFactory(title="Free ocean", price=Decimal("0"))
    # A book hidden after it was indexed, and one shown again: the index follows both.
    Book.objects.filter(title="Ocean tale 05").update(is_active=False)
    Book.objects.filter(title="Ocean tale 28").update(is_active=True)

    assert book_search_count(**arguments) == len(book_search(**arguments))


@pytest.mark.parametrize("query", ["1", "0", "book 1", "is_active"])
def test_words_match_the_books_text_not_their_listed_flag(client, query):
    BookFactory(title="Chapter 1", isbn="978-2-22-222222-2", description="Pages.")
    BookFactory(title="Another book", isbn="978-3-33-333333-3", description="None of it.")

    found = titles(client.get("/", {"q": query}))

    assert found == {"1": ["Chapter 1"], "0": [], "book 1": [], "is_active": []}[query]
    assert book_search_count(query=query) == len(found)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's full-text index")
def test_a_bare_search_is_counted_in_the_full_text_index_alone():
    _broad_catalogue()

    with CaptureQueriesContext(connection) as queries:
        count = book_search_count(query="ocean")

    assert count == Book.objects.filter(is_active=True, title__startswith="Ocean").count()
    assert [q["sql"].split(" WHERE ")[0] for q in queries] == [
        "SELECT COUNT(*) FROM catalog_book_fts"
    ]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner")
@pytest.mark.parametrize(
    ("arguments", "index"),
    [({"query": "ocean"}, "catalog_book_listed_title"),
     ({"query": "ocean", "sort": "-price"}, "catalog_book_listed_dear"),
     ({"subject": "history", "sort": "price"}, "catalog_book_listed_price")],
)  # fmt: skip
def test_a_broad_page_on_sqlite_walks_the_sort_s_index_instead_of_sorting_the_matches(
    arguments, index
):
    def plan(books) -> str:
        sql, params = books.values_list("pk", flat=True)[40:60].query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            return " / ".join(str(row[-1]) for row in cursor.fetchall())

    assert "TEMP B-TREE FOR ORDER BY" in plan(book_search(**arguments))
    walk = plan(book_search(**arguments, broad=True))
    assert f"SCAN catalog_book USING INDEX {index}" in walk
    assert "TEMP B-TREE" not in walk


def test_a_far_page_shows_the_books_of_that_place_in_the_order(client):
    for n in range(45):
        BookFactory(title=f"Book {n:02d}", price=f"{50 - n}.00")

    assert titles(client.get("/", {"sort": "price", "page": "3"})) == [
        f"Book {n:02d}" for n in range(4, -1, -1)
    ]
    assert titles(client.get("/", {"page": "2"})) == [f"Book {n:02d}" for n in range(20, 40)]
