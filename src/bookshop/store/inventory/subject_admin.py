"""Staff screen for the subjects (genres) books are browsed by.

A subject's name and slug are copied into every book the shop mirrors, so renaming or
deleting one goes through the services, which move its books' `updated_at` for the sync.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString

from bookshop.common.admin import Refusal, ServiceAdmin
from bookshop.store.inventory.models import Subject
from bookshop.store.inventory.services import subject_create, subject_rename, subjects_delete


@admin.register(Subject)
class SubjectAdmin(ServiceAdmin):
    list_display = ["name", "slug", "book_count"]
    search_fields = ["name", "slug"]
    fields = ["name", "slug"]
    readonly_fields = ["slug"]
    list_per_page = 100

    def get_queryset(self, request: HttpRequest) -> QuerySet[Subject]:
        # A grouped query drops Meta.ordering; the autocomplete pages need one.
        return super().get_queryset(request).annotate(book_count=Count("books")).order_by("name")

    @admin.display(description="books", ordering="book_count")
    def book_count(self, subject: Subject) -> SafeString:
        # A link to the book list filtered by this subject.
        url = reverse("admin:inventory_book_changelist")
        count: int = getattr(subject, "book_count", 0)
        return format_html('<a href="{}?subjects__id__exact={}">{}</a>', url, subject.pk, count)

    def refusal_errors(self, exc: Exception) -> Refusal:
        # The slug follows the name, so a taken slug is the name's problem.
        errors = super().refusal_errors(exc)
        if "slug" in errors:
            errors.setdefault("name", []).extend(errors.pop("slug"))
        return errors

    def save_model(
        self, request: HttpRequest, obj: Subject, form: forms.ModelForm, change: bool
    ) -> None:
        if change:
            if "name" in form.changed_data:
                subject_rename(subject=obj, name=obj.name)
        else:
            # The page's messages and the admin's log name the subject the service made.
            created = subject_create(name=obj.name)
            obj.pk, obj.slug = created.pk, created.slug

    def delete_model(self, request: HttpRequest, obj: Subject) -> None:
        subjects_delete(subject_ids=[obj.pk])

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Subject]) -> None:
        subjects_delete(subject_ids=list(queryset.values_list("pk", flat=True)))
