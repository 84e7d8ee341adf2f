from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.urls import include, path, re_path
from django.views.generic import RedirectView
from django.views.static import serve

from bookshop.common.health import check_database, healthz_view

admin.site.site_header = "Bookshop Store"
admin.site.site_title = "Bookshop Store"
admin.site.index_title = "Warehouse"
# The admin's "View site" link: the store's public face is its API.
admin.site.site_url = "/api/docs/"
# No side menu of every model: at 1280 px it took a quarter of the width, and the order and
# book lists then hid columns behind sideways scrolling. Home and the breadcrumbs lead
# everywhere it did.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    # Staff who open the store's address land in the admin (it was a 404).
    path("", RedirectView.as_view(pattern_name="admin:index"), name="home"),
    path("healthz", healthz_view(database=check_database), name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("bookshop.store.api.urls")),
]


def media(request: HttpRequest, path: str) -> HttpResponseBase:
    """An uploaded file from MEDIA_ROOT (read per request, so tests can move it)."""
    return serve(request, path, document_root=str(settings.MEDIA_ROOT))


if settings.SERVE_MEDIA:
    # The embedded mode has no web server in front; production lets nginx serve /media/.
    urlpatterns.append(
        re_path(r"^{}(?P<path>.+)$".format(settings.MEDIA_URL.lstrip("/")), media, name="media")
    )
