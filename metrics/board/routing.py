from django.urls import path

from metrics.board.consumers import FloorConsumer
from metrics.board.display_consumer import DisplayConsumer

websocket_urlpatterns = [
    path("ws/floor/", FloorConsumer.as_asgi()),
    path("ws/floor/<slug:site>/", FloorConsumer.as_asgi()),
    path("ws/display/<str:token>/", DisplayConsumer.as_asgi()),
]
