"""Load books and shelf counts from a CSV file (the format is in docs/store.md)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bookshop.store.inventory.catalog_import import catalog_import


class Command(BaseCommand):
    help = (
        "Import books from a CSV file: new ISBNs are added, known ones updated, copies "
        "brought to the counts given. All or nothing unless --skip-invalid."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the CSV file (UTF-8, header row)")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="write the valid rows even when others have errors",
        )

    def handle(
        self, *args: Any, file: Path, dry_run: bool, skip_invalid: bool, **options: Any
    ) -> None:
        try:
            handle = file.open("rb")
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        with handle:
            report = catalog_import(handle, dry_run=dry_run, skip_invalid=skip_invalid)
        self.stdout.write(report.summary + ".")
        for error in report.errors:
            self.stdout.write(str(error))
        if dry_run:
            self.stdout.write("Dry run: nothing was written.")
        elif not report.written:
            self.stdout.write("Nothing was written; fix the errors or use --skip-invalid.")
        if report.errors and not skip_invalid:
            raise CommandError(f"{len(report.errors)} errors.", returncode=1)
