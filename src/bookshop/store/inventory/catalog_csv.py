"""The catalogue's CSV format: reading and checking rows, and writing the export.

Reading is streamed (the csv module over a text wrapper, rows handed out in chunks), so a
file of any size costs the memory of one chunk. Checking a row needs no database: what a
row means for the stored book (new, updated, unchanged) is catalog_import.py's part.

Row numbers count records as a spreadsheet shows them: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError

from bookshop.store.inventory.models import Book
from bookshop.store.inventory.services import subject_slug
from bookshop.store.inventory.validators import (
    isbn_is_valid,
    normalize_isbn,
    validate_language,
    validate_published_year,
)

COLUMNS = (
    "isbn",
    "title",
    "author",
    "price",
    "description",
    "publisher",
    "published_year",
    "format",
    "pages",
    "language",
    "subjects",
    "copies",
)
REQUIRED = ("isbn", "title", "price")
# Needed in a row that creates a book; on an update an empty cell leaves the field alone.
REQUIRED_FOR_NEW = ("title", "price")
_PRICE = re.compile(r"\d{1,8}(\.\d{1,2})?")
_WHOLE = re.compile(r"-?\d+")
_MAX_LENGTH = {"title": 255, "author": 255, "publisher": 255}
_FORMATS = {choice.value for choice in Book.Format}


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"row {self.row}, {self.column}" if self.column else f"row {self.row}"
        return f"{where}: {self.message}"


class FileError(Exception):
    """The file as a whole cannot be read (encoding, header); nothing is imported."""

    def __init__(self, error: RowError):
        super().__init__(str(error))
        self.error = error


@dataclass
class CatalogRow:
    """One checked row: the book's fields from its non-empty cells, in model types."""

    row: int
    isbn: str
    fields: dict[str, Any] = field(default_factory=dict)
    subjects: list[str] | None = None  # None: the cell was empty, the subjects stay
    copies: dict[str, int] | None = None  # place -> in-stock copies wanted there
    errors: list[RowError] = field(default_factory=list)


def isbn13(isbn: str) -> str:
    """The ISBN-13 of a valid normalized ISBN (an ISBN-10 gets 978 and a new check digit)."""
    if len(isbn) == 13:
        return isbn
    core = "978" + isbn[:9]
    total = sum((3 if i % 2 else 1) * int(c) for i, c in enumerate(core))
    return core + str((10 - total % 10) % 10)


def isbn10(isbn13_value: str) -> str | None:
    """The ISBN-10 of a 978 ISBN-13 (how an older book may be stored), else None."""
    if not isbn13_value.startswith("978"):
        return None
    core = isbn13_value[3:12]
    check = sum((10 - i) * int(c) for i, c in enumerate(core)) % 11
    return core + ("X" if (11 - check) % 11 == 10 else str((11 - check) % 11))


def check_utf8(file: IO[bytes], block: int = 1 << 16) -> None:
    """Raise FileError naming the line of the first byte that is not UTF-8.

    A pass of its own before anything is written: a decoding error half way through the
    import would otherwise arrive after some rows were applied.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    line = 1
    file.seek(0)
    while True:
        data = file.read(block)
        try:
            text = decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            line += data[: exc.start].count(b"\n")
            raise FileError(
                RowError(line, "", "the file is not UTF-8 text; save it as CSV UTF-8 and retry")
            ) from exc
        line += text.count("\n")
        if not data:
            break
    file.seek(0)


def read_rows(file: IO[bytes], *, chunk_size: int = 500) -> Iterator[list[CatalogRow]]:
    """Check the file's header, then yield its rows checked, `chunk_size` at a time.

    Raises FileError for a file that is not UTF-8 or whose header is missing or wrong.
    """
    check_utf8(file)
    # utf-8-sig drops the byte-order mark spreadsheets put in front of "CSV UTF-8".
    text = io.TextIOWrapper(file, encoding="utf-8-sig", newline="")
    try:
        reader = csv.reader(text)
        header = _header(next(reader, None))
        chunk: list[CatalogRow] = []
        number = 1
        for cells in reader:
            number += 1
            if not any(cell.strip() for cell in cells):
                continue  # spreadsheets leave blank lines at the end
            chunk.append(parse_row(number, header, cells))
            if len(chunk) >= chunk_size:
                yield chunk
                chunk = []
        if chunk:
            yield chunk
    except csv.Error as exc:
        raise FileError(RowError(number + 1, "", f"the CSV cannot be read: {exc}")) from exc
    finally:
        text.detach()  # leave the caller's file open


def _header(cells: list[str] | None) -> list[str]:
    if not cells:
        raise FileError(RowError(1, "", "the file is empty; the first row must be the header"))
    names = [cell.strip().lower() for cell in cells]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise FileError(
            RowError(
                1,
                "",
                "the first row must be the header naming the columns (at least "
                f"{', '.join(REQUIRED)}); missing: {', '.join(missing)}",
            )
        )
    unknown = [cell for cell, name in zip(cells, names, strict=True) if name not in COLUMNS]
    if unknown:
        raise FileError(
            RowError(
                1,
                "",
                f"unknown column{'s' if len(unknown) > 1 else ''} "
                f"{', '.join(repr(c) for c in unknown)}; the columns are {', '.join(COLUMNS)}",
            )
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        raise FileError(RowError(1, "", f"column {', '.join(repeated)} appears twice"))
    return names


def parse_row(number: int, header: list[str], cells: list[str]) -> CatalogRow:
    """Check one row's cells; a bad cell becomes an error on its column."""
    if len(cells) > len(header):
        row = CatalogRow(number, "")
        row.errors.append(
            RowError(number, "", f"{len(cells)} cells, but the header names {len(header)}")
        )
        return row
    values = dict(zip(header, (cell.strip() for cell in cells), strict=False))
    row = CatalogRow(number, "")
    for name in header:
        value = values.get(name, "")
        if not value:
            if name == "isbn":
                row.errors.append(RowError(number, name, "required"))
            continue
        try:
            _parse_cell(row, name, value)
        except ValidationError as exc:
            row.errors.extend(RowError(number, name, message) for message in exc.messages)
    return row


def _parse_cell(row: CatalogRow, name: str, value: str) -> None:
    if name == "isbn":
        isbn = normalize_isbn(value)
        if not isbn_is_valid(isbn):
            raise ValidationError(f"{value!r} is not a valid ISBN-10 or ISBN-13 (check digit)")
        row.isbn = isbn13(isbn)
    elif name in ("title", "author", "publisher"):
        if len(value) > _MAX_LENGTH[name]:
            raise ValidationError(f"at most {_MAX_LENGTH[name]} characters")
        row.fields[name] = value
    elif name == "description":
        row.fields[name] = value
    elif name == "price":
        row.fields[name] = _price(value)
    elif name == "published_year":
        year = _whole(value)
        validate_published_year(year)
        row.fields[name] = year
    elif name == "pages":
        pages = _whole(value)
        if not 1 <= pages <= 100_000:
            raise ValidationError("enter a number of pages between 1 and 100000")
        row.fields[name] = pages
    elif name == "format":
        if value.lower() not in _FORMATS:
            raise ValidationError(f"{value!r} is not a format; use {', '.join(sorted(_FORMATS))}")
        row.fields[name] = value.lower()
    elif name == "language":
        validate_language(value.lower())
        row.fields[name] = value.lower()
    elif name == "subjects":
        row.subjects = _subjects(value)
    elif name == "copies":
        row.copies = _copies(value)


def _price(value: str) -> Decimal:
    if value.startswith("-"):
        raise ValidationError(f"{value!r}: a price cannot be negative")
    if "," in value:
        raise ValidationError(f"{value!r}: write decimals with a point, e.g. 12.50")
    if not _PRICE.fullmatch(value):
        raise ValidationError(
            f"{value!r} is not a price: digits with at most 2 decimals, e.g. 12.50"
        )
    return Decimal(value)


def _whole(value: str) -> int:
    if not _WHOLE.fullmatch(value):
        raise ValidationError(f"{value!r} is not a whole number")
    return int(value)


def _subjects(value: str) -> list[str]:
    names = [" ".join(name.split()) for name in value.split(";")]
    names = [name for name in names if name]
    for name in names:
        if len(name) > 100:
            raise ValidationError(f"subject {name[:20]!r}… is longer than 100 characters")
        if not subject_slug(name):
            raise ValidationError(f"{name!r} is not a usable subject name")
    return names


def _copies(value: str) -> dict[str, int]:
    copies: dict[str, int] = {}
    for part in value.split(";"):
        if not part.strip():
            continue
        place, colon, count = part.rpartition(":")
        place, count = place.strip(), count.strip()
        if not colon or not place:
            raise ValidationError(f"{part.strip()!r}: write PLACE:COUNT, e.g. A-03-2:4")
        if len(place) > 64:
            raise ValidationError(f"place {place[:20]!r}… is longer than 64 characters")
        if not count.isdigit():
            raise ValidationError(f"{part.strip()!r}: the count must be a whole number, 0 or more")
        if place in copies:
            raise ValidationError(f"place {place!r} is listed twice")
        copies[place] = int(count)
    return copies


def write_rows(file: IO[str], rows: Iterable[dict[str, Any]]) -> int:
    """Write the header and these rows (dicts by column name); return how many rows."""
    writer = csv.DictWriter(file, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow(row)
        n += 1
    return n
