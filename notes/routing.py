"""The notes' websocket route; scentiss/routing.py adds these to websocket_urlpatterns."""

from django.urls import path

from notes.consumers import ChairTableConsumer, NoteCountsConsumer

websocket_urlpatterns = [
    path("ws/s/<str:code>/notes/", NoteCountsConsumer.as_asgi(), name="ws-notes"),
    path("ws/s/<str:code>/chair/<str:key>/", ChairTableConsumer.as_asgi(), name="ws-chair"),
]
