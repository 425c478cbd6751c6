"""Issue 13, the charts' part, at the level of the specs: honest fixed scales, axes that hold what they
draw, labels kept out of the title's band, short tick labels, markers that grow on a projector.

Expected values come from the formulas by hand (the gradient p − y lies in [−1, 1], divided by T;
focal loss's gradient is γ p (1 − p)^γ ln p − (1 − p)^(γ + 1)), never from the code under test.
What only a browser can see (text that collides, contrast) is in tests/e2e/test_chart_contrast.py.
"""

from __future__ import annotations

import html
import itertools
import math
import re

import numpy as np
import plotly.graph_objects as go
import pytest

from core.ce_views import loss_curves_view
from core.descent import descent_steps
from core.figures.cross_entropy import gradient_curves
from core.figures.learning import decision_regions, descent_losses
from core.figures.playground import gradient_bars, probability_bars
from core.figures.simplex import simplex_chart
from core.figures.softmax import jacobian_heatmap, sigmoid_chart, temperature_curves, transform_bars
from core.figures.style import PRESENT_STYLE, STYLE, Spec, class_axis, class_label, short_names
from core.scenario import Scenario
from core.simplex import simplex_page
from core.softmax_views import jacobian_tab, temperature_tab, two_classes_tab
from core.training import classifier_frame, train_classifier

CLASSES = ("cat", "dog", "rabbit")
Z = (2.0, 1.0, 0.1)
LONG = (
    "Pembroke Welsh corgi",
    "Cardigan Welsh corgi",
    "German shepherd dog",
    "Bernese mountain dog",
    "Greater Swiss Mountain",
    "Entlebucher mountain",
    "Appenzeller sennenhund",
    "Labrador retriever",
    "Chesapeake Bay retriever",
    "cat",
)


def visible(label: str) -> str:
    """What a Plotly label shows: tags dropped, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", label))


# ---- 1. the gradient's axis: fixed, honest, the same at every step ------------------------------
@pytest.mark.parametrize("t", [0.5, 1.0, 2.0])
def test_gradient_axis_is_the_same_at_every_step_of_a_descent_and_holds_the_bound_over_t(t: float) -> None:
    """(p − y) / T lies in [−1/T, 1/T]: the axis spans that, at step 0 and step 49 alike, so the bars
    visibly shrink as the gradient does (it falls more than tenfold here)."""
    steps = descent_steps(Z, 1, temperature=t, lr=1.0, unit="nats", steps=49)
    ranges = set()
    for k in range(50):
        chart = gradient_bars(CLASSES, steps.at(k).grad, 1, STYLE, temperature=t)
        ranges.add(tuple(chart.spec["layout"]["xaxis"]["range"]))
    assert len(ranges) == 1, ranges
    ((lo, hi),) = ranges
    assert lo == -hi
    assert 1 / t <= hi <= 1.25 / t  # the largest possible bar fills at least 4/5 of its half
    g0, g49 = np.abs(steps.at(0).grad).max(), np.abs(steps.at(49).grad).max()
    assert g49 < g0 / 10  # the lesson the fixed scale shows: the push fades


def test_gradient_axis_is_the_same_for_any_example_at_one_temperature() -> None:
    """Confident and right, confident and wrong, all equal: one scale (the bars' lengths compare)."""
    examples = ([10.0, -10.0, 0.0], [-10.0, 10.0, 0.0], [0.0, 0.0, 0.0], [2.0, 1.0, 0.1])
    ranges = set()
    for z in examples:
        sc = Scenario(logits=tuple(z), temperature=2.0)
        p = np.exp(np.array(z) / 2) / np.exp(np.array(z) / 2).sum()
        grad = (p - np.eye(3)[1]) / 2
        ranges.add(tuple(gradient_bars(sc.classes, grad, 1, STYLE, temperature=2.0).spec["layout"]["xaxis"]["range"]))
    assert len(ranges) == 1


def test_gradient_chart_says_its_scale_is_fixed() -> None:
    chart = gradient_bars(CLASSES, [0.25, -0.35, 0.1], 1, STYLE, temperature=2.0)
    assert "fixed" in chart.alt
    assert "from −0.5000 to 0.5000" in chart.alt  # ±1/T at T = 2


def test_a_gradient_beyond_the_bound_still_fits_the_axis() -> None:
    """A caller that forgets T (or a soft target's gradient) never draws a bar off the axis."""
    chart = gradient_bars(CLASSES, [1.8, -1.8, 0.0], 1, STYLE)
    lo, hi = chart.spec["layout"]["xaxis"]["range"]
    assert lo <= -1.8
    assert hi >= 1.8


def test_gradient_values_keep_their_minus_sign_and_never_sit_beyond_the_bar_toward_the_class_names() -> None:
    """A negative bar's value is not written at its far (left) end, where the class names are."""
    chart = gradient_bars(CLASSES, [0.2, -0.95, 0.75], 1, STYLE)
    bar = chart.spec["data"][0]
    labels = [visible(a["text"]) for a in chart.spec["layout"].get("annotations", [])] or bar.get("text", [])
    assert labels == ["+0.2000", "−0.9500", "+0.7500"]
    positions = bar.get("textposition")
    assert not (isinstance(positions, str) and positions == "outside")


# ---- 3. axes hold the curves they draw; labels keep out of the title -----------------------------
def focal_grad(p: float, gamma: float) -> float:
    """d focal / d z(true) with the rest shared: γ p (1 − p)^γ ln p − (1 − p)^(γ + 1), by hand."""
    return gamma * p * (1 - p) ** gamma * math.log(p) - (1 - p) ** (gamma + 1)


@pytest.mark.parametrize("gamma", [0.0, 1.0, 2.0, 5.0])
@pytest.mark.parametrize("t", [0.5, 1.0, 2.0])
def test_gradient_curves_axis_holds_every_curve_it_draws(gamma: float, t: float) -> None:
    view = loss_curves_view(Scenario(temperature=t), gamma)
    chart = gradient_curves(view.curves, view.p_now, gamma, STYLE)
    lo, hi = chart.spec["layout"]["yaxis"]["range"]
    ys = np.concatenate([np.asarray(tr["y"], dtype=float) for tr in chart.spec["data"]])
    assert lo < ys.min()
    assert ys.max() < hi


def test_focal_gradient_dips_below_minus_one_so_a_fixed_minus_one_axis_would_cut_it() -> None:
    assert focal_grad(0.05, 2.0) == pytest.approx(-1.1277, abs=1e-4)
    view = loss_curves_view(Scenario(), 2.0)
    chart = gradient_curves(view.curves, view.p_now, 2.0, STYLE)
    focal = min(min(tr["y"]) for tr in chart.spec["data"] if "focal" in tr["name"])
    assert focal < -1.12  # the page's grid reaches the dip
    assert chart.spec["layout"]["yaxis"]["range"][0] < focal


def in_title_band(a: Spec) -> bool:
    """An annotation placed in paper coordinates at or above the plot's top edge, growing upward:
    the top margin, where the chart's title is."""
    if a.get("yref") != "paper":
        return False
    y, anchor = float(a["y"]), a.get("yanchor", "auto")
    return y > 1 or (y >= 1 and anchor in ("bottom", "middle", "auto"))


@pytest.mark.parametrize("t", [0.05, 0.5, 1.0, 2.0, 10.0])
def test_temperature_marker_label_sits_inside_the_plot_not_on_the_title(t: float) -> None:
    sc = Scenario(temperature=t)
    tab = temperature_tab(sc)
    chart = temperature_curves(sc.classes, tab.temperatures, tab.sweep, sc.target, tab.temperature, tab.probs, STYLE)
    (note,) = chart.spec["layout"]["annotations"]
    assert not in_title_band(note)
    assert note["x"] == pytest.approx(math.log10(t))
    lo, hi = chart.spec["layout"]["xaxis"]["range"]
    # near an edge the label grows inward, not over the axis' labels
    if math.log10(t) - lo < 0.5:
        assert note.get("xanchor") == "left"
    if hi - math.log10(t) < 0.5:
        assert note.get("xanchor") == "right"


def every_chart(style: object = STYLE) -> dict[str, Spec]:
    sc = Scenario(temperature=2.0)
    tt, two, jac = temperature_tab(sc), two_classes_tab(sc, 0, 1), jacobian_tab(sc)
    p = np.array([0.5017, 0.3043, 0.1940])
    steps = descent_steps(Z, 1, temperature=2.0, lr=1.0, unit="nats", steps=20)
    charts = {
        "temperature": temperature_curves(CLASSES, tt.temperatures, tt.sweep, 1, tt.temperature, tt.probs, style),
        "sigmoid": sigmoid_chart(
            "cat", "dog", two.curve_x, two.curve_y, two.marks_x, two.marks_y, two.x, two.p, 2.0, style
        ),
        "jacobian": jacobian_heatmap(CLASSES, jac.matrix, 1, style, 2.0),
        "transform": transform_bars(CLASSES, p, p, ("before", "after"), 1, style, "shift"),
        "probs": probability_bars(CLASSES, p, 1, style),
        "grad": gradient_bars(CLASSES, [0.25, -0.35, 0.1], 1, style, temperature=2.0),
        "losses": descent_losses(steps.losses, 3, "nats", style),
        "simplex": simplex_chart(CLASSES, simplex_page(Z, 1, temperature=2.0, unit="nats"), style),
    }
    return {k: c.spec for k, c in charts.items()}


@pytest.mark.parametrize("style", [STYLE, PRESENT_STYLE], ids=["normal", "present"])
def test_no_annotation_or_legend_is_placed_in_the_title_band(style: object) -> None:
    for name, spec in every_chart(style).items():
        go.Figure(spec)
        layout = spec["layout"]
        for a in layout.get("annotations", []):
            assert not in_title_band(a), (name, a)
        if layout.get("showlegend"):
            leg = layout.get("legend", {})
            # under the plot: pinned to the figure's bottom edge (Plotly makes room), never over the bars
            assert (leg.get("yref"), leg.get("y"), leg.get("yanchor")) == ("container", 0, "bottom"), name


# ---- 4. long class names: short on the axis, whole in hover and tables ---------------------------
def test_long_names_are_shortened_on_the_axis_and_stay_distinct() -> None:
    axis = class_axis(LONG, 2)
    shown = [visible(t).removesuffix(" ✓ true") for t in axis["ticktext"]]
    assert all(len(s) <= 14 for s in shown), shown
    assert len(set(shown)) == len(LONG)  # "Pembroke Welsh corgi" and "Cardigan Welsh corgi" stay apart
    assert shown[-1] == "cat"  # short names untouched
    assert "…" in shown[0]
    assert visible(class_label("Labrador retriever", True)).endswith("✓ true")


def test_long_names_stay_whole_in_hover_and_tables() -> None:
    p = np.full(10, 0.1)
    chart = probability_bars(LONG, p, 0, STYLE)
    assert [visible(c) for c in chart.spec["data"][0]["customdata"]] == list(LONG)
    assert [r[0] for r in chart.tables[0].rows] == [f"{LONG[0]} (true class)", *LONG[1:]]
    assert "Chesapeake Bay retriever" in chart.alt


def test_jacobian_with_long_names_keeps_one_row_per_class() -> None:
    sc = Scenario(classes=LONG, logits=tuple(float(i) for i in range(10)), target=0)
    chart = jacobian_heatmap(sc.classes, jacobian_tab(sc).matrix, 0, STYLE)
    layout = chart.spec["layout"]
    ticks = layout["yaxis"].get("ticktext") or chart.spec["data"][0]["y"]
    assert len(set(ticks)) == 10
    assert all(len(visible(t).removesuffix(" ✓ true")) <= 14 for t in ticks)


# ---- 3. the simplex: markers grow on a projector, labels keep off the point and each other --------
def _sizes(spec: Spec) -> list[float]:
    out = []
    for tr in spec["data"]:
        if "marker" in tr and "size" in tr["marker"]:
            out.append(float(tr["marker"]["size"]))
    return out


def test_simplex_markers_and_labels_grow_in_present_mode() -> None:
    page = simplex_page(Z, 1, temperature=2.0, unit="nats")
    small, big = simplex_chart(CLASSES, page, STYLE).spec, simplex_chart(CLASSES, page, PRESENT_STYLE).spec
    for a, b in zip(_sizes(small), _sizes(big), strict=True):
        assert b >= a * 1.3
    fonts = [(tr.get("textfont") or {}).get("size") for tr in small["data"]]
    fonts_big = [(tr.get("textfont") or {}).get("size") for tr in big["data"]]
    for a, b in zip(fonts, fonts_big, strict=True):
        if a is not None:
            assert b > a


def test_other_charts_markers_grow_in_present_mode() -> None:
    steps = descent_steps(Z, 1, temperature=1.0, lr=1.0, unit="nats", steps=10)
    small, big = descent_losses(steps.losses, 3, "nats", STYLE), descent_losses(steps.losses, 3, "nats", PRESENT_STYLE)
    assert _sizes(big.spec)[0] > _sizes(small.spec)[0]
    run = train_classifier(n_per_class=10, spread=0.8, seed=2, lr=0.5, epochs=5, label_smoothing=0.0)
    regions = classifier_frame(run, 5, "nats", 11).regions
    a = decision_regions(CLASSES, regions, run.X, run.y, STYLE)
    b = decision_regions(CLASSES, regions, run.X, run.y, PRESENT_STYLE)
    assert min(_sizes(b.spec)) > max(_sizes(a.spec))


def _xy(abc: list[float] | np.ndarray) -> np.ndarray:
    """Ternary (a top, b bottom-left, c bottom-right) to the plane, side 1."""
    a, b, c = (float(v) for v in abc)
    s = a + b + c
    return np.array([(c + a / 2) / s, a * math.sqrt(3) / 2 / s])


def _points(trace: Spec) -> list[np.ndarray]:
    return [_xy(v) for v in zip(trace["a"], trace["b"], trace["c"], strict=True)]


@pytest.mark.parametrize(("z", "t"), [(Z, 2.0), (Z, 1.0), ((3.0, 0.0, 1.0), 1.0), ((0.0, 0.5, 0.0), 0.3)])
def test_simplex_temperature_labels_keep_off_the_star(z: tuple[float, ...], t: float) -> None:
    page = simplex_page(z, 1, temperature=t, unit="nats")
    spec = simplex_chart(CLASSES, page, STYLE).spec
    (now,) = [tr for tr in spec["data"] if tr.get("name") == "now"]
    star = _points(now)[0]
    (marks,) = [tr for tr in spec["data"] if any(str(s).startswith("T=") for s in tr.get("text", []))]
    for point, text in zip(_points(marks), marks["text"], strict=True):
        if text:  # a labelled mark is well away from the star (the star is 1/20 of the side across)
            assert np.linalg.norm(point - star) > 0.08, (text, point, star)


def test_simplex_now_label_points_away_from_both_paths() -> None:
    page = simplex_page(Z, 1, temperature=2.0, unit="nats")
    spec = simplex_chart(CLASSES, page, STYLE).spec
    (now,) = [tr for tr in spec["data"] if tr.get("name") == "now"]
    star = _points(now)[0]
    directions = {
        "top": (0, 1),
        "bottom": (0, -1),
        "middle": (0, 0),
    }
    v, h = now["textposition"].split()
    dx = {"left": -1, "right": 1, "center": 0}[h]
    dy = directions[v][1]
    label = np.array([dx, dy], dtype=float)
    label /= np.linalg.norm(label)
    paths = [tr for tr in spec["data"] if tr.get("mode") in ("lines", "lines+markers") and "name" in tr]
    for tr in paths:
        pts = _points(tr)
        near = [p for p in pts if 1e-9 < np.linalg.norm(p - star) < 0.15]
        for p in near:  # every nearby stretch of path lies more than 45° away from the label's direction
            d = (p - star) / np.linalg.norm(p - star)
            assert float(d @ label) < math.cos(math.radians(45)), (tr["name"], now["textposition"])


def test_simplex_contour_labels_are_apart_and_where_the_triangle_has_room() -> None:
    for unit in ("nats", "bits"):
        page = simplex_page(Z, 1, temperature=1.0, unit=unit)
        spec = simplex_chart(CLASSES, page, STYLE).spec
        labelled = sorted(tr["a"][0] for tr in spec["data"] if tr.get("mode") == "lines+text" and tr["text"][0])
        assert len(labelled) >= 3
        assert all(b - a >= 0.08 for a, b in itertools.pairwise(labelled)), labelled
        assert max(labelled) <= 0.7  # above, the triangle is too narrow for "0.25 nats" between its edges


def test_simplex_temperature_labels_are_ink_not_the_path_blue() -> None:
    """On the orange bands the path's blue reads dark on brown in the dark theme: the labels take the ink
    colour (black, the page's text colour in the dark theme)."""
    spec = simplex_chart(CLASSES, simplex_page(Z, 1, temperature=2.0, unit="nats"), STYLE).spec
    (marks,) = [tr for tr in spec["data"] if any(str(s).startswith("T=") for s in tr.get("text", []))]
    assert marks["textfont"]["color"] == "#000000"


def test_every_name_of_a_look_alike_group_is_kept_apart() -> None:
    """The last of ten names that shorten alike once kept the bare "extraordinari…" (a user test)."""
    names = [f"extraordinarily_long_nm{i}" for i in range(10)]
    shown = short_names(names)
    assert len(set(shown)) == len(names)
    assert all(s.endswith(f"nm{i}") for i, s in enumerate(shown))
