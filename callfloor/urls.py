from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from agents import views as agent_views
from callfloor import api_docs
from callfloor.health import healthz

urlpatterns = [
    path("", agent_views.home, name="home"),
    path("healthz", healthz, name="healthz"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin.site.urls),
    path("api/schema/", api_docs.schema_view, name="api-schema"),
    path("api/docs/", api_docs.docs_view, name="api-docs"),
    path("", include("agents.urls")),
    path("", include("metrics.urls")),
    path("", include("metrics.report_urls")),
    path("", include("qa.urls")),
    path("", include("qa.complaints.urls")),
    path("", include("scheduling.urls")),
]
