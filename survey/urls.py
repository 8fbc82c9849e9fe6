from django.urls import path

from survey import consent_views, paper, views

urlpatterns = [
    # The participant's pages: no account, the phone's signed cookie.
    path("", views.home, name="home"),
    path("j/<str:code>/", views.join, name="join"),
    path("s/<str:code>/qr.svg", views.join_qr, name="join-qr"),
    path("s/<str:code>/survey/<int:number>/", views.survey_element, name="survey-element"),
    path("s/<str:code>/survey/done/", views.survey_done, name="survey-done"),
    path("s/<str:code>/survey/offline/", views.survey_offline_pages, name="survey-offline"),
    path("s/<str:code>/survey/status/", views.survey_status, name="survey-status"),
    path("s/<str:code>/answer/", views.answer, name="answer"),
    path("s/<str:code>/results/", views.survey_results, name="survey-results"),
    # What the phone agrees to before its first answer, and its withdrawal.
    path("j/<str:code>/privacy/", consent_views.join_privacy, name="join-privacy"),
    path("s/<str:code>/withdraw/", consent_views.survey_withdraw, name="survey-withdraw"),
    # The live results feed (the organiser's login or the projector's key).
    path("s/<str:code>/results.json", views.results_json, name="results-json"),
    # Paper forms, typed in by the organiser or a table's chair (the chair's key).
    path("s/<str:code>/paper/", paper.paper_new, name="paper-new"),
    path("s/<str:code>/paper/<int:participant_id>/", paper.paper_edit, name="paper-edit"),
    path("s/<str:code>/chair/<str:key>/paper/", paper.chair_paper_new, name="chair-paper-new"),
    path(
        "s/<str:code>/chair/<str:key>/paper/<int:participant_id>/",
        paper.chair_paper_edit,
        name="chair-paper-edit",
    ),
]
