"""Figure specs: the numbers they plot, how they mark the true class, and that names stay text."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from core.ce_views import curves_over_p
from core.explain import evaluate
from core.figures.cross_entropy import gradient_curves, information_bar, loss_curves
from core.figures.learning import decision_regions, descent_losses, descent_race, training_curves
from core.figures.playground import gradient_bars, loss_curve, probability_bars
from core.figures.simplex import simplex_chart
from core.figures.softmax import jacobian_heatmap, sigmoid_chart, temperature_curves, transform_bars
from core.figures.style import Chart, plotly_text
from core.scenario import DEFAULT, Scenario
from core.simplex import contour_levels, simplex_view
from core.softmax import softmax
from core.softmax_views import jacobian, temperature_sweep
from core.training import decision_grid, logit_descent, make_blobs, train_softmax_regression
from ui.theme import STYLE

HOSTILE = ("<script>alert(1)</scr", "$x$", "<b onmouseover=x>")


def test_probability_bars_plot_the_probabilities_and_mark_the_true_class() -> None:
    ev = evaluate(DEFAULT)
    chart = probability_bars(DEFAULT.classes, ev.probs, DEFAULT.target, STYLE)
    bar = chart.spec["data"][0]
    np.testing.assert_allclose(bar["x"], ev.probs)
    assert bar["marker"]["color"][1] == STYLE.true != bar["marker"]["color"][0]
    assert bar["marker"]["pattern"]["shape"] == ["", "/", ""]  # not colour alone
    ticks = chart.spec["layout"]["yaxis"]["ticktext"]
    assert "true" in ticks[1]
    assert "true" not in ticks[0] + ticks[2]
    assert "dog (true class): 0.2424" in chart.alt
    assert chart.spec["layout"]["uirevision"] == "probs"
    assert chart.spec["layout"]["font"]["family"] == STYLE.font_family  # the page's own typeface


def test_gradient_bars_plot_p_minus_y() -> None:
    ev = evaluate(DEFAULT)
    chart = gradient_bars(DEFAULT.classes, ev.grad, DEFAULT.target, STYLE)
    x = np.array(chart.spec["data"][0]["x"])
    np.testing.assert_allclose(x, ev.probs - np.eye(3)[1])
    lo, hi = chart.spec["layout"]["xaxis"]["range"]
    assert lo < x.min()
    assert x.max() < hi


@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_loss_curve_marks_the_current_point(unit: str) -> None:
    chart = loss_curve("dog", 0.2, unit, STYLE)
    curve, marker = chart.spec["data"]
    base = math.e if unit == "nats" else 2.0
    for p, y in zip(curve["x"], curve["y"], strict=True):
        assert y == pytest.approx(-math.log(p, base), abs=1e-6)  # rounded to 6 decimals: a smaller message
    assert marker["x"] == [0.2]
    assert marker["y"][0] == pytest.approx(-math.log(0.2, base), rel=1e-12)
    assert chart.spec["layout"]["yaxis"]["range"][1] > marker["y"][0]


def test_loss_curve_says_when_the_point_is_off_the_chart() -> None:
    chart = loss_curve("dog", 1e-30, "nats", STYLE)
    assert len(chart.spec["data"]) == 1
    assert "off the chart" in chart.spec["layout"]["annotations"][0]["text"]
    chart = loss_curve("dog", 0.0, "nats", STYLE)
    assert "∞" in chart.spec["layout"]["annotations"][0]["text"]


def test_class_names_never_reach_plotly_as_markup() -> None:
    sc = Scenario(classes=HOSTILE, logits=(1.0, 2.0, 3.0), target=0)
    ev = evaluate(sc)
    specs = [
        probability_bars(sc.classes, ev.probs, sc.target, STYLE).spec,
        gradient_bars(sc.classes, ev.grad, sc.target, STYLE).spec,
        loss_curve(sc.target_name, ev.p_true, sc.unit, STYLE).spec,
    ]
    text = json.dumps(specs)
    assert "<script" not in text
    assert "<b onmouseover" not in text
    assert "$x$" not in text
    assert plotly_text("<b>$x$</b>") == "&lt;b&gt;&#36;x&#36;&lt;/b&gt;"


def test_bar_charts_grow_with_the_number_of_classes() -> None:
    few = probability_bars(("a", "b"), [0.5, 0.5], 0, STYLE).spec["layout"]["height"]
    many = gradient_bars(tuple("abcdefghij"), [0.0] * 10, 0, STYLE).spec["layout"]["height"]
    assert few == STYLE.height
    assert many > few


def test_every_spec_is_valid_plotly() -> None:
    """Charts skip Plotly's validation at run time (it costs ~7 ms a chart), so it happens here."""
    import plotly.graph_objects as go

    for sc in (DEFAULT, Scenario(classes=HOSTILE, logits=(1e4, -1e4, 0.0), target=1, unit="bits")):
        ev = evaluate(sc)
        for chart in (
            probability_bars(sc.classes, ev.probs, sc.target, STYLE),
            gradient_bars(sc.classes, ev.grad, sc.target, STYLE),
            loss_curve(sc.target_name, ev.p_true, sc.unit, STYLE),
            temperature_curves(sc.classes, sc.logits, sc.target, 0.5, STYLE),
            transform_bars(sc.classes, ev.probs, ev.probs, ("a", "b"), sc.target, STYLE, "t"),
            sigmoid_chart(sc.classes[0], sc.classes[1], sc.logits[0], sc.logits[1], STYLE),
            jacobian_heatmap(sc.classes, jacobian(ev.probs), sc.target, STYLE),
            loss_curves(curves_over_p(np.array([0.1, 0.5]), sc.n_classes, 2.0), 0.3, 2.0, STYLE),
            gradient_curves(curves_over_p(np.array([0.1, 0.5]), sc.n_classes, 0.0), 0.3, 0.0, STYLE),
            information_bar(0.5, 1.2, sc.unit, STYLE),
        ):
            go.Figure(chart.spec)  # raises ValueError on any unknown or invalid property


def test_softmax_page_figures_plot_the_core_numbers() -> None:
    z = DEFAULT.logits
    chart = temperature_curves(DEFAULT.classes, z, DEFAULT.target, 2.0, STYLE)
    sweep = temperature_sweep(z, chart.spec["data"][0]["x"])
    for i, trace in enumerate(chart.spec["data"]):
        np.testing.assert_allclose(trace["y"], sweep[:, i], atol=1e-6)
    assert chart.spec["layout"]["xaxis"]["type"] == "log"
    assert chart.spec["layout"]["shapes"][0]["x0"] == 2.0  # the current T is marked
    heat = jacobian_heatmap(DEFAULT.classes, jacobian(softmax(z)), DEFAULT.target, STYLE)
    np.testing.assert_allclose(heat.spec["data"][0]["z"], jacobian(softmax(z)), atol=1e-6)
    sig = sigmoid_chart("cat", "dog", 2.0, 1.0, STYLE)
    assert sig.spec["data"][2]["y"][0] == pytest.approx(float(softmax([2.0, 1.0])[0]))


def test_information_bar_stacks_entropy_and_divergence() -> None:
    chart = information_bar(math.log(2), math.log(2), "bits", STYLE)
    h, kl = chart.spec["data"]
    assert h["x"] == pytest.approx([1.0])
    assert kl["x"] == pytest.approx([1.0])
    assert chart.spec["layout"]["barmode"] == "stack"
    assert "2.0000 bits" in chart.spec["layout"]["title"]["text"]


# ---- Learning and Simplex pages ------------------------------------------------------------------
def _learning_charts(classes: tuple[str, ...], unit: str) -> list[Chart]:
    X, y = make_blobs(10, seed=0)
    result = train_softmax_regression(X, y, lr=0.5, epochs=20)
    grid = decision_grid(result.W, result.b, (-4.0, 4.0), (-4.0, 4.0), 12)
    ce = logit_descent([2.0, 1.0, 0.1], 1, lr=1.0, steps=10)
    se = logit_descent([2.0, 1.0, 0.1], 1, lr=1.0, steps=10, loss="squared_error")
    view = simplex_view([2.0, 1.0, 0.1], 1)
    return [
        descent_losses(ce.losses, 3, unit, STYLE),
        descent_race(ce.probs[:, 1], se.probs[:, 1], 3, classes[1], STYLE),
        decision_regions(classes, grid, X, y, STYLE),
        training_curves(result.history, result.accuracies, 5, unit, STYLE),
        simplex_chart(classes, view, 1.0, contour_levels(unit), unit, STYLE),
    ]


@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_learning_and_simplex_specs_are_valid_plotly_and_names_stay_text(unit: str) -> None:
    import plotly.graph_objects as go

    for chart in _learning_charts(HOSTILE, unit):
        go.Figure(chart.spec)
        text = json.dumps(chart.spec)
        assert "<script" not in text
        assert "<b onmouseover" not in text
        assert "$x$" not in text
    for chart in _learning_charts(("cat", "dog", "rabbit"), unit):
        go.Figure(chart.spec)
        assert chart.alt
        assert chart.spec["layout"]["uirevision"]


def test_simplex_chart_has_contours_bands_and_both_paths() -> None:
    view = simplex_view([2.0, 1.0, 0.1], 1, lr=0.5, steps=12)
    chart = simplex_chart(("dog", "cat", "rabbit"), view, 1.0, contour_levels("nats"), "nats", STYLE)
    traces = chart.spec["data"]
    assert all(t["type"] == "scatterternary" for t in traces)
    bands = [t for t in traces if t.get("fill") == "toself"]
    assert len(bands) == len(contour_levels("nats")) + 1
    # a contour at level L is the line p(true) = exp(-L)
    lines = [t for t in traces if t.get("mode") == "lines+text"]
    for level, line in zip(contour_levels("nats"), lines, strict=True):
        assert line["a"] == pytest.approx([math.exp(-level)] * 2, abs=1e-6)
    paths = {t.get("name", ""): t for t in traces}
    t_path = next(t for n, t in paths.items() if n.startswith("as T goes"))
    np.testing.assert_allclose(t_path["a"], view.temperature_path[:, 0], atol=1e-6)
    gd = next(t for n, t in paths.items() if "gradient steps" in n)
    assert len(gd["a"]) == 13
    np.testing.assert_allclose(gd["a"], view.descent_path[:, 0], atol=1e-6)
    now = paths["now"]
    assert now["a"][0] == pytest.approx(float(softmax([2.0, 1.0, 0.1])[1]), abs=1e-6)
    assert "dog" in chart.spec["layout"]["ternary"]["aaxis"]["title"]["text"]
    # bits: the same loss levels in bits sit at p = 2^-L
    bits = simplex_chart(("dog", "cat", "rabbit"), view, 1.0, contour_levels("bits"), "bits", STYLE)
    line = next(t for t in bits.spec["data"] if t.get("mode") == "lines+text")
    assert line["a"][0] == pytest.approx(2 ** -contour_levels("bits")[0], abs=1e-6)


def test_decision_regions_colour_the_predicted_class_and_shape_the_points() -> None:
    X, y = make_blobs(5, seed=1)
    W = np.array([[0.0, -1.0, 1.0], [1.0, -0.5, -0.5]])  # class 0 up, 1 lower left, 2 lower right
    b = np.zeros(3)
    grid = decision_grid(W, b, (-3.0, 3.0), (-3.0, 3.0), 7)
    chart = decision_regions(("cat", "dog", "rabbit"), grid, X, y, STYLE)
    heat, *points = chart.spec["data"]
    z = np.array(heat["z"])
    predicted = np.argmax(grid[2], axis=-1)
    np.testing.assert_array_equal(z // 3, predicted)  # three tints per class
    assert predicted[6, 3] == 0
    assert predicted[0, 0] == 1
    assert predicted[0, 6] == 2
    assert [p["marker"]["symbol"] for p in points] == ["circle", "square", "diamond"]  # not colour alone
    assert sum(len(p["x"]) for p in points) == 15


def test_training_curves_plot_loss_and_percent_accuracy() -> None:
    chart = training_curves([1.0, 0.5, 0.25], [0.2, 0.6, 1.0], 1, "bits", STYLE)
    loss, acc = chart.spec["data"]
    assert loss["y"] == pytest.approx([1 / math.log(2), 0.5 / math.log(2), 0.25 / math.log(2)])
    assert acc["y"] == [20.0, 60.0, 100.0]
    assert acc["yaxis"] == "y2"
    assert chart.spec["layout"]["shapes"][0]["x0"] == 1
    assert "At epoch 1" in chart.alt
