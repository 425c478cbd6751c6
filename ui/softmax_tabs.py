"""The Softmax page's sections. Numbers from core.softmax_views (one function per tab), figures from core.figures.

Every tab uses the example's temperature T (the toolbar's slider): p = softmax(z / T).

Page parameters (in the URL beside the shared scenario; each widget key is the
parameter's name):

``sm_shift``  the constant c added to every logit, -20 to 20 (default 5)
``sm_scale``  the factor k multiplying every logit, 0.1 to 10 (default 2)
``sm_big``    the largest logit in the stability table, -1000 to 1000 (default 100)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

import streamlit as st

from core.figures.softmax import jacobian_heatmap, sigmoid_chart, temperature_curves, transform_bars
from core.query import format_number
from core.scenario import Scenario
from core.softmax_views import (
    COLD,
    HOT,
    LEGACY_T,
    jacobian_tab,
    legacy_temperature,
    shift_scale_tab,
    stability_tab,
    temperature_tab,
    two_classes_tab,
)
from core.text import fmt, fmt_prob, temperature_rule
from ui import session
from ui.chart import chart
from ui.escape import html_escape, md_escape
from ui.frame import PageParams
from ui.present import style
from ui.session import Key

SHIFT: Key[float] = Key("sm_shift", 5.0)
SCALE: Key[float] = Key("sm_scale", 2.0)
BIG: Key[float] = Key("sm_big", 100.0)
CLASS_1: Key[int] = Key("sm_class_1", 0)
CLASS_2: Key[int] = Key("sm_class_2", 1)


def _old_link(query: dict[str, list[str]]) -> list[str]:
    """A link from before every page shared T: its ``sm_t`` becomes the example's temperature (first visit)."""
    t, problems = legacy_temperature(query)
    if t is not None:
        session.SCENARIO.set(replace(session.current(), temperature=t))
    return problems


PARAMS = PageParams(
    {
        SHIFT.name: ((-20.0, 20.0), SHIFT.default),
        SCALE.name: ((0.1, 10.0), SCALE.default),
        BIG.name: ((-1000.0, 1000.0), BIG.default),
    },
    extra_names=frozenset({LEGACY_T}),
    read_extra=_old_link,
)


def _rule(t: float) -> None:
    st.caption(md_escape(temperature_rule(t)))


def _probs_line(classes: Sequence[str], p: Sequence[float], log_p: Sequence[float]) -> str:
    """Each class and its probability, one that underflowed written from its log (fmt_prob)."""
    return ", ".join(
        f"{html_escape(c)} {fmt_prob(float(v), float(lv))}" for c, v, lv in zip(classes, p, log_p, strict=True)
    )


def _argmax_words(sc: Scenario, top: Sequence[int]) -> str:
    """Who T → 0 gives everything to: the largest logit, or the tied ones sharing it equally."""
    names = ", ".join(f"<b>{html_escape(sc.classes[i])}</b>" for i in top)
    if len(top) == 1:
        return f"so the largest logit ({names}) takes everything."
    if len(top) == sc.n_classes:
        return "but here every logit is equal: no gap to blow up, so p stays uniform at every T."
    return f"so the {len(top)} tied largest logits ({names}) share everything equally, 1/{len(top)} each."


# ---- sections -------------------------------------------------------------------------------
def temperature(sc: Scenario) -> None:
    tab = temperature_tab(sc)
    t = format_number(tab.temperature)
    _rule(tab.temperature)
    graph, facts = st.columns([3, 2], gap="large")
    with graph:
        chart(
            temperature_curves(sc.classes, tab.temperatures, tab.sweep, sc.target, tab.temperature, tab.probs, style()),
            "sm_temperature_chart",
        )
    with facts:
        st.metric(
            "Entropy of p",
            f"{fmt_prob(tab.entropy, tab.log_entropy)} {tab.unit}",  # in the toolbar's unit; tiny, not a false 0
            help=f"How spread out p = softmax(z / {t}) is, in {tab.unit}: 0 only when one class has it all.",
        )
        log = "ln" if tab.unit == "nats" else "log₂"
        st.caption(f"At most {log} {sc.n_classes} = {fmt(tab.max_entropy)} {tab.unit}, when p is uniform.")
        st.html(
            '<p class="explain"><b>T → 0: the argmax.</b> Dividing by a tiny T blows the gaps between logits up, '
            f"{_argmax_words(sc, tab.top)} "
            f"At T = {format_number(COLD)}: {_probs_line(sc.classes, tab.cold, tab.log_cold)}.</p>"
            '<p class="explain"><b>T → ∞: uniform.</b> Dividing by a huge T squeezes every logit towards 0, '
            f"so every class tends to 1/{sc.n_classes} = {fmt(tab.uniform)}. "
            f"At T = {format_number(HOT)}: {_probs_line(sc.classes, tab.hot, tab.log_hot)}.</p>"
            f'<p class="explain"><b>Now, at T = {t}</b> (the toolbar\'s temperature, marked on the chart): '
            f"{_probs_line(sc.classes, tab.probs, tab.log_probs)}.</p>"
        )


def shift_and_scale(sc: Scenario) -> None:
    _rule(sc.temperature)
    left, right = st.columns(2, gap="large")
    with left:
        st.slider("Add c to every logit", -20.0, 20.0, step=0.5, key=SHIFT.name)
    with right:
        st.slider("Multiply every logit by k", 0.1, 10.0, step=0.1, key=SCALE.name)
    tab = shift_scale_tab(sc, shift=SHIFT.get(), scale=SCALE.get())
    t = format_number(tab.temperature)
    over_t = "" if tab.temperature == 1.0 else f" / {t}"
    k = format_number(tab.scale)
    plus_c = f"z {'−' if tab.shift < 0 else '+'} {format_number(tab.shift).lstrip('-')}"
    with left:
        names = (f"softmax(z{over_t})", f"softmax(({plus_c}){over_t})" if over_t else f"softmax({plus_c})")
        chart(transform_bars(sc.classes, tab.probs, tab.shifted, names, sc.target, style(), "shift"), "sm_shift_chart")
        st.html(
            f'<p class="explain"><b>Nothing changes.</b> e<sup>(z + c){over_t}</sup> = '
            f"e<sup>c{over_t}</sup>·e<sup>z{over_t}</sup>: every term, and so the sum, gains the same factor "
            f"e<sup>c{over_t}</sup>, which cancels. Largest difference here: {fmt(tab.largest_change)} (rounding). "
            "That is why softmax may subtract the largest logit first.</p>"
        )
    with right:
        names = (f"softmax(z{over_t})", f"softmax({k} · z{over_t})")
        chart(transform_bars(sc.classes, tab.probs, tab.scaled, names, sc.target, style(), "scale"), "sm_scale_chart")
        word = (
            "sharper: the favourite gains"
            if tab.scale > 1
            else "flatter: the classes draw closer"
            if tab.scale < 1
            else "the same"
        )
        st.html(
            f'<p class="explain"><b>k = {k} makes p {word}.</b> Multiplying by k is dividing by a temperature '
            f"T / k = {t} / {k} = {fmt(tab.effective_temperature, 3)}: entropy {fmt(tab.entropy)} → "
            f"{fmt(tab.scaled_entropy)} {tab.unit}.</p>"
        )


def _cell(v: float) -> str:
    if math.isnan(v):
        return '<td class="broke">NaN</td>'
    if math.isinf(v):
        return f'<td class="broke">{fmt(v)}</td>'
    return f"<td>{fmt(v)}</td>"


def stability(sc: Scenario) -> None:
    _rule(sc.temperature)
    st.number_input(
        "Largest logit",
        min_value=-1000.0,
        max_value=1000.0,
        step=10.0,
        key=BIG.name,
        help="The logits keep their gaps; the largest is set to this. The softmax exponentiates them divided by T. "
        "At T = 1, try 12, 90 and 711.",
    )
    tab = stability_tab(sc, largest=BIG.get())
    t = format_number(tab.temperature)
    head = "".join(f"<th>{html_escape(c)}</th>" for c in sc.classes)
    body = []
    for r in tab.rows:
        body.append(
            f'<tr><th scope="row" rowspan="2">{r.dtype}<br><small>exp overflows past '
            f"{fmt(r.overflow_at, 2)}</small></th><th>naive</th>{''.join(_cell(v) for v in r.naive)}</tr>"
        )
        body.append(f"<tr><th>max-shifted</th>{''.join(_cell(v) for v in r.stable)}</tr>")
    seen = (
        f"The softmax sees them as they are (T = 1): {', '.join(fmt(float(v)) for v in tab.seen)}"
        if tab.temperature == 1.0
        else f"The softmax sees them divided by T = {t}, z / {t}: {', '.join(fmt(float(v)) for v in tab.seen)}"
    )
    st.html(
        f'<p class="explain">Logits z: {", ".join(fmt(float(v)) for v in tab.logits)}. {seen}. '
        "The table is the softmax of these.</p>"
        # wider than a phone with many classes: it scrolls in its own box, which takes keyboard focus
        '<div class="scroll-x" tabindex="0" role="region" aria-label="Softmax in three precisions, as a table">'
        f'<table class="steps stability"><thead><tr><th>precision</th><th>formula</th>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
        '<p class="explain"><b>Why.</b> The naive formula computes e<sup>z / T</sup> first, and past the overflow '
        "point that is ∞ in the chosen precision, so ∞/∞ gives NaN (and tiny terms become 0). Subtracting the largest "
        "first leaves exponents at most 0, so every term lies in (0, 1] and nothing can overflow, "
        "while the result is mathematically the same.</p>"
    )


def two_classes(sc: Scenario) -> None:
    _rule(sc.temperature)
    options = list(range(sc.n_classes))
    a_col, b_col = st.columns(2)
    # Selectbox options are plain text (Streamlit renders them without markdown): the names go in raw.
    a = a_col.selectbox(
        "Class 1", options, index=CLASS_1.default, format_func=lambda i: sc.classes[i], key=CLASS_1.name
    )
    b = b_col.selectbox(
        "Class 2", options, index=CLASS_2.default, format_func=lambda i: sc.classes[i], key=CLASS_2.name
    )
    if a is None or b is None or a == b:
        st.info("Pick two different classes.")
        return
    tab = two_classes_tab(sc, a, b)
    t = format_number(tab.temperature)
    name_1, name_2 = sc.classes[a], sc.classes[b]
    chart(
        sigmoid_chart(
            name_1, name_2, tab.curve_x, tab.curve_y, tab.marks_x, tab.marks_y, tab.x, tab.p, tab.temperature, style()
        ),
        "sm_sigmoid_chart",
    )
    st.html(
        f'<p class="explain">softmax({fmt(tab.z1)} / {t}, {fmt(tab.z2)} / {t}) for '
        f"<b>{html_escape(name_1)}</b> = e<sup>z₁ / T</sup> / (e<sup>z₁ / T</sup> + e<sup>z₂ / T</sup>) = "
        f"1 / (1 + e<sup>−(z₁ − z₂) / T</sup>) = σ(({fmt(tab.z1)} − {fmt(tab.z2)}) / {t}) = σ({fmt(tab.x)}) = "
        f"<b>{fmt(tab.p)}</b>. Only the difference of the two logits matters (divided by T = {t}): with two "
        "classes, softmax is logistic regression's sigmoid.</p>"
    )


def jacobian_section(sc: Scenario) -> None:
    tab = jacobian_tab(sc)
    t = format_number(tab.temperature)
    over_t = "" if tab.temperature == 1.0 else f" / {t}"
    _rule(tab.temperature)
    graph, words = st.columns([3, 2], gap="large")
    with graph:
        chart(jacobian_heatmap(sc.classes, tab.matrix, sc.target, style(), tab.temperature), "sm_jacobian_chart")
    with words:
        st.html(
            '<p class="explain"><b>How each probability answers each logit.</b> Raising z<sub>j</sub> raises '
            f"p<sub>j</sub> by p<sub>j</sub>(1 − p<sub>j</sub>){over_t} (the diagonal, orange) and lowers every other "
            f"p<sub>i</sub> by p<sub>i</sub>p<sub>j</sub>{over_t} (off the diagonal, blue): "
            f"∂p/∂z = (diag(p) − p pᵀ){over_t}, with p = softmax(z{over_t}).</p>"
            '<p class="explain">Every row sums to 0, because the probabilities always sum to 1. The largest entry is '
            f"for <b>{html_escape(sc.classes[tab.largest])}</b>: {fmt(tab.largest_value)}; it can never exceed "
            f"0.25{over_t} = {fmt(tab.bound)}, reached when a p is ½.</p>"
        )
