"""The notes' websocket route; scentiss/routing.py adds these to websocket_urlpatterns."""

from django.urls import path

from notes.consumers import NoteCountsConsumer

websocket_urlpatterns = [
    path("ws/s/<str:code>/notes/", NoteCountsConsumer.as_asgi(), name="ws-notes"),
]
