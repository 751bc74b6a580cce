"""WebSocket routes of every app, collected in one list for the ASGI router."""

from metrics.board.routing import websocket_urlpatterns as metrics_ws

websocket_urlpatterns = [*metrics_ws]
