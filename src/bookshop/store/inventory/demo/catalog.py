"""Reading the demo catalogue's CSV file."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

CATALOG_CSV = Path(__file__).with_name("catalog.csv")
# The books of the file that belong to a series (the import's format has no series columns,
# so catalog.csv stays a file staff could import): isbn,series,series_number.
SERIES_CSV = Path(__file__).with_name("series.csv")
# The CSV import's columns, in this file's order.
COLUMNS = (
    "isbn", "title", "author", "price", "description", "publisher", "published_year",
    "format", "pages", "language", "subjects", "copies",
)  # fmt: skip


@dataclass(frozen=True)
class DemoBook:
    """One row of the file, typed, with its series from series.csv."""

    isbn: str
    title: str
    author: str
    price: Decimal
    description: str
    publisher: str
    published_year: int
    format: str
    pages: int
    language: str
    subjects: tuple[str, ...]
    copies: tuple[tuple[str, int], ...]  # (shelf place, number of copies there)
    series: str = ""
    series_number: int | None = None

    @property
    def copy_count(self) -> int:
        return sum(count for _, count in self.copies)


def parse_copies(value: str) -> tuple[tuple[str, int], ...]:
    """`A1-03:2;B2-01:1` -> (("A1-03", 2), ("B2-01", 1)); empty means none."""
    copies = []
    for part in filter(None, (piece.strip() for piece in value.split(";"))):
        place, _, count = part.rpartition(":")
        copies.append((place.strip(), int(count)))
    return tuple(copies)


def read_series(path: Path = SERIES_CSV) -> dict[str, tuple[str, int]]:
    """ISBN -> (series, number in it)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return {
            row["isbn"]: (row["series"], int(row["series_number"]))
            for row in csv.DictReader(handle)
        }


def read_catalog(path: Path = CATALOG_CSV, series_path: Path = SERIES_CSV) -> list[DemoBook]:
    """Every book in the file, in file order."""
    series = read_series(series_path)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{path.name}: the header must be {','.join(COLUMNS)}")
        return [
            DemoBook(
                isbn=row["isbn"],
                title=row["title"],
                author=row["author"],
                price=Decimal(row["price"]),
                description=row["description"],
                publisher=row["publisher"],
                published_year=int(row["published_year"]),
                format=row["format"],
                pages=int(row["pages"]),
                language=row["language"],
                subjects=tuple(s.strip() for s in row["subjects"].split(";") if s.strip()),
                copies=parse_copies(row["copies"]),
                series=series.get(row["isbn"], ("", None))[0],
                series_number=series.get(row["isbn"], ("", None))[1],
            )
            for row in reader
        ]
