from django.urls import path

from bookshop.shop.cart import views

app_name = "cart"

urlpatterns = [
    path("", views.detail, name="detail"),
    path("add/<int:book_id>/", views.add, name="add"),
    path("increase/<int:book_id>/", views.increase, name="increase"),
    path("decrease/<int:book_id>/", views.decrease, name="decrease"),
    path("remove/<int:book_id>/", views.remove, name="remove"),
    path("clear/", views.clear, name="clear"),
]
