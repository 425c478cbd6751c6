"""The Cross-entropy page's sections: widgets and text only. Numbers from core.ce_views, figures from core.figures.

Page parameters (in the URL beside the shared scenario; each widget key is the
parameter's name):

``ce_gamma``      focal loss gamma, 0 to 5 (default 2)
``ce_eps``        label smoothing epsilon, 0 to 1 (default 0.1)
``ce_target``     a typed target distribution, one number per class (absent: the smoothed true class)
``ce_weights``    class weights for the batch, one number per class (absent: no weights)
``ce_fw_smooth``  ``1``: the framework code uses the smoothing ε
``ce_batch``      the batch, rows ``z1,...,zC,class`` separated by ``;`` (absent: the default rows)

Every tab states the temperature rule with T's value (:func:`core.text.temperature_rule`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from core.ce_views import (
    Row,
    Target,
    batch_view,
    default_rows,
    frameworks_view,
    information_view,
    loss_curves_view,
    read_batch,
    soft_targets_view,
    target_distribution,
    write_batch,
)
from core.figures.cross_entropy import gradient_curves, information_bar, loss_curves
from core.figures.playground import gradient_bars
from core.figures.softmax import transform_bars
from core.query import format_number, read_numbers, read_param
from core.scenario import Scenario
from core.text import fmt, fmt_prob, relation, temperature_rule
from core.units import in_unit
from ui import session
from ui.chart import chart
from ui.escape import html_escape, md_escape
from ui.frame import PageParams
from ui.present import style
from ui.session import Key

GAMMA: Key[float] = Key("ce_gamma", 2.0)
"""focal loss γ (a URL parameter)"""
EPS: Key[float] = Key("ce_eps", 0.1)
"""label smoothing ε (a URL parameter)"""
CUSTOM: Key[bool] = Key("ce_custom", False)
"""the target distribution is typed (its values: :func:`target_key`)"""
USE_WEIGHTS: Key[bool] = Key("ce_use_weights", False)
"""the batch uses class weights (their values: :func:`weight_key`)"""
FW_SMOOTH: Key[bool] = Key("ce_fw_smooth", False)
"""the framework code uses the smoothing ε (a URL parameter)"""
BATCH_EDITOR: Key[Any] = Key("ce_batch", None)
"""the batch editor's edits (the widget's key is the URL parameter's name)"""
BATCH_ROWS: Key[tuple[tuple[str, ...], list[Row]] | None] = Key("ce_batch_rows", None)
"""the batch's starting rows (from the URL, else the defaults), kept for the session"""
BATCH_NOW: Key[tuple[tuple[str, ...], list[Row]] | None] = Key("ce_batch_now", None)
"""the batch's complete rows as edited, for the URL"""


def target_key(i: int) -> Key[float]:
    """The typed target probability of class ``i``."""
    return Key(f"ce_y_{i}", 0.0)


def weight_key(i: int) -> Key[float]:
    """The batch weight of class ``i``."""
    return Key(f"ce_w_{i}", 1.0)


LISTS: tuple[tuple[str, Key[bool], Callable[[int], Key[float]], tuple[float, float]], ...] = (
    # URL parameter, the toggle it turns on, the per-class keys (their default: an empty widget's value), bounds
    ("ce_target", CUSTOM, target_key, (0.0, 1.0)),
    ("ce_weights", USE_WEIGHTS, weight_key, (0.0, 100.0)),
)


def _flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(f"{text[:20]!r} is not 0 or 1")
    return text == "1"


def _read_extra(query: dict[str, list[str]]) -> list[str]:
    """The list and table parameters, on a session's first visit."""
    sc = session.current()
    problems: list[str] = []
    for name, toggle, item, bounds in LISTS:
        values, p = read_numbers(query, name, sc.n_classes, bounds)
        problems += p
        if values is not None:
            toggle.set(True)
            for i, v in enumerate(values):
                item(i).set(v)
    smooth, why = read_param(query, FW_SMOOTH.name, _flag)
    if why is not None:
        problems.append(f"'{FW_SMOOTH.name}' ignored ({why}).")
    elif smooth is not None:
        FW_SMOOTH.set(smooth)
    rows, p = read_batch(query, BATCH_EDITOR.name, sc.classes)
    problems += p
    if rows is not None:
        BATCH_ROWS.set((sc.classes, rows))
    return problems


def _write_extra() -> dict[str, str]:
    sc = session.current()
    out: dict[str, str] = {}
    for name, toggle, item, _ in LISTS:
        if toggle.get():
            keys = [item(i) for i in range(sc.n_classes)]
            out[name] = ",".join(format_number(float(k.default if k.get() is None else k.get())) for k in keys)
    if FW_SMOOTH.get():
        out[FW_SMOOTH.name] = "1"
    now = BATCH_NOW.get()
    if now is not None and now[0] == sc.classes and now[1] != default_rows(sc):
        out[BATCH_EDITOR.name] = write_batch(now[1], sc.classes)
    return out


PARAMS = PageParams(
    {GAMMA.name: ((0.0, 5.0), GAMMA.default), EPS.name: ((0.0, 1.0), EPS.default)},
    extra_names=frozenset({"ce_target", "ce_weights", FW_SMOOTH.name, BATCH_EDITOR.name}),
    read_extra=_read_extra,
    write_extra=_write_extra,
)


def _state_t(sc: Scenario) -> None:
    """The tab's one statement of the temperature rule, with T's value."""
    st.caption(md_escape(temperature_rule(sc.temperature, "(p − ỹ)")))


def _over_t(sc: Scenario, what: str) -> str:
    """``what`` divided by T as the page writes it: ``p − 1`` at T = 1, ``(p − 1) / 2`` at T = 2."""
    return what if sc.temperature == 1 else f"({what}) / {format_number(sc.temperature)}"


# ---- sections -------------------------------------------------------------------------------
def loss_curves_section(sc: Scenario) -> None:
    _state_t(sc)
    gamma = float(
        st.slider(
            "Focal loss γ",
            0.0,
            5.0,
            step=0.5,
            key=GAMMA.name,
            help="γ = 0 is cross-entropy; larger γ mutes the examples the model already gets right.",
        )
    )
    view = loss_curves_view(sc, gamma)
    p_now = fmt_prob(view.p_now, view.log_p_now)
    # squared error's push is of the order of p itself: where p underflows, say so rather than a clamped number
    se_push = fmt(view.se_push) if relation(p_now)[0] == "=" else "a push as small as p itself, next to nothing"
    left, right = st.columns(2, gap="large")
    with left:
        chart(loss_curves(view.curves, view.p_now, gamma, style()), "ce_loss_curves")
    with right:
        chart(gradient_curves(view.curves, view.p_now, gamma, style()), "ce_grad_curves")
    st.html(
        f'<p class="explain">The curves put p(true) on the true class and share the rest equally among the other '
        f"{sc.n_classes - 1} classes; the gradients are with respect to the logit z, so they are divided by T. "
        f"Here p({html_escape(sc.target_name)}) {' '.join(relation(p_now))}: cross-entropy pushes its logit with "
        f"{_over_t(sc, 'p − 1')} = {fmt(view.ce_push)}, squared error with {se_push}, focal with "
        f"{fmt(view.focal_push)}.</p>"
        '<p class="explain"><b>Why cross-entropy keeps learning when confidently wrong.</b> Its gradient is '
        f"{_over_t(sc, 'p − 1')}, close to its most negative when p is near 0, so a wrong, confident model gets the "
        "strongest push. Squared error goes through the softmax's slope p(1 − p), which vanishes as p → 0: the worse "
        "the mistake, the weaker the push.</p>"
    )


def target(sc: Scenario) -> Target:
    """The target the Soft targets and Information tabs use (computed by core from the widgets' values)."""
    typed = [target_key(i).get() for i in range(sc.n_classes)] if CUSTOM.get() else None
    return target_distribution(sc.n_classes, sc.target, float(EPS.get()), typed)


def soft_targets(sc: Scenario) -> None:
    _state_t(sc)
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    eps = float(left.slider("Label smoothing ε", 0.0, 1.0, step=0.05, key=EPS.name))
    custom = right.toggle("Type the target distribution", key=CUSTOM.name)
    if custom:
        start = target_distribution(sc.n_classes, sc.target, eps).y
        for i, col in enumerate(st.columns(sc.n_classes)):
            key = target_key(i)
            key.setdefault(float(start[i]))  # exact, so the starting values sum to 1
            col.number_input(f"y({md_escape(sc.classes[i])})", 0.0, 1.0, step=0.05, format="%.4f", key=key.name)
    tg = target(sc)
    if tg.problem:
        st.warning(md_escape(tg.problem))
    view = soft_targets_view(sc, tg)
    st.html(
        '<p class="explain">'
        + ("" if tg.typed else "PyTorch's convention for smoothing: ỹ = y(1 − ε) + ε/C. ")
        + f"The target here is {html_escape(tg.how)}: "
        f"{', '.join(f'{html_escape(c)} {fmt(float(v))}' for c, v in zip(sc.classes, tg.y, strict=True))}. "
        f"Cross-entropy H({tg.symbol}, p) = <b>{fmt(in_unit(view.loss, sc.unit))} {sc.unit}</b> "
        f"(one-hot, ε = 0: {fmt(in_unit(view.one_hot_loss, sc.unit))}).</p>"
    )
    left, right = st.columns(2, gap="large")
    with left:
        chart(
            transform_bars(sc.classes, tg.y, view.p, ("target ỹ", "prediction p"), sc.target, style(), "soft"),
            "ce_soft_bars",
        )
    with right:
        chart(gradient_bars(sc.classes, view.grad, sc.target, style(), temperature=sc.temperature), "ce_soft_grad")
    rule = _over_t(sc, "p − ỹ")
    if tg.typed:
        st.caption(md_escape(f"The gradient is {rule} with the target typed above: it stops pushing once p = ỹ."))
    else:
        st.caption(
            md_escape(
                f"The gradient is {rule}: with smoothing it stops pushing once p(true) reaches 1 − ε + ε/C, not 1."
            )
        )


def information_section(sc: Scenario) -> None:
    _state_t(sc)
    view = information_view(sc, target(sc))
    y, unit = view.target.symbol, sc.unit
    chart(information_bar(view.entropy, view.kl, unit, style(), symbol=y), "ce_information")
    one_hot = f"{fmt(in_unit(view.one_hot_cross_entropy, unit))} {unit}"
    if y == "y":  # the one-hot true class: no entropy of its own, the loss under the logits
        after = (
            " This is the Cross-entropy under the logits: with a one-hot target H(y) = 0, so the whole loss is "
            "divergence, and training can shrink all of it.</p>"
        )
    else:
        after = (
            f" Training can only shrink the KL part. This is the loss against {y}; the Cross-entropy under the "
            f"logits is against the one-hot true class y, H(y, p) = {one_hot}: there H(y) = 0 and the whole loss "
            "is divergence.</p>"
        )
    st.html(
        f'<p class="explain">With the target of the Soft targets tab ({html_escape(view.target.how)}): '
        f"H({y}) = {fmt(in_unit(view.entropy, unit))} {unit} is the cost no model can avoid, the target's own "
        f"uncertainty; KL({y} ‖ p) = {fmt(in_unit(view.kl, unit))} {unit} is what this model adds by predicting p "
        f"instead of {y}; together H({y}, p) = {fmt(in_unit(view.cross_entropy, unit))} {unit}.{after}"
    )


def _default_batch(sc: Scenario) -> list[dict[str, Any]]:
    """The editor's starting rows: from the URL when it gave some for these classes, else the defaults."""
    start = BATCH_ROWS.get()
    rows = start[1] if start is not None and start[0] == sc.classes else default_rows(sc)
    return [{**{c: float(v) for c, v in zip(sc.classes, z, strict=True)}, "target": sc.classes[t]} for z, t in rows]


def batch(sc: Scenario) -> None:
    _state_t(sc)
    st.caption("Edit any cell; add or delete rows. Each row is one example: a logit per class and its true class.")
    cols: dict[str, Any] = {c: st.column_config.NumberColumn(c, format="%.4g", required=True) for c in sc.classes}
    cols["target"] = st.column_config.SelectboxColumn("true class", options=list(sc.classes), required=True)
    edited = st.data_editor(
        _default_batch(sc), column_config=cols, num_rows="dynamic", key=BATCH_EDITOR.name, use_container_width=True
    )
    records = edited.to_dict("records") if hasattr(edited, "to_dict") else list(edited)
    weights = None
    if st.toggle("Class weights", key=USE_WEIGHTS.name):
        weights = []
        for i, (c, name) in enumerate(zip(st.columns(sc.n_classes), sc.classes, strict=True)):
            key = weight_key(i)
            key.setdefault()  # set here, not by ``value=``: the URL may set it too
            weights.append(float(c.number_input(f"weight of {md_escape(name)}", 0.0, 100.0, step=0.5, key=key.name)))
    view = batch_view(records, sc.classes, sc.temperature, weights)
    for problem in view.problems:
        st.warning(md_escape(problem))
    BATCH_NOW.set((sc.classes, list(view.rows)))
    if view.mean is None or view.total is None:
        st.info("Add at least one complete row.")
        return
    unit = sc.unit
    lines = "".join(
        f"<tr><th>{k}</th><td>{html_escape(sc.classes[t])}</td><td>{fmt(in_unit(float(v), unit))}</td></tr>"
        for k, ((_, t), v) in enumerate(zip(view.rows, view.losses, strict=True), start=1)
    )
    summary = (
        f'<p class="explain">mean = {fmt(in_unit(view.mean, unit))} {unit} &nbsp; '
        f"sum = {fmt(in_unit(view.total, unit))} {unit}"
    )
    if view.weighted_mean is not None:
        summary += (
            f" &nbsp; weighted mean = {fmt(in_unit(view.weighted_mean, unit))} {unit} "
            "(PyTorch: Σ w<sub>y</sub> ℓ / Σ w<sub>y</sub>)"
        )
    st.html(
        f'<table class="steps"><thead><tr><th>row</th><th>true class</th><th>loss ({unit})</th></tr></thead>'
        f"<tbody>{lines}</tbody></table>{summary}</p>"
    )


def frameworks(sc: Scenario) -> None:
    _state_t(sc)
    eps = float(EPS.get())
    smooth = st.toggle(f"Use the label smoothing ε = {fmt(eps, 2)} from the Soft targets tab", key=FW_SMOOTH.name)
    view = frameworks_view(sc, eps if smooth else 0.0)
    for title, code in view.code:
        st.markdown(f"**{title}**")
        st.code(code, language="python")
    rows = "".join(
        f"<tr><th>{html_escape(v.name)}</th><td>{fmt(v.value)}</td>"
        f'<td class="text">{html_escape(v.convention)}</td></tr>'
        for v in view.values
    )
    st.html(
        '<table class="steps"><thead><tr><th>call</th><th>returns (nats)</th>'
        '<th class="text">convention</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
