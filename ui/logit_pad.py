"""The live logit control: every class's logit as a range slider plus an exact box.

A ``st.components.v2`` component (inline JS in ``logit_pad.js``, native
``<input type=range>`` and a text box read as a number, so the keyboard and screen
readers work). Given the page's live context (``live``, from
:func:`ui.live_panel.context`), it sends every value of a drag over the live
route (``routes/live.py``; ``live_client.js``) and the page's live panel draws
the answers, without a rerun; the gesture's end is committed here, through
Streamlit. Without the route it commits values *while* the pointer moves, about
30 times a second, coalescing to the latest values with at most one update
unanswered.

Commit protocol, Python side:

- ``data.epoch`` counts the times the logits changed on the server side (preset,
  class edit, URL). The browser drops its local values when the epoch changes.
- The browser sends ``{"epoch", "seq", "logits", "final"}``. A value from an
  older epoch is stale (it was sent before the server's change arrived) and is
  ignored. ``final`` is false while a drag goes on and true once it ends (and
  for every key press or typed value): the URL is rewritten only then, since
  rewriting it costs the browser a few milliseconds a frame.
- ``data.ack`` is the last ``seq`` the server applied, so the browser knows when
  it may send the next update.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import streamlit as st

from core.scenario import LOGIT_SLIDER
from ui.session import Key

TYPED_NUMBER_JS = Path(__file__).with_name("typed_number.js").read_text(encoding="utf-8")
"""parseTyped: how a typed number reads (a decimal comma as a point, and says so); prepended by the logit pad and
by a student's device in class mode (ui/classroom.py)."""
KEY = "pg_logits"
"""The component's widget key (its state holds the browser's last message)."""
EPOCH: Key[int] = Key("pg_logits_epoch", 0)
"""Goes up whenever the server changes the logits: the browser then takes the server's values."""
ACK: Key[int] = Key("pg_logits_ack", 0)
"""The sequence number of the last message read."""
DRAGGING: Key[bool] = Key("pg_logits_dragging", False)
SEND_HZ = 30

_CSS = """
.pad { display: flex; flex-direction: column; gap: 0.55rem; font-family: var(--st-font, sans-serif); }
.row { display: grid; grid-template-columns: 1fr; gap: 0.15rem; }
.name { font-size: 1rem; color: var(--st-text-color, #31333f); }
.row.true .name { font-weight: 700; }
.controls { display: flex; flex-wrap: wrap; gap: 0.4rem 0.9rem; align-items: center; }
/* the slider never shrinks below 8rem: in a narrow column the exact box goes under it instead */
input[type=range] { flex: 1 1 8rem; min-width: 8rem; height: 1.9rem; margin: 0; background: transparent;
  -webkit-appearance: none; appearance: none; cursor: pointer;
  --accent: var(--st-primary-color, #0072B2);
  /* the unfilled track: the text colour faded into the page, readable in the light theme and the dark one */
  --track: color-mix(in srgb, var(--st-text-color, #31333f) 35%, var(--st-background-color, #fff)); }
/* the true class keeps its orange (the darker shade: 3:1 against the page in both themes) */
.row.true input[type=range] { --accent: #B36B00; }
input[type=range]::-webkit-slider-runnable-track { height: 0.4rem; border-radius: 0.2rem;
  background: linear-gradient(to right, var(--accent) var(--fill, 50%), var(--track) var(--fill, 50%)); }
input[type=range]::-webkit-slider-thumb { -webkit-appearance: none; appearance: none; width: 1.25rem; height: 1.25rem;
  margin-top: -0.425rem; border-radius: 50%; background: var(--accent);
  border: 2px solid var(--st-background-color, #fff); box-shadow: 0 0 0 1px var(--accent); }
input[type=range]::-moz-range-track { height: 0.4rem; border-radius: 0.2rem; background: var(--track); }
input[type=range]::-moz-range-progress { height: 0.4rem; border-radius: 0.2rem; background: var(--accent); }
input[type=range]::-moz-range-thumb { width: 1.1rem; height: 1.1rem; border-radius: 50%; background: var(--accent);
  border: 2px solid var(--st-background-color, #fff); box-shadow: 0 0 0 1px var(--accent); }
input.exact, input[type=number] {
  font: inherit; font-size: 1.05rem; flex: 1 0 5rem; max-width: 7.5rem; box-sizing: border-box; padding: 0.35rem 0.5rem;
  border: 1px solid var(--st-border-color, #d5d6d8); border-radius: 0.5rem;
  background: var(--st-secondary-background-color, #f0f2f6); color: var(--st-text-color, #31333f);
}
input:focus-visible { outline: 3px solid var(--st-primary-color, #0072B2); outline-offset: 2px; }
input[aria-invalid=true] { border-color: #D55E00; outline-color: #D55E00; }
.note { font-size: 0.85rem; color: var(--st-text-color, #31333f); opacity: 0.75; min-height: 0; }
"""

_pad = st.components.v2.component(
    "softmax_explorer.logit_pad",
    html='<div class="pad" role="group" aria-label="Logits"></div>',
    css=_CSS,
    js=(Path(__file__).with_name("live_client.js")).read_text(encoding="utf-8")
    + TYPED_NUMBER_JS
    + (Path(__file__).with_name("logit_pad.js")).read_text(encoding="utf-8"),
)


def epoch() -> int:
    return EPOCH.get()


def new_epoch() -> None:
    """The logits changed on the server side: the browser must take the server's values."""
    EPOCH.set(epoch() + 1)


def read(value: Any, n_classes: int) -> list[float] | None:
    """The logits in a message from the browser, or None if it is stale or malformed."""
    if not isinstance(value, dict) or value.get("epoch") != epoch():
        return None
    logits = value.get("logits")
    if not isinstance(logits, list) or len(logits) != n_classes:
        return None
    try:
        out = [float(z) for z in logits]
    except (TypeError, ValueError):
        return None
    if not all(math.isfinite(z) for z in out):
        return None
    seq = value.get("seq")
    if isinstance(seq, int):
        ACK.set(seq)
    DRAGGING.set(value.get("final") is False)
    return out


def dragging() -> bool:
    """True while the last update came from a drag that has not ended yet."""
    return DRAGGING.get()


def drag_over() -> None:
    DRAGGING.set(False)


def logit_pad(
    names: tuple[str, ...],
    logits: tuple[float, ...],
    target: int,
    on_change: Callable[[], None],
    live: Mapping[str, Any] | None = None,
) -> None:
    """The pad; with ``live`` (the page's live context) it sends a drag over the live route."""
    lo, hi = LOGIT_SLIDER
    _pad(
        key=KEY,
        data={
            "names": list(names),
            "logits": list(logits),
            "target": target,
            "lo": lo,
            "hi": hi,
            "step": 0.1,
            "hz": SEND_HZ,
            "epoch": epoch(),
            "ack": ACK.get(),
            "live": dict(live) if live else None,
        },
        default={"update": None},
        on_update_change=on_change,
    )


def latest() -> Any:
    """The last message the browser sent (the component's state ``update``).

    (Not called ``value``: Streamlit unwraps a state named ``value`` holding a dict
    and would diff the message's fields instead of calling ``on_update_change``.)
    """
    state = st.session_state.get(KEY)
    return state.get("update") if isinstance(state, Mapping) else None
