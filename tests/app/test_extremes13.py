"""At the extremes the deep-dive pages say what the Playground says: p(dog) = e^−9999, never a false 0 or a
number made up by a clamp (found by a user test after the first round of issue 13's fixes)."""

from __future__ import annotations

import math

from tests.app.support import html_text, metric, open_page, panel_part
from tests.app.test_cross_entropy_page import open_ce

EXTREME = {"classes": "cat,dog,rabbit", "logits": "10000,1,0", "target": "dog"}
# e^−9999 = 10^(−9999 / ln 10) = 10^−4342.51… = 3.09… × 10⁻⁴³⁴³, by hand
TINY = f"≈ {10 ** (-9999 / math.log(10) + 4343):.1f} × 10⁻⁴³⁴³"


def test_learning_says_the_tiny_probability_at_step_zero() -> None:
    at = open_page("app_pages/learning.py", EXTREME)
    assert metric(at, "p(dog)") == TINY
    # squared error's descent crawls from the same start: its p(dog) is as tiny, not 0
    assert metric(at, "Squared error's p at this step").startswith("≈ ")


def test_loss_curves_state_no_clamped_push() -> None:
    at = open_ce(EXTREME)
    text = html_text(" ".join(h.value for h in at.html))
    assert f"Here p(dog) {TINY}" in text
    assert "10⁻¹²" not in text
    assert "e−12" not in text
    assert "squared error with a push as small as p itself" in text


def test_the_temperature_text_names_a_tie_as_a_tie() -> None:
    """All equal: no class takes everything as T → 0; cat = dog on top: they share it, 1/2 each."""
    at = open_page("app_pages/softmax.py", {"classes": "cat,dog,rabbit", "logits": "1,1,1", "target": "dog"})
    text = html_text(" ".join(h.value for h in at.html))
    assert "takes everything" not in text
    assert "every logit is equal" in text
    at = open_page("app_pages/softmax.py", {"classes": "cat,dog,rabbit", "logits": "5,5,1", "target": "dog"})
    text = html_text(" ".join(h.value for h in at.html))
    assert "takes everything" not in text
    assert "tied largest logits (cat, dog) share everything equally" in text


def test_with_two_classes_the_gradient_text_speaks_of_the_other_class() -> None:
    """Two classes have one other class: no "every other class … the classes that took the most" (a user test)."""
    at = open_page("app_pages/playground.py", {"classes": "cat,dog", "logits": "2,1", "target": "dog"})
    text = html_text(panel_part(at, "pg_gradient_text")["html"])
    assert "the other class cat goes down by as much" in text
    assert "every other class" not in text
