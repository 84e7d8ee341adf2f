from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import SimpleRouter

from bookshop.store.api.views import (
    BookItemListView,
    BookViewSet,
    OrderViewSet,
    TokenObtainView,
    WhoAmIView,
)

router = SimpleRouter()
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
]
