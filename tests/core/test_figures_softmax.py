"""The Softmax page's charts: the numbers they draw (against scipy), their "Show the numbers" tables, safe labels."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest
import scipy.special as sp

from core.figures.softmax import jacobian_heatmap, sigmoid_chart, temperature_curves, transform_bars
from core.figures.style import Chart, FigureStyle
from core.scenario import Scenario
from core.softmax_views import jacobian_tab, temperature_tab, two_classes_tab
from core.text import fmt

STYLE = FigureStyle()
T2 = Scenario(temperature=2.0)
Z = np.array([2.0, 1.0, 0.1])
HOSTILE = Scenario(classes=("<b>x</b>", "$y$", "c&d"), logits=(1.0, 2.0, 3.0), target=0, temperature=0.5)


def temperature_chart(sc: Scenario) -> Chart:
    tab = temperature_tab(sc)
    return temperature_curves(sc.classes, tab.temperatures, tab.sweep, sc.target, tab.temperature, tab.probs, STYLE)


def sigmoid_of(sc: Scenario, a: int, b: int) -> Chart:
    tab = two_classes_tab(sc, a, b)
    return sigmoid_chart(
        sc.classes[a],
        sc.classes[b],
        tab.curve_x,
        tab.curve_y,
        tab.marks_x,
        tab.marks_y,
        tab.x,
        tab.p,
        tab.temperature,
        STYLE,
    )


def test_temperature_curves_draw_softmax_z_over_t_and_mark_the_example_t() -> None:
    chart = temperature_chart(T2)
    for i, trace in enumerate(chart.spec["data"]):
        ts = np.array(trace["x"])
        assert ts[0] == pytest.approx(0.01)
        assert ts[-1] == pytest.approx(100.0)
        expected = np.stack([sp.softmax(Z / t) for t in ts])[:, i]
        np.testing.assert_allclose(trace["y"], expected, atol=1e-6)
    assert chart.spec["layout"]["xaxis"]["type"] == "log"
    assert chart.spec["layout"]["shapes"][0]["x0"] == 2.0
    assert chart.spec["layout"]["annotations"][0]["text"] == "T = 2"
    assert chart.spec["layout"]["annotations"][0]["x"] == pytest.approx(math.log10(2.0))
    assert "At T = 2: cat: 0.5017; dog (true class): 0.3043; rabbit: 0.1940" in chart.alt


def test_temperature_curves_tables() -> None:
    now, sweep = temperature_chart(T2).tables
    assert now.caption == "At T = 2"
    assert now.header == ("class", "p")
    p = sp.softmax(Z / 2.0)
    assert now.rows == (("cat", fmt(p[0])), ("dog (true class)", fmt(p[1])), ("rabbit", fmt(p[2])))
    assert sweep.header == ("T", "cat", "dog (true class)", "rabbit")
    assert sweep.rows[0][0] == "0.010"
    assert sweep.rows[-1][0] == "100.000"
    assert sweep.rows[-1][1:] == tuple(fmt(v) for v in sp.softmax(Z / 100.0))
    assert sweep.rows[0][1:] == tuple(fmt(v) for v in sp.softmax(Z / 0.01))
    assert len(sweep.rows) == 12


def test_transform_bars_plot_both_sets_and_table_them() -> None:
    before, after = sp.softmax(Z / 2.0), sp.softmax(2.0 * Z / 2.0)
    chart = transform_bars(T2.classes, before, after, ("softmax(z / 2)", "softmax(2 · z / 2)"), 1, STYLE, "scale")
    np.testing.assert_allclose(chart.spec["data"][0]["x"], before)
    np.testing.assert_allclose(chart.spec["data"][1]["x"], after)
    (table,) = chart.tables
    assert table.header == ("class", "softmax(z / 2)", "softmax(2 · z / 2)")
    assert table.rows[1] == ("dog (true class)", fmt(before[1]), fmt(after[1]))
    assert table.rows[0] == ("cat", "0.5017", "0.6590")


def test_sigmoid_chart_puts_the_pair_at_z_difference_over_t() -> None:
    chart = sigmoid_of(T2, 0, 1)  # cat (2) vs dog (1) at T = 2
    curve, marks, now = chart.spec["data"]
    np.testing.assert_allclose(curve["y"], sp.expit(np.array(curve["x"])), atol=1e-6)
    np.testing.assert_allclose(marks["y"], [sp.softmax([x, 0.0])[0] for x in marks["x"]], rtol=1e-12)
    assert now["x"] == [pytest.approx(0.5)]
    assert now["y"] == [pytest.approx(float(sp.expit(0.5)))]
    assert "/ T" in chart.spec["layout"]["xaxis"]["title"]["text"]
    assert "T = 2" in chart.spec["layout"]["xaxis"]["title"]["text"]
    assert "(z1 - z2) / T = 0.5000, p = 0.6225" in chart.alt
    pair, sigma, points = chart.tables
    assert pair.caption == "cat vs dog at T = 2"
    assert pair.rows == (("0.5000", "0.6225"),)
    assert sigma.rows[0] == (fmt(-10.0), fmt(float(sp.expit(-10.0))))
    assert sigma.rows[-1] == (fmt(10.0), fmt(float(sp.expit(10.0))))
    assert points.header == ("(z₁ − z₂) / T", "softmax(…)₁")
    for x, y in points.rows:
        assert y == fmt(float(sp.softmax([float(x.replace("−", "-")), 0.0])[0]))


def test_sigmoid_chart_says_when_the_pair_is_off_the_chart() -> None:
    sc = Scenario(classes=("a", "b"), logits=(9.0, -9.0), target=0, temperature=0.5)  # (z1 - z2) / T = 36
    chart = sigmoid_of(sc, 0, 1)
    assert len(chart.spec["data"]) == 2
    assert "off the chart" in chart.alt


def test_jacobian_heatmap_draws_the_jacobian_at_t() -> None:
    tab = jacobian_tab(T2)
    chart = jacobian_heatmap(T2.classes, tab.matrix, T2.target, STYLE, tab.temperature)
    p = sp.softmax(Z / 2.0)
    expected = (np.diag(p) - np.outer(p, p)) / 2.0
    np.testing.assert_allclose(chart.spec["data"][0]["z"], expected, atol=1e-6)
    assert chart.spec["layout"]["title"]["text"].endswith("/ 2")
    (table,) = chart.tables
    assert table.caption == "∂p(row) / ∂z(column) at T = 2"
    assert table.header == ("", "cat", "dog (true class)", "rabbit")
    assert table.rows[0] == ("cat", *(fmt(v) for v in expected[0]))
    assert table.rows[1][2] == fmt(p[1] * (1 - p[1]) / 2.0)


def test_every_softmax_chart_is_valid_plotly_and_keeps_names_as_text() -> None:
    for sc in (T2, HOSTILE):
        tab = jacobian_tab(sc)
        charts = [
            temperature_chart(sc),
            transform_bars(sc.classes, tab.probs, tab.probs, ("a", "b"), sc.target, STYLE, "t"),
            sigmoid_of(sc, 0, 1),
            jacobian_heatmap(sc.classes, tab.matrix, sc.target, STYLE, tab.temperature),
        ]
        for chart in charts:
            go.Figure(chart.spec)
        if sc is HOSTILE:
            text = json.dumps([c.spec for c in charts])
            assert "<b>x</b>" not in text
            assert "$y$" not in text
            cells = [cell for c in charts for t in c.tables for row in t.rows for cell in row]
            assert "<b>x</b> (true class)" in cells  # tables take the raw name: they are set as text
