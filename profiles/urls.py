from django.urls import path

from profiles.views import city_profile, points, programmes, publication, recommendations, themes

profile = "s/<str:code>/profile/"
programme = "organiser/programmes/<int:pk>/"

urlpatterns = [
    # The city profile of one session (organiser only).
    path(profile, city_profile.profile_detail, name="profile"),
    path("s/<str:code>/profile.docx", city_profile.profile_download, name="profile-docx"),
    path(f"{profile}edit/", city_profile.profile_edit, name="profile-edit"),
    path(
        f"{profile}elements/<int:number>/",
        city_profile.profile_element_edit,
        name="profile-element",
    ),
    path(f"{profile}points/", points.profile_point_create, name="profile-point-create"),
    path(f"{profile}points/<int:pk>/", points.profile_point_edit, name="profile-point-edit"),
    path(
        f"{profile}points/<int:pk>/move/",
        points.profile_point_move,
        name="profile-point-move",
    ),
    path(
        f"{profile}points/<int:pk>/delete/",
        points.profile_point_delete,
        name="profile-point-delete",
    ),
    # Programmes: several sessions analysed together.
    path("organiser/programmes/", programmes.programme_index, name="programmes"),
    path("organiser/programmes/new/", programmes.programme_new, name="programme-create"),
    path(programme, programmes.programme_detail, name="programme"),
    path(f"{programme}edit/", programmes.programme_edit, name="programme-edit"),
    path(f"{programme}delete/", programmes.programme_remove, name="programme-delete"),
    path(f"{programme}report/", programmes.programme_report, name="programme-report"),
    path(f"{programme}report.docx", programmes.programme_download, name="programme-docx"),
    path(
        f"{programme}publication.docx",
        publication.programme_publication_download,
        name="publication",
    ),
    path(
        f"{programme}publication/", publication.programme_publication_page, name="publication-page"
    ),
    path(f"{programme}texts/", publication.programme_texts, name="programme-texts"),
    path(f"{programme}fill/", publication.programme_fill, name="programme-fill"),
    path(f"{programme}tags/", themes.programme_tag, name="programme-tag"),
    path(f"{programme}themes/", themes.programme_theme_create, name="programme-theme-create"),
    path(
        f"{programme}themes/<int:theme_pk>/",
        themes.programme_theme_edit,
        name="programme-theme-edit",
    ),
    path(
        f"{programme}themes/<int:theme_pk>/delete/",
        themes.programme_theme_delete,
        name="programme-theme-delete",
    ),
    path(
        f"{programme}recommendations/",
        recommendations.programme_recommendation_create,
        name="programme-recommendation-create",
    ),
    path(
        f"{programme}recommendations/<int:rec_pk>/",
        recommendations.programme_recommendation_edit,
        name="programme-recommendation-edit",
    ),
    path(
        f"{programme}recommendations/<int:rec_pk>/move/",
        recommendations.programme_recommendation_move,
        name="programme-recommendation-move",
    ),
    path(
        f"{programme}recommendations/<int:rec_pk>/delete/",
        recommendations.programme_recommendation_delete,
        name="programme-recommendation-delete",
    ),
]
