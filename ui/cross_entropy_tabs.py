"""The Cross-entropy page's sections. Numbers from core.losses / core.ce_views, figures from core.figures.

Page parameters (in the URL beside the shared scenario; each widget key is the
parameter's name):

``ce_gamma``      focal loss gamma, 0 to 5 (default 2)
``ce_eps``        label smoothing epsilon, 0 to 1 (default 0.1)
``ce_target``     a typed target distribution, one number per class (absent: the smoothed true class)
``ce_weights``    class weights for the batch, one number per class (absent: no weights)
``ce_fw_smooth``  ``1``: the framework code uses the smoothing ε
``ce_batch``      the batch, rows ``z1,...,zC,class`` separated by ``;`` (absent: the default rows)
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import streamlit as st

from core.ce_views import curves_over_p, framework_values, information, read_batch, write_batch
from core.figures.cross_entropy import gradient_curves, information_bar, loss_curves
from core.figures.playground import gradient_bars
from core.figures.softmax import transform_bars
from core.losses import cross_entropy, cross_entropy_grad, smoothed_target
from core.query import format_number, read_numbers, read_param
from core.scenario import Scenario
from core.softmax import softmax
from core.text import fmt
from core.units import in_unit
from ui import session
from ui.chart import chart
from ui.frame import PageParams
from ui.present import style

BATCH_ROWS = "ce_batch_rows"
"""the batch's starting rows (from the URL, else the defaults), kept for the session"""
BATCH_NOW = "ce_batch_now"
"""the batch's complete rows as edited, for the URL"""


LISTS = (
    # URL parameter, the toggle it turns on, the per-class widget keys, bounds, an empty widget's value
    ("ce_target", "ce_custom", "ce_y", (0.0, 1.0), 0.0),
    ("ce_weights", "ce_use_weights", "ce_w", (0.0, 100.0), 1.0),
)


def _flag(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(f"{text[:20]!r} is not 0 or 1")
    return text == "1"


def _read_extra(query: dict[str, list[str]]) -> list[str]:
    """The list and table parameters, on a session's first visit."""
    sc = session.current()
    problems: list[str] = []
    for key, toggle, item, bounds, _ in LISTS:
        values, p = read_numbers(query, key, sc.n_classes, bounds)
        problems += p
        if values is not None:
            st.session_state[toggle] = True
            for i, v in enumerate(values):
                st.session_state[f"{item}_{i}"] = v
    smooth, why = read_param(query, "ce_fw_smooth", _flag)
    if why is not None:
        problems.append(f"'ce_fw_smooth' ignored ({why}).")
    elif smooth is not None:
        st.session_state["ce_fw_smooth"] = smooth
    rows, p = read_batch(query, "ce_batch", sc.classes)
    problems += p
    if rows is not None:
        st.session_state[BATCH_ROWS] = (sc.classes, rows)
    return problems


def _write_extra() -> dict[str, str]:
    sc = session.current()
    out: dict[str, str] = {}
    for key, toggle, item, _, empty in LISTS:
        if st.session_state.get(toggle):
            values = [st.session_state.get(f"{item}_{i}") for i in range(sc.n_classes)]
            out[key] = ",".join(format_number(float(empty if v is None else v)) for v in values)
    if st.session_state.get("ce_fw_smooth"):
        out["ce_fw_smooth"] = "1"
    now = st.session_state.get(BATCH_NOW)
    if now is not None and now[0] == sc.classes and now[1] != _default_rows(sc):
        out["ce_batch"] = write_batch(now[1], sc.classes)
    return out


PARAMS = PageParams(
    {"ce_gamma": ((0.0, 5.0), 2.0), "ce_eps": ((0.0, 1.0), 0.1)},
    extra_names=frozenset({"ce_target", "ce_weights", "ce_fw_smooth", "ce_batch"}),
    read_extra=_read_extra,
    write_extra=_write_extra,
)
P_GRID = np.unique(np.concatenate([np.geomspace(1e-3, 0.05, 40), np.linspace(0.05, 0.999, 80)]))


def _p_true(sc: Scenario) -> float:
    return float(softmax(sc.logits, temperature=sc.temperature)[sc.target])


# ---- sections -------------------------------------------------------------------------------
def loss_curves_section(sc: Scenario) -> None:
    gamma = float(
        st.slider(
            "Focal loss γ",
            0.0,
            5.0,
            step=0.5,
            key="ce_gamma",
            help="γ = 0 is cross-entropy; larger γ mutes the examples the model already gets right.",
        )
    )
    cv = curves_over_p(P_GRID, sc.n_classes, gamma)
    p_now = _p_true(sc)
    left, right = st.columns(2, gap="large")
    with left:
        chart(loss_curves(cv, p_now, gamma, style()), "ce_loss_curves")
    with right:
        chart(gradient_curves(cv, p_now, gamma, style()), "ce_grad_curves")
    now = curves_over_p(np.array([min(max(p_now, 1e-12), 1 - 1e-12)]), sc.n_classes, gamma)
    st.html(
        f'<p class="explain">The curves put p(true) on the true class and share the rest equally among the other '
        f"{sc.n_classes - 1} classes. Here p({html.escape(sc.target_name)}) = {fmt(p_now)}: cross-entropy pushes its "
        f"logit with {fmt(float(now.ce_grad[0]))}, squared error with {fmt(float(now.se_grad[0]))}, focal with "
        f"{fmt(float(now.focal_grad[0]))}.</p>"
        '<p class="explain"><b>Why cross-entropy keeps learning when confidently wrong.</b> Its gradient is p − 1, '
        "close to −1 when p is near 0, so a wrong, confident model gets the strongest push. Squared error goes "
        "through the softmax's slope p(1 − p), which vanishes as p → 0: the worse the mistake, the weaker the push.</p>"
    )


def target_distribution(sc: Scenario) -> tuple[Any, str, str | None]:
    """The target the Soft targets and Information tabs use, and how it was made.

    Either the one-hot true class smoothed with ε (PyTorch's convention), or a
    distribution the user typed (rescaled to sum to 1, with a warning, if it does not).
    """
    eps = float(st.session_state.get("ce_eps", 0.1))
    if not st.session_state.get("ce_custom", False):
        y = smoothed_target(np.asarray(sc.target), sc.n_classes, eps)
        return y, f"the true class smoothed with ε = {fmt(eps, 2)}", None
    y = np.array([float(st.session_state.get(f"ce_y_{i}", 0.0) or 0.0) for i in range(sc.n_classes)])
    total = float(y.sum())
    if total <= 0:
        problem = "The typed target probabilities sum to 0; using the uniform distribution."
        return np.full(sc.n_classes, 1.0 / sc.n_classes), "uniform", problem
    if abs(total - 1) > 1e-6:
        problem = f"The typed target probabilities sum to {fmt(total)}, not 1; using them rescaled to sum to 1."
        return y / total, "the distribution typed above, rescaled", problem
    return y, "the distribution typed above", None


def soft_targets(sc: Scenario) -> None:
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    eps = float(left.slider("Label smoothing ε", 0.0, 1.0, step=0.05, key="ce_eps"))
    custom = right.toggle("Type the target distribution", key="ce_custom")
    if custom:
        default = smoothed_target(np.asarray(sc.target), sc.n_classes, eps)
        for i, col in enumerate(st.columns(sc.n_classes)):
            st.session_state.setdefault(f"ce_y_{i}", round(float(default[i]), 4))
            col.number_input(f"y({sc.classes[i]})", 0.0, 1.0, step=0.05, format="%.4f", key=f"ce_y_{i}")
    y, how, problem = target_distribution(sc)
    if problem:
        st.warning(problem)
    z = np.asarray(sc.logits, dtype=np.float64)
    p = softmax(z)
    loss = float(cross_entropy(z, y))
    st.html(
        f'<p class="explain">PyTorch\'s convention for smoothing: ỹ = y(1 − ε) + ε/C. The target here is {how}: '
        f"{', '.join(f'{html.escape(c)} {fmt(float(v))}' for c, v in zip(sc.classes, y, strict=True))}. "
        f"Cross-entropy H(ỹ, p) = <b>{fmt(in_unit(loss, sc.unit))} {sc.unit}</b> "
        f"(one-hot, ε = 0: {fmt(in_unit(float(cross_entropy(z, sc.target)), sc.unit))}).</p>"
    )
    left, right = st.columns(2, gap="large")
    with left:
        chart(
            transform_bars(sc.classes, y, p, ("target ỹ", "prediction p"), sc.target, style(), "soft"), "ce_soft_bars"
        )
    with right:
        chart(
            gradient_bars(sc.classes, cross_entropy_grad(z, sc.target, label_smoothing=eps), sc.target, style()),
            "ce_soft_grad",
        )
    st.caption("The gradient is p − ỹ: with smoothing it stops pushing once p(true) reaches 1 − ε + ε/C, not 1.")


def information_section(sc: Scenario) -> None:
    y, how, _ = target_distribution(sc)
    h, kl, _ = information(sc.logits, y)
    chart(information_bar(h, kl, sc.unit, style()), "ce_information")
    st.html(
        f'<p class="explain">With the target of the Soft targets tab ({html.escape(how)}): '
        f"H(ỹ) = {fmt(in_unit(h, sc.unit))} {sc.unit} is the cost no model can avoid, the target's own "
        f"uncertainty; KL(ỹ ‖ p) = {fmt(in_unit(kl, sc.unit))} {sc.unit} is what this model adds by predicting p "
        f"instead of ỹ. Training can only shrink the KL part; with a one-hot target (ε = 0) H(y) = 0 and the "
        "whole loss is divergence.</p>"
    )


def _weight_key(i: int) -> str:
    """The weight widget's key, its value defaulting to 1 (set here, not by ``value=``: the URL may set it too)."""
    st.session_state.setdefault(f"ce_w_{i}", 1.0)
    return f"ce_w_{i}"


def _default_rows(sc: Scenario) -> list[tuple[tuple[float, ...], int]]:
    rows = [
        tuple(sc.logits),
        tuple(3.0 if i == sc.target else 0.0 for i in range(sc.n_classes)),
        tuple(3.0 if i == (sc.target + 1) % sc.n_classes else 0.0 for i in range(sc.n_classes)),
        (0.0,) * sc.n_classes,
    ]
    return [(tuple(float(v) for v in r), sc.target) for r in rows]


def _default_batch(sc: Scenario) -> list[dict[str, Any]]:
    """The editor's starting rows: from the URL when it gave some for these classes, else the defaults."""
    start = st.session_state.get(BATCH_ROWS)
    rows = start[1] if start is not None and start[0] == sc.classes else _default_rows(sc)
    return [{**{c: float(v) for c, v in zip(sc.classes, z, strict=True)}, "target": sc.classes[t]} for z, t in rows]


def batch(sc: Scenario) -> None:
    st.caption("Edit any cell; add or delete rows. Each row is one example: a logit per class and its true class.")
    cols: dict[str, Any] = {c: st.column_config.NumberColumn(c, format="%.4g", required=True) for c in sc.classes}
    cols["target"] = st.column_config.SelectboxColumn("true class", options=list(sc.classes), required=True)
    edited = st.data_editor(
        _default_batch(sc), column_config=cols, num_rows="dynamic", key="ce_batch", use_container_width=True
    )
    rows = edited.to_dict("records") if hasattr(edited, "to_dict") else list(edited)
    z, t, skipped = [], [], []
    for k, r in enumerate(rows, start=1):
        values = [r.get(c) for c in sc.classes]
        if r.get("target") not in sc.classes or any(v is None or not np.isfinite(v) for v in values):
            skipped.append(k)
            continue
        z.append([float(v) for v in values])
        t.append(sc.classes.index(r["target"]))
    if skipped:
        st.warning(f"Rows {', '.join(map(str, skipped))} skipped: every cell needs a finite number and a class.")
    st.session_state[BATCH_NOW] = (sc.classes, [(tuple(r), k) for r, k in zip(z, t, strict=True)])
    if not z:
        st.info("Add at least one complete row.")
        return
    zs, ts = np.asarray(z), np.asarray(t, dtype=np.int64)
    use_w = st.toggle("Class weights", key="ce_use_weights")
    w = None
    if use_w:
        wcols = st.columns(sc.n_classes)
        w = np.array(
            [
                c.number_input(f"weight of {name}", 0.0, 100.0, step=0.5, key=_weight_key(i))
                for i, (c, name) in enumerate(zip(wcols, sc.classes, strict=True))
            ]
        )
        if not w[ts].sum() > 0:
            st.warning("The weights of these examples' classes sum to 0: the weighted mean is undefined.")
            w = None
    per = cross_entropy(zs, ts, reduction="none")
    unit = sc.unit
    lines = "".join(
        f"<tr><th>{k}</th><td>{html.escape(sc.classes[ti])}</td><td>{fmt(in_unit(float(v), unit))}</td></tr>"
        for k, (ti, v) in enumerate(zip(ts, per, strict=True), start=1)
    )
    mean = float(cross_entropy(zs, ts))
    total = float(cross_entropy(zs, ts, reduction="sum"))
    summary = (
        f'<p class="explain">mean = {fmt(in_unit(mean, unit))} {unit} &nbsp; sum = {fmt(in_unit(total, unit))} {unit}'
    )
    if w is not None:
        wmean = float(cross_entropy(zs, ts, weight=w))
        summary += (
            f" &nbsp; weighted mean = {fmt(in_unit(wmean, unit))} {unit} (PyTorch: Σ w<sub>y</sub> ℓ / Σ w<sub>y</sub>)"
        )
    st.html(
        f'<table class="steps"><thead><tr><th>row</th><th>true class</th><th>loss ({unit})</th></tr></thead>'
        f"<tbody>{lines}</tbody></table>{summary}</p>"
    )


def frameworks(sc: Scenario) -> None:
    eps = float(st.session_state.get("ce_eps", 0.1))
    smooth = st.toggle(f"Use the label smoothing ε = {fmt(eps, 2)} from the Soft targets tab", key="ce_fw_smooth")
    e = eps if smooth else 0.0
    z = ", ".join(format_number(v) for v in sc.logits)
    t = sc.target
    ls = f", label_smoothing={format_number(e)}" if e else ""
    c = sc.n_classes
    one_hot = f"tf.one_hot([{t}], {c})"
    torch_code = (
        f"import torch\nimport torch.nn.functional as F\n\nlogits = torch.tensor([[{z}]], dtype=torch.float64)\n"
        f"target = torch.tensor([{t}])  # {sc.target_name}\nF.cross_entropy(logits, target{ls})"
    )
    keras_code = (
        f"import keras\nimport tensorflow as tf\n\nlogits = tf.constant([[{z}]], dtype=tf.float64)\n"
        f"y = {one_hot}\nkeras.losses.CategoricalCrossentropy(from_logits=True{ls})(y, logits)\n"
        f"# on probabilities instead: clipped to [1e-7, 1 - 1e-7]\n"
        f"keras.losses.CategoricalCrossentropy(from_logits=False{ls})(y, tf.nn.softmax(logits))"
    )
    numpy_code = (
        f"import numpy as np\n\nz = np.array([{z}])\ny = np.eye({c})[{t}]"
        + (f" * (1 - {format_number(e)}) + {format_number(e)} / {c}" if e else "")
        + "\np = np.exp(z) / np.exp(z).sum()  # naive: overflows past z ≈ 710\n-(y * np.log(p)).sum()"
    )
    for title, code in (("PyTorch", torch_code), ("Keras", keras_code), ("NumPy", numpy_code)):
        st.markdown(f"**{title}**")
        st.code(code, language="python")
    rows = "".join(
        f"<tr><th>{html.escape(v.name)}</th><td>{fmt(v.value)}</td>"
        f'<td class="text">{html.escape(v.convention)}</td></tr>'
        for v in framework_values(sc.logits, sc.target, e)
    )
    st.html(
        '<table class="steps"><thead><tr><th>call</th><th>returns (nats)</th>'
        '<th class="text">convention</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
