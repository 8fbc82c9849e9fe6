from django.urls import path

from profiles import views

profile = "s/<str:code>/profile/"
programme = "organiser/programmes/<int:pk>/"

urlpatterns = [
    # The city profile of one session (organiser only).
    path(profile, views.profile_detail, name="profile"),
    path("s/<str:code>/profile.docx", views.profile_download, name="profile-docx"),
    path(f"{profile}edit/", views.profile_edit, name="profile-edit"),
    path(
        f"{profile}elements/<int:number>/",
        views.profile_element_edit,
        name="profile-element",
    ),
    path(f"{profile}points/", views.profile_point_create, name="profile-point-create"),
    path(f"{profile}points/<int:pk>/", views.profile_point_edit, name="profile-point-edit"),
    path(
        f"{profile}points/<int:pk>/move/",
        views.profile_point_move,
        name="profile-point-move",
    ),
    path(
        f"{profile}points/<int:pk>/delete/",
        views.profile_point_delete,
        name="profile-point-delete",
    ),
    # Programmes: several sessions analysed together.
    path("organiser/programmes/", views.programme_index, name="programmes"),
    path("organiser/programmes/new/", views.programme_new, name="programme-create"),
    path(programme, views.programme_detail, name="programme"),
    path(f"{programme}edit/", views.programme_edit, name="programme-edit"),
    path(f"{programme}delete/", views.programme_remove, name="programme-delete"),
    path(f"{programme}report/", views.programme_report, name="programme-report"),
    path(f"{programme}report.docx", views.programme_download, name="programme-docx"),
    path(f"{programme}publication.docx", views.programme_publication_download, name="publication"),
    path(f"{programme}publication/", views.programme_publication_page, name="publication-page"),
    path(f"{programme}texts/", views.programme_texts, name="programme-texts"),
    path(f"{programme}fill/", views.programme_fill, name="programme-fill"),
    path(f"{programme}tags/", views.programme_tag, name="programme-tag"),
    path(f"{programme}themes/", views.programme_theme_create, name="programme-theme-create"),
    path(
        f"{programme}themes/<int:theme_pk>/",
        views.programme_theme_edit,
        name="programme-theme-edit",
    ),
    path(
        f"{programme}themes/<int:theme_pk>/delete/",
        views.programme_theme_delete,
        name="programme-theme-delete",
    ),
    path(
        f"{programme}recommendations/",
        views.programme_recommendation_create,
        name="programme-recommendation-create",
    ),
    path(
        f"{programme}recommendations/<int:rec_pk>/",
        views.programme_recommendation_edit,
        name="programme-recommendation-edit",
    ),
    path(
        f"{programme}recommendations/<int:rec_pk>/move/",
        views.programme_recommendation_move,
        name="programme-recommendation-move",
    ),
    path(
        f"{programme}recommendations/<int:rec_pk>/delete/",
        views.programme_recommendation_delete,
        name="programme-recommendation-delete",
    ),
]
