"""The Cross-entropy page's charts: what they draw and their "Show the numbers" tables, against the formulas."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
import pytest

from core.ce_views import curves_over_p
from core.figures.cross_entropy import gradient_curves, information_bar, loss_curves
from core.figures.style import STYLE
from core.figures.tables import sample
from core.text import fmt
from tests.numbers import read_number

P = np.array([0.01, 0.05, 0.2, 0.5, 0.8, 0.99])
C = 3
GAMMA = 2.0


def _number(cell: str) -> float:
    return read_number(cell)


def _assert_rows(rows: tuple[tuple[str, ...], ...], xs: np.ndarray, ys: np.ndarray) -> None:
    """Table rows (as the page writes numbers: 4 decimals or 2 significant in scientific) against the formula."""
    assert len(rows) == len(xs)
    for (x_cell, y_cell), x, y in zip(rows, xs, ys, strict=True):
        assert x_cell == fmt(float(x))
        assert _number(y_cell) == pytest.approx(float(y), rel=1e-2, abs=6e-5)


def _by_hand(p: np.ndarray) -> dict[str, np.ndarray]:
    """The three losses over p(true) (the rest shared equally) and d/d(scaled logit), from their formulas."""
    ce = -np.log(p)
    se = (1 - p) ** 2 + (1 - p) ** 2 / (C - 1)
    focal = -((1 - p) ** GAMMA) * np.log(p)
    dp = p * (1 - p)  # d p / d s for the true class when the others share the rest
    return {
        "cross-entropy": ce,
        "squared error": se,
        f"focal (γ = {GAMMA:g})": focal,
        "d cross-entropy": p - 1,
        "d squared error": -2 * (1 - p) * C / (C - 1) * dp,
        f"d focal (γ = {GAMMA:g})": (GAMMA * (1 - p) ** (GAMMA - 1) * np.log(p) - (1 - p) ** GAMMA / p) * dp,
    }


def test_loss_curves_draw_the_three_losses_and_table_them() -> None:
    chart = loss_curves(curves_over_p(P, C, GAMMA), 0.3, GAMMA, STYLE)
    go.Figure(chart.spec)
    expected = _by_hand(P)
    names = [t["name"] for t in chart.spec["data"]]
    assert names == ["cross-entropy", "squared error", "focal (γ = 2)"]
    for trace in chart.spec["data"]:
        np.testing.assert_allclose(trace["x"], P, atol=1e-6)
        np.testing.assert_allclose(trace["y"], expected[trace["name"]], atol=1e-6)
    assert chart.spec["layout"]["shapes"][0]["x0"] == 0.3
    assert [t.caption for t in chart.tables] == names
    for table in chart.tables:
        assert table.header == ("p(true class)", "loss")
        _assert_rows(table.rows, P, expected[table.caption])


@pytest.mark.parametrize("t", [1.0, 2.0])
def test_gradient_curves_are_d_loss_d_z_at_t_and_say_so(t: float) -> None:
    chart = gradient_curves(curves_over_p(P, C, GAMMA, temperature=t), 0.3043, GAMMA, STYLE)
    go.Figure(chart.spec)
    expected = _by_hand(P)
    for trace in chart.spec["data"]:
        np.testing.assert_allclose(trace["y"], expected["d " + trace["name"]] / t, atol=1e-6)
    title = chart.spec["layout"]["title"]["text"]
    if t == 2.0:
        assert title.endswith("at T = 2")
        assert "(p - 1) / T with T = 2" in chart.alt
        lo, hi = chart.spec["layout"]["yaxis"]["range"]
        assert lo <= -1 / 2  # cross-entropy's (p - 1) / T spans (-1/T, 0)
        assert hi >= 0
        assert lo < min(min(tr["y"]) for tr in chart.spec["data"])  # focal's dips lower: held too
        assert chart.tables[0].header == ("p(true class)", "∂L/∂z(true) at T = 2")
    else:
        assert "T =" not in title
        assert "p - 1:" in chart.alt
        assert chart.tables[0].header == ("p(true class)", "∂L/∂z(true)")
    for table in chart.tables:
        _assert_rows(table.rows, P, expected["d " + table.caption] / t)


def test_long_curves_are_sampled_in_their_tables() -> None:
    p = np.linspace(0.01, 0.99, 99)
    table = loss_curves(curves_over_p(p, C, GAMMA), 0.5, GAMMA, STYLE).tables[0]
    idx = sample(len(p))
    assert len(table.rows) == len(idx) < len(p)
    assert table.rows[0] == (fmt(0.01), fmt(-math.log(0.01)))
    assert table.rows[-1] == (fmt(0.99), fmt(-math.log(0.99)))


def test_information_bar_names_the_smoothed_target_and_tables_its_parts() -> None:
    y = np.array([0.1 / 3, 0.9 + 0.1 / 3, 0.1 / 3])
    p = np.array([0.3, 0.3043, 0.3957])
    h = float(-(y * np.log(y)).sum())
    kl = float((y * np.log(y / p)).sum())
    chart = information_bar(h, kl, "bits", STYLE, symbol="ỹ")
    go.Figure(chart.spec)
    hb, klb = h / math.log(2), kl / math.log(2)
    first, second = chart.spec["data"]
    assert first["x"] == pytest.approx([hb])
    assert second["x"] == pytest.approx([klb])
    assert first["name"].startswith("H(ỹ)")
    assert second["name"].startswith("KL(ỹ ‖ p)")
    assert "H(y" not in str(chart.spec) + chart.alt  # the target is smoothed: never the one-hot y
    (table,) = chart.tables
    assert table.header == ("", "bits")
    assert table.rows == (("H(ỹ)", fmt(hb)), ("KL(ỹ ‖ p)", fmt(klb)), ("H(ỹ, p)", fmt(hb + klb)))


def test_information_bar_for_a_one_hot_target_says_y() -> None:
    chart = information_bar(0.0, 1.2, "nats", STYLE, symbol="y")
    assert chart.spec["data"][0]["name"].startswith("H(y)")
    assert chart.tables[0].rows[-1] == ("H(y, p)", fmt(1.2))
