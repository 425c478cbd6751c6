"""Class names are data: every HTML the Playground builds shows them as text."""

from __future__ import annotations

import pytest

from core.explain import evaluate
from core.scenario import Scenario
from ui.results import formulas_html, gradient_html, steps_html

HOSTILE = ("<script>alert(1)</script", "<b onclick=x>", "a&b")


@pytest.mark.parametrize("target", [0, 1, 2])
def test_names_are_escaped_in_every_html_block(target: int) -> None:
    sc = Scenario(classes=HOSTILE, logits=(1.0, 2.0, 3.0), target=target, temperature=0.5, unit="bits")
    ev = evaluate(sc)
    for block in (steps_html(sc, ev), formulas_html(sc, ev), gradient_html(sc)):
        assert "<script" not in block
        assert "<b onclick" not in block
        assert "a&b" not in block
    assert "&lt;script&gt;alert(1)&lt;/script" in steps_html(sc, ev)
    assert "a&amp;b" in steps_html(sc, ev)
