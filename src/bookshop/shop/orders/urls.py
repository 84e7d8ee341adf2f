from django.urls import path

from bookshop.shop.orders import views

app_name = "orders"

urlpatterns = [
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.order_list, name="list"),
    path("orders/<int:pk>/", views.order_detail, name="detail"),
    path("orders/<int:pk>/placed/", views.order_detail, {"placed": True}, name="placed"),
    path("orders/<int:pk>/cancel/", views.order_cancel, name="cancel"),
    path("orders/<int:pk>/status/", views.order_status, name="status"),
    path("orders/<int:pk>/reorder/", views.order_reorder, name="reorder"),
    path("orders/track/<str:token>/", views.order_track, name="track"),
    path("orders/track/<str:token>/cancel/", views.order_track_cancel, name="track_cancel"),
    path("orders/track/<str:token>/status/", views.order_track_status, name="track_status"),
    path("orders/track/<str:token>/reorder/", views.order_track_reorder, name="track_reorder"),
]
