"""URL map: role homes, criteria, organisations, accounts, language switch, admin, health."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path, re_path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from pmqa.accounts import idle, signin
from pmqa.api import v1 as api_v1
from pmqa.dashboards import opendata_views
from pmqa.dashboards import views as dashboard_views
from pmqa.lib import health

# In production the icon's name carries its content's hash, known only once collectstatic has
# run: it is looked up per request, and the redirect is not permanent since the name changes.
lazy_static = lazy(static, str)

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("open-data/", opendata_views.open_data, name="open_data"),
    path(
        "open-data/<int:year>.<str:kind>",
        opendata_views.open_data_file,
        name="open_data_file",
    ),
    path("", include("pmqa.dashboards.urls")),
    path("", include("pmqa.privacy.urls")),
    path("", include("pmqa.audit.urls")),
    path("", include("pmqa.evaluation.urls")),
    path("notifications/", include("pmqa.notifications.urls")),
    path("agency/", include("pmqa.assessments.urls")),
    path("agency/", include("pmqa.verification.agency_urls")),
    path("manage/", include("pmqa.assessments.manage_urls")),
    path("manage/", include("pmqa.verification.manage_urls")),
    path("review/", include("pmqa.verification.urls")),
    path("", include("pmqa.feedback.urls")),
    path("reports/", include("pmqa.reports.urls")),
    path("criteria/", include("pmqa.criteria.urls")),
    path("organisations/", include("pmqa.organisations.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    # Password forms that cannot be used to guess a password or flood a mailbox (signin.py).
    path(
        "accounts/password_change/",
        signin.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path("accounts/password_reset/", signin.PasswordResetView.as_view(), name="password_reset"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        signin.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/two-factor/", include("pmqa.accounts.twofactor_urls")),
    path("accounts/session/", idle.session_status, name="session"),
    path("accounts/api-tokens/", include("pmqa.api.urls")),
    path("accounts/logout/", signin.LogoutView.as_view(), name="logout"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("api/v1/", api_v1.urls()),
    # Any other address under the API: its JSON 404 rather than the HTML page.
    re_path(r"^api/", api_v1.not_found),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("healthz/queue", health.queue, name="healthz_queue"),
    # Browsers ask for /favicon.ico on pages that name no icon (the printed report).
    path("favicon.ico", RedirectView.as_view(url=lazy_static("img/favicon.svg"))),
]

# An exception anywhere in a request, middleware included: a lost database is a 503 there.
handler500 = "pmqa.lib.middleware.server_error"
