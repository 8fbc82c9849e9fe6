from django.urls import path

from survey.consumers import LiveResultsConsumer, PhoneStateConsumer

websocket_urlpatterns = [
    path("ws/s/<str:code>/live/", LiveResultsConsumer.as_asgi(), name="ws-live"),
    path("ws/s/<str:code>/phone/", PhoneStateConsumer.as_asgi(), name="ws-phone"),
]
