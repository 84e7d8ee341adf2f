"""Subjects, authors, facets, the book page's details and related books, and SEO."""

import json
import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bookshop.shop.catalog.facets import catalog_facets_warm, known_count
from bookshop.shop.catalog.models import Book, Subject
from bookshop.shop.catalog.selectors import books_in_subject
from bookshop.shop.catalog.services import book_upsert_many
from tests.shop.factories import BookFactory, SubjectFactory, store_book

pytestmark = pytest.mark.django_db


def titles(response) -> list[str]:
    return [book.title for book in response.context["books"]]


def test_the_sync_mirrors_subjects_and_details():
    book_upsert_many(books=[store_book(id=7), store_book(id=8, subjects=[], author="Anon Y.")])

    book = Book.objects.get(store_id=7)
    assert [s.slug for s in book.subjects.all()] == ["science-fiction"]
    assert (book.publisher, book.published_year, book.format, book.pages) == (
        "Harper & Row", 1974, "paperback", 387,
    )  # fmt: skip
    assert (book.language, book.series, book.series_number) == ("en", "Hainish Cycle", 6)
    assert book.author_slug == "ursula-k-le-guin"
    assert not Book.objects.get(store_id=8).subjects.exists()


def test_a_changed_book_gets_its_new_subjects_in_fixed_queries(django_assert_num_queries):
    book_upsert_many(books=[store_book(id=n) for n in range(1, 4)])
    changed = [
        store_book(
            id=n,
            subjects=[{"name": "Utopias", "slug": "utopias"}],
            updated_at="2025-03-01T00:00:00Z",
        )
        for n in range(1, 4)
    ]
    # Two looks at the versions, the upsert, the subjects' upsert, their ids, the books'
    # ids, the old links' delete and the new links' insert (plus the savepoint pair); on
    # PostgreSQL the upsert's scratch table too (bulk.py; its COPY is not counted).
    with django_assert_num_queries(11 if connection.vendor == "postgresql" else 10):
        assert book_upsert_many(books=changed) == 3
    assert set(Subject.objects.get(slug="utopias").books.values_list("store_id", flat=True)) == {
        1, 2, 3,
    }  # fmt: skip
    assert not Subject.objects.get(slug="science-fiction").books.exists()


def test_subject_and_author_pages_list_their_books(client):
    scifi = SubjectFactory(name="Science fiction")
    dune = BookFactory(title="Dune", author="Frank Herbert")
    dune.subjects.add(scifi)
    BookFactory(title="Emma", author="Jane Austen")

    subject = client.get("/subjects/science-fiction/")
    author = client.get("/authors/jane-austen/")

    assert subject.status_code == 200
    assert titles(subject) == ["Dune"]
    assert "<h1" in subject.content.decode()
    assert "Science fiction" in subject.content.decode()
    assert titles(author) == ["Emma"]
    assert client.get("/subjects/nothing/").status_code == 404
    assert client.get("/authors/nobody/").status_code == 404
    subjects = client.get("/subjects/").content.decode()
    assert 'href="/subjects/science-fiction/">Science fiction</a>' in subjects
    assert 'href="/subjects/">Subjects</a>' in client.get("/").content.decode()  # the nav


def test_facets_combine_with_search_and_price(client):
    BookFactory(title="Cheap dune", format="paperback", language="en", price=Decimal("5"))
    BookFactory(title="Dear dune", format="hardcover", language="en", price=Decimal("50"))
    BookFactory(title="Dune en français", format="paperback", language="fr")
    BookFactory(title="Sold out dune", format="paperback", quantity=0)

    response = client.get(
        "/",
        {"q": "dune", "format": "paperback", "language": "en", "in_stock": "1", "max_price": "20"},
    )

    assert titles(response) == ["Cheap dune"]
    page = client.get("/").content.decode()
    assert '<option value="fr">French</option>' in page


def test_a_bad_value_is_ignored_and_named_the_rest_still_applies(client):
    BookFactory(title="Dune", price=Decimal("9"))
    BookFactory(title="Emma", price=Decimal("9"))

    response = client.get("/", {"q": "dune", "min_price": "abc", "format": "scroll"})

    page = response.content.decode()
    assert titles(response) == ["Dune"]
    assert "Results for “dune”" in page
    assert "Ignored min price “abc”" in page
    assert "Ignored format “scroll”" in page


def test_a_page_past_the_end_says_so(client):
    BookFactory.create_batch(25)

    response = client.get("/", {"page": "9"})

    assert response.status_code == 404
    assert "There is no page 9" in response.content.decode()
    assert response.context["books"] == []


def test_search_matches_words_and_prefixes_not_fragments(client):
    BookFactory(title="The Left Hand of Darkness")
    BookFactory(title="Matthewside", author="Another Writer")

    assert titles(client.get("/", {"q": "the"})) == ["The Left Hand of Darkness"]
    assert titles(client.get("/", {"q": "dark"})) == ["The Left Hand of Darkness"]
    assert titles(client.get("/", {"q": "hew"})) == []


def test_best_match_puts_title_matches_first(client):
    BookFactory(title="A quiet life", author="Sam Ocean", description="Ocean ocean ocean.")
    BookFactory(title="Ocean", author="Nobody")
    BookFactory(title="Zebra", description="By the ocean.")

    ranked = titles(client.get("/", {"q": "ocean"}))

    assert ranked[0] == "Ocean"
    assert set(ranked) == {"Ocean", "A quiet life", "Zebra"}


def test_book_page_shows_details_author_link_and_related_books(client, django_assert_num_queries):
    scifi = SubjectFactory(name="Science fiction")
    book = BookFactory(
        title="The Dispossessed", publisher="Harper & Row", published_year=-350, pages=387,
        language="fr", series="Hainish Cycle", series_number=6, format="hardcover",
    )  # fmt: skip
    book.subjects.add(scifi)
    BookFactory(title="Zz out of stock", quantity=0)
    BookFactory(title="Earthsea")
    BookFactory.create_batch(6)
    for other in BookFactory.create_batch(8, author="Someone Else"):
        other.subjects.add(scifi)

    # The catalogue's version, the book, its subjects, the author's books, the subject's.
    with django_assert_num_queries(5):
        response = client.get(book.get_absolute_url())

    page = response.content.decode()
    assert 'href="/authors/ursula-k-le-guin/">Ursula K. Le Guin</a>' in page
    for text in (
        "Harper &amp; Row",
        "350 BCE",
        "Hardcover",
        "387",
        "French",
        "Hainish Cycle, book 6",
    ):
        assert text in page
    by_author = [b.title for b in response.context["by_author"]]
    assert len(by_author) == 6
    assert "Zz out of stock" not in by_author  # in stock first
    assert len(response.context["in_subject"]) == 6
    assert "More in Science fiction" in page


def test_related_books_in_stock_come_first_then_the_rest_by_title(client):
    poetry = SubjectFactory(name="Poetry")
    book = BookFactory(title="Odes")
    book.subjects.add(poetry)
    for title, quantity in [("Zeal", 2), ("Ash", 0), ("Moss", 0), ("Birch", 4), ("Cedar", 0)]:
        BookFactory(title=title, quantity=quantity, author=f"Poet {title}").subjects.add(poetry)
    for title, quantity in [("Later", 0), ("Earlier", 0), ("Kept", 1)]:
        BookFactory(title=title, quantity=quantity)  # by the same author as "Odes"

    response = client.get(book.get_absolute_url())

    assert [b.title for b in response.context["in_subject"]] == [
        "Birch", "Zeal", "Ash", "Cedar", "Moss",
    ]  # fmt: skip
    assert [b.title for b in response.context["by_author"]] == ["Kept", "Earlier", "Later"]


@pytest.mark.parametrize("subject_books", [None, 3, 10_000])
def test_a_subject_s_other_books_are_the_same_however_its_size_is_known(subject_books, settings):
    settings.CATALOG_RANK_LIMIT = 5
    poetry = SubjectFactory(name="Poetry")
    book = BookFactory(title="Odes")
    book.subjects.add(poetry)
    for n in range(12):
        other = BookFactory(
            title=f"Verse {(n * 5) % 12:02d}", quantity=n % 3, author=f"Poet {n % 4}",
            is_active=n != 7,
        )  # fmt: skip
        other.subjects.add(poetry)
    BookFactory(title="Aaa, not poetry")

    found = books_in_subject(book=book, subject=poetry, subject_books=subject_books)

    in_stock = sorted(f"Verse {(n * 5) % 12:02d}" for n in range(12) if n % 3 and n != 7)
    assert [b.title for b in found] == in_stock[:6]


def test_book_urls_carry_a_slug_and_old_ones_redirect(client):
    book = BookFactory(title="The Left Hand of Darkness")

    assert book.get_absolute_url() == f"/books/{book.pk}-the-left-hand-of-darkness/"
    old = client.get(f"/books/{book.pk}/")
    wrong = client.get(f"/books/{book.pk}-wrong/")
    assert old.status_code == wrong.status_code == 301
    assert old["Location"] == wrong["Location"] == book.get_absolute_url()


def test_book_page_has_canonical_link_and_schema_org_offer(client):
    book = BookFactory(title="Dune </script>", price=Decimal("9.5"), quantity=0)

    page = client.get(book.get_absolute_url()).content.decode()

    assert f'<link rel="canonical" href="http://testserver{book.get_absolute_url()}">' in page
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "</script" not in raw
    data = json.loads(raw)
    assert data["@type"] == "Book"
    assert data["name"] == "Dune </script>"
    assert data["isbn"] == book.isbn
    assert data["offers"] == {
        "@type": "Offer",
        "price": "9.50",
        "priceCurrency": "USD",
        "availability": "https://schema.org/OutOfStock",
        "url": f"http://testserver{book.get_absolute_url()}",
        "gtin13": book.isbn.replace("-", ""),
    }


def test_sitemaps_and_robots(client):
    scifi = SubjectFactory(name="Science fiction")
    book = BookFactory(title="Dune", author="Frank Herbert")
    book.subjects.add(scifi)

    index = client.get("/sitemap.xml").content.decode()
    books = client.get("/sitemap-books.xml").content.decode()
    subjects = client.get("/sitemap-subjects.xml").content.decode()
    authors = client.get("/sitemap-authors.xml").content.decode()
    robots = client.get("/robots.txt").content.decode()

    assert "sitemap-books.xml" in index
    assert "sitemap-authors.xml" in index
    assert f"http://testserver{book.get_absolute_url()}" in books
    assert "http://testserver/subjects/science-fiction/" in subjects
    assert "http://testserver/authors/frank-herbert/" in authors
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    assert "Disallow: /cart/" in robots
    assert "Disallow: /checkout/" in robots


def test_the_kept_facets_count_the_catalogue_and_a_subject_page_in_any_order(client):
    scifi = SubjectFactory(name="Science fiction")
    for book in BookFactory.create_batch(23):
        book.subjects.add(scifi)
    BookFactory.create_batch(4)
    BookFactory(is_active=False).subjects.add(scifi)  # unlisted: counted nowhere
    catalog_facets_warm()  # as every sync that changes the mirror does

    with CaptureQueriesContext(connection) as queries:
        pages = {
            "/": client.get("/"),
            "/?sort=price&page=2": client.get("/", {"sort": "price", "page": "2"}),
            "/subjects/science-fiction/": client.get("/subjects/science-fiction/"),
            "science fiction, by price, page 2": client.get(
                "/subjects/science-fiction/", {"sort": "-price", "page": "2"}
            ),
        }

    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()]
    for name, total in [("/", 27), ("/?sort=price&page=2", 27)]:
        assert f"{total} books · page" in pages[name].content.decode(), name
    assert "23 books · page 1 of 2" in pages["/subjects/science-fiction/"].content.decode()
    second = pages["science fiction, by price, page 2"]
    assert "23 books · page 2 of 2" in second.content.decode()
    assert len(second.context["books"]) == 3
    # Any other filter is counted by the database.
    with CaptureQueriesContext(connection) as queries:
        narrowed = client.get("/subjects/science-fiction/", {"in_stock": "on"})
    assert [q for q in queries if "COUNT(" in q["sql"].upper()]
    assert narrowed.status_code == 200


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({}, 9),
        ({"sort": "price"}, 9),
        ({"subject": "poetry"}, 4),
        ({"subject": "poetry", "sort": "-price"}, 4),
        ({"subject": "history"}, None),  # not among the kept subjects: ask the database
        ({"query": "dune"}, None),
        ({"subject": "poetry", "in_stock": True}, None),
        ({"min_price": Decimal("0")}, None),
        ({"max_price": Decimal("10")}, None),
        ({"format": "hardcover"}, None),
        ({"language": "fr"}, None),
        ({"author": "jane-austen", "subject": "poetry"}, None),
    ],
)
def test_known_count_only_for_the_whole_catalogue_or_one_subject(arguments, expected):
    facets = {"subjects": [("poetry", "Poetry", 4)], "languages": [], "formats": [], "listed": 9}
    base = {"query": "", "min_price": None, "max_price": None, "sort": "relevance",
            "subject": "", "format": "", "language": "", "in_stock": False}  # fmt: skip
    assert known_count({**base, **arguments}, facets) == expected


def test_facets_kept_without_the_catalogue_s_count_still_count():
    assert known_count({"subject": ""}, {"subjects": []}) is None


def test_results_rendered_anew_count_and_list_the_mirror_as_it_is_now(
    client, settings, monkeypatch
):
    # The process trusts the version it read for a minute, and a sync lands inside it.
    settings.CATALOG_VERSION_SECONDS = 60
    monkeypatch.setattr("bookshop.shop.catalog.selectors._RecentVersion.read_at", float("-inf"))
    BookFactory().subjects.add(SubjectFactory(name="Science fiction"))
    catalog_facets_warm()
    assert "1 book" in client.get("/subjects/science-fiction/").content.decode()

    subjects = [{"name": "Science fiction", "slug": "science-fiction"}]
    book_upsert_many(books=[store_book(id=n, subjects=subjects) for n in (101, 102)])

    # Kept results may be of the version read a moment ago; new ones are of the mirror now.
    fresh = client.get("/subjects/science-fiction/", {"sort": "price"})
    assert "3 books" in fresh.content.decode()
    assert len(fresh.context["books"]) == 3
