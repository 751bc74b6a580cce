"""The rotation and peer nominations in the admin: read here, changed through the services."""

from django.contrib import admin

from callfloor.admin_readonly import ReadOnlyAdmin
from qa.recognition.models import PeerNomination
from qa.rotation.models import PeerReview, RotationWeek


@admin.register(RotationWeek)
class RotationWeekAdmin(ReadOnlyAdmin):
    list_display = ["week_start", "reviewer", "team", "method"]
    list_filter = ["method", "team"]


@admin.register(PeerReview)
class PeerReviewAdmin(ReadOnlyAdmin):
    list_display = ["id", "week", "reviewed", "status", "submitted_at"]
    list_filter = ["status"]


@admin.register(PeerNomination)
class PeerNominationAdmin(ReadOnlyAdmin):
    list_display = ["month", "nominee", "status", "confirmed_at"]
    list_filter = ["status", "month"]
