"""Logging in with a username or an email address."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from bookshop.common.plain_reads import row_by
from bookshop.shop.accounts.models import User
from bookshop.shop.accounts.selectors import user_find_for_login


class UsernameOrEmailBackend(ModelBackend):
    """ModelBackend that finds the account by username, else by email address."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = user_find_for_login(identifier=username)
        if user is None:
            # As long as a real check, so the answer's timing does not tell who exists.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id: Any) -> User | None:
        """The signed-in customer of a session, asked for on nearly every page: in one plain
        query (common/plain_reads.py), as ModelBackend's but without compiling it."""
        user = row_by(User, "pk", user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
