from django.urls import path

from notes import views

chair = "s/<str:code>/chair/<str:key>/"

urlpatterns = [
    # The table chair's link (the key is the table's chair_key): no account needed.
    path(chair, views.chair, name="chair"),
    path(f"{chair}notes/", views.note_create_view, name="chair-note-create"),
    path(f"{chair}notes/<int:note_id>/", views.note_detail, name="chair-note"),
    path(f"{chair}notes/<int:note_id>/edit/", views.note_edit, name="chair-note-edit"),
    path(f"{chair}notes/<int:note_id>/delete/", views.note_delete_view, name="chair-note-delete"),
    path(f"{chair}seats/", views.seat_add, name="chair-seat-add"),
    path(f"{chair}seats/move/", views.chair_seat_move, name="chair-seat-move"),
    path(f"{chair}observations/", views.chair_observation, name="chair-observation"),
    # The organiser's (login).
    path(
        "s/<str:code>/tables/<int:number>/chair-key/",
        views.chair_key_rotate,
        name="chair-key-rotate",
    ),
    path("s/<str:code>/seating/", views.organiser_seat, name="organiser-seat"),
    path("s/<str:code>/tables/cards/", views.table_cards, name="table-cards"),
    path("s/<str:code>/notes/counts/", views.note_counts_panel, name="note-counts"),
    path("s/<str:code>/observations/", views.observations, name="observations"),
    path(
        "s/<str:code>/observations/<int:pk>/delete/",
        views.observation_delete_view,
        name="observation-delete",
    ),
]
