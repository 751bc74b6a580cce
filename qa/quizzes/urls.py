from django.urls import path

from qa.quizzes import api, views

urlpatterns = [
    # pages
    path("qa/tests/", views.quiz_list, name="qa-quizzes"),
    path("qa/tests/bank/", views.bank, name="qa-quiz-bank"),
    path(
        "qa/tests/bank/<int:question_id>/retire/",
        views.question_retire,
        name="qa-quiz-question-retire",
    ),
    path("qa/tests/new/", views.quiz_new, name="qa-quiz-new"),
    path("qa/tests/results/", views.results, name="qa-quiz-results"),
    path("qa/tests/<int:quiz_id>/", views.quiz, name="qa-quiz"),
    path("qa/tests/<int:quiz_id>/publish/", views.quiz_publish, name="qa-quiz-publish"),
    path("qa/tests/<int:quiz_id>/withdraw/", views.quiz_withdraw, name="qa-quiz-withdraw"),
    path("qa/tests/<int:quiz_id>/start/", views.quiz_start, name="qa-quiz-start"),
    path("qa/tests/attempts/<int:attempt_id>/", views.attempt, name="qa-quiz-attempt"),
    # API
    path("api/qa/test-topics/", api.QuizTopicListApi.as_view(), name="api-qa-quiz-topic-list"),
    path(
        "api/qa/test-questions/",
        api.QuizQuestionListApi.as_view(),
        name="api-qa-quiz-question-list",
    ),
    path(
        "api/qa/test-questions/<int:question_id>/retire/",
        api.QuizQuestionRetireApi.as_view(),
        name="api-qa-quiz-question-retire",
    ),
    path("api/qa/tests/", api.QuizListApi.as_view(), name="api-qa-quiz-list"),
    path("api/qa/tests/<int:quiz_id>/", api.QuizDetailApi.as_view(), name="api-qa-quiz-detail"),
    path(
        "api/qa/tests/<int:quiz_id>/publish/",
        api.QuizPublishApi.as_view(),
        name="api-qa-quiz-publish",
    ),
    path(
        "api/qa/tests/<int:quiz_id>/withdraw/",
        api.QuizWithdrawApi.as_view(),
        name="api-qa-quiz-withdraw",
    ),
    path("api/qa/tests/<int:quiz_id>/start/", api.QuizStartApi.as_view(), name="api-qa-quiz-start"),
    path(
        "api/qa/tests/<int:quiz_id>/results/",
        api.QuizResultsApi.as_view(),
        name="api-qa-quiz-results",
    ),
    path(
        "api/qa/test-attempts/<int:attempt_id>/",
        api.QuizAttemptDetailApi.as_view(),
        name="api-qa-quiz-attempt-detail",
    ),
    path(
        "api/qa/test-attempts/<int:attempt_id>/submit/",
        api.QuizAttemptSubmitApi.as_view(),
        name="api-qa-quiz-attempt-submit",
    ),
]
