"""The API's three roles: anyone, service accounts (the shop), and staff."""

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request


def is_staff(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


def is_service(user: Any) -> bool:
    return bool(user and user.is_authenticated and getattr(user, "is_service_account", False))


class IsStaff(BasePermission):
    """Store staff: everything."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_staff(request.user)


class IsServiceOrStaff(BasePermission):
    """Service accounts (for their own objects) and staff."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_staff(request.user) or is_service(request.user)
