from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from bookshop.shop.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "email", "first_name", "last_name", "is_staff", "date_joined"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["username", "email", "first_name", "last_name"]
    ordering = ["-date_joined"]
