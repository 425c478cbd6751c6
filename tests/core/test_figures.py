"""Figure specs: the numbers they plot, how they mark the true class, and that names stay text.

The shared parts (core.figures.style and core.figures.tables) are tested here; the Playground's
charts in test_figures_playground.py. The other pages' chart tests below move to their own
test_figures_<page>.py.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from core.figures.cross_entropy import information_bar
from core.figures.style import (
    OKABE_ITO,
    STYLE,
    FigureStyle,
    Table,
    alt_values,
    class_bars,
    dotted_vline,
    plotly_text,
    rgba,
    tint,
)
from core.figures.tables import MAX_TABLE_ROWS, class_table, curve_table, sample

HOSTILE = ("<script>alert(1)</scr", "$x$", "<b onmouseover=x>")


# ---- shared styling and tables (core.figures.style, core.figures.tables) -------------------------
def test_the_style_is_the_okabe_ito_palette() -> None:
    """Okabe & Ito (2008): orange E69F00, blue 0072B2, vermillion D55E00, bluish green 009E73."""
    assert FigureStyle() == STYLE
    assert (STYLE.true, STYLE.other, STYLE.curve) == ("#E69F00", "#0072B2", "#D55E00")
    assert set(STYLE.series) <= set(OKABE_ITO.values())
    assert len(set(STYLE.series)) == len(STYLE.series)
    assert STYLE.true not in STYLE.series  # the true class keeps its own colour


def test_plotly_text_escapes_tags_and_dollar_signs() -> None:
    assert plotly_text("<b>$x$</b>") == "&lt;b&gt;&#36;x&#36;&lt;/b&gt;"
    assert plotly_text("a & b") == "a &amp; b"
    assert plotly_text("t-rex *b*") == "t-rex *b*"  # Plotly has no markdown: nothing else to escape


def test_class_bars_mark_the_true_class_by_colour_and_hatch() -> None:
    bar = class_bars(("a", "<b>"), [0.5, -0.25], 1, STYLE, text=["x", "y"], hover="h")
    assert bar["x"] == [0.5, -0.25]
    assert bar["y"] == [0, 1]
    assert bar["marker"]["color"] == [STYLE.other, STYLE.true]
    assert bar["marker"]["pattern"]["shape"] == ["", "/"]
    assert bar["customdata"] == ["a", "&lt;b&gt;"]


def test_alt_values_name_the_true_class_in_words() -> None:
    assert alt_values(("a", "b"), np.array([0.25, -1.5]), 1) == "a: 0.2500; b (true class): −1.5000"


def test_colour_helpers() -> None:
    assert rgba("#E69F00", 0.14) == "rgba(230,159,0,0.140)"
    assert tint("#000000", 0.5) == "#808080"
    assert tint("#0072B2", 0.0) == "#0072b2"
    assert tint("#0072B2", 1.0) == "#ffffff"
    (line,) = dotted_vline(0.3)
    assert (line["x0"], line["x1"], line["yref"], line["line"]["dash"]) == (0.3, 0.3, "paper", "dot")


def test_sample_keeps_both_ends_and_at_most_the_row_limit() -> None:
    assert sample(0) == []
    assert sample(3) == [0, 1, 2]
    assert sample(MAX_TABLE_ROWS) == list(range(MAX_TABLE_ROWS))
    idx = sample(1000)
    assert len(idx) == MAX_TABLE_ROWS
    assert (idx[0], idx[-1]) == (0, 999)
    gaps = np.diff(idx)
    assert gaps.max() - gaps.min() <= 1  # evenly spaced


def test_class_table_rows_are_the_values_as_the_page_writes_them() -> None:
    table = class_table("Probabilities", ("cat", "<b>dog</b>"), [0.123456, 1e-7], 1, "p")
    rows = (("cat", "0.1235"), ("<b>dog</b> (true class)", "1.00 × 10⁻⁷"))
    assert table == Table("Probabilities", ("class", "p"), rows)
    assert table.as_dict() == {
        "caption": "Probabilities",
        "header": ["class", "p"],
        "rows": [["cat", "0.1235"], ["<b>dog</b> (true class)", "1.00 × 10⁻⁷"]],
    }


def test_curve_table_samples_the_curve_and_checks_its_shape() -> None:
    xs = np.linspace(0.0, 1.0, 101)
    table = curve_table("Curve", "x", "x²", xs, xs**2)
    assert table.header == ("x", "x²")
    assert len(table.rows) == MAX_TABLE_ROWS
    assert table.rows[0] == ("0", "0")
    assert table.rows[-1] == ("1.0000", "1.0000")
    for x, y in table.rows:
        assert float(y) == pytest.approx(float(x) ** 2, abs=1e-4)
    with pytest.raises(ValueError, match="one shape"):
        curve_table("Curve", "x", "y", [1.0, 2.0], [1.0])


def test_information_bar_stacks_entropy_and_divergence() -> None:
    chart = information_bar(math.log(2), math.log(2), "bits", STYLE)
    h, kl = chart.spec["data"]
    assert h["x"] == pytest.approx([1.0])
    assert kl["x"] == pytest.approx([1.0])
    assert chart.spec["layout"]["barmode"] == "stack"
    assert "2.0000 bits" in chart.spec["layout"]["title"]["text"]
