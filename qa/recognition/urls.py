from django.urls import path

from qa.recognition import api, views

urlpatterns = [
    path("qa/recognition/", views.recognition, name="qa-recognition"),
    path(
        "qa/recognition/nominations/<int:nomination_id>/confirm/",
        views.nomination_confirm,
        name="qa-nomination-confirm",
    ),
    path("api/qa/recognition/", api.RecognitionApi.as_view(), name="api-qa-recognition"),
    path(
        "api/qa/recognition/nominations/",
        api.NominationCreateApi.as_view(),
        name="api-qa-nomination-create",
    ),
    path(
        "api/qa/recognition/nominations/<int:nomination_id>/confirm/",
        api.NominationConfirmApi.as_view(),
        name="api-qa-nomination-confirm",
    ),
]
