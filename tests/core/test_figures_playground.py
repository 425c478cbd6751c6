"""The Playground's charts: the numbers they plot (checked with scipy and the formulas), their "Show the
numbers" tables, how they mark the true class, and that class names stay text."""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest
from scipy.special import log_softmax as sp_log_softmax
from scipy.special import softmax as sp_softmax

from core.explain import evaluate
from core.figures.playground import gradient_bars, loss_curve, probability_bars
from core.figures.style import STYLE, Chart, Table
from core.scenario import DEFAULT, Scenario
from tests.numbers import read_number

HOSTILE = ("<script>alert(1)</scr", "$x$", "<b onmouseover=x>")
LN2 = math.log(2.0)


def shown(x: float) -> str:
    """A number as the page writes it (4 decimals, a true minus sign), for ordinary sizes."""
    return f"{x:.4f}".replace("-", "−")


def rows(table: Table) -> list[tuple[str, ...]]:
    return [tuple(r) for r in table.rows]


def at_t(t: float, unit: str = "nats") -> Scenario:
    return Scenario(classes=("cat", "dog", "rabbit"), logits=(2.0, 1.0, 0.1), target=1, temperature=t, unit=unit)


# ---- probabilities -------------------------------------------------------------------------------
@pytest.mark.parametrize("t", [1.0, 2.0, 0.5])
def test_probability_bars_plot_softmax_of_z_over_t(t: float) -> None:
    sc = at_t(t)
    ev = evaluate(sc)
    chart = probability_bars(sc.classes, ev.probs, sc.target, STYLE)
    expected = sp_softmax(np.array([2.0, 1.0, 0.1]) / t)
    np.testing.assert_allclose(chart.spec["data"][0]["x"], expected, rtol=1e-12)
    assert f"dog (true class): {shown(expected[1])}" in chart.alt


def test_probability_bars_at_t_2_show_p_dog_0_3043_in_their_table() -> None:
    """Issue 11: at T = 2 the Playground's p(dog) is softmax([1, 0.5, 0.05])[1] = 0.3043, not 0.2424."""
    sc = at_t(2.0)
    ev = evaluate(sc)
    (table,) = probability_bars(sc.classes, ev.probs, sc.target, STYLE).tables
    assert table.header == ("class", "p")
    assert rows(table)[1] == ("dog (true class)", "0.3043")


def test_probability_bars_table_lists_every_class_and_marks_the_true_one_in_words() -> None:
    ev = evaluate(DEFAULT)
    (table,) = probability_bars(DEFAULT.classes, ev.probs, DEFAULT.target, STYLE).tables
    p = sp_softmax([2.0, 1.0, 0.1])
    assert "softmax" in table.caption
    assert rows(table) == [("cat", shown(p[0])), ("dog (true class)", shown(p[1])), ("rabbit", shown(p[2]))]
    assert rows(table) == [("cat", "0.6590"), ("dog (true class)", "0.2424"), ("rabbit", "0.0986")]


def test_probability_bars_mark_the_true_class_by_colour_hatch_and_word() -> None:
    ev = evaluate(DEFAULT)
    chart = probability_bars(DEFAULT.classes, ev.probs, DEFAULT.target, STYLE)
    bar = chart.spec["data"][0]
    assert bar["marker"]["color"][1] == STYLE.true != bar["marker"]["color"][0]
    assert bar["marker"]["pattern"]["shape"] == ["", "/", ""]  # not colour alone
    ticks = chart.spec["layout"]["yaxis"]["ticktext"]
    assert "true" in ticks[1]
    assert "true" not in ticks[0] + ticks[2]
    assert chart.spec["layout"]["uirevision"] == "probs"
    assert chart.spec["layout"]["font"]["family"] == STYLE.font_family  # the page's own typeface


# ---- gradient ------------------------------------------------------------------------------------
@pytest.mark.parametrize("t", [1.0, 2.0])
def test_gradient_bars_plot_p_minus_y_over_t(t: float) -> None:
    sc = at_t(t)
    ev = evaluate(sc)
    chart = gradient_bars(sc.classes, ev.grad, sc.target, STYLE)
    x = np.array(chart.spec["data"][0]["x"])
    expected = (sp_softmax(np.array([2.0, 1.0, 0.1]) / t) - np.eye(3)[1]) / t
    np.testing.assert_allclose(x, expected, rtol=1e-12, atol=1e-15)
    lo, hi = chart.spec["layout"]["xaxis"]["range"]
    assert lo < x.min()
    assert x.max() < hi
    (table,) = chart.tables
    assert table.header == ("class", "∂L/∂z")
    assert rows(table) == [
        ("cat", shown(expected[0])),
        ("dog (true class)", shown(expected[1])),
        ("rabbit", shown(expected[2])),
    ]


def test_gradient_bars_table_at_t_2_halves_p_minus_1() -> None:
    """(p − 1) / T for the true class at T = 2: (0.30429 − 1) / 2 = −0.34786, not p − 1 = −0.6957."""
    sc = at_t(2.0)
    (table,) = gradient_bars(sc.classes, evaluate(sc).grad, sc.target, STYLE).tables
    assert rows(table)[1] == ("dog (true class)", "−0.3479")


def test_gradient_bars_keep_their_call_shape_for_other_pages() -> None:
    """The Cross-entropy and Learning pages pass (classes, values, target, style) too."""
    chart = gradient_bars(("a", "b"), [0.25, -0.25], 1, style=STYLE)
    assert isinstance(chart, Chart)
    assert rows(chart.tables[0]) == [("a", "0.2500"), ("b (true class)", "−0.2500")]


# ---- loss curve ----------------------------------------------------------------------------------
@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_loss_curve_plots_minus_log_p_and_marks_the_example(unit: str) -> None:
    sc = at_t(1.0, unit)
    ev = evaluate(sc)
    chart = loss_curve(sc.target_name, ev.curve, STYLE)
    curve, marker = chart.spec["data"]
    base = math.e if unit == "nats" else 2.0
    assert min(curve["x"]) <= 1e-4
    assert max(curve["x"]) == 1.0
    for p, y in zip(curve["x"], curve["y"], strict=True):
        assert y == pytest.approx(-math.log(p, base), abs=1e-6)  # rounded to 6 decimals: a smaller message
    p_dog = sp_softmax([2.0, 1.0, 0.1])[1]
    assert marker["x"] == [pytest.approx(p_dog, rel=1e-12)]
    assert marker["y"][0] == pytest.approx(-math.log(p_dog, base), rel=1e-12)
    assert chart.spec["layout"]["yaxis"]["range"][1] > marker["y"][0]
    assert chart.spec["layout"]["yaxis"]["title"]["text"] == unit
    assert ("log₂" if unit == "bits" else "ln") in chart.spec["layout"]["title"]["text"]


@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_loss_curve_tables_sample_the_curve_and_give_the_point_now(unit: str) -> None:
    sc = at_t(2.0, unit)
    chart = loss_curve(sc.target_name, evaluate(sc).curve, STYLE)
    curve, now = chart.tables
    assert curve.header == ("p(true class)", f"loss ({unit})")
    assert 2 < len(curve.rows) <= 12
    assert curve.rows[0] == ("1.00 × 10⁻⁴", shown(-math.log(1e-4) / (LN2 if unit == "bits" else 1.0)))
    assert curve.rows[-1] == ("1.0000", "0")
    base = 2.0 if unit == "bits" else math.e
    for p, loss in curve.rows:  # every row is a point of -log p (p shown to 3 or 4 significant digits)
        assert base ** -float(loss) == pytest.approx(read_number(p), rel=5e-3, abs=5e-5)
    p_dog = sp_softmax(np.array([2.0, 1.0, 0.1]) / 2)[1]
    loss_now = -sp_log_softmax(np.array([2.0, 1.0, 0.1]) / 2)[1] / (LN2 if unit == "bits" else 1.0)
    assert now.header == ("p(dog)", f"loss ({unit})")
    assert rows(now) == [(shown(p_dog), shown(loss_now))]
    assert rows(now)[0][0] == "0.3043"


def test_loss_curve_off_the_chart_gives_the_loss_log_softmax_gives() -> None:
    """p(true) underflows to 0 but the loss is finite: the chart says 800.6931 nats, as the headline does."""
    sc = Scenario(classes=("a", "b", "c"), logits=(0.0, -800.0, 0.0), target=1)
    ev = evaluate(sc)
    assert ev.p_true == 0.0
    chart = loss_curve(sc.target_name, ev.curve, STYLE)
    assert len(chart.spec["data"]) == 1  # no marker: it would be far above the axis
    text = chart.spec["layout"]["annotations"][0]["text"]
    assert "off the chart" in text
    assert f"loss = {800 + math.log(2):.4f} nats" in text
    # p = e^−800 / 2 = 1.8339… × 10^−348 (decimal.Decimal(-800).exp() / 2): written from its log, never "0"
    assert chart.tables[1].rows == (("≈ 1.8 × 10⁻³⁴⁸", f"{800 + math.log(2):.4f}"),)


def test_loss_curve_says_infinity_when_the_loss_is_infinite() -> None:
    sc = Scenario(logits=(1e308, -1e308, 0.0), target=1, temperature=0.05)
    chart = loss_curve(sc.target_name, evaluate(sc).curve, STYLE)
    assert len(chart.spec["data"]) == 1
    assert "∞" in chart.spec["layout"]["annotations"][0]["text"]
    assert chart.tables[1].rows == (("0", "∞"),)


def test_loss_curve_axis_reaches_the_loss_at_p_one_percent_and_grows_for_a_larger_loss() -> None:
    small = loss_curve("dog", evaluate(at_t(1.0)).curve, STYLE)
    assert small.spec["layout"]["yaxis"]["range"][1] == pytest.approx(-math.log(0.01))
    big_sc = Scenario(logits=(9.0, 0.0, 0.0), target=1)  # loss ≈ 9, between 4.6 and 3 × 4.6
    big = loss_curve("dog", evaluate(big_sc).curve, STYLE)
    loss = -sp_log_softmax([9.0, 0.0, 0.0])[1]
    assert big.spec["layout"]["yaxis"]["range"][1] == pytest.approx(1.2 * loss)
    assert big.spec["data"][1]["y"] == [pytest.approx(loss)]


# ---- names, sizes, validity ----------------------------------------------------------------------
def test_class_names_never_reach_plotly_as_markup_and_tables_keep_them_as_text() -> None:
    sc = Scenario(classes=HOSTILE, logits=(1.0, 2.0, 3.0), target=0)
    ev = evaluate(sc)
    charts = [
        probability_bars(sc.classes, ev.probs, sc.target, STYLE),
        gradient_bars(sc.classes, ev.grad, sc.target, STYLE),
        loss_curve(sc.target_name, ev.curve, STYLE),
    ]
    text = json.dumps([c.spec for c in charts])
    assert "<script" not in text
    assert "<b onmouseover" not in text
    assert "$x$" not in text
    # the tables are set as text (textContent), so they hold the names as they are
    assert charts[0].tables[0].rows[0][0] == "<script>alert(1)</scr (true class)"
    assert charts[1].tables[0].rows[1][0] == "$x$"
    assert charts[2].tables[1].header[0] == "p(<script>alert(1)</scr)"


def test_bar_charts_grow_with_the_number_of_classes() -> None:
    few = probability_bars(("a", "b"), [0.5, 0.5], 0, STYLE).spec["layout"]["height"]
    many = gradient_bars(tuple("abcdefghij"), [0.0] * 10, 0, STYLE).spec["layout"]["height"]
    assert few == STYLE.height
    assert many > few


def test_every_playground_spec_is_valid_plotly() -> None:
    """Charts skip Plotly's validation at run time (it costs ~7 ms a chart), so it happens here."""
    for sc in (DEFAULT, Scenario(classes=HOSTILE, logits=(1e4, -1e4, 0.0), target=1, unit="bits")):
        ev = evaluate(sc)
        for chart in (
            probability_bars(sc.classes, ev.probs, sc.target, STYLE),
            gradient_bars(sc.classes, ev.grad, sc.target, STYLE),
            loss_curve(sc.target_name, ev.curve, STYLE),
        ):
            go.Figure(chart.spec)  # raises ValueError on any unknown or invalid property
            assert chart.alt
            assert chart.tables
