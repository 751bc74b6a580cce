from django.urls import path

from metrics.board.consumers import FloorConsumer

websocket_urlpatterns = [
    path("ws/floor/", FloorConsumer.as_asgi()),
    path("ws/floor/<slug:site>/", FloorConsumer.as_asgi()),
]
