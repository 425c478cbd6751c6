"""The Simplex chart: contours and bands where the loss says, the paths and point given, tables of the same numbers.

Expected values come from scipy or the formulas (a loss level L sits at p(true) = e^-L, or 2^-L in bits).
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest
from scipy.special import softmax as sp_softmax

from core.figures.simplex import simplex_chart
from core.figures.style import FigureStyle
from core.simplex import simplex_page
from core.text import fmt

STYLE = FigureStyle(other="#E69F00", true="#0072B2", curve="#009E73")
NAMES = ("dog", "cat", "rabbit")


@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_contours_and_bands_sit_where_the_loss_equals_their_level(unit: str) -> None:
    page = simplex_page([2.0, 1.0, 0.1], 1, temperature=1.0, unit=unit)
    chart = simplex_chart(NAMES, page, STYLE)
    go.Figure(chart.spec)
    base = math.e if unit == "nats" else 2.0
    traces = chart.spec["data"]
    assert all(t["type"] == "scatterternary" for t in traces)
    lines = [t for t in traces if t.get("mode") == "lines+text"]
    labels = [t["text"][0] for t in lines]
    assert len(labels) == len(page.levels)
    assert all(label in ("", f"{level:g} {unit}") for label, level in zip(labels, page.levels, strict=True))
    assert sum(bool(label) for label in labels) >= 3  # where the triangle has room (tests/core/test_charts13.py)
    for level, line in zip(page.levels, lines, strict=True):
        assert line["a"] == pytest.approx([base**-level] * 2, abs=1e-6)  # p(true) = base^-L
        assert np.array(line["a"]) + np.array(line["b"]) + np.array(line["c"]) == pytest.approx(1.0)
    bands = [t for t in traces if t.get("fill") == "toself"]
    assert len(bands) == len(page.levels) + 1
    edges = [1.0, *(base**-level for level in page.levels), 0.0]
    for band, (hi, lo) in zip(bands, itertools.pairwise(edges), strict=True):
        assert max(band["a"]) == pytest.approx(hi, abs=1e-6)
        assert min(band["a"]) == pytest.approx(lo, abs=1e-6)


def test_paths_and_point_use_the_examples_temperature() -> None:
    z, t = np.array([2.0, 1.0, 0.1]), 2.0
    page = simplex_page(z, 1, temperature=t, unit="nats", lr=0.5, steps=12)
    chart = simplex_chart(NAMES, page, STYLE)
    paths = {t_.get("name", ""): t_ for t_ in chart.spec["data"]}
    now = paths["now"]
    p = sp_softmax(z / t)
    assert now["a"][0] == pytest.approx(p[1], abs=1e-6)  # 0.3043, p(dog) at T = 2
    assert (now["b"][0], now["c"][0]) == pytest.approx((p[0], p[2]), abs=1e-6)
    t_path = paths["as T goes from 0.01 to 100"]
    ts = np.array(t_path["customdata"])
    zs = z[[1, 0, 2]]
    np.testing.assert_allclose(t_path["a"], [sp_softmax(zs / T)[0] for T in ts], atol=2e-4)  # T rounded to 4 places
    gd = paths["12 gradient steps on the logits"]
    assert len(gd["a"]) == 13
    assert gd["a"][0] == pytest.approx(p[1], abs=1e-6)
    assert np.all(np.diff(gd["a"]) > 0)  # heads for the true corner
    assert "dog" in chart.spec["layout"]["ternary"]["aaxis"]["title"]["text"]
    assert "Temperature now: 2.00" in chart.alt


def test_simplex_tables_say_the_charts_numbers() -> None:
    z, t = np.array([2.0, 1.0, 0.1]), 2.0
    page = simplex_page(z, 1, temperature=t, unit="bits", lr=1.0, steps=5)
    now, contours, temperature, descent = simplex_chart(NAMES, page, STYLE).tables
    p = sp_softmax(z / t)
    assert now.header == ("class", "p")
    assert now.rows == (("dog (true class)", fmt(p[1])), ("cat", fmt(p[0])), ("rabbit", fmt(p[2])))
    assert contours.rows[0] == ("0.25", fmt(2**-0.25))
    assert len(contours.rows) == len(page.levels)
    assert temperature.header == ("T", "p(dog)", "p(cat)", "p(rabbit)")
    assert temperature.rows[0][0] == fmt(0.01, 2)
    assert temperature.rows[-1][0] == fmt(100.0, 2)
    assert descent.header == ("step", "p(dog)", "p(cat)", "p(rabbit)", "loss (bits)")
    assert descent.rows[0] == ("0", fmt(p[1]), fmt(p[0]), fmt(p[2]), fmt(-math.log2(p[1])))
    assert len(descent.rows) == 6


def test_hostile_names_stay_text_in_the_chart_and_plain_in_its_tables() -> None:
    names = ("<script>alert(1)</scr", "$x$", "<b onmouseover=x>")
    page = simplex_page([2.0, 1.0, 0.1], 0, temperature=1.0, unit="nats")
    chart = simplex_chart(names, page, STYLE)
    go.Figure(chart.spec)
    text = json.dumps(chart.spec)
    assert "<script" not in text
    assert "<b onmouseover" not in text
    assert "$x$" not in text
    assert chart.tables[0].rows[1][0] == "$x$"
