from django.urls import path

from survey.consumers import LiveResultsConsumer

websocket_urlpatterns = [
    path("ws/s/<str:code>/live/", LiveResultsConsumer.as_asgi(), name="ws-live"),
]
