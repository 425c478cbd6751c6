"""Presentation mode in AppTest: from the URL or the toggle, kept across pages and in every URL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.figures.style import STYLE
from tests.app.support import APP, open_page, plain, url
from ui.present import PRESENT_STYLE

PAGES = [
    "app_pages/playground.py",
    "app_pages/softmax.py",
    "app_pages/cross-entropy.py",
    "app_pages/learning.py",
    "app_pages/simplex.py",
    "app_pages/next-token.py",
    "app_pages/quiz.py",
    "app_pages/class.py",
]
CAPTIONS_HIDDEN = re.compile(r'\[data-testid="stCaptionContainer"\]\s*\{\s*display:\s*none')


def css(at: object) -> str:
    return " ".join(h.value for h in at.html)  # type: ignore[attr-defined]


def test_every_page_is_covered() -> None:
    assert sorted(PAGES) == sorted(f"app_pages/{p.name}" for p in (Path(APP).parent / "app_pages").glob("*.py"))


@pytest.mark.parametrize("page", PAGES)
def test_present_1_turns_it_on_and_keeps_it_in_the_url(page: str) -> None:
    at = open_page(page, {"present": "1"})
    assert at.toggle(key="present").value is True
    assert "font-size: 24.3px" in css(at)
    assert CAPTIONS_HIDDEN.search(css(at))  # fewer words: the captions go
    assert url(at)["present"] == "1"
    assert not at.warning


def test_it_survives_page_switches_and_the_toggle_turns_it_off() -> None:
    at = open_page("app_pages/playground.py", {"present": "1"})
    at.switch_page("app_pages/softmax.py").run()
    assert at.toggle(key="present").value is True
    assert url(at)["present"] == "1"
    at.toggle(key="present").set_value(False).run()
    assert "present" not in url(at)
    assert "font-size: 24.3px" not in css(at)
    assert not CAPTIONS_HIDDEN.search(css(at))
    at.switch_page("app_pages/playground.py").run()
    assert at.toggle(key="present").value is False


def test_charts_are_bigger_and_bolder_in_presentation_mode() -> None:
    assert PRESENT_STYLE.font_size >= 1.3 * STYLE.font_size
    assert PRESENT_STYLE.line_width > STYLE.line_width
    assert PRESENT_STYLE.height > STYLE.height


def test_a_bad_present_value_is_named_and_ignored() -> None:
    at = open_page("app_pages/playground.py", {"present": "<b>yes"})
    assert any("'present'" in plain(w.value) for w in at.warning)
    assert at.toggle(key="present").value is False
    assert not at.exception
