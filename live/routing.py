"""Every websocket route of the app; scentiss/asgi.py serves these."""

from django.urls import path

from live.consumers import (
    ChairTableConsumer,
    LiveResultsConsumer,
    NoteCountsConsumer,
    PhoneStateConsumer,
)

websocket_urlpatterns = [
    path("ws/s/<str:code>/live/", LiveResultsConsumer.as_asgi(), name="ws-live"),
    path("ws/s/<str:code>/phone/", PhoneStateConsumer.as_asgi(), name="ws-phone"),
    path("ws/s/<str:code>/notes/", NoteCountsConsumer.as_asgi(), name="ws-notes"),
    path("ws/s/<str:code>/chair/<str:key>/", ChairTableConsumer.as_asgi(), name="ws-chair"),
]
