from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from bookshop.store.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "email", "is_staff", "is_service_account", "is_active")
    list_filter = ("is_staff", "is_service_account", "is_superuser", "is_active")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("Service account", {"fields": ("is_service_account",)}),
    )
