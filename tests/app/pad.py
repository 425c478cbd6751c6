"""Drive the live logit pad from AppTest, which has no wrapper for custom components.

The helper plays the browser's part of the pad's protocol: it sends the message
``{"epoch", "seq", "logits"}`` as the component's JSON state, exactly as
``ui/logit_pad.js`` does with ``setStateValue("update", ...)``.
"""

from __future__ import annotations

import json
from typing import Any

from streamlit.proto.WidgetStates_pb2 import WidgetState
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, UnknownElement, Widget

from ui.logit_pad import KEY


class _PadMessage(Widget):
    """The pad element, standing in for the browser with one message to send."""

    def __init__(self, element: UnknownElement, message: dict[str, Any]) -> None:
        self.proto = element.proto
        self.root = element.root
        self.id = element.proto.id
        self.key = KEY
        self.type = "bidi_component"
        self._value = {"update": message}

    @property
    def value(self) -> Any:
        return self._value

    @property
    def _widget_state(self) -> WidgetState:
        return WidgetState(id=self.id, json_value=json.dumps(self._value))


def pad_data(at: AppTest) -> dict[str, Any]:
    """The data the server last sent to the pad (names, logits, epoch, ack...)."""
    return json.loads(_find(at)[0].proto.json)


def _find(at: AppTest) -> tuple[UnknownElement, Block, Any]:
    def walk(block: Block) -> tuple[UnknownElement, Block, Any] | None:
        for k, child in block.children.items():
            if isinstance(child, UnknownElement) and child.type == "bidi_component" and child.key == KEY:
                return child, block, k
            if isinstance(child, Block):
                found = walk(child)
                if found:
                    return found
        return None

    found = walk(at._tree)
    assert found, "the logit pad is not on the page"
    return found


def send_logits(at: AppTest, logits: list[float], *, epoch: int | None = None, seq: int = 1) -> AppTest:
    """Send logits as the browser would (the current epoch unless one is given), then rerun."""
    element, parent, k = _find(at)
    data = json.loads(element.proto.json)
    message = {"epoch": data["epoch"] if epoch is None else epoch, "seq": seq, "logits": logits}
    parent.children[k] = _PadMessage(element, message)
    return at.run()
