"""One temperature rule on every page and tab: p = softmax(z / T) with the example's T, stated with T's value.

At T = 2 the default example (logits 2, 1, 0.1; true class dog) has p(dog) = 0.3043, while 0.2424 is
its value at T = 1. The release before this rule showed both on neighbouring tabs; here every page
is opened at T = 2 and all it writes is searched for the T = 1 numbers.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import softmax
from streamlit.testing.v1 import AppTest

from core.text import fmt
from tests.app.support import html_text, open_page, panel_parts, plain

LOGITS = np.array([2.0, 1.0, 0.1])
QUERY = {"classes": "cat,dog,rabbit", "logits": "2,1,0.1", "target": "dog", "temperature": "2"}
P_T2 = softmax(LOGITS / 2)
P_T1 = softmax(LOGITS)


def everything_written(at: AppTest) -> str:
    """Every piece of text the page wrote: markdown, HTML, metrics, captions, code, warnings."""
    parts: list[str] = []
    parts += [plain(m.value) for m in at.markdown]
    parts += [h.value for h in at.get("html")]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    parts += [plain(c.value) for c in at.caption]
    parts += [c.value for c in at.code]
    parts += [plain(w.value) for w in at.warning]
    parts += [plain(i.value) for i in at.info]
    for part in panel_parts(at):  # the live panel: its metrics and HTML blocks (charts have their own checks)
        parts += [f"{m['label']} {m['value']}" for m in part.get("items", [])]
        parts += [html_text(part["html"])] if part["kind"] == "html" else []
    return "\n".join(parts)


@pytest.mark.parametrize("page", ["app_pages/playground.py", "app_pages/softmax.py", "app_pages/cross-entropy.py"])
def test_p_true_at_t2_is_the_same_on_every_tab(page: str) -> None:
    at = open_page(page, QUERY)
    text = everything_written(at)
    assert fmt(float(P_T2[1])) in text  # 0.3043: p(dog) at T = 2
    assert fmt(float(P_T1[1])) not in text  # 0.2424 would be p(dog) at T = 1
    assert fmt(float(P_T1[0])) not in text  # 0.6590 would be p(cat) at T = 1


@pytest.mark.parametrize(
    "page",
    ["app_pages/softmax.py", "app_pages/cross-entropy.py", "app_pages/learning.py", "app_pages/simplex.py"],
)
def test_every_page_with_the_example_states_its_temperature(page: str) -> None:
    at = open_page(page, QUERY)
    slider = next(s for s in at.slider if s.label == "Temperature T")
    assert slider.value == 2.0
    assert "T = 2" in everything_written(at)


def test_the_quiz_states_the_temperature_of_its_own_examples() -> None:
    """Quiz questions carry their own examples (at T = 1), whatever the link's T: each says so."""
    at = open_page("app_pages/quiz.py", {**QUERY, "qz_seed": "7"})
    assert "T = 1: p = softmax(z)." in everything_written(at)
