from django.urls import path

from qa import api, views
from qa.moments import api as moments_api
from qa.moments import views as moment_views

urlpatterns = [
    # pages
    path("quality/", views.my_quality, name="my-quality"),
    path("quality/peers/", views.peers, name="qa-peers"),
    path("qa/worklist/", views.worklist, name="qa-worklist"),
    path("qa/evaluations/<int:evaluation_id>/", views.evaluation, name="qa-evaluation"),
    path("qa/evaluations/<int:evaluation_id>/appeal/", views.appeal_file, name="qa-appeal-file"),
    path(
        "qa/evaluations/<int:evaluation_id>/moments/",
        moment_views.evaluation_moments,
        name="qa-evaluation-moments",
    ),
    path("qa/appeals/<int:appeal_id>/", views.appeal, name="qa-appeal"),
    path("qa/screening/", views.screening, name="qa-screening"),
    path("qa/panel/", views.panel, name="qa-panel"),
    path("qa/scorecards/", views.scorecards, name="qa-scorecards"),
    path("qa/scorecards/versions/<int:version_id>/", views.scorecard, name="qa-scorecard"),
    path("qa/sampling/", views.sampling_rules, name="qa-sampling"),
    path("qa/sampling/<int:rule_id>/", views.sampling_rule, name="qa-sampling-rule"),
    path("qa/calibration/", views.calibration_list, name="qa-calibration"),
    path(
        "qa/calibration/<int:session_id>/", views.calibration_session, name="qa-calibration-session"
    ),
    path("qa/library/", views.library, name="qa-library"),
    path(
        "qa/library/<int:nomination_id>/feature/", views.library_feature, name="qa-library-feature"
    ),
    path("qa/stats/", views.stats, name="qa-stats"),
    # API
    path("api/qa/scorecards/", api.ScorecardListApi.as_view(), name="api-qa-scorecard-list"),
    path(
        "api/qa/scorecards/versions/<int:version_id>/",
        api.ScorecardVersionApi.as_view(),
        name="api-qa-scorecard-version",
    ),
    path(
        "api/qa/scorecards/versions/<int:version_id>/release/",
        api.ScorecardVersionReleaseApi.as_view(),
        name="api-qa-scorecard-version-release",
    ),
    path(
        "api/qa/scorecards/versions/<int:version_id>/copy/",
        api.ScorecardVersionCopyApi.as_view(),
        name="api-qa-scorecard-version-copy",
    ),
    path("api/qa/evaluations/", api.EvaluationListApi.as_view(), name="api-qa-evaluation-list"),
    path(
        "api/qa/evaluations/<int:evaluation_id>/",
        api.EvaluationDetailApi.as_view(),
        name="api-qa-evaluation-detail",
    ),
    path(
        "api/qa/evaluations/<int:evaluation_id>/release/",
        api.EvaluationReleaseApi.as_view(),
        name="api-qa-evaluation-release",
    ),
    path(
        "api/qa/evaluations/<int:evaluation_id>/acknowledge/",
        api.EvaluationAcknowledgeApi.as_view(),
        name="api-qa-evaluation-acknowledge",
    ),
    path(
        "api/qa/evaluations/<int:evaluation_id>/revise/",
        api.EvaluationReviseApi.as_view(),
        name="api-qa-evaluation-revise",
    ),
    path(
        "api/qa/evaluations/<int:evaluation_id>/moments/",
        moments_api.EvaluationMomentsApi.as_view(),
        name="api-qa-evaluation-moments",
    ),
    path(
        "api/qa/evaluations/<int:evaluation_id>/moments/<int:moment_id>/",
        moments_api.EvaluationMomentDetailApi.as_view(),
        name="api-qa-evaluation-moment",
    ),
    path("api/qa/appeals/", api.AppealListApi.as_view(), name="api-qa-appeal-list"),
    path(
        "api/qa/appeals/<int:appeal_id>/",
        api.AppealDetailApi.as_view(),
        name="api-qa-appeal-detail",
    ),
    path(
        "api/qa/appeals/<int:appeal_id>/screen/",
        api.AppealScreenApi.as_view(),
        name="api-qa-appeal-screen",
    ),
    path(
        "api/qa/appeals/<int:appeal_id>/explain/",
        api.AppealExplainApi.as_view(),
        name="api-qa-appeal-explain",
    ),
    path(
        "api/qa/appeals/<int:appeal_id>/proposals/",
        api.AppealProposalsApi.as_view(),
        name="api-qa-appeal-proposals",
    ),
    path(
        "api/qa/appeals/<int:appeal_id>/opinions/",
        api.AppealOpinionsApi.as_view(),
        name="api-qa-appeal-opinions",
    ),
    path(
        "api/qa/appeals/<int:appeal_id>/decide/",
        api.AppealDecideApi.as_view(),
        name="api-qa-appeal-decide",
    ),
    path("api/qa/sampling-rules/", api.SamplingRuleListApi.as_view(), name="api-qa-sampling-list"),
    path(
        "api/qa/sampling-rules/<int:rule_id>/",
        api.SamplingRuleDetailApi.as_view(),
        name="api-qa-sampling-detail",
    ),
    path(
        "api/qa/sampling-rules/<int:rule_id>/publish/",
        api.SamplingRulePublishApi.as_view(),
        name="api-qa-sampling-publish",
    ),
    path(
        "api/qa/sampling-rules/<int:rule_id>/draw/",
        api.SamplingRuleDrawApi.as_view(),
        name="api-qa-sampling-draw",
    ),
    path(
        "api/qa/sampling-rules/<int:rule_id>/verify/",
        api.SamplingRuleVerifyApi.as_view(),
        name="api-qa-sampling-verify",
    ),
    path(
        "api/qa/picks/<int:pick_id>/replace/",
        api.PickReplaceApi.as_view(),
        name="api-qa-pick-replace",
    ),
    path("api/qa/calibration/", api.CalibrationListApi.as_view(), name="api-qa-calibration-list"),
    path(
        "api/qa/calibration/trends/",
        api.CalibrationTrendsApi.as_view(),
        name="api-qa-calibration-trends",
    ),
    path(
        "api/qa/calibration/<int:session_id>/",
        api.CalibrationDetailApi.as_view(),
        name="api-qa-calibration-detail",
    ),
    path(
        "api/qa/calibration/<int:session_id>/scores/",
        api.CalibrationSubmitApi.as_view(),
        name="api-qa-calibration-submit",
    ),
    path(
        "api/qa/calibration/<int:session_id>/close/",
        api.CalibrationCloseApi.as_view(),
        name="api-qa-calibration-close",
    ),
    path("api/qa/library/", api.LibraryApi.as_view(), name="api-qa-library"),
    path(
        "api/qa/library/<int:nomination_id>/feature/",
        api.LibraryFeatureApi.as_view(),
        name="api-qa-library-feature",
    ),
    path("api/qa/stats/", api.StatsApi.as_view(), name="api-qa-stats"),
    path("api/qa/settings/", api.SettingsApi.as_view(), name="api-qa-settings"),
]
