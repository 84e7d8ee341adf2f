"""bookshop store import_catalog / export_catalog."""

import io

import pytest
from django.core.management import CommandError, call_command

from bookshop.store.inventory.models import Book

pytestmark = pytest.mark.django_db

DUNE = "9780441013593"
EMMA = "9780141439587"


def _call(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_prints_a_summary(tmp_path):
    path = tmp_path / "books.csv"
    path.write_text(f"isbn,title,price,copies\n{DUNE},Dune,9.99,A-1:2\n")
    assert _call("import_catalog", str(path)) == "1 new, 0 updated, 0 unchanged, 0 errors.\n"
    assert Book.objects.get().items.count() == 2
    assert _call("import_catalog", str(path)).startswith("0 new, 0 updated, 1 unchanged, 0 errors")


def test_errors_are_listed_and_exit_1_and_nothing_is_written(tmp_path):
    path = tmp_path / "books.csv"
    path.write_text(f'isbn,title,price\n{DUNE},Dune,9.99\n{EMMA},Emma,"12,50"\n')
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 errors") as raised:
        call_command("import_catalog", str(path), stdout=out)
    assert raised.value.returncode == 1
    assert out.getvalue().splitlines() == [
        "1 new, 0 updated, 0 unchanged, 1 errors.",
        "row 3, price: '12,50': write decimals with a point, e.g. 12.50",
        "Nothing was written; fix the errors or use --skip-invalid.",
    ]
    assert Book.objects.count() == 0


def test_skip_invalid_writes_the_rest_and_exits_0(tmp_path):
    path = tmp_path / "books.csv"
    path.write_text(f"isbn,title,price\n{DUNE},Dune,9.99\n{EMMA},Emma,-1\n")
    output = _call("import_catalog", str(path), "--skip-invalid")
    assert output.splitlines()[0] == "1 new, 0 updated, 0 unchanged, 1 errors."
    assert list(Book.objects.values_list("isbn", flat=True)) == [DUNE]


def test_dry_run_writes_nothing(tmp_path):
    path = tmp_path / "books.csv"
    path.write_text(f"isbn,title,price\n{DUNE},Dune,9.99\n")
    output = _call("import_catalog", str(path), "--dry-run")
    assert output.splitlines() == [
        "1 new, 0 updated, 0 unchanged, 0 errors.",
        "Dry run: nothing was written.",
    ]
    assert Book.objects.count() == 0


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("import_catalog", str(tmp_path / "nope.csv"))


def test_export_then_import_changes_nothing(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text(
        "isbn,title,author,price,subjects,copies,format,language\n"
        f'{DUNE},Dune,"Herbert, Frank",9.99,Sci-fi;Classics,A-1:2;B:1,hardcover,fr\n'
        f"{EMMA},Emma,,4.5,,,,\n"
    )
    _call("import_catalog", str(source))
    exported = tmp_path / "out.csv"
    assert _call("export_catalog", str(exported)) == f"Wrote 2 books to {exported}.\n"
    assert _call("import_catalog", str(exported)).startswith(
        "0 new, 0 updated, 2 unchanged, 0 errors"
    )
