"""The Playground's outputs: headline numbers, charts, the worked table, the formulas.

Every number comes from :func:`core.explain.evaluate` (in the scenario's unit
too); every figure from :mod:`core.figures.playground`. This module only formats
and lays them out: no arithmetic. Class names are escaped where they meet their
sink: :func:`ui.escape.md_escape` for metric labels and help, :func:`ui.escape.html_escape`
for the ``st.html`` blocks.
"""

from __future__ import annotations

import streamlit as st

from core.explain import Evaluation
from core.figures.playground import gradient_bars, loss_curve, probability_bars
from core.scenario import Scenario
from core.text import fmt
from ui.chart import chart
from ui.escape import html_escape, md_escape
from ui.present import style


def headline(sc: Scenario, ev: Evaluation) -> None:
    name = md_escape(sc.target_name)
    right = ev.predicted == sc.target
    row = st.container(horizontal=True, gap="small")  # one block, not three columns: cheaper to send
    a, b, c = row, row, row
    a.metric(
        "Cross-entropy",
        f"{fmt(ev.loss_in_unit)} {ev.unit}",
        help=f"= {fmt(ev.loss_in_other_unit)} {ev.other_unit}. The loss is −log p of the true class ({name}).",
        border=True,
    )
    b.metric(f"p(true class) = p({name})", fmt(ev.p_true), border=True)
    c.metric(
        "Model's top pick",
        md_escape(sc.classes[ev.predicted]),
        delta="✓ right" if right else "✗ wrong",
        delta_color="blue" if right else "orange",
        delta_arrow="off",
        border=True,
    )


def probabilities(sc: Scenario, ev: Evaluation) -> None:
    chart(probability_bars(sc.classes, ev.probs, sc.target, style()), "pg_probs")


def curve(sc: Scenario, ev: Evaluation) -> None:
    chart(loss_curve(sc.target_name, ev.curve, style()), "pg_loss_curve")


def gradient_chart(sc: Scenario, ev: Evaluation) -> None:
    chart(gradient_bars(sc.classes, ev.grad, sc.target, style()), "pg_grad")


# What a drag re-sends many times a second is plain HTML (st.html: escaped here,
# sanitised again by the browser), not markdown, st.table or st.latex: the markdown
# and KaTeX pipeline cost the browser more per update than everything else together,
# and st.table turns a DataFrame into Arrow on the server.


def gradient_text(sc: Scenario) -> None:
    """What the gradient bars (left) mean."""
    st.html(gradient_html(sc))


def steps(sc: Scenario, ev: Evaluation) -> None:
    st.html(steps_html(sc, ev))


def formulas(sc: Scenario, ev: Evaluation) -> None:
    st.html(formulas_html(sc, ev))


def gradient_html(sc: Scenario) -> str:
    scale = "" if sc.temperature == 1 else f" (divided by T = {fmt(sc.temperature, 2)})"
    name = html_escape(sc.target_name)
    return (
        f'<p class="explain"><b>What the gradient says.</b> Each bar on the left is ∂L/∂z = p − y{scale}. '
        f"A gradient-descent step moves every logit <i>against</i> its bar: the true class <b>{name}</b> goes up, "
        "every other class goes down, most for the classes that took the most probability. "
        f"The bars always sum to 0, and vanish only when p({name}) = 1: "
        "cross-entropy keeps pushing until the model is certain and right.</p>"
    )


def steps_html(sc: Scenario, ev: Evaluation) -> str:
    """One row per class (z, z / T, shifted, exp, p, -log p), then the sums."""
    log = "log₂" if ev.unit == "bits" else "ln"
    scaled = ev.temperature != 1
    header = ["class", "z", *(["z / T"] if scaled else []), "shifted (− max)", "exp(shifted)", "p = exp / Σ"]
    header.append(f"−{log} p")
    rows = []
    for i, name in enumerate(sc.classes):
        label = f"<b>{html_escape(name)}</b> ✓ true" if i == sc.target else html_escape(name)
        cells = [fmt(sc.logits[i]), *([fmt(float(ev.scaled[i]))] if scaled else [])]
        cells += [fmt(float(ev.shifted[i])), fmt(float(ev.exps[i])), fmt(float(ev.probs[i]))]
        cells.append(fmt(float(ev.surprise_in_unit[i])))
        rows.append(_row(label, cells, "true" if i == sc.target else ""))
    sums = ["", *([""] if scaled else []), "", fmt(ev.total), fmt(ev.prob_total), ""]
    rows.append(_row("Σ (sum)", sums, "sum"))
    head = "".join(f"<th>{h}</th>" for h in header)
    return (
        '<p class="explain"><b>Step by step</b></p>'
        f'<table class="steps"><thead><tr>{head}</tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _row(label: str, cells: list[str], cls: str) -> str:
    tds = "".join(f"<td>{c}</td>" for c in cells)
    return f'<tr class="{cls}"><th scope="row">{label}</th>{tds}</tr>'


def _frac(top: str, bottom: str) -> str:
    return f'<span class="frac"><span>{top}</span><span>{bottom}</span></span>'


def formulas_html(sc: Scenario, ev: Evaluation) -> str:
    """The formulas, then the same formulas with this scenario's numbers put in."""
    y = sc.target
    log = "log<sub>2</sub>" if ev.unit == "bits" else "ln"
    over_t = "" if ev.temperature == 1 else " / T"
    total = fmt(ev.total)
    top = f"e<sup>(z<sub>i</sub> − m){over_t}</sup>"
    bottom = f"Σ<sub>j</sub> e<sup>(z<sub>j</sub> − m){over_t}</sup>"
    general = (
        f'<p class="math">p<sub>i</sub> = {_frac(top, bottom)}, &nbsp; m = max<sub>j</sub> z<sub>j</sub></p>'
        f'<p class="math">L = −Σ<sub>i</sub> y<sub>i</sub> {log} p<sub>i</sub> = −{log} p<sub>true</sub></p>'
    )
    live = (
        f'<p class="explain">With the true class <b>{html_escape(sc.target_name)}</b> '
        f"(class {y + 1} of {sc.n_classes}):</p>"
        f'<p class="math">p<sub>true</sub> = {_frac(f"e<sup>{fmt(float(ev.shifted[y]))}</sup>", total)}'
        f" = {_frac(fmt(float(ev.exps[y])), total)} = {fmt(ev.p_true)}</p>"
        f'<p class="math">L = −{log} {fmt(ev.p_true)} = <b>{fmt(ev.loss_in_unit)} {ev.unit}</b></p>'
    )
    return f'<div class="formulas">{general}{live}</div>'
