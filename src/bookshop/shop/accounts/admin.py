from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from bookshop.shop.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    pass
