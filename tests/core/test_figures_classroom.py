"""The projector's spread chart (core/figures/classroom.py): bins, counts, the truth after the reveal."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import log_softmax as sp_log_softmax
from scipy.special import softmax as sp_softmax

from core.figures.classroom import P_BIN, histogram, loss_top, spread_chart
from core.figures.style import PRESENT_STYLE, STYLE
from core.quiz import Question, about
from core.scenario import Scenario

EXAMPLE = Scenario()  # cat 2, dog 1, rabbit 0.1; the true class is dog
P_Q = about(EXAMPLE, "p_true")
LOSS_Q = about(EXAMPLE, "loss")
STEP_Q = about(EXAMPLE, "step")
PICK_Q = about(EXAMPLE, "lowest_loss")


def loss(sc: Scenario) -> float:
    return float(-sp_log_softmax(np.asarray(sc.logits) / sc.temperature)[sc.target])


def texts(chart_spec: dict[str, object]) -> str:
    return json.dumps(chart_spec, ensure_ascii=False)


# ---- bins -----------------------------------------------------------------------------------------------------


def test_probability_bins_are_fixed_twentieths() -> None:
    bins = histogram(P_Q, [], revealed=False)
    assert len(bins) == 20
    assert P_BIN == 0.05
    assert [b.lo for b in bins] == pytest.approx([i / 20 for i in range(20)])
    assert bins[-1].hi == 1.0
    assert all(b.count == 0 for b in bins)
    assert bins[3].label == "0.15–0.20"


@pytest.mark.parametrize(("v", "index"), [(0.0, 0), (0.05, 1), (0.15, 3), (0.3, 6), (0.7, 14), (0.9999, 19), (1.0, 19)])
def test_probability_bin_edges(v: float, index: int) -> None:
    bins = histogram(P_Q, [v], revealed=False)
    assert [b.count for b in bins].index(1) == index


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.0, 1.0), max_size=60))
def test_probability_bins_cover_every_answer(values: list[float]) -> None:
    bins = histogram(P_Q, values, revealed=True)
    assert sum(b.count for b in bins) == len(values)
    for b in bins:
        inside = [v for v in values if b.lo - 1e-9 <= v < b.hi + 1e-9 or (b.hi == 1.0 and v == 1.0)]
        assert b.count <= len(inside)


@pytest.mark.parametrize(
    ("values", "truth", "top"),
    [
        ([], None, 2.0),
        ([0.5] * 10, None, 2.0),
        ([2.5] * 10, None, 3.0),
        ([4.0] * 10, None, 5.0),
        ([7.0], None, 10.0),
        ([1.0], 12.0, 20.0),
        ([150.0], None, 200.0),
        ([0.5] * 9 + [90.0], None, 2.0),  # one wild answer goes to the overflow bin, not the axis
        ([3.0], None, 5.0),  # the top is above the answers: 3 itself would land in "≥ 3"
    ],
)
def test_loss_top_is_a_nice_number_above(values: list[float], truth: float | None, top: float) -> None:
    assert loss_top(values, truth) == top


@settings(max_examples=100, deadline=None)
@given(st.lists(st.floats(0.0, 1000.0), max_size=60), st.booleans())
def test_loss_bins_cover_every_answer(values: list[float], revealed: bool) -> None:
    bins = histogram(LOSS_Q, values, revealed=revealed)
    assert len(bins) == 11
    assert bins[-1].overflow
    assert bins[-1].label.startswith("≥ ")
    assert sum(b.count for b in bins) == len(values)
    width = bins[0].hi - bins[0].lo
    edges = [b.lo for b in bins]
    clear = [v for v in values if all(abs(v - e) > 1e-9 * max(1.0, e) for e in edges)]  # off every edge
    for b in bins[:-1]:
        assert b.hi - b.lo == pytest.approx(width)
        assert b.count >= sum(b.lo < v < b.hi for v in clear)
    assert bins[-1].count >= sum(v > bins[-1].lo for v in clear)
    if revealed:
        assert bins[-1].lo > loss(EXAMPLE)  # the truth is on the axis once revealed


def test_loss_bins_by_hand() -> None:
    values = [0.0, 0.15, 0.2, 1.5, 1.99, 2.0, 2.5, 2.9, 2.95, 50.0]
    # 9 of the 10 answers are at most 2.95: the axis ends at 3, in 10 bins of 0.3, then "≥ 3"
    bins = histogram(LOSS_Q, values, revealed=False)
    assert loss_top(values, None) == 3.0
    assert bins[-1].lo == 3.0
    assert bins[0].hi == pytest.approx(0.3)
    assert [b.count for b in bins] == [3, 0, 0, 0, 0, 1, 2, 0, 1, 2, 1]
    assert bins[-1].label == "≥ 3"
    assert bins[5].label == "1.50–1.80"
    assert loss_top([*values, 40.0], None) == 50.0  # 2 wild answers of 11 are more than a tenth


def test_loss_axis_does_not_depend_on_the_truth_before_the_reveal() -> None:
    small = about(Scenario(logits=(0.0, 3.0, 0.0)), "loss")  # loss ≈ 0.09
    large = about(Scenario(logits=(4.0, -4.0, 0.0)), "loss")  # loss ≈ 8.0
    values = [0.4, 0.9, 1.3]
    a = spread_chart(small, values, revealed=False)
    b = spread_chart(large, values, revealed=False)
    assert a.spec["layout"]["xaxis"] == b.spec["layout"]["xaxis"]
    assert a.spec["data"] == b.spec["data"]
    assert a.tables == b.tables
    after = histogram(large, values, revealed=True)
    assert after[-1].lo == 10.0 > loss(large.scenario)


def test_values_that_are_not_answers_are_skipped() -> None:
    bins = histogram(P_Q, [0.5, "0.5", None, True, math.nan, math.inf, -1.0, 2.0, [0.5]], revealed=False)
    assert sum(b.count for b in bins) == 1
    assert spread_chart(PICK_Q, [0, 1, 7, "1", True, None, 1.5], revealed=False).tables[0].rows[0][1] == "1"
    odd = spread_chart(PICK_Q, [math.nan, math.inf, 10**400, 2], revealed=False)
    assert odd.spec["data"][0]["y"] == [0, 0, 1]
    assert sum(b.count for b in histogram(LOSS_Q, [10**400, 1.0], revealed=False)) == 1
    step = spread_chart(STEP_Q, [[True, True, False], [True], "up", [1, 0, 1]], revealed=False)
    assert step.spec["data"][0]["y"] == [1, 1, 0]


def test_histogram_is_for_numbers_only() -> None:
    with pytest.raises(ValueError, match="number questions"):
        histogram(PICK_Q, [0], revealed=False)


# ---- the chart ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("q", [P_Q, LOSS_Q, STEP_Q, PICK_Q], ids=lambda q: q.kind)
@pytest.mark.parametrize("revealed", [False, True])
def test_chart_is_plain_data_with_alt_and_table(q: Question, revealed: bool) -> None:
    values = {"p_true": [0.2, 0.3], "loss": [1.0, 2.5], "step": [[False, True, False]], "lowest_loss": [0, 1]}
    chart = spread_chart(q, values[q.kind], revealed=revealed)
    assert json.loads(json.dumps(chart.spec)) == chart.spec
    assert chart.alt
    assert chart.tables
    assert chart.tables[0].rows
    layout = chart.spec["layout"]
    assert layout["font"]["size"] == PRESENT_STYLE.font_size >= 22
    assert layout["height"] >= 440
    assert layout["uirevision"] == "class_spread"
    n = len(values[q.kind])
    assert layout["title"]["text"] == f"Answers: {n}"
    assert "nan" not in texts(chart.spec).lower().replace("nans", "")
    smaller = spread_chart(q, values[q.kind], revealed=revealed, style=STYLE)
    assert smaller.spec["layout"]["font"]["size"] == STYLE.font_size


@pytest.mark.parametrize("q", [P_Q, LOSS_Q], ids=lambda q: q.kind)
def test_truth_marker_sits_at_the_truth(q: Question) -> None:
    sc = q.scenario
    truth = float(sp_softmax(np.asarray(sc.logits))[sc.target]) if q.kind == "p_true" else loss(sc)
    values = [0.1, 0.25, 0.3, 0.9]
    before = spread_chart(q, values, revealed=False)
    after = spread_chart(q, values, revealed=True)
    assert not before.spec["layout"]["shapes"]
    assert not before.spec["layout"]["annotations"]
    assert "0.242" not in before.alt
    assert "1.417" not in before.alt
    assert "true value" not in before.alt
    lines = [s for s in after.spec["layout"]["shapes"] if s["type"] == "line"]
    assert 1 <= len(lines) <= 2  # broken where a count label sits on it
    assert all(line["x0"] == line["x1"] == pytest.approx(truth, abs=1e-12) for line in lines)
    band = next(s for s in after.spec["layout"]["shapes"] if s["type"] == "rect")
    tol = 0.1 if q.kind == "p_true" else max(0.25, 0.2 * truth)
    assert (band["x0"], band["x1"]) == pytest.approx((truth - tol, truth + tol))
    shown = f"{truth:.3f}"
    (label,) = after.spec["layout"]["annotations"]
    assert label["x"] == pytest.approx(truth)
    assert shown in label["text"]
    assert "true" in label["text"]
    assert f"the true value is {shown}" in after.alt
    assert shown in after.tables[0].caption
    assert after.spec["data"] == before.spec["data"] or q.kind == "loss"


@pytest.mark.parametrize("values", [[0.21, 0.22, 0.24], [0.26, 0.27, 0.28, 0.29, 0.21], [0.24] * 30, [0.9]])
def test_the_truth_line_never_crosses_a_count_label(values: list[float]) -> None:
    """The dashed line at p(dog) = 0.2424 stops below a nearby bar's count label and goes on above it (issue 14:
    the labels crowded the line). A label is at least one font size tall, drawn on top of its bar."""
    truth = float(sp_softmax(np.asarray(EXAMPLE.logits))[EXAMPLE.target])
    chart = spread_chart(P_Q, values, revealed=True)
    layout = chart.spec["layout"]
    lines = [s for s in layout["shapes"] if s["type"] == "line"]
    y_top = layout["yaxis"]["range"][1]
    label = PRESENT_STYLE.font_size / layout["height"] * y_top  # one font size, in count units (a lower bound)
    assert abs(0.225 - truth) < 0.05  # both bins' centres are within a bin width of the line
    assert abs(0.275 - truth) < 0.05
    heights = [sum(0.2 <= x < 0.25 for x in values), sum(0.25 <= x < 0.3 for x in values)]
    near = [h for h in heights if h]  # the bars with a count label
    for bottom in near:
        for line in lines:
            assert line["y1"] <= bottom + 1e-9 or line["y0"] >= bottom + label, (line, bottom)
    assert all(line["yref"] == "y" for line in lines)
    assert min(line["y0"] for line in lines) == 0  # the line starts at the axis
    assert max(line["y1"] for line in lines) == y_top or max(near) + label >= y_top  # and reaches the top
    if not near:
        assert [(line["y0"], line["y1"]) for line in lines] == [(0, y_top)]


def test_probability_chart_counts() -> None:
    values = [0.21, 0.22, 0.24, 0.26, 0.9, 1.0]
    chart = spread_chart(P_Q, values, revealed=False)
    trace = chart.spec["data"][0]
    counts = dict(zip(trace["customdata"], trace["y"], strict=True))
    assert counts["0.20–0.25"] == 3
    assert counts["0.25–0.30"] == 1
    assert counts["0.90–0.95"] == 1
    assert counts["0.95–1.00"] == 1
    assert sum(trace["y"]) == 6
    assert trace["x"][4] == pytest.approx(0.225)  # bars at the bins' centres on a numeric axis
    assert "0.20–0.25: 3" in chart.alt
    assert "0.50–0.55" not in chart.alt
    assert ("0.20–0.25", "3") in chart.tables[0].rows
    assert len(chart.tables[0].rows) == 20


def test_choice_chart_marks_the_winner_only_after_the_reveal() -> None:
    best = int(np.argmin([loss(o) for o in PICK_Q.scenarios]))
    values = [0, 0, 1, 2, 2, 2]
    before = spread_chart(PICK_Q, values, revealed=False)
    after = spread_chart(PICK_Q, values, revealed=True)
    for chart in (before, after):
        assert chart.spec["data"][0]["y"] == [2, 1, 3]
        assert [r[1] for r in chart.tables[0].rows] == ["2", "1", "3"]
    assert "✓" not in texts(before.spec)
    assert "lowest loss" not in before.alt
    marker = after.spec["data"][0]["marker"]
    assert marker["pattern"]["shape"][best] == "/"
    assert marker["pattern"]["shape"].count("/") == 1
    assert marker["color"][best] != marker["color"][(best + 1) % 3]
    assert "✓ lowest loss" in after.spec["layout"]["xaxis"]["ticktext"][best]
    assert f"Option {'ABC'[best]} has the lowest loss" in after.alt
    assert "right" in after.tables[0].rows[best][0]


def test_step_chart_counts_up_and_down_per_class() -> None:
    values = [[False, True, False], [True, True, False], [False, True, True], [False, False, False]]
    before = spread_chart(STEP_Q, values, revealed=False)
    up, down = before.spec["data"]
    assert up["y"] == [1, 3, 1]
    assert down["y"] == [3, 1, 3]
    assert up["name"] == "▲ up"
    assert down["name"] == "▼ down"
    assert up["marker"]["pattern"]["shape"] != down["marker"]["pattern"]["shape"]  # not colour alone
    assert "✓" not in texts(before.spec)
    assert before.tables[0].rows[1] == ("dog (true class)", "3", "1")
    after = spread_chart(STEP_Q, values, revealed=True)
    ticks = after.spec["layout"]["xaxis"]["ticktext"]
    assert ["✓ down" in ticks[0], "✓ up" in ticks[1], "✓ down" in ticks[2]] == [True] * 3
    up, down = after.spec["data"]
    assert up["text"] == ["1", "✓ 3", "1"]
    assert down["text"] == ["✓ 3", "1", "✓ 3"]
    assert "Right: cat down, dog up, rabbit down." in after.alt
    assert after.tables[0].header == ("class", "up", "down", "right")


def test_class_names_are_escaped_on_the_chart() -> None:
    sc = Scenario(("<img src=x>", "dog", "$x$"), (1.0, 2.0, 0.0), 1)
    chart = spread_chart(about(sc, "step"), [[False, True, False]], revealed=True)
    ticks = " ".join(chart.spec["layout"]["xaxis"]["ticktext"])
    assert "<img" not in ticks
    assert "&lt;img src=x&gt;" in ticks
    assert "&#36;x&#36;" in ticks
    assert chart.tables[0].rows[0][0] == "<img src=x>"  # tables are set as text


def test_no_answers_yet() -> None:
    for q in (P_Q, LOSS_Q, STEP_Q, PICK_Q):
        chart = spread_chart(q, [], revealed=False)
        assert chart.spec["layout"]["title"]["text"] == "Answers: 0"
        assert chart.spec["layout"]["yaxis"]["range"][1] > 0
