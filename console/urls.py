from django.urls import path

from console import views

session = "s/<str:code>/"

urlpatterns = [
    path("organiser/", views.organiser_home, name="organiser-home"),
    path("organiser/new/", views.organiser_create, name="organiser-create"),
    path("organiser/compare/", views.organiser_compare, name="organiser-compare"),
    path(f"{session}organiser/", views.organiser_session, name="organiser-session"),
    path(f"{session}round/", views.organiser_round, name="organiser-round"),
    path(f"{session}rehearsal/", views.organiser_rehearsal, name="organiser-rehearsal"),
    path(
        f"{session}rehearsal/clear/",
        views.organiser_rehearsal_clear,
        name="organiser-rehearsal-clear",
    ),
    path(f"{session}nudge/", views.organiser_nudge, name="organiser-nudge"),
    path(f"{session}tents/", views.organiser_table_tents, name="organiser-table-tents"),
    path(f"{session}dashboard/", views.organiser_dashboard, name="organiser-dashboard"),
    path(f"{session}controls/", views.organiser_controls, name="organiser-controls"),
    path(f"{session}state/", views.organiser_state, name="organiser-state"),
    path(f"{session}edit/", views.organiser_edit, name="organiser-edit"),
    path(f"{session}consent/", views.organiser_consent, name="organiser-consent"),
    path(f"{session}duplicate/", views.organiser_duplicate, name="organiser-duplicate"),
    path(f"{session}archive/", views.organiser_archive, name="organiser-archive"),
    path(f"{session}exclude/", views.organiser_exclude, name="organiser-exclude"),
    path(
        f"{session}exclude/<int:exclusion_id>/undo/",
        views.organiser_exclusion_undo,
        name="organiser-exclusion-undo",
    ),
    path(f"{session}share/", views.organiser_share, name="organiser-share"),
    path(f"{session}delete/", views.organiser_delete, name="organiser-delete"),
    path(f"{session}anonymise/", views.organiser_anonymise, name="organiser-anonymise"),
    # The projector: the organiser's login or the projector's key in its URL.
    path(f"{session}projector/", views.projector, name="projector"),
]
