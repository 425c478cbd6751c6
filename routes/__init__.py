"""The project's own routes, served beside the Streamlit app by ``st.App`` (see ``serve.py``).

- ``/api/live`` (:mod:`routes.live`): the live path of a drag, a websocket
  answered by the page's core panel function.
"""

from __future__ import annotations

from starlette.routing import BaseRoute, WebSocketRoute

from routes import live

ROUTES: list[BaseRoute] = [WebSocketRoute(live.PATH, live.live_socket)]
