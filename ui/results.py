"""The Playground's outputs: headline numbers, charts, the worked table, the formulas.

Every number comes from :func:`core.explain.evaluate`; every figure from
:mod:`core.figures`. This module only lays them out.
"""

from __future__ import annotations

import html

import streamlit as st

from core.explain import Evaluation
from core.figures.playground import gradient_bars, loss_curve, probability_bars
from core.scenario import Scenario
from core.text import fmt
from core.units import in_unit
from ui.chart import chart
from ui.escape import md_escape
from ui.present import style


def headline(sc: Scenario, ev: Evaluation) -> None:
    loss = in_unit(ev.loss, sc.unit)
    other = "bits" if sc.unit == "nats" else "nats"
    name = md_escape(sc.target_name)
    right = ev.predicted == sc.target
    row = st.container(horizontal=True, gap="small")  # one block, not three columns: cheaper to send
    a, b, c = row, row, row
    a.metric(
        "Cross-entropy",
        f"{fmt(loss)} {sc.unit}",
        help=f"= {fmt(in_unit(ev.loss, other))} {other}. The loss is −log p of the true class ({name}).",
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
    chart(loss_curve(sc.target_name, ev.p_true, sc.unit, style()), "pg_loss_curve")


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
    name = html.escape(sc.target_name)
    return (
        f'<p class="explain"><b>What the gradient says.</b> Each bar on the left is ∂L/∂z = p − y{scale}. '
        f"A gradient-descent step moves every logit <i>against</i> its bar: the true class <b>{name}</b> goes up, "
        "every other class goes down, most for the classes that took the most probability. "
        f"The bars always sum to 0, and vanish only when p({name}) = 1: "
        "cross-entropy keeps pushing until the model is certain and right.</p>"
    )


def steps_html(sc: Scenario, ev: Evaluation) -> str:
    """One row per class (z, z / T, shifted, exp, p, -log p), then the sums."""
    log = "log₂" if sc.unit == "bits" else "ln"
    scaled = ev.temperature != 1
    header = ["class", "z", *(["z / T"] if scaled else []), "shifted (− max)", "exp(shifted)", "p = exp / Σ"]
    header.append(f"−{log} p")
    rows = []
    for i, name in enumerate(sc.classes):
        label = f"<b>{html.escape(name)}</b> ✓ true" if i == sc.target else html.escape(name)
        cells = [fmt(sc.logits[i]), *([fmt(float(ev.scaled[i]))] if scaled else [])]
        cells += [fmt(float(ev.shifted[i])), fmt(float(ev.exps[i])), fmt(float(ev.probs[i]))]
        cells.append(fmt(in_unit(float(ev.surprise[i]), sc.unit)))
        rows.append(_row(label, cells, "true" if i == sc.target else ""))
    sums = ["", *([""] if scaled else []), "", fmt(ev.total), fmt(float(ev.probs.sum())), ""]
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
    log = "log<sub>2</sub>" if sc.unit == "bits" else "ln"
    over_t = "" if ev.temperature == 1 else " / T"
    total = fmt(ev.total)
    top = f"e<sup>(z<sub>i</sub> − m){over_t}</sup>"
    bottom = f"Σ<sub>j</sub> e<sup>(z<sub>j</sub> − m){over_t}</sup>"
    general = (
        f'<p class="math">p<sub>i</sub> = {_frac(top, bottom)}, &nbsp; m = max<sub>j</sub> z<sub>j</sub></p>'
        f'<p class="math">L = −Σ<sub>i</sub> y<sub>i</sub> {log} p<sub>i</sub> = −{log} p<sub>true</sub></p>'
    )
    live = (
        f'<p class="explain">With the true class <b>{html.escape(sc.target_name)}</b> '
        f"(class {y + 1} of {sc.n_classes}):</p>"
        f'<p class="math">p<sub>true</sub> = {_frac(f"e<sup>{fmt(float(ev.shifted[y]))}</sup>", total)}'
        f" = {_frac(fmt(float(ev.exps[y])), total)} = {fmt(ev.p_true)}</p>"
        f'<p class="math">L = −{log} {fmt(ev.p_true)} = <b>{fmt(in_unit(ev.loss, sc.unit))} {sc.unit}</b></p>'
    )
    return f'<div class="formulas">{general}{live}</div>'
