from django.urls import path

from survey import paper

urlpatterns = [
    path("s/<str:code>/paper/", paper.paper_new, name="paper-new"),
    path("s/<str:code>/paper/<int:participant_id>/", paper.paper_edit, name="paper-edit"),
    path("s/<str:code>/chair/<str:key>/paper/", paper.chair_paper_new, name="chair-paper-new"),
    path(
        "s/<str:code>/chair/<str:key>/paper/<int:participant_id>/",
        paper.chair_paper_edit,
        name="chair-paper-edit",
    ),
]
