"""Write the catalogue to a CSV file that import_catalog reads back unchanged."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bookshop.store.inventory.catalog_import import catalog_export


class Command(BaseCommand):
    help = "Export every book (copies as in-stock counts per place) to a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file to write")

    def handle(self, *args: Any, file: Path, **options: Any) -> None:
        try:
            handle = file.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise CommandError(f"Cannot write {file}: {exc.strerror}.") from exc
        with handle:
            written, left_out = catalog_export(handle)
        self.stdout.write(f"Wrote {written} books to {file}.")
        if left_out:
            self.stdout.write(
                f"{left_out} books without an ISBN were left out: an import matches by ISBN."
            )
