"""Reads about store accounts."""

from __future__ import annotations

from django.http import HttpRequest

from bookshop.store.accounts.models import User


def request_actor(*, request: HttpRequest) -> User | None:
    """Who a request acts as, for the services' event rows: the signed-in user, or None.

    The admin and the API only let authenticated users reach a write, so None is for an
    anonymous request that slipped through, which the services then record as "system".
    """
    user = request.user
    return user if isinstance(user, User) else None
