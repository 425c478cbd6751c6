"""Class names are data: the Playground and the Quiz show them literally, escaped once where they meet
markdown, HTML or a chart label.

A name with markdown AND HTML characters (``*b*<i>x</i>$y$_t-rex``) must read as itself: not bold,
not italic, not LaTeX, not a tag, and not with a stray backslash (escaped twice).
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from core.explain import evaluate
from core.panels.playground import formulas_html, gradient_html, steps_html
from core.scenario import Scenario
from tests.app.support import open_page, panel_metric, panel_part, panel_parts, plain, url

NAME = "*b*<i>x</i>$y$_t-rex"
"""Markdown (* _ $ -) and HTML (< > /) in one class name."""
HOSTILE = ("<script>alert(1)</script", "<b onclick=x>", "a&b", NAME)
PLAYGROUND = "app_pages/playground.py"
QUIZ = "app_pages/quiz.py"
MD_SPECIAL = "*_$<>"


def literal_markdown(md: str, text: str) -> bool:
    """``md`` reads as ``text`` in markdown: every special character escaped, and escaped only once."""
    unescaped = re.sub(r"\\.", "", md)  # what is left once the escaped characters are taken out
    return plain(md) == text and not any(c in unescaped for c in MD_SPECIAL)


class _Text(HTMLParser):
    """The text a reader sees in an HTML block, and its tags."""

    def __init__(self) -> None:
        super().__init__()
        self.text = ""
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text += data


def html_text(source: str) -> _Text:
    parser = _Text()
    parser.feed(source)
    return parser


@pytest.mark.parametrize("target", [0, 1, 2, 3])
def test_names_are_escaped_in_every_html_block(target: int) -> None:
    sc = Scenario(classes=HOSTILE, logits=(1.0, 2.0, 3.0, 0.5), target=target, temperature=0.5, unit="bits")
    ev = evaluate(sc)
    for block in (steps_html(sc, ev), formulas_html(sc, ev), gradient_html(sc)):
        assert "<script" not in block
        assert "<b onclick" not in block
        assert "a&b" not in block
        assert "<i>x</i>" not in block
        seen = html_text(block)
        assert sc.target_name in seen.text  # shown as itself
        assert "&lt;" not in seen.text  # not escaped twice
        assert "&amp;" not in seen.text
        assert "script" not in seen.tags
    assert "&lt;script&gt;alert(1)&lt;/script" in steps_html(sc, ev)
    assert "a&amp;b" in steps_html(sc, ev)
    assert NAME in html_text(steps_html(sc, ev)).text


def _chart(at: Any, key: str) -> dict[str, Any]:
    """A chart drawn by the chart component, or else one in the page's live panel."""
    element = next((e for e in at.get("bidi_component") if e.key == key), None)
    return json.loads(element.proto.json) if element is not None else panel_part(at, key)


def test_the_playground_shows_a_markdown_and_html_name_literally() -> None:
    at = open_page(PLAYGROUND, {"classes": f"{NAME},dog,rabbit", "target": NAME})  # z = 2, 1, 0.1: NAME on top
    assert not at.warning
    # the live panel's metrics are plain text (the browser sets them with textContent): the name as it is
    p_true = panel_metric(at, "p_true")
    assert p_true["label"] == f"p(true class) = p({NAME})"
    assert panel_metric(at, "top")["value"] == NAME
    assert panel_metric(at, "ce")["help"].count(NAME) == 1
    # its HTML blocks (worked example, formulas, gradient note): escaped once, read as the name
    blocks = [p["html"] for p in panel_parts(at) if p["kind"] == "html"]
    blocks = [b for b in blocks if NAME.split("<")[0] in html_text(b).text]
    assert len(blocks) == 3
    for block in blocks:
        seen = html_text(block)
        assert NAME in seen.text
        assert "&lt;" not in seen.text
        assert "<i>x</i>" not in block
    # charts: labels escaped for Plotly; "Show the numbers" cells are plain text (set with textContent)
    probs = _chart(at, "pg_probs")
    assert "<i>x</i>" not in json.dumps(probs["spec"])
    assert "&lt;i&gt;x&lt;/i&gt;&#36;y&#36;" in probs["spec"]["data"][0]["customdata"][0]  # whole in hover
    assert probs["spec"]["layout"]["yaxis"]["ticktext"][0].startswith("<b>*b*&lt;i&gt;x&lt;/i&gt;")  # shortened
    assert probs["tables"][0]["rows"][0] == [f"{NAME} (true class)", "0.6590"]
    curve = _chart(at, "pg_loss_curve")
    assert curve["tables"][1]["header"][0] == f"p({NAME})"
    assert NAME in curve["alt"]  # an aria-label: text, never markup
    assert url(at)["target"] == NAME


def test_a_warning_that_quotes_the_name_shows_it_literally_once() -> None:
    at = open_page(PLAYGROUND, {"classes": f"{NAME},dog,rabbit", "target": f"x{NAME}"})
    (warning,) = at.warning
    text = plain(warning.value)
    assert literal_markdown(warning.value, text)
    assert text.count(f"'x{NAME}'") == 1
    assert text.endswith(f"using {NAME}.")


def test_the_quiz_keeps_the_name_in_its_links_and_never_shows_it_as_markup() -> None:
    at = open_page(QUIZ, {"qz_seed": "1", "classes": f"{NAME},dog,rabbit", "target": NAME})
    assert not at.warning
    assert url(at)["classes"] == f"{NAME},dog,rabbit"  # the shared example rides along, unchanged
    assert url(at)["target"] == NAME
    shown = [e.value for e in (*at.markdown, *at.subheader, *at.html, *at.caption) if isinstance(e.value, str)]
    assert not any("<i>x</i>" in s for s in shown)


def test_the_quiz_names_a_bad_target_literally_once() -> None:
    at = open_page(QUIZ, {"qz_seed": "1", "target": NAME})
    (warning,) = at.warning
    text = plain(warning.value)
    assert literal_markdown(warning.value, text)
    assert text.count(f"'{NAME}'") == 1
    assert "\\" not in text  # not escaped twice
