from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from agents import views as agent_views
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
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("agents.urls")),
    path("", include("metrics.urls")),
    path("", include("metrics.report_urls")),
    path("", include("qa.urls")),
    path("", include("qa.complaints.urls")),
    path("", include("scheduling.urls")),
]
