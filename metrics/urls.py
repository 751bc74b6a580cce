from django.urls import path

from metrics import views

urlpatterns = [
    path("floor/", views.floor, name="floor"),
]
