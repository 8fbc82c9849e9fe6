from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from scentiss import views
from scentiss.auth import login_view

# Each app brings its own routes; this file only includes them.
urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("", include("survey.urls")),
    path("", include("console.urls")),
    path("", include("exports.urls")),
    path("", include("notes.urls")),
    path("", include("profiles.urls")),
    path("", include("accounts.urls")),
    path("accounts/login/", login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
