from django.urls import path

from bookshop.shop.alerts import views

app_name = "alerts"

urlpatterns = [
    path("books/<int:book_id>/", views.subscribe, name="subscribe"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
