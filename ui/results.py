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
    a, b, c = st.columns([1.45, 1.1, 1])
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


def gradient_text(sc: Scenario, ev: Evaluation) -> None:
    scale = "" if ev.temperature == 1 else f" (divided by T = {fmt(ev.temperature, 2)})"
    st.markdown(
        f"**What the gradient says.** Each bar is ∂L/∂z = p − y{scale}. "
        f"A gradient-descent step moves every logit *against* its bar: "
        f"the true class **{md_escape(sc.target_name)}** goes up, every other class goes down, "
        "most for the classes that took the most probability."
    )
    st.markdown(
        f"The bars always sum to 0, and they vanish only when p({md_escape(sc.target_name)}) = 1: "
        "cross-entropy keeps pushing until the model is certain and right."
    )


def steps_table(sc: Scenario, ev: Evaluation) -> None:
    """The worked example, one row per class, then the sum the probabilities share."""
    t_col = ev.temperature != 1
    log = "log₂" if sc.unit == "bits" else "ln"
    rows: dict[str, list[str]] = {"class": [], "z": []}
    if t_col:
        rows["z / T"] = []
    rows.update({"shifted (− max)": [], "exp(shifted)": [], "p = exp / Σ": [], f"−{log} p": []})
    for i, name in enumerate(sc.classes):
        rows["class"].append(md_escape(name) + (" ✓ true" if i == sc.target else ""))
        rows["z"].append(fmt(sc.logits[i]))
        if t_col:
            rows["z / T"].append(fmt(float(ev.scaled[i])))
        rows["shifted (− max)"].append(fmt(float(ev.shifted[i])))
        rows["exp(shifted)"].append(fmt(float(ev.exps[i])))
        rows["p = exp / Σ"].append(fmt(float(ev.probs[i])))
        rows[f"−{log} p"].append(fmt(in_unit(float(ev.surprise[i]), sc.unit)))
    total = {k: "" for k in rows}
    total["class"] = "Σ (sum)"
    total["exp(shifted)"] = fmt(ev.total)
    total["p = exp / Σ"] = fmt(float(ev.probs.sum()))
    for k, v in total.items():
        rows[k].append(v)
    st.table(rows, hide_index=True, alt="Step-by-step softmax and cross-entropy, one row per class")


def formulas(sc: Scenario, ev: Evaluation) -> None:
    """The formulas, then the same formulas with this scenario's numbers put in."""
    y = sc.target
    log = r"\log_2" if sc.unit == "bits" else r"\ln"
    over_t = "" if ev.temperature == 1 else "/T"
    st.latex(
        rf"p_i = \frac{{e^{{(z_i - m){over_t}}}}}{{\sum_j e^{{(z_j - m){over_t}}}}},"
        r"\qquad m = \max_j z_j"
    )
    st.latex(r"L = -\sum_i y_i " + log + r" p_i = -" + log + r" p_{\text{true}}")
    st.markdown(f"With the true class **{md_escape(sc.target_name)}** (class {y + 1} of {sc.n_classes}):")
    shifted = tex_num(float(ev.shifted[y]))
    st.latex(
        rf"p_{{\text{{true}}}} = \frac{{e^{{{shifted}}}}}{{{tex_num(ev.total)}}}"
        rf" = \frac{{{tex_num(float(ev.exps[y]))}}}{{{tex_num(ev.total)}}} = {tex_num(ev.p_true)}"
    )
    st.latex(rf"L = -{log} {tex_num(ev.p_true)} = {tex_num(in_unit(ev.loss, sc.unit))}\ \text{{{sc.unit}}}")
