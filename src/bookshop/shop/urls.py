from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import views as sitemaps
from django.urls import include, path

from bookshop.common.health import check_database, healthz_view
from bookshop.shop.accounts.urls import auth_urlpatterns
from bookshop.shop.catalog.seo import SITEMAPS, robots_txt
from bookshop.shop.core.health import check_broker

admin.site.site_header = "Bookshop"
admin.site.site_title = "Bookshop admin"
admin.site.index_title = "Shop administration"

urlpatterns = [
    # First: the catalogue's pages are the most asked for, and each pattern tried before
    # the match costs a little on every request.
    path("", include("bookshop.shop.catalog.urls")),
    path("healthz", healthz_view(database=check_database, broker=check_broker), name="healthz"),
    path("admin/", admin.site.urls),
    path("robots.txt", robots_txt, name="robots"),
    # An index of sitemaps, each split into pages of at most 50,000 URLs.
    path("sitemap.xml", sitemaps.index, {"sitemaps": SITEMAPS}, name="sitemap-index"),
    path(
        "sitemap-<section>.xml",
        sitemaps.sitemap,
        {"sitemaps": SITEMAPS},
        name="django.contrib.sitemaps.views.sitemap",
    ),
    path("accounts/", include(auth_urlpatterns)),
    path("accounts/", include("bookshop.shop.accounts.urls")),
    path("cart/", include("bookshop.shop.cart.urls")),
    path("alerts/", include("bookshop.shop.alerts.urls")),
    path("", include("bookshop.shop.orders.urls")),
]

if settings.DEBUG_TOOLBAR:
    from debug_toolbar.toolbar import debug_toolbar_urls

    urlpatterns += debug_toolbar_urls()
