from django.urls import path

from accounts import views

urlpatterns = [
    path("organiser/people/", views.people_list, name="people"),
    path("organiser/people/invite/", views.people_invite, name="people-invite"),
    path("organiser/people/<str:pk>/new-link/", views.people_reset, name="people-reset"),
    path("organiser/people/<str:pk>/active/", views.people_set_active, name="people-active"),
    path("organiser/teams/<str:slug>/consent/", views.team_consent, name="team-consent"),
    path("organiser/teams/<str:slug>/retention/", views.team_retention, name="team-retention"),
    path("organiser/audit/", views.audit_list, name="audit"),
    path("welcome/<str:token>/", views.welcome, name="welcome"),
]
