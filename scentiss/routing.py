from django.urls import path

from notes.routing import websocket_urlpatterns as notes_websocket_urlpatterns
from survey.consumers import LiveResultsConsumer, PhoneStateConsumer

websocket_urlpatterns = [
    path("ws/s/<str:code>/live/", LiveResultsConsumer.as_asgi(), name="ws-live"),
    path("ws/s/<str:code>/phone/", PhoneStateConsumer.as_asgi(), name="ws-phone"),
    *notes_websocket_urlpatterns,
]
