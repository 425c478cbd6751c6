"""The Playground's outputs: headline numbers, charts, the worked table, the formulas.

Every number comes from :func:`core.explain.evaluate`; every figure from
:mod:`core.figures`. This module only lays them out.
"""

from __future__ import annotations

import streamlit as st

from core.explain import Evaluation, in_unit
from core.figures import gradient_bars, loss_curve, probability_bars
from core.state import Scenario
from core.text import fmt
from ui.chart import chart
from ui.text import md_escape, tex_num
from ui.theme import STYLE


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
    chart(probability_bars(sc.classes, ev.probs, sc.target, STYLE), "pg_probs")


def curve(sc: Scenario, ev: Evaluation) -> None:
    chart(loss_curve(sc.target_name, ev.p_true, sc.unit, STYLE), "pg_loss_curve")


def gradient_chart(sc: Scenario, ev: Evaluation) -> None:
    chart(gradient_bars(sc.classes, ev.grad, sc.target, STYLE), "pg_grad")


def gradient_text(sc: Scenario) -> None:
    """What the gradient bars (left) mean. Depends on the settings only, not the logits."""
    scale = "" if sc.temperature == 1 else f" (divided by T = {fmt(sc.temperature, 2)})"
    name = md_escape(sc.target_name)
    st.markdown(
        f"**What the gradient says.** Each bar on the left is ∂L/∂z = p − y{scale}. "
        f"A gradient-descent step moves every logit *against* its bar: the true class **{name}** goes up, "
        "every other class goes down, most for the classes that took the most probability. "
        f"The bars always sum to 0, and vanish only when p({name}) = 1: "
        "cross-entropy keeps pushing until the model is certain and right."
    )


# The worked example and the formulas are markdown, not st.table and st.latex: while
# a logit is dragged they are re-sent many times a second, and a markdown string is
# far cheaper to build, send and render than a DataFrame turned into Arrow.
def steps(sc: Scenario, ev: Evaluation) -> None:
    st.markdown("**Step by step**\n\n" + steps_markdown(sc, ev))


def formulas(sc: Scenario, ev: Evaluation) -> None:
    st.markdown(formulas_markdown(sc, ev))


def steps_markdown(sc: Scenario, ev: Evaluation) -> str:
    """One row per class (z, z / T, shifted, exp, p, -log p), then the sums."""
    log = "log₂" if sc.unit == "bits" else "ln"
    scaled = ev.temperature != 1
    header = [
        "class",
        "z",
        *(["z / T"] if scaled else []),
        "shifted (− max)",
        "exp(shifted)",
        "p = exp / Σ",
        f"−{log} p",
    ]
    lines = ["| " + " | ".join(header) + " |", "|:--" + "|--:" * (len(header) - 1) + "|"]
    for i, name in enumerate(sc.classes):
        label = f"**{md_escape(name)}** ✓ true" if i == sc.target else md_escape(name)
        cells = [label, fmt(sc.logits[i]), *([fmt(float(ev.scaled[i]))] if scaled else [])]
        cells += [fmt(float(ev.shifted[i])), fmt(float(ev.exps[i])), fmt(float(ev.probs[i]))]
        cells.append(fmt(in_unit(float(ev.surprise[i]), sc.unit)))
        lines.append("| " + " | ".join(cells) + " |")
    blank = [""] * (1 if scaled else 0)
    lines.append("| " + " | ".join(["Σ (sum)", "", *blank, "", fmt(ev.total), fmt(float(ev.probs.sum())), ""]) + " |")
    return "\n".join(lines)


def formulas_markdown(sc: Scenario, ev: Evaluation) -> str:
    """The formulas, then the same formulas with this scenario's numbers put in."""
    y = sc.target
    log = r"\log_2" if sc.unit == "bits" else r"\ln"
    over_t = "" if ev.temperature == 1 else "/T"
    shifted = tex_num(float(ev.shifted[y]))
    total = tex_num(ev.total)
    return "\n\n".join(
        [
            "$$\n"
            + rf"p_i = \frac{{e^{{(z_i - m){over_t}}}}}{{\sum_j e^{{(z_j - m){over_t}}}}},\qquad m = \max_j z_j"
            + "\n$$",
            "$$\n" + rf"L = -\sum_i y_i {log} p_i = -{log} p_{{\text{{true}}}}" + "\n$$",
            f"With the true class **{md_escape(sc.target_name)}** (class {y + 1} of {sc.n_classes}):",
            "$$\n" + rf"p_{{\text{{true}}}} = \frac{{e^{{{shifted}}}}}{{{total}}}"
            rf" = \frac{{{tex_num(float(ev.exps[y]))}}}{{{total}}} = {tex_num(ev.p_true)}" + "\n$$",
            "$$\n"
            + rf"L = -{log} {tex_num(ev.p_true)} = {tex_num(in_unit(ev.loss, sc.unit))}\ \text{{{sc.unit}}}"
            + "\n$$",
        ]
    )
