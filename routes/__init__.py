"""The project's own routes, served beside the Streamlit app by ``st.App`` (see ``serve.py``).

- ``/api/live`` (:mod:`routes.live`): the live path of a drag, a websocket
  answered by the page's core panel function; ``GET /api/live/hello`` says it is there.
- ``/api/class`` (:mod:`routes.classroom`): class mode's socket, one per student's device and per
  projector, fed by a per-process push hub; ``GET /api/class/hello`` says it is there.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, Route, WebSocketRoute

from routes import classroom, live

ROUTES: list[BaseRoute] = [
    WebSocketRoute(live.PATH, live.live_socket),
    Route(live.HELLO_PATH, live.hello, methods=["GET"]),
    WebSocketRoute(classroom.PATH, classroom.class_socket),
    Route(classroom.HELLO_PATH, classroom.hello, methods=["GET"]),
]
