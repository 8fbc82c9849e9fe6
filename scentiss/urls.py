from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from scentiss.auth import login_view
from sessions import views as session_views
from survey import session_views as survey_session_views
from survey import views as survey_views

urlpatterns = [
    path("", session_views.home, name="home"),
    path("healthz", session_views.healthz, name="healthz"),
    path("j/<str:code>/", session_views.join, name="join"),
    path("s/<str:code>/survey/<int:number>/", survey_views.survey_element, name="survey-element"),
    path("s/<str:code>/survey/done/", survey_views.survey_done, name="survey-done"),
    path("s/<str:code>/survey/status/", survey_views.survey_status, name="survey-status"),
    path("s/<str:code>/answer/", survey_views.answer, name="answer"),
    path("s/<str:code>/results.json", survey_views.results_json, name="results-json"),
    path("s/<str:code>/projector/", survey_session_views.projector, name="projector"),
    path("s/<str:code>/qr.svg", session_views.join_qr, name="join-qr"),
    path(
        "s/<str:code>/organiser/", survey_session_views.organiser_session, name="organiser-session"
    ),
    path("s/<str:code>/state/", survey_session_views.organiser_state, name="organiser-state"),
    path("s/<str:code>/edit/", session_views.organiser_edit, name="organiser-edit"),
    path(
        "s/<str:code>/dashboard/",
        survey_session_views.organiser_dashboard,
        name="organiser-dashboard",
    ),
    path("s/<str:code>/duplicate/", session_views.organiser_duplicate, name="organiser-duplicate"),
    path("s/<str:code>/exclude/", session_views.organiser_exclude, name="organiser-exclude"),
    path(
        "s/<str:code>/exclude/<int:exclusion_id>/undo/",
        session_views.organiser_exclusion_undo,
        name="organiser-exclusion-undo",
    ),
    path("s/<str:code>/archive/", session_views.organiser_archive, name="organiser-archive"),
    path("s/<str:code>/delete/", survey_session_views.organiser_delete, name="organiser-delete"),
    path("s/<str:code>/results/", survey_views.survey_results, name="survey-results"),
    path("organiser/compare/", survey_session_views.organiser_compare, name="organiser-compare"),
    path("", include("exports.urls")),
    path("", include("survey.paper_urls")),
    path("", include("notes.urls")),
    path("", include("profiles.urls")),
    path("", include("accounts.urls")),
    path("organiser/", session_views.organiser_home, name="organiser-home"),
    path("organiser/new/", session_views.organiser_create, name="organiser-create"),
    path("accounts/login/", login_view, name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
