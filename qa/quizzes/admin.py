"""The monthly tests in the admin: shown, never changed there (every change is a service with
an audit row)."""

from django.contrib import admin

from callfloor.admin_readonly import ReadOnlyAdmin, ReadOnlyInline
from qa.models import Quiz, QuizAttempt, QuizPaper, QuizQuestion, QuizTopic


@admin.register(QuizTopic)
class QuizTopicAdmin(ReadOnlyAdmin):
    list_display = ["name", "description"]
    search_fields = ["name"]


@admin.register(QuizQuestion)
class QuizQuestionAdmin(ReadOnlyAdmin):
    list_display = ["text", "topic", "kind", "active", "created_at"]
    list_filter = ["topic", "kind", "active"]
    search_fields = ["text"]


class QuizPaperInline(ReadOnlyInline):
    model = QuizPaper
    fields = ["agent", "question_ids", "drawn_at"]
    readonly_fields = fields


@admin.register(Quiz)
class QuizAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "opens_at", "closes_at", "time_limit_minutes", "counts"]
    list_filter = ["status"]
    inlines = [QuizPaperInline]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(ReadOnlyAdmin):
    list_display = ["quiz", "agent", "number", "status", "started_at", "finished_at", "score"]
    list_filter = ["status", "quiz"]
