"""The catalogue CSV import: rows checked, matched by ISBN, applied all or nothing."""

import io
import uuid
from decimal import Decimal

import pytest

from bookshop.store.inventory.catalog_import import catalog_export, catalog_import
from bookshop.store.inventory.models import Book, BookItem, Subject
from bookshop.store.orders.services import OrderLine, order_complete, order_create, order_pack
from tests.store.factories import BookFactory, BookItemFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "isbn,title,author,price,description,publisher,published_year,format,pages,language,"
    "subjects,copies"
)
# Valid ISBN-13s.
DUNE = "9780441013593"
EMMA = "9780141439587"
ODYSSEY = "9780140268867"


def run(text: str | bytes, **options):
    data = text.encode() if isinstance(text, str) else text
    return catalog_import(io.BytesIO(data), **options)


def errors(report):
    return [str(error) for error in report.errors]


def test_new_books_with_every_column():
    report = run(
        f"{HEADER}\n"
        f"{DUNE},Dune,Frank Herbert,9.99,Sand.,Ace,1965,Paperback,412,EN,"
        "Science fiction; Classics,A-1:2;B-2:1\n"
    )
    assert errors(report) == []
    assert report.summary == "1 new, 0 updated, 0 unchanged, 0 errors"
    book = Book.objects.get(isbn=DUNE)
    assert (book.title, book.author, book.price, book.publisher) == (
        "Dune",
        "Frank Herbert",
        Decimal("9.99"),
        "Ace",
    )
    assert (book.published_year, book.format, book.pages, book.language) == (
        1965,
        "paperback",
        412,
        "en",
    )
    assert sorted(book.subjects.values_list("name", flat=True)) == ["Classics", "Science fiction"]
    assert sorted(book.items.values_list("place", flat=True)) == ["A-1", "A-1", "B-2"]


def test_columns_in_any_order_and_only_the_required_ones():
    report = run(f"price,isbn,title\n4.50,{EMMA},Emma\n")
    assert report.summary == "1 new, 0 updated, 0 unchanged, 0 errors"
    assert Book.objects.get(isbn=EMMA).author == ""


def test_a_byte_order_mark_is_accepted():
    report = run(f"\ufeffisbn,title,price\n{EMMA},Emma,4.50\n".encode())
    assert report.counts["new"] == 1


def test_isbn10_is_stored_as_isbn13_with_hyphens_and_spaces_allowed():
    report = run("isbn,title,price\n0-306-40615 2,Physics,10\n")
    assert errors(report) == []
    assert Book.objects.get().isbn == "9780306406157"


def test_a_book_stored_with_its_isbn10_is_matched_and_moves_to_isbn13():
    book = BookFactory(isbn="0306406152", title="Physics")
    report = run("isbn,title,price\n978-0-306-40615-7,Physics,10\n")
    assert report.counts["updated"] == 1
    book.refresh_from_db()
    assert book.isbn == "9780306406157"
    assert Book.objects.count() == 1


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ("9780441013594,Dune,9.99,,", "row 2, isbn: '9780441013594' is not a valid ISBN"),
        (f'{DUNE},Dune,"12,50",,', "row 2, price: '12,50': write decimals with a point"),
        (f"{DUNE},Dune,-1,,", "row 2, price: '-1': a price cannot be negative"),
        (f"{DUNE},Dune,1.999,,", "row 2, price: '1.999' is not a price"),
        (f"{DUNE},Dune,abc,,", "row 2, price: 'abc' is not a price"),
        (f"{DUNE},Dune,9.99,3000,", "row 2, published_year: Enter a year between"),
        (f"{DUNE},Dune,9.99,,A-1:-1", "row 2, copies: 'A-1:-1': the count must be a whole"),
        (f"{DUNE},Dune,9.99,,A-1", "row 2, copies: 'A-1': write PLACE:COUNT"),
        (f"{DUNE},Dune,9.99,,A-1:x", "row 2, copies: 'A-1:x': the count must be a whole"),
        (f"{DUNE},Dune,9.99,,A-1:1;A-1:2", "row 2, copies: place 'A-1' is listed twice"),
        (",Dune,9.99,,", "row 2, isbn: required"),
        (f"{DUNE},,9.99,,", "row 2, title: required for a new book"),
        (f"{DUNE},Dune,,,", "row 2, price: required for a new book"),
    ],
)
def test_a_bad_cell_is_an_error_on_its_row_and_column(cells, expected):
    report = run(f"isbn,title,price,published_year,copies\n{cells}\n")
    assert len(report.errors) == 1
    assert errors(report)[0].startswith(expected)
    assert report.summary.endswith("1 errors")
    assert not report.written
    assert Book.objects.count() == 0


def test_unknown_format_and_language():
    report = run(f"isbn,title,price,format,language\n{DUNE},Dune,1,scroll,xx\n")
    assert [(e.row, e.column) for e in report.errors] == [(2, "format"), (2, "language")]
    assert "'scroll' is not a format; use hardcover, other, paperback" in errors(report)[0]


def test_a_duplicate_isbn_in_the_file_is_an_error_on_the_later_row():
    # The same book twice: once as ISBN-10, once as ISBN-13.
    report = run("isbn,title,price\n0306406152,Physics,10\n9780306406157,Physics,11\n")
    assert errors(report) == ["row 3, isbn: the same ISBN as row 2"]
    assert Book.objects.count() == 0


def test_a_duplicate_isbn_in_a_later_chunk_is_caught_too():
    report = run(f"isbn,title,price\n{DUNE},Dune,1\n{EMMA},Emma,2\n{DUNE},Dune,3\n", chunk_size=1)
    assert errors(report) == ["row 4, isbn: the same ISBN as row 2"]


def test_a_file_that_is_not_utf8_is_one_clear_error():
    report = run("isbn,title,price\n9780441013593,Café,1\n".encode("latin-1"))
    assert errors(report) == ["row 2: the file is not UTF-8 text; save it as CSV UTF-8 and retry"]
    assert Book.objects.count() == 0


def test_a_missing_header_is_an_error():
    report = run(f"{DUNE},Dune,9.99\n")
    assert len(report.errors) == 1
    assert errors(report)[0].startswith("row 1: the first row must be the header")


def test_an_empty_file_is_an_error():
    assert errors(run(""))[0].startswith("row 1: the file is empty")


def test_unknown_columns_are_refused_by_name():
    report = run(f"isbn,title,price,colour\n{DUNE},Dune,1,red\n")
    assert errors(report) == [
        "row 1: unknown column 'colour'; the columns are isbn, title, author, price, "
        "description, publisher, published_year, format, pages, language, subjects, copies"
    ]


def test_a_row_with_more_cells_than_the_header():
    report = run(f"isbn,title,price\n{DUNE},Dune,1,extra\n")
    assert errors(report) == ["row 2: 4 cells, but the header names 3"]


def test_all_or_nothing_by_default_lists_every_error():
    report = run(f"isbn,title,price\n{DUNE},Dune,1\n{EMMA},Emma,-1\n123,X,1\n{ODYSSEY},Odyssey,2\n")
    assert [(e.row, e.column) for e in report.errors] == [(3, "price"), (4, "isbn")]
    assert report.summary == "2 new, 0 updated, 0 unchanged, 2 errors"
    assert not report.written
    assert Book.objects.count() == 0
    assert Subject.objects.count() == 0


def test_skip_invalid_writes_the_valid_rows():
    report = run(
        f"isbn,title,price\n{DUNE},Dune,1\n{EMMA},Emma,-1\n{ODYSSEY},Odyssey,2\n",
        skip_invalid=True,
    )
    assert report.written
    assert errors(report) == ["row 3, price: '-1': a price cannot be negative"]
    assert sorted(Book.objects.values_list("isbn", flat=True)) == sorted([DUNE, ODYSSEY])


def test_dry_run_reports_and_writes_nothing():
    book = BookFactory(isbn=EMMA, title="Emma", price=Decimal("5.00"), copies=1)
    before = book.updated_at
    report = run(
        f"isbn,title,price,subjects,copies\n{DUNE},Dune,1,Sci-fi,A-1:3\n{EMMA},Emma,6,,A-9:1\n",
        dry_run=True,
        keep_rows=True,
    )
    assert report.summary == "1 new, 1 updated, 0 unchanged, 0 errors"
    assert [(r.row, r.outcome, r.changes) for r in report.rows] == [
        (2, "new", ["subjects", "copies: A-1 +3"]),
        (3, "updated", ["price", "copies: A-9 +1"]),
    ]
    assert not report.written
    assert list(Book.objects.values_list("isbn", flat=True)) == [EMMA]
    assert BookItem.objects.count() == 1
    assert Subject.objects.count() == 0
    book.refresh_from_db()
    assert (book.price, book.updated_at) == (Decimal("5.00"), before)


def test_an_empty_cell_leaves_the_field_unchanged_on_an_update():
    book = BookFactory(isbn=DUNE, title="Dune", author="Frank Herbert", price=Decimal("9.99"))
    report = run(f"isbn,title,author,price,pages\n{DUNE},,,12.00,300\n")
    assert report.summary == "0 new, 1 updated, 0 unchanged, 0 errors"
    book.refresh_from_db()
    assert (book.title, book.author, book.price, book.pages) == (
        "Dune",
        "Frank Herbert",
        Decimal("12.00"),
        300,
    )


FILE = (
    f"{HEADER}\n"
    f"{DUNE},Dune,Frank Herbert,9.99,Sand.,Ace,1965,paperback,412,en,"
    "Science fiction;Classics,A-1:2\n"
    f"{EMMA},Emma,Jane Austen,4.50,,,1815,hardcover,,en,Classics,B-1:1;B-2:0\n"
)


def test_importing_the_same_file_twice_changes_nothing_the_second_time(
    django_assert_max_num_queries,
):
    assert run(FILE).summary == "2 new, 0 updated, 0 unchanged, 0 errors"
    stamps = dict(Book.objects.values_list("isbn", "updated_at"))
    copies = list(BookItem.objects.values_list("pk", "updated_at"))
    # Reads and savepoints only: no INSERT, UPDATE or DELETE.
    with django_assert_max_num_queries(20) as captured:
        report = run(FILE)
    assert report.summary == "0 new, 0 updated, 2 unchanged, 0 errors"
    writes = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].split()[0] in ("INSERT", "UPDATE", "DELETE")
    ]
    assert writes == []
    assert dict(Book.objects.values_list("isbn", "updated_at")) == stamps
    assert list(BookItem.objects.values_list("pk", "updated_at")) == copies


def test_export_then_import_is_a_round_trip_with_zero_changes():
    run(FILE)
    BookFactory(isbn="", title="No ISBN")
    out = io.StringIO()
    assert catalog_export(out) == (2, 1)
    lines = out.getvalue().splitlines()
    assert lines[0] == HEADER
    assert lines[1] == (
        f"{DUNE},Dune,Frank Herbert,9.99,Sand.,Ace,1965,paperback,412,en,"
        "Classics;Science fiction,A-1:2"
    )
    assert lines[2] == f"{EMMA},Emma,Jane Austen,4.50,,,1815,hardcover,,en,Classics,B-1:1"
    report = run(out.getvalue())
    assert report.summary == "0 new, 0 updated, 2 unchanged, 0 errors"


def test_a_chunk_costs_the_same_queries_whatever_its_size(django_assert_max_num_queries):
    for n in range(30):
        BookFactory(isbn=_isbn(n), copies=2)
    rows = "".join(
        f"{_isbn(n)},Title {n},{n}.50,Subject {n % 3},A-{n}:1;C-1:3\n" for n in range(60)
    )
    with django_assert_max_num_queries(30):
        report = run(f"isbn,title,price,subjects,copies\n{rows}", chunk_size=100)
    assert report.summary == "30 new, 30 updated, 0 unchanged, 0 errors"
    assert BookItem.objects.filter(place="C-1").count() == 180


def _isbn(n: int) -> str:
    core = f"978{n:09d}"
    total = sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(core))
    return core + str((10 - total % 10) % 10)


def _reserve(book, quantity):
    order, _ = order_create(
        actor=None,
        shop_order_id=uuid.uuid4(),
        customer_email="c@example.com",
        delivery_address="1 Road",
        lines=[OrderLine(book.pk, quantity)],
    )
    return order


def test_copies_go_up_and_down_to_the_counts():
    book = BookFactory(isbn=DUNE, title="Dune", price=1)
    for _ in range(4):
        BookItemFactory(book=book, place="A-1")
    report = run(f"isbn,title,price,copies\n{DUNE},Dune,1,A-1:1;B-1:2\n", keep_rows=True)
    assert report.rows[0].changes == ["copies: A-1 -3", "copies: B-1 +2"]
    assert sorted(book.items.values_list("place", flat=True)) == ["A-1", "B-1", "B-1"]


def test_removing_copies_never_touches_reserved_picked_or_shipped_ones():
    book = BookFactory(isbn=DUNE, title="Dune", price=1)
    copies = [BookItemFactory(book=book, place="A-1") for _ in range(5)]
    shipped = _reserve(book, 1)
    order_pack(order_id=shipped.pk, book_item_ids=[copies[0].pk])
    order_complete(order_id=shipped.pk, actor=None)
    picked = _reserve(book, 1)
    order_pack(order_id=picked.pk, book_item_ids=[copies[1].pk])
    _reserve(book, 1)  # reserved, nothing picked yet
    # In stock: 4 (one shipped); held: one picked and one more reserved, so two may go.
    report = run(f"isbn,title,price,copies\n{DUNE},Dune,1,A-1:0\n", keep_rows=True)
    assert report.rows[0].outcome == "updated"
    assert report.rows[0].changes == [
        "copies: A-1 -2",
        "copies: A-1 2 kept (reserved or picked for orders)",
    ]
    left = set(book.items.values_list("pk", flat=True))
    assert {copies[0].pk, copies[1].pk} <= left
    assert book.items.filter(status=BookItem.Status.IN_STOCK).count() == 2
    # Again: nothing more can go, so the row is unchanged but still says why.
    report = run(f"isbn,title,price,copies\n{DUNE},Dune,1,A-1:0\n", keep_rows=True)
    assert report.rows[0].outcome == "unchanged"
    assert report.rows[0].changes == ["copies: A-1 2 kept (reserved or picked for orders)"]


def test_subjects_are_replaced_and_created_when_new():
    book = BookFactory(isbn=DUNE, title="Dune", price=1)
    book.subjects.set([Subject.objects.create(name="Old", slug="old")])
    run(f"isbn,title,price,subjects\n{DUNE},Dune,1,science  Fiction;Space\n")
    assert sorted(book.subjects.values_list("name", flat=True)) == ["Space", "science Fiction"]
