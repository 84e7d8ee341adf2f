from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from bookshop.store.api.errors import not_found
from bookshop.store.api.views import (
    BookItemListView,
    BookViewSet,
    OrderViewSet,
    TokenObtainView,
    WhoAmIView,
)

# Path converters, not regexes: ids are ASCII digits (a regex's \d also takes other scripts'
# digits) and the schema types them as integers.
router = SimpleRouter(use_regex_path=False)
router.register("books", BookViewSet, basename="book")
router.register("orders", OrderViewSet, basename="order")

v1 = [
    path("me/", WhoAmIView.as_view(), name="whoami"),
    path("auth/token/", TokenObtainView.as_view(), name="auth-token"),
    path("books/<int:book_id>/items/", BookItemListView.as_view(), name="book-items"),
    *router.urls,
]

urlpatterns = [
    path("v1/", include((v1, "api"), namespace="v1")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    # Last: anything else under /api/ is a JSON 404, never Django's HTML page.
    re_path(r"^(?P<rest>.*)$", not_found, name="not-found"),
]
