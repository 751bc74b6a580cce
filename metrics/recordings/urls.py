from django.urls import path

from metrics.recordings import views

app_name = "recordings"

urlpatterns = [
    path("recordings/calls/<int:call_id>/audio", views.audio, name="audio"),
    path("recordings/calls/<int:call_id>/peaks", views.peaks, name="peaks"),
    path("recordings/listens/", views.my_listens, name="my-listens"),
]
