from django.urls import path

from metrics.alerts import views

urlpatterns = [
    path("alerts/channels/", views.channels, name="alert-channels"),
    path("alerts/channels/<int:channel_id>/", views.channel, name="alert-channel"),
    path("alerts/channels/<int:channel_id>/test/", views.channel_test, name="alert-channel-test"),
    path(
        "alerts/channels/<int:channel_id>/delete/",
        views.channel_delete,
        name="alert-channel-delete",
    ),
    path("alerts/rules/", views.rules, name="alert-rules"),
    path("alerts/rules/<int:rule_id>/delete/", views.rule_delete, name="alert-rule-delete"),
]
