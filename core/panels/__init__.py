"""What a page's live area shows, as data: one function per page, two callers.

A *panel* is the part of a page that moves with the logits. Each page has one
core function that computes it from a :class:`~core.scenario.Scenario` (and the
page's own settings, ``extra``) and returns plain JSON-able data: for each
*slot* of the page (a place in its layout), a list of *parts* (a row of metrics,
a chart spec with its alt text and tables, a block of escaped HTML). Two callers
draw the same data with the same JavaScript (``ui/live_panel.js``):

- the page itself, on every Streamlit rerun (the commit path), and
- the live route (``routes/live.py``), on every value sent while a logit is
  dragged (the live path), without a rerun.

So a drag and a commit cannot disagree: the numbers come from one function.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from core.figures.style import FigureStyle
from core.panels.next_token import next_token_panel
from core.panels.parts import Panel
from core.panels.playground import playground_panel
from core.panels.readout import readout_panel
from core.panels.simplex import simplex_panel
from core.scenario import Scenario

__all__ = ["PANELS", "Panel", "PanelFunction", "next_token_panel", "playground_panel", "readout_panel", "simplex_panel"]

PanelFunction = Callable[[Scenario, Mapping[str, Any], FigureStyle], Panel]

PANELS: dict[str, PanelFunction] = {
    "playground": playground_panel,
    "simplex": simplex_panel,
    "readout": readout_panel,
    "next_token": next_token_panel,
}
"""Each page's panel function by the name the browser sends (the Softmax, Cross-entropy and Learning pages share
the readout under their logits; the Next-token page's follows its decoding settings, not the logits)."""
