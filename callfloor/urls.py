from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from agents import views as agent_views
from callfloor import api_docs, passwords
from callfloor.health import healthz

urlpatterns = [
    path("", agent_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", agent_views.set_language, name="set_language"),
    # The scripts' strings in the reader's language (gettext() and interpolate() in JS).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_reset/", passwords.password_reset, name="password_reset"),
    path(
        "accounts/password_reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        passwords.password_reset_confirm,
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/password_change/", passwords.password_change, name="password_change"),
    path(
        "accounts/password_change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("admin/", admin.site.urls),
    path("api/schema/", api_docs.schema_view, name="api-schema"),
    path("api/docs/", api_docs.docs_view, name="api-docs"),
    path("", include("agents.urls")),
    path("", include("agents.swaps.urls")),
    path("", include("metrics.urls")),
    path("", include("metrics.reports.urls")),
    path("", include("metrics.alerts.urls")),
    path("", include("metrics.control.urls")),
    path("", include("metrics.recordings.urls")),
    path("", include("qa.urls")),
    path("", include("qa.coaching.urls")),
    path("", include("qa.rotation.urls")),
    path("", include("qa.recognition.urls")),
    path("", include("qa.complaints.urls")),
    path("", include("qa.quizzes.urls")),
    path("", include("scheduling.urls")),
    path("", include("scheduling.training.urls")),
]

# Error pages in the product's layout; API paths answer in their JSON error shape.
handler400 = "callfloor.error_pages.bad_request"
handler403 = "callfloor.error_pages.permission_denied"
handler404 = "callfloor.error_pages.page_not_found"
handler500 = "callfloor.error_pages.server_error"
