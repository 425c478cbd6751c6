"""The pieces a panel is made of: plain dicts, ready for ``json.dumps`` and ``ui/live_panel.js``.

Text in a metric is plain text (the browser sets it with ``textContent``); an
HTML part is markup built here with every untrusted string escaped
(:func:`html.escape`); a chart carries its spec, alt text and tables
(:class:`core.figures.style.Chart`).
"""

from __future__ import annotations

import html
from typing import Any

from core.figures.style import Chart

Part = dict[str, Any]
Panel = dict[str, Any]
"""``{"page": name, "slots": {slot: [part, ...]}, "state": {...}}``; ``state`` holds what the page
itself needs back (e.g. the Simplex page's corners), never shown."""

__all__ = ["Panel", "Part", "bounded", "chart", "esc", "html_block", "metric", "metrics", "panel", "row"]


def bounded(value: Any, name: str, low: float, high: float) -> float:
    """A page setting from a browser's message: a number in [low, high], else ``ValueError`` naming it.

    Compares before converting, so an integer of any size (JSON allows 10**400) is refused, not an
    ``OverflowError``; NaN fails the comparison too.
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} must be a number, got {type(value).__name__}")
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low:g}, {high:g}], got {str(value)[:40]}")
    return float(value)


def esc(text: str) -> str:
    """Untrusted text inside an HTML part."""
    return html.escape(text)


def metric(key: str, label: str, value: str, *, help: str = "", delta: str = "", tone: str = "") -> dict[str, str]:
    """One headline number; ``tone`` is "good" or "bad" for the delta chip (never colour alone: the words say it)."""
    return {"key": key, "label": label, "value": value, "help": help, "delta": delta, "tone": tone}


def metrics(*items: dict[str, str]) -> Part:
    return {"kind": "metrics", "items": list(items)}


def chart(key: str, c: Chart) -> Part:
    return {"kind": "chart", "key": key, "spec": c.spec, "alt": c.alt, "tables": [t.as_dict() for t in c.tables]}


def html_block(key: str, markup: str) -> Part:
    return {"kind": "html", "key": key, "html": markup}


def row(*parts: Part) -> Part:
    """Parts side by side on a wide screen, stacked on a narrow one."""
    return {"kind": "row", "parts": list(parts)}


def panel(page: str, slots: dict[str, list[Part]], state: dict[str, Any] | None = None) -> Panel:
    return {"page": page, "slots": slots, "state": state or {}}
