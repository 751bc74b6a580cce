from django.urls import path

from scheduling import views

urlpatterns = [
    path("handovers/", views.handovers, name="handovers"),
]
