"""The request type of views only signed-in customers reach."""

from django.http import HttpRequest

from bookshop.shop.accounts.models import User


class AuthenticatedRequest(HttpRequest):
    """A request behind login_required: its user is a customer, never AnonymousUser.

    Only an annotation for the type checker; Django still passes its own HttpRequest.
    """

    user: User
