from django.urls import path

from metrics import api, views

urlpatterns = [
    path("floor/", views.floor, name="floor"),
    path("api/telephony/events", api.TelephonyEventsApi.as_view(), name="api-telephony-events"),
    path("api/telephony/unmapped-members/", api.UnmappedMembersApi.as_view(),
         name="api-telephony-unmapped-members"),
]
