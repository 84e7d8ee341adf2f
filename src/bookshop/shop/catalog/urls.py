from django.urls import path, re_path

from bookshop.shop.catalog import views

app_name = "catalog"

urlpatterns = [
    path("", views.book_list, name="book_list"),
    path("books/<int:pk>-<slug:slug>/", views.book_detail, name="book_detail"),
    # The URLs before slugs; they redirect permanently to the slugged ones.
    re_path(r"^books/(?P<pk>[0-9]+)/$", views.book_detail, name="book_detail_old"),
    path("subjects/", views.subject_list, name="subjects"),
    path("subjects/<slug:slug>/", views.subject_detail, name="subject"),
    path("authors/<slug:slug>/", views.author_detail, name="author"),
]
