"""Store staff and service accounts, with their API tokens."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.forms import BaseInlineFormSet
from django.http import HttpRequest
from rest_framework.authtoken.models import Token

from bookshop.store.accounts.models import User


class TokenFormSet(BaseInlineFormSet):
    def delete_existing(self, obj: Token, commit: bool = True) -> None:
        # Token.delete() blanks its primary key, which is also its text: the admin's
        # history line ("Deleted token …") would then fail. Delete by query instead.
        if commit:
            type(obj).objects.filter(pk=obj.pk).delete()


class TokenInline(admin.TabularInline):
    """The account's API token: visible, and revoked by deleting it (a client holding it
    gets 401 from then on; `bootstrap` issues the shop a new one)."""

    model = Token
    formset = TokenFormSet
    fields = ["key", "created"]
    readonly_fields = ["key", "created"]
    extra = 0
    max_num = 1
    can_delete = True
    verbose_name = "API token"
    verbose_name_plural = "API token (tick delete and save to revoke it)"

    def has_add_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "is_staff", "is_service_account", "is_active")
    list_filter = ("is_staff", "is_service_account", "is_superuser", "is_active")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Service account", {"fields": ("is_service_account",)}),
    )
    inlines = [TokenInline]
