"""An ASGI application for tests/reliability/test_socket_message_size.py (no Django): it
accepts a WebSocket and sends one text message of `SIZE` characters, the size of the snapshot
of a 5,000-agent floor (1.47 MB measured by the board bench)."""

SIZE = 1_500_000


async def application(scope, receive, send):
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return
    if scope["type"] != "websocket":
        return
    await receive()  # websocket.connect
    await send({"type": "websocket.accept"})
    await send({"type": "websocket.send", "text": "x" * SIZE})
    while (await receive())["type"] != "websocket.disconnect":
        pass
