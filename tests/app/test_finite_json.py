"""Chart data reaches the browser as strict JSON: the browser's JSON.parse refuses Infinity and NaN.

With logits 1e308, -1e308 (the edge of float64) a loss is e^310: ∞ in float64. Such a chart once drew
"SyntaxError: Unexpected token 'I'" in place of the chart (Cross-entropy › Information, Learning).
"""

from __future__ import annotations

import json
import math

import pytest

from core.figures.cross_entropy import information_bar
from core.figures.style import STYLE
from ui.chart import finite


def test_finite_turns_every_non_finite_number_into_a_gap() -> None:
    spec = {"x": [math.inf, 1.0, (2.0, math.nan)], "y": -math.inf, "name": "inf", "n": 3}
    assert finite(spec) == {"x": [None, 1.0, [2.0, None]], "y": None, "name": "inf", "n": 3}


def test_a_chart_at_the_edge_of_float64_is_strict_json_once_made_finite() -> None:
    # H(y, p) = KL(y ‖ p) = 2e308 / T nats: beyond float64, inf
    spec = information_bar(0.0, math.inf, "nats", STYLE).spec
    with pytest.raises(ValueError, match="JSON compliant"):
        json.dumps(spec, allow_nan=False)  # what Streamlit would send as "Infinity"
    assert json.loads(json.dumps(finite(spec), allow_nan=False))["data"]
