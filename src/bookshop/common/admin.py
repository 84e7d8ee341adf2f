"""Admin building blocks: read-only pages for records only a service's own code writes,
and pages whose saves go through services."""

from collections.abc import Sequence
from typing import Any
from weakref import WeakKeyDictionary

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import actions
from django.core.exceptions import ValidationError
from django.db import router, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy


class ReadOnlyAdmin(admin.ModelAdmin):
    """A model only the service's own code writes: staff may look, not touch."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown with their parent (an order's items, its history), never edited there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False


# What a service refused, placed on a form: {field name, or None for the whole form: messages}.
Refusal = dict[str | None, list[str]]
# The refusal a POST met, kept while the same POST builds the page again.
_refused: WeakKeyDictionary[HttpRequest, Refusal] = WeakKeyDictionary()


class ServiceAdmin(admin.ModelAdmin):
    """A model whose writes go through services, which alone decide what is allowed.

    Subclasses write through the services in save_model, save_related, save_formset,
    delete_model and delete_queryset. When a service refuses, raising one of `refusals`,
    the admin's transaction is rolled back and the page is built again from the same POST,
    with the refusal as form errors: each rule is checked once, by its service, under the
    service's locks, and staff keep what they typed.
    """

    refusals: tuple[type[Exception], ...] = (ValidationError,)
    actions: Sequence[Any] = ["delete_selected"]

    def refusal_errors(self, exc: Exception) -> Refusal:
        """Where a refusal's messages go on the form; by default a ValidationError's own
        fields, the rest on the whole form."""
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            return {field: list(said) for field, said in exc.message_dict.items()}
        return {None: list(getattr(exc, "messages", [str(exc)]))}

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except self.refusals as exc:
            if request.method != "POST":
                raise
            _refused[request] = self.refusal_errors(exc)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any
    ) -> type[forms.ModelForm]:
        form = super().get_form(request, obj, change, **kwargs)
        refusal = _refused.get(request)
        return _with_errors(form, refusal) if refusal else form

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except self.refusals as exc:
            self._tell(request, exc)
            return HttpResponseRedirect(request.get_full_path())

    @admin.action(
        permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s")
    )
    def delete_selected(self, request: HttpRequest, queryset: QuerySet[Any]) -> HttpResponse | None:
        """Django's bulk delete, made one transaction that a refusal leaves untouched."""
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return actions.delete_selected(self, request, queryset)
        except self.refusals as exc:
            self._tell(request, exc)
            return None

    def _tell(self, request: HttpRequest, exc: Exception) -> None:
        said = " ".join(m for ms in self.refusal_errors(exc).values() for m in ms)
        self.message_user(request, f"Nothing was deleted: {said}", messages.ERROR)


def _with_errors(form: type[forms.ModelForm], refusal: Refusal) -> type[forms.ModelForm]:
    class Refused(form):  # type: ignore[valid-type, misc]
        def clean(self) -> dict[str, Any]:
            data = super().clean()
            for field, said in refusal.items():
                self.add_error(field if field in self.fields else None, said)
            return data

    Refused.__name__ = form.__name__
    return Refused
