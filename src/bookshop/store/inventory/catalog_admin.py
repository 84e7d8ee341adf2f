"""The Book changelist's "Import CSV" and "Export CSV" pages.

Upload, preview (a dry run: every row's outcome), confirm. The confirm applies exactly the
previewed file: the upload is kept server-side under a random name the session holds,
imported again (re-validated under the locks) and deleted. The rules are the import
service's (catalog_import.py); this module only moves files and renders reports.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone

from bookshop.store.inventory.catalog_import import catalog_export, catalog_import

if TYPE_CHECKING:
    _Base = admin.ModelAdmin[Any]
else:
    _Base = object

SESSION_KEY = "catalog_import"


def uploads_dir() -> Path:
    """Where previewed uploads wait for their confirm: under the data folder, not
    MEDIA_ROOT, which the web server serves to anyone. They go once confirmed or replaced."""
    folder = Path(settings.VAR_DIR) / "catalog-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="UTF-8, with a header row.")
    skip_invalid = forms.BooleanField(
        label="Import the valid rows even if others have errors", required=False
    )


class CatalogCsvAdmin(_Base):
    """Adds the import and export pages to the Book admin and links to them."""

    change_list_template = "admin/inventory/book/change_list.html"

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path("import-csv/", view(self.import_csv_view), name="inventory_book_import_csv"),
            path("export-csv/", view(self.export_csv_view), name="inventory_book_export_csv"),
            *super().get_urls(),
        ]

    def export_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="catalogue-{stamp}.csv"'
        catalog_export(response)  # type: ignore[arg-type]  # HttpResponse is file-like
        return response

    def import_csv_view(self, request: HttpRequest) -> HttpResponse:
        if not (self.has_add_permission(request) and self.has_change_permission(request)):
            return HttpResponse(status=403)
        context: dict[str, Any] = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Import books from CSV",
        }
        if request.method == "POST" and "confirm" in request.POST:
            return self._confirm(request, context)
        posted = request.method == "POST"
        form = ImportForm(request.POST, request.FILES) if posted else ImportForm()
        if posted and form.is_valid():
            _discard(request)
            token = secrets.token_urlsafe(24)
            target = uploads_dir() / f"{token}.csv"
            with target.open("wb") as out:
                for block in form.cleaned_data["file"].chunks():
                    out.write(block)
            skip = form.cleaned_data["skip_invalid"]
            with target.open("rb") as handle:
                report = catalog_import(handle, dry_run=True, skip_invalid=skip, keep_rows=True)
            request.session[SESSION_KEY] = {"token": token, "skip_invalid": skip}
            context.update(report=report, skip_invalid=skip, can_confirm=_can_confirm(report, skip))
        context["form"] = form
        return TemplateResponse(request, "admin/inventory/book/import_csv.html", context)

    def _confirm(self, request: HttpRequest, context: dict[str, Any]) -> HttpResponse:
        pending = request.session.get(SESSION_KEY) or {}
        target = _pending_file(pending)
        if target is None:
            messages.error(request, "That upload has expired; upload the file again.")
            return HttpResponseRedirect(reverse("admin:inventory_book_import_csv"))
        skip = bool(pending.get("skip_invalid"))
        with target.open("rb") as handle:
            report = catalog_import(handle, skip_invalid=skip, keep_rows=True)
        _discard(request)
        if report.written:
            messages.success(request, f"Imported: {report.summary}.")
            return HttpResponseRedirect(reverse("admin:inventory_book_changelist"))
        # The catalogue changed between preview and confirm: show the new outcome.
        messages.error(request, "Nothing was imported: the file no longer imports cleanly.")
        context.update(form=ImportForm(), report=report, can_confirm=False)
        return TemplateResponse(request, "admin/inventory/book/import_csv.html", context)


def _can_confirm(report: Any, skip_invalid: bool) -> bool:
    if report.errors and not report.rows:  # the file itself is unreadable
        return False
    return skip_invalid or not report.errors


def _pending_file(pending: dict[str, Any]) -> Path | None:
    token = str(pending.get("token", ""))
    if not token or not token.replace("-", "").replace("_", "").isalnum():
        return None
    target = uploads_dir() / f"{token}.csv"
    return target if target.is_file() else None


def _discard(request: HttpRequest) -> None:
    """Delete the upload waiting in this session, if any."""
    target = _pending_file(request.session.pop(SESSION_KEY, None) or {})
    if target is not None:
        target.unlink(missing_ok=True)
