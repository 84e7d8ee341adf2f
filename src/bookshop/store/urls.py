from django.contrib import admin
from django.urls import include, path

from bookshop.common.health import check_database, healthz_view

admin.site.site_header = "Bookshop Store"
admin.site.site_title = "Bookshop Store"
admin.site.index_title = "Warehouse"

urlpatterns = [
    path("healthz", healthz_view(database=check_database), name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("bookshop.store.api.urls")),
]
