"""The Softmax page's sections. Numbers from core.softmax / core.softmax_views, figures from core.figures.

Page parameters (in the URL beside the shared scenario; each widget key is the
parameter's name):

``sm_t``      temperature on the log-scale control, 0.01 to 100 (default 1)
``sm_shift``  the constant c added to every logit, -20 to 20 (default 5)
``sm_scale``  the factor k multiplying every logit, 0.1 to 10 (default 2)
``sm_big``    the largest logit in the stability table, -1000 to 1000 (default 100)
"""

from __future__ import annotations

import html
import math
from typing import Any

import numpy as np
import streamlit as st

from core.figures.softmax import jacobian_heatmap, sigmoid_chart, temperature_curves, transform_bars
from core.losses import entropy
from core.scenario import Scenario
from core.softmax import softmax
from core.softmax_views import jacobian, stability_table
from core.text import fmt
from core.units import in_unit
from ui.chart import chart
from ui.frame import PageParams
from ui.present import style

T_OPTIONS = tuple(float(f"{10 ** (k / 10):.3g}") for k in range(-20, 21))
"""0.01 to 100, ten steps a decade: 0.01, 0.0126, 0.0158, ... 63.1, 79.4, 100."""


def nearest_t(t: float) -> float:
    """The log-scale control's option closest to ``t`` (in log terms)."""
    return min(T_OPTIONS, key=lambda o: abs(math.log(o) - math.log(t)))


PARAMS = PageParams(
    {
        "sm_t": ((0.01, 100.0), 1.0),
        "sm_shift": ((-20.0, 20.0), 5.0),
        "sm_scale": ((0.1, 10.0), 2.0),
        "sm_big": ((-1000.0, 1000.0), 100.0),
    },
    snap={"sm_t": nearest_t},
)


def _probs_line(sc: Scenario, p: Any) -> str:
    return ", ".join(f"{html.escape(c)} {fmt(float(v))}" for c, v in zip(sc.classes, p, strict=True))


def entropy_bits(p: Any) -> float:
    return in_unit(float(entropy(p)), "bits")


# ---- sections -------------------------------------------------------------------------------
def temperature(sc: Scenario) -> None:
    t = float(
        st.select_slider(
            "Temperature T (log scale)",
            options=T_OPTIONS,
            key="sm_t",
            format_func=lambda v: f"{v:g}",
            help="Divides every logit before softmax. Ten steps per factor of ten.",
        )
    )
    p = softmax(sc.logits, temperature=t)
    graph, facts = st.columns([3, 2], gap="large")
    with graph:
        chart(temperature_curves(sc.classes, sc.logits, sc.target, t, style()), "sm_temperature_chart")
    with facts:
        h = entropy_bits(p)
        st.metric("Entropy of p", f"{fmt(h)} bits", help="How spread out p is: 0 when one class has it all.")
        st.caption(f"At most log₂ {sc.n_classes} = {fmt(math.log2(sc.n_classes))} bits, when p is uniform.")
        cold, hot = softmax(sc.logits, temperature=0.01), softmax(sc.logits, temperature=100.0)
        top = int(np.argmax(sc.logits))
        st.html(
            '<p class="explain"><b>T → 0: the argmax.</b> Dividing by a tiny T blows the gaps between logits up, '
            f"so the largest logit (<b>{html.escape(sc.classes[top])}</b>) takes everything. "
            f"At T = 0.01: {_probs_line(sc, cold)}.</p>"
            '<p class="explain"><b>T → ∞: uniform.</b> Dividing by a huge T squeezes every logit towards 0, '
            f"so every class tends to 1/{sc.n_classes} = {fmt(1 / sc.n_classes)}. "
            f"At T = 100: {_probs_line(sc, hot)}.</p>"
            f'<p class="explain">Now, at T = {fmt(t, 2)}: {_probs_line(sc, p)}.</p>'
        )


def shift_and_scale(sc: Scenario) -> None:
    z = np.asarray(sc.logits, dtype=np.float64)
    left, right = st.columns(2, gap="large")
    with left:
        c = float(st.slider("Add c to every logit", -20.0, 20.0, step=0.5, key="sm_shift"))
        before, after = softmax(z), softmax(z + c)
        chart(
            transform_bars(
                sc.classes, before, after, ("softmax(z)", f"softmax(z + {c:g})"), sc.target, style(), "shift"
            ),
            "sm_shift_chart",
        )
        same = float(np.max(np.abs(before - after)))
        st.html(
            f'<p class="explain"><b>Nothing changes.</b> e<sup>z + c</sup> = e<sup>c</sup>·e<sup>z</sup>: every term, '
            f"and so the sum, gains the same factor e<sup>c</sup>, which cancels. Largest difference here: "
            f"{fmt(same)} (rounding). That is why softmax may subtract the largest logit first.</p>"
        )
    with right:
        k = float(st.slider("Multiply every logit by k", 0.1, 10.0, step=0.1, key="sm_scale"))
        scaled = softmax(k * z)
        chart(
            transform_bars(
                sc.classes, softmax(z), scaled, ("softmax(z)", f"softmax({k:g} · z)"), sc.target, style(), "scale"
            ),
            "sm_scale_chart",
        )
        word = "sharper: the favourite gains" if k > 1 else "flatter: the classes draw closer" if k < 1 else "the same"
        st.html(
            f'<p class="explain"><b>k = {k:g} makes p {word}.</b> Multiplying by k is dividing by a temperature '
            f"T = 1/k = {fmt(1 / k, 3)}: entropy {fmt(entropy_bits(softmax(z)))} → "
            f"{fmt(entropy_bits(scaled))} bits.</p>"
        )


def _cell(v: float) -> str:
    if math.isnan(v):
        return '<td class="broke">NaN</td>'
    if math.isinf(v):
        return '<td class="broke">∞</td>'
    return f"<td>{fmt(v)}</td>"


def stability(sc: Scenario) -> None:
    big = float(
        st.number_input(
            "Largest logit",
            min_value=-1000.0,
            max_value=1000.0,
            step=10.0,
            key="sm_big",
            help="The logits keep their gaps; the largest is set to this. Try 12, 90 and 711.",
        )
    )
    z = np.asarray(sc.logits, dtype=np.float64)
    z = z - z.max() + big
    rows = stability_table(z)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in sc.classes)
    body = []
    for r in rows:
        body.append(
            f'<tr><th scope="row" rowspan="2">{r.dtype}<br><small>exp overflows past '
            f"{fmt(r.overflow_at, 2)}</small></th><th>naive</th>{''.join(_cell(v) for v in r.naive)}</tr>"
        )
        body.append(f"<tr><th>max-shifted</th>{''.join(_cell(v) for v in r.stable)}</tr>")
    st.html(
        f'<p class="explain">Logits: {", ".join(fmt(float(v)) for v in z)}</p>'
        f'<table class="steps stability"><thead><tr><th>precision</th><th>formula</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table>"
        '<p class="explain"><b>Why.</b> The naive formula computes e<sup>z</sup> first, and past the overflow point '
        "that is ∞ in the chosen precision, so ∞/∞ gives NaN (and tiny terms become 0). Subtracting the largest "
        "logit first leaves exponents at most 0, so every e<sup>z − max</sup> lies in (0, 1] and nothing can overflow, "
        "while the result is mathematically the same.</p>"
    )


def two_classes(sc: Scenario) -> None:
    options = list(range(sc.n_classes))
    a_col, b_col = st.columns(2)
    a = a_col.selectbox("Class 1", options, index=0, format_func=lambda i: sc.classes[i], key="sm_class_1")
    b = b_col.selectbox("Class 2", options, index=1, format_func=lambda i: sc.classes[i], key="sm_class_2")
    if a == b:
        st.info("Pick two different classes.")
        return
    z1, z2 = sc.logits[a], sc.logits[b]
    chart(sigmoid_chart(sc.classes[a], sc.classes[b], z1, z2, style()), "sm_sigmoid_chart")
    p = float(softmax([z1, z2])[0])
    st.html(
        f'<p class="explain">softmax({fmt(z1)}, {fmt(z2)}) for <b>{html.escape(sc.classes[a])}</b> = '
        f"e<sup>z₁</sup> / (e<sup>z₁</sup> + e<sup>z₂</sup>) = 1 / (1 + e<sup>−(z₁ − z₂)</sup>) = "
        f"σ({fmt(z1 - z2)}) = <b>{fmt(p)}</b>. Only the difference of the two logits matters: with two classes, "
        "softmax is logistic regression's sigmoid.</p>"
    )


def jacobian_section(sc: Scenario) -> None:
    p = softmax(sc.logits, temperature=sc.temperature)
    j = jacobian(p)
    graph, words = st.columns([3, 2], gap="large")
    with graph:
        chart(jacobian_heatmap(sc.classes, j, sc.target, style()), "sm_jacobian_chart")
    with words:
        i = int(np.argmax(p))
        st.html(
            '<p class="explain"><b>How each probability answers each logit.</b> Raising z<sub>j</sub> raises '
            "p<sub>j</sub> by p<sub>j</sub>(1 − p<sub>j</sub>) (the diagonal, orange) and lowers every other "
            "p<sub>i</sub> by p<sub>i</sub>p<sub>j</sub> (off the diagonal, blue): J = diag(p) − p pᵀ.</p>"
            f'<p class="explain">Every row sums to 0, because the probabilities always sum to 1. The largest entry is '
            f"for <b>{html.escape(sc.classes[i])}</b>: {fmt(float(j[i, i]))}; it can never exceed 0.25, reached when "
            "p = ½.</p>"
        )
