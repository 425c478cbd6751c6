"""Issue 13, numbers that are true: a probability that underflows is never shown as 0, every place agrees,
the loss curve's words fit, the Information bar names its target, the Simplex says which numbers are rescaled.

Expected values come from the definitions: exact decimals (``decimal.Decimal.exp``) for e^−9999, scipy for
everyday softmax; never from the code under test.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import subprocess
import sys
from decimal import Decimal, localcontext

import numpy as np
import plotly.graph_objects as go
import pytest
from scipy.special import log_softmax as sp_log_softmax
from scipy.special import softmax as sp_softmax

from core.ce_views import information_view, target_distribution
from core.explain import evaluate
from core.export import python_script, to_csv, to_json
from core.figures.cross_entropy import information_bar
from core.figures.playground import loss_curve
from core.figures.style import PRESENT_STYLE, STYLE
from core.panels import playground_panel, readout_panel, simplex_panel
from core.scenario import Scenario
from core.softmax_views import log_entropy, temperature_tab

LN2 = math.log(2.0)
SUPER = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def tiny(log_p: float) -> str:
    """e^log_p written as "≈ m.m × 10ⁿ", from the exact decimal value of e^log_p (log_p a float: exact in Decimal)."""
    with localcontext() as ctx:
        ctx.prec = 40
        value = Decimal(log_p).exp()
        exponent = value.adjusted()
        mantissa = value.scaleb(-exponent).quantize(Decimal("0.1"))
    if mantissa >= 10:
        mantissa, exponent = Decimal("1.0"), exponent + 1
    return f"≈ {mantissa} × 10{str(exponent).translate(SUPER)}"


def text_of(markup: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", markup.replace("&nbsp;", " "))).strip()


def parts(panel: dict, kind: str | None = None) -> dict[str, dict]:
    out: dict[str, dict] = {}

    def add(part: dict) -> None:
        if part["kind"] == "row":
            for child in part["parts"]:
                add(child)
        elif "key" in part:
            out[part["key"]] = part

    for slot in panel["slots"].values():
        for part in slot:
            add(part)
    return out


def metrics_of(panel: dict) -> dict[str, str]:
    return {
        m["key"]: m["value"]
        for slot in panel["slots"].values()
        for part in slot
        if part["kind"] == "metrics"
        for m in part["items"]
    }


# (scenario, log p(true) by hand, log e^(shifted true) by hand, the loss in the unit by hand)
EXTREMES = [
    # cat = 1e4, dog = 1 (true): log p(dog) = 1 − 1e4 − ln(1 + e^−9999) = −9999 exactly in float64
    (Scenario(classes=("cat", "dog"), logits=(1e4, 1.0), target=1), -9999.0, -9999.0, "9999.0000 nats"),
    # three classes at T = 2: shifted dog = (1 − 1e4) / 2 = −4999.5
    (
        Scenario(classes=("cat", "dog", "rabbit"), logits=(1e4, 1.0, 0.0), target=1, temperature=2.0),
        -4999.5,
        -4999.5,
        "4999.5000 nats",
    ),
    # bits: the loss is 9999 / ln 2 bits, p(dog) is still e^−9999
    (
        Scenario(classes=("cat", "dog"), logits=(1e4, 1.0), target=1, unit="bits"),
        -9999.0,
        -9999.0,
        f"{9999 / LN2:.4f} bits",
    ),
]
IDS = ["two-classes", "three-classes-T2", "bits"]


def test_the_expected_text_is_what_the_decimal_value_says() -> None:
    assert tiny(-9999.0) == "≈ 3.1 × 10⁻⁴³⁴³"  # e^−9999 = 3.0865… × 10^−4343
    assert str(Decimal(-9999).exp())[:6] == "3.0865"


# ---- 1. underflow is never shown as 0 -----------------------------------------------------------------------------
@pytest.mark.parametrize(("sc", "log_p", "log_e", "loss"), EXTREMES, ids=IDS)
def test_evaluation_carries_log_probabilities(sc: Scenario, log_p: float, log_e: float, loss: str) -> None:
    ev = evaluate(sc)
    np.testing.assert_allclose(ev.log_probs, sp_log_softmax(np.array(sc.logits) / sc.temperature), rtol=1e-15)
    assert ev.log_p_true == log_p
    assert ev.curve.log_p_now == log_p
    assert ev.probs[sc.target] == 0.0  # it did underflow: the log is the only truth


@pytest.mark.parametrize(("sc", "log_p", "log_e", "loss"), EXTREMES, ids=IDS)
def test_playground_metric_formula_table_and_curve_agree_on_the_tiny_probability(
    sc: Scenario, log_p: float, log_e: float, loss: str
) -> None:
    panel = playground_panel(sc, {}, STYLE)
    p_text, e_text = tiny(log_p), tiny(log_e)
    assert metrics_of(panel)["p_true"] == p_text

    found = parts(panel)
    formulas = text_of(found["pg_formulas"]["html"])
    assert f"= {e_text}" not in formulas  # "≈" is the relation: never "= ≈"
    assert f"{e_text} 1.0000 {p_text}" in formulas  # e^(shifted) / Σ ≈ p, every term written from its log
    assert " 0 " not in f" {formulas} "
    assert loss in formulas
    assert "−ln 0" not in formulas
    assert "−log₂ 0" not in formulas

    table = found["pg_steps"]["html"]
    true_row = next(r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", table) if "✓ true" in r)
    cells = [text_of(c) for c in re.findall(r"<td>(.*?)</td>", true_row)]
    assert e_text in cells  # exp(shifted): exp of a finite number is not 0
    assert p_text in cells
    assert "0" not in cells

    curve = found["pg_loss_curve"]
    note = text_of(curve["spec"]["layout"]["annotations"][0]["text"].replace("<br>", " "))
    assert p_text in note
    assert loss in note
    assert "= 0" not in note
    assert "∞" not in note
    assert p_text in curve["alt"]
    assert loss in curve["alt"]
    assert curve["tables"][1]["rows"][0][0] == p_text


@pytest.mark.parametrize(("sc", "log_p", "log_e", "loss"), EXTREMES, ids=IDS)
def test_readout_bars_table_gives_the_tiny_probability(sc: Scenario, log_p: float, log_e: float, loss: str) -> None:
    panel = readout_panel(sc, {}, STYLE)
    cells = re.findall(r"</th><td[^>]*>(.*?)</td>", parts(panel)["readout_probs"]["html"])
    assert cells[sc.target] == tiny(log_p)
    assert metrics_of(panel)["ce"] == loss


def test_subnormal_and_ordinary_probabilities_keep_their_usual_text() -> None:
    sc = Scenario(classes=("cat", "dog", "rabbit"), logits=(2.0, 1.0, 0.1), target=1)
    assert metrics_of(playground_panel(sc, {}, STYLE))["p_true"] == f"{sp_softmax([2.0, 1.0, 0.1])[1]:.4f}"
    cells = re.findall(r"</th><td[^>]*>(.*?)</td>", parts(readout_panel(sc, {}, STYLE))["readout_probs"]["html"])
    assert cells == [f"{v:.4f}" for v in sp_softmax([2.0, 1.0, 0.1])]
    # e^−720 is subnormal (below 2.2e−308): written from its log too, never as a rounded-off 0 or a bare "e−313"
    low = Scenario(classes=("cat", "dog"), logits=(720.0, 0.0), target=1)
    assert metrics_of(playground_panel(low, {}, STYLE))["p_true"] == tiny(-720.0)


# ---- exports ------------------------------------------------------------------------------------------------------
def test_csv_and_json_carry_the_log_probability() -> None:
    sc = Scenario(classes=("cat", "dog", "rabbit"), logits=(1e4, 1.0, 0.0), target=1, temperature=2.0, unit="bits")
    expected = sp_log_softmax(np.array([1e4, 1.0, 0.0]) / 2)
    table = list(csv.DictReader(io.StringIO(to_csv(sc))))
    np.testing.assert_allclose([float(r["log_p"]) for r in table], expected, rtol=1e-15)
    doc = json.loads(to_json(sc))
    np.testing.assert_allclose([r["log_p"] for r in doc["results"]["per_class"]], expected, rtol=1e-15)
    assert doc["results"]["log_p_true"] == -4999.5
    assert doc["results"]["predicted"] == "cat"
    assert doc["results"]["top_classes"] == ["cat"]


@pytest.mark.parametrize(
    ("logits", "tied"), [((1e4, 1e4, 1.0), ["cat", "dog"]), ((0.0, 0.0, 0.0), ["cat", "dog", "rabbit"])]
)
def test_json_names_no_single_pick_when_classes_tie(logits: tuple[float, ...], tied: list[str]) -> None:
    doc = json.loads(to_json(Scenario(classes=("cat", "dog", "rabbit"), logits=logits, target=1)))
    assert doc["results"]["predicted"] is None
    assert doc["results"]["top_classes"] == tied


def test_the_script_prints_the_log_probability_too() -> None:
    sc = Scenario(classes=("cat", "dog"), logits=(1e4, 1.0), target=1)
    out = subprocess.run([sys.executable, "-c", python_script(sc)], capture_output=True, text=True, check=True).stdout
    assert "log(p) = -9999.000000" in out


# ---- 2. the loss curve's words fit and its marker is whole ---------------------------------------------------------
def curve_spec(logits: tuple[float, ...], style=STYLE, unit: str = "nats") -> dict:  # type: ignore[no-untyped-def]
    sc = Scenario(classes=("cat", "dog", "rabbit"), logits=logits, target=1, unit=unit)
    return loss_curve(sc.target_name, evaluate(sc).curve, style).spec


@pytest.mark.parametrize(
    "logits", [(9.0, 0.0, 0.0), (4.0, 0.0, 0.0), (2.0, 1.0, 0.1), (0.0, 9.0, 0.0), (0.0, 40.0, 0.0)]
)
def test_the_label_sits_inside_the_plot_below_its_title(logits: tuple[float, ...]) -> None:
    """The label's text is placed in the chart's own coordinates, inside the plot (never above it, where the
    title is), away from the point when the point is high (small p)."""
    spec = curve_spec(logits)
    top = spec["layout"]["yaxis"]["range"][1]
    (label,) = spec["layout"]["annotations"]
    assert label.get("axref") == "x"
    assert label.get("ayref") == "y"
    assert 0.15 <= label["ax"] <= 0.85  # its text stays clear of both sides
    lines = label["text"].count("<br>") + 1
    assert label["ay"] + 0.12 * top * lines / 2 <= top  # the text's upper edge is under the top of the plot


@pytest.mark.parametrize("logits", [(0.0, 40.0, 0.0), (0.0, 1e4, 0.0), (9.0, 0.0, 0.0), (1e4, 1.0, 0.0)])
def test_the_marker_is_never_clipped(logits: tuple[float, ...]) -> None:
    spec = curve_spec(logits)
    markers = [t for t in spec["data"] if t.get("mode") == "markers"]
    for trace in markers:
        assert trace["cliponaxis"] is False


@pytest.mark.parametrize("style", [STYLE, PRESENT_STYLE], ids=["desktop", "present"])
@pytest.mark.parametrize("logits", [(1e4, 1.0, 0.0), (800.0, 0.0, 0.0), (1e308, -1e308, 0.0)])
def test_the_off_chart_note_is_short_lines_in_the_plots_empty_corner(style, logits) -> None:  # type: ignore[no-untyped-def]
    """At 390 px (phone) the plot is about 290 px wide: each line of the note stays within 24 characters
    (a long class name is shortened in the chart; the tables and alt text keep it whole)."""
    spec = curve_spec(logits, style)
    (note,) = spec["layout"]["annotations"]
    lines = text_of(note["text"].replace("<br>", "\n").replace("\n", " | ")).split(" | ")
    assert all(len(line) <= 24 for line in lines), lines
    assert note["xref"] == "paper"
    assert note["x"] == 1
    assert note["xanchor"] == "right"
    assert note["yref"] == "paper"
    assert note["y"] == 1
    assert note["yanchor"] == "top"


def test_a_long_class_name_is_shortened_on_the_chart_only() -> None:
    name = "a-very-long-class-name-xx"[:24]
    sc = Scenario(classes=("cat", name), logits=(1e4, 1.0), target=1)
    chart = loss_curve(sc.target_name, evaluate(sc).curve, STYLE)
    (note,) = chart.spec["layout"]["annotations"]
    assert all(len(text_of(line)) <= 24 for line in note["text"].split("<br>"))
    assert name in chart.alt
    assert chart.tables[1].header[0] == f"p({name})"


def test_every_loss_curve_spec_is_valid_plotly() -> None:
    for logits in [(1e4, 1.0, 0.0), (9.0, 0.0, 0.0), (0.0, 40.0, 0.0), (2.0, 1.0, 0.1)]:
        go.Figure(curve_spec(logits))


# ---- 3. the Information bar names its target; legend in the bar's order ------------------------------------------
def info_chart(eps: float):  # type: ignore[no-untyped-def]
    sc = Scenario(classes=("cat", "dog", "rabbit"), logits=(2.0, 1.0, 0.1), target=1)
    view = information_view(sc, target_distribution(3, 1, eps))
    return information_bar(view.entropy, view.kl, "nats", STYLE, symbol=view.target.symbol)


def test_with_smoothing_the_bar_says_h_of_y_tilde_everywhere() -> None:
    chart = info_chart(0.1)
    words = json.dumps([chart.spec["layout"]["title"]["text"], [t["name"] for t in chart.spec["data"]], chart.alt])
    assert "H(ỹ, p)" in chart.spec["layout"]["title"]["text"]
    assert "H(y" not in words
    assert "(y ‖" not in words
    assert chart.tables[0].rows[-1][0] == "H(ỹ, p)"


def test_without_smoothing_the_bar_says_h_of_y() -> None:
    chart = info_chart(0.0)
    assert "H(y, p)" in chart.spec["layout"]["title"]["text"]
    assert "ỹ" not in json.dumps(chart.spec["layout"]["title"]["text"])


def test_the_legend_runs_in_the_bars_order() -> None:
    """The bar stacks H first (left), then KL: the legend lists them in that order (Plotly reverses a stacked
    bar's legend unless told otherwise)."""
    spec = info_chart(0.1).spec
    assert [t["name"].split(":")[0] for t in spec["data"]] == ["H(ỹ)", "KL(ỹ ‖ p)"]
    assert spec["layout"]["legend"]["traceorder"] == "normal"


def test_information_view_gives_the_one_hot_loss_beside_the_smoothed_one() -> None:
    sc = Scenario(classes=("cat", "dog", "rabbit"), logits=(2.0, 1.0, 0.1), target=1)
    view = information_view(sc, target_distribution(3, 1, 0.1))
    assert view.one_hot_cross_entropy == pytest.approx(-sp_log_softmax([2.0, 1.0, 0.1])[1], rel=1e-12)


# ---- 4. the Simplex with five classes shows the true probabilities --------------------------------------------------
FIVE = Scenario(classes=("a", "b", "c", "d", "e"), logits=(2.0, 1.0, 0.1, 0.5, -1.0), target=0)


def test_simplex_bullets_give_the_true_probabilities_and_label_the_rescaled_ones() -> None:
    p = sp_softmax(np.array(FIVE.logits))
    panel = simplex_panel(FIVE, {}, STYLE)
    corners = panel["state"]["corners"]
    shown = [0, *corners]
    rescaled = p[shown] / p[shown].sum()
    items = [text_of(li) for li in re.findall(r"<li>(.*?)</li>", parts(panel)["sx_probs"]["html"])]
    for item, i, r in zip(items, shown, rescaled, strict=True):
        assert item.startswith(f"p({FIVE.classes[i]}) = {p[i]:.4f}"), item  # the true probability first
        assert f"{r:.4f} on the triangle" in item  # the rescaled value, said to be the triangle's
    assert f"{p[1]:.4f}" != f"{rescaled[1]:.4f}"  # the example tells them apart


def test_simplex_with_three_classes_has_nothing_rescaled_to_mention() -> None:
    sc = Scenario(classes=("cat", "dog", "rabbit"), logits=(2.0, 1.0, 0.1), target=1)
    items = re.findall(r"<li>(.*?)</li>", parts(simplex_panel(sc, {}, STYLE))["sx_probs"]["html"])
    assert all("triangle" not in item for item in items)


def test_simplex_bullets_write_an_underflowed_probability_from_its_log() -> None:
    sc = Scenario(classes=("cat", "dog", "rabbit"), logits=(1e4, 1.0, 0.0), target=1)
    items = [
        text_of(li) for li in re.findall(r"<li>(.*?)</li>", parts(simplex_panel(sc, {}, STYLE))["sx_probs"]["html"])
    ]
    assert items[0] == f"p(dog) = {tiny(-9999.0)}".replace("= ≈", "≈")


# ---- 5. the Softmax page's entropy: in the unit, never a false 0 ---------------------------------------------------
@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_entropy_follows_the_unit(unit: str) -> None:
    sc = Scenario(classes=("cat", "dog", "rabbit"), logits=(2.0, 1.0, 0.1), target=1, unit=unit)
    p = sp_softmax([2.0, 1.0, 0.1])
    h = float(-(p * np.log(p)).sum()) / (LN2 if unit == "bits" else 1.0)
    tab = temperature_tab(sc)
    assert tab.entropy == pytest.approx(h, rel=1e-12)
    assert tab.unit == unit


def test_an_entropy_that_underflows_is_given_by_its_log() -> None:
    """H = Σ p ln(1/p) with p(dog) = e^−9999/S, p(rabbit) = e^−10000/S, p(cat) = 1/S, S = 1 + a,
    a = e^−9999 + e^−10000, ln S = a − a²/2 + …: to a relative 1e−4000, H = 9999 e^−9999 + 10000 e^−10000 + a
    (cat's own term, p(cat) ln S = a, counts: 1e−4 of the whole). Computed in decimals."""
    sc = Scenario(classes=("cat", "dog", "rabbit"), logits=(1e4, 1.0, 0.0), target=1)
    with localcontext() as ctx:
        ctx.prec = 60
        a, b = Decimal(-9999).exp(), Decimal(-10000).exp()
        log_h = float((9999 * a + 10000 * b + (a + b)).ln())
    tab = temperature_tab(sc)
    assert tab.entropy == 0.0  # it underflows in float64
    assert tab.log_entropy == pytest.approx(log_h, abs=1e-9)


@pytest.mark.parametrize(
    ("z", "t"),
    [
        ([2.0, 1.0, 0.1], 1.0),
        ([2.0, 1.0, 0.1], 0.05),
        ([0.0, 0.0, 0.0], 1.0),
        ([5.0, -3.0], 2.0),
        ([40.0, 0.0, 0.0], 1.0),
    ],
)
def test_log_entropy_is_the_log_of_the_entropy_where_it_does_not_underflow(z: list[float], t: float) -> None:
    with localcontext() as ctx:  # 50 digits: p(cat) = 1 − 8.5e−18 at z = (40, 0, 0) keeps its own term
        ctx.prec = 50
        e = [(Decimal(v) / Decimal(t)).exp() for v in z]
        total = sum(e)
        h = sum(-(x / total) * (x / total).ln() for x in e)
    assert log_entropy(z, t) == pytest.approx(float(h.ln()), rel=1e-9, abs=1e-9)
