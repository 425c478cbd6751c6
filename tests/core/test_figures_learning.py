"""The Learning page's charts: they plot the numbers they are given, and their tables say the same numbers.

Expected values come from scipy or the formulas, never from core.training.
"""

from __future__ import annotations

import json
import math

import numpy as np
import plotly.graph_objects as go
import pytest
from scipy.special import log_softmax as sp_log_softmax
from scipy.special import softmax as sp_softmax

from core.descent import descent_steps
from core.figures.learning import SYMBOLS, decision_regions, descent_losses, descent_race, training_curves
from core.figures.style import FigureStyle
from core.figures.tables import MAX_TABLE_ROWS
from core.text import fmt
from core.training import classifier_frame, make_blobs, train_classifier

STYLE = FigureStyle(other="#E69F00", true="#0072B2", curve="#009E73")
HOSTILE = ("<script>alert(1)</scr", "$x$", "<b onmouseover=x>")


def test_descent_losses_plot_the_losses_given_and_table_them() -> None:
    z, t = np.array([2.0, 1.0, 0.1]), 2.0
    steps = descent_steps(z, 1, temperature=t, lr=1.0, unit="bits", steps=30)
    chart = descent_losses(steps.losses, 4, "bits", STYLE)
    go.Figure(chart.spec)
    expected = -sp_log_softmax(steps.ce.logits / t, axis=1)[:, 1] / math.log(2)  # bits, at T = 2
    np.testing.assert_allclose(chart.spec["data"][0]["y"], expected, atol=1e-6)
    assert chart.spec["data"][1]["x"] == [0, 1, 2, 3, 4]  # the steps taken
    (table,) = chart.tables
    assert table.header == ("step", "cross-entropy (bits)")
    assert len(table.rows) == MAX_TABLE_ROWS + 1  # sampled, plus the step shown
    assert table.rows[0] == ("0", fmt(float(expected[0])))
    assert ("4", fmt(float(expected[4]))) in table.rows
    assert table.rows[-1] == ("30", fmt(float(expected[-1])))
    assert f"Now at step 4: {fmt(round(float(expected[4]), 6))} bits" in chart.alt


def test_descent_race_plots_p_true_of_both_losses_and_says_when_each_passes_one_half() -> None:
    p_ce = [0.1, 0.3, 0.55, 0.8]
    p_se = [0.1, 0.12, 0.15, 0.2]
    chart = descent_race(p_ce, p_se, 2, "dog", STYLE, passes_half=(2, None))
    ce, se = chart.spec["data"]
    assert ce["y"] == p_ce
    assert se["y"] == p_se
    assert "passes 0.5 after 2 steps" in chart.alt
    assert "stays below 0.5 for all 3 steps" in chart.alt
    (table,) = chart.tables
    assert table.caption == "p(dog) per step"
    assert table.header == ("step", "cross-entropy", "squared error")
    assert table.rows[2] == ("2", "0.5500", "0.1500")


def test_decision_regions_colour_the_argmax_and_table_the_shares() -> None:
    run = train_classifier(n_per_class=10, spread=0.8, seed=2, lr=0.5, epochs=40, label_smoothing=0.0)
    frame = classifier_frame(run, 40, "nats", 11)
    chart = decision_regions(("cat", "dog", "rabbit"), frame.regions, run.X, run.y, STYLE)
    go.Figure(chart.spec)
    heat, *points = chart.spec["data"]
    xs, ys = np.linspace(*run.x_range, 11), np.linspace(*run.y_range, 11)
    gx, gy = np.meshgrid(xs, ys)
    probs = sp_softmax(np.stack([gx, gy], axis=-1) @ run.result.W + run.result.b, axis=-1)
    predicted = probs.argmax(axis=-1)
    np.testing.assert_array_equal(np.array(heat["z"]) // 3, predicted)  # three tints per class
    np.testing.assert_allclose(heat["x"], xs, atol=1e-4)
    # the map holds every training point
    assert heat["x"][0] < run.X[:, 0].min()
    assert run.X[:, 0].max() < heat["x"][-1]
    assert heat["y"][0] < run.X[:, 1].min()
    assert run.X[:, 1].max() < heat["y"][-1]
    assert [p["marker"]["symbol"] for p in points] == list(SYMBOLS[:3])  # not colour alone
    (table,) = chart.tables
    assert table.header == ("class", "share of the map", "training points")
    shares = [100 * np.mean(predicted == c) for c in range(3)]
    assert table.rows == tuple(
        (name, f"{fmt(s, 1)}%", "10") for name, s in zip(("cat", "dog", "rabbit"), shares, strict=True)
    )


def test_training_curves_plot_and_table_loss_and_accuracy() -> None:
    chart = training_curves([1.5, 0.75, 0.25], [20.0, 60.0, 100.0], 1, "bits", STYLE)
    loss, acc = chart.spec["data"]
    assert loss["y"] == [1.5, 0.75, 0.25]  # already in bits: the builder converts nothing
    assert acc["y"] == [20.0, 60.0, 100.0]
    assert acc["yaxis"] == "y2"
    assert chart.spec["layout"]["shapes"][0]["x0"] == 1
    assert "At epoch 1: loss 0.7500 bits, accuracy 60.0%" in chart.alt
    (table,) = chart.tables
    assert table.header == ("epoch", "loss (bits)", "accuracy")
    assert table.rows == (("0", "1.5000", "20.0%"), ("1", "0.7500", "60.0%"), ("2", "0.2500", "100.0%"))


def test_long_training_tables_keep_the_shown_epoch() -> None:
    chart = training_curves(np.linspace(1, 0, 201), np.linspace(0, 100, 201), 37, "nats", STYLE)
    epochs = [row[0] for row in chart.tables[0].rows]
    assert "37" in epochs
    assert epochs[0] == "0"
    assert epochs[-1] == "200"


@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_hostile_names_stay_text_in_every_learning_chart(unit: str) -> None:
    X, y = make_blobs(5, seed=0)
    run = train_classifier(n_per_class=5, spread=1.0, seed=0, lr=0.5, epochs=5, label_smoothing=0.0)
    steps = descent_steps([2.0, 1.0, 0.1], 1, temperature=1.0, lr=1.0, unit=unit, steps=5)
    frame = classifier_frame(run, 5, unit, 6)
    charts = [
        descent_losses(steps.losses, 2, unit, STYLE),
        descent_race(steps.p_true, steps.se_p_true, 2, HOSTILE[1], STYLE, passes_half=steps.passes_half),
        decision_regions(HOSTILE, frame.regions, X, y, STYLE),
        training_curves(frame.losses, frame.accuracy_percents, 3, unit, STYLE),
    ]
    for chart in charts:
        go.Figure(chart.spec)
        text = json.dumps(chart.spec)
        assert "<script" not in text
        assert "<b onmouseover" not in text
        assert "$x$" not in text
        assert chart.alt
        assert chart.tables
    assert charts[2].tables[0].rows[0][0] == HOSTILE[0]  # table cells are plain text: the name as it is
