from django.urls import path

from qa import views

urlpatterns = [
    path("quality/", views.my_quality, name="my-quality"),
    path("qa/worklist/", views.worklist, name="qa-worklist"),
]
