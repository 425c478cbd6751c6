"""Small helpers shared by the AppTest modules."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[2] / "app.py")


def plain(markdown: str) -> str:
    """Markdown as the reader sees it (backslash escapes removed)."""
    return re.sub(r"\\(.)", r"\1", markdown)


def html_text(markup: str) -> str:
    """HTML as a reader sees it: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def url(at: AppTest) -> dict[str, str]:
    """The page's query parameters, last value of each."""
    return {
        k: at.query_params[k][-1] if isinstance(at.query_params[k], list) else at.query_params[k]
        for k in at.query_params
    }


def metric(at: AppTest, label: str) -> str:
    """The value of the metric labelled ``label`` (a Streamlit metric, or else one in a live panel)."""
    found = [m.value for m in at.metric if m.label == label]
    found += [m["value"] for m in panel_metrics(at) if m["label"] == label]
    return found[0]


def panel_parts(at: AppTest) -> list[dict[str, Any]]:
    """Every part the page's live panels draw (``core.panels``), rows flattened, in page order."""
    out: list[dict[str, Any]] = []

    def add(part: dict[str, Any]) -> None:
        if part["kind"] == "row":
            for child in part["parts"]:
                add(child)
        else:
            out.append(part)

    for element in at.get("bidi_component"):
        if "_panel_" in str(element.key):
            for part in json.loads(element.proto.json)["parts"]:
                add(part)
    return out


def panel_slots(at: AppTest) -> dict[str, list[dict[str, Any]]]:
    """What each live panel on the page draws, by slot (as the browser receives it)."""
    slots = {}
    for element in at.get("bidi_component"):
        if "_panel_" in str(element.key):
            data = json.loads(element.proto.json)
            slots[data["slot"]] = data["parts"]
    return slots


def panel_metrics(at: AppTest) -> list[dict[str, str]]:
    return [m for part in panel_parts(at) if part["kind"] == "metrics" for m in part["items"]]


def panel_metric(at: AppTest, key: str) -> dict[str, str]:
    """The live panel's metric ``key`` (label, value, help, delta, tone)."""
    return next(m for m in panel_metrics(at) if m["key"] == key)


def panel_part(at: AppTest, key: str) -> dict[str, Any]:
    """The live panel's chart (spec, alt, tables) or HTML block (html) under ``key``."""
    return next(p for p in panel_parts(at) if p.get("key") == key)


def open_page(page: str, query: dict[str, str] | None = None) -> AppTest:
    """A fresh session opened on ``page`` (e.g. "app_pages/learning.py") with ``query`` in its URL."""
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.switch_page(page)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at
