"""The Playground's controls: logits, true class, temperature, unit, presets, classes.

Every widget is keyed and shows the Scenario's value: :func:`sync_widgets` puts
the values into session state before the widgets render, and each widget's
callback turns its new value into a new Scenario (or, for a bad edit, keeps the
last good one and says why).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import streamlit as st

from core.presets import PRESETS, apply_preset
from core.state import LOGIT_SLIDER, MAX_CLASSES, MAX_NAME_LENGTH, MIN_CLASSES, TEMPERATURE_RANGE, Scenario
from core.text import fmt
from ui import scenario as state
from ui.text import md_escape

NAME_ERROR = "pg_name_error"


def slider_key(i: int) -> str:
    return f"pg_logit_{i}"


def exact_key(i: int) -> str:
    return f"pg_logit_exact_{i}"


def name_key(i: int) -> str:
    return f"pg_name_{i}"


def _clamp(z: float) -> float:
    lo, hi = LOGIT_SLIDER
    return min(max(z, lo), hi)


def widget_values(sc: Scenario) -> dict[str, Any]:
    """The value each Playground widget must show for ``sc``."""
    values: dict[str, Any] = {"target": sc.target, "temperature": sc.temperature, "unit": sc.unit}
    for i, (name, z) in enumerate(zip(sc.classes, sc.logits, strict=True)):
        values[slider_key(i)] = _clamp(z)
        values[exact_key(i)] = z
        values[name_key(i)] = name
    return values


def sync_widgets(sc: Scenario) -> None:
    """Put ``sc`` into the widgets' session state (call before they render)."""
    for key, value in widget_values(sc).items():
        if st.session_state.get(key) != value:
            st.session_state[key] = value


# ---- callbacks: widget value -> new Scenario ------------------------------------
def _edit(change: Callable[[Scenario], Scenario]) -> None:
    try:
        state.update(change(state.current()))
    except ValueError as exc:
        state.notify(str(exc))


def _on_slider(i: int) -> None:
    _edit(lambda sc: sc.with_logit(i, float(st.session_state[slider_key(i)])))


def _on_exact(i: int) -> None:
    value = st.session_state[exact_key(i)]
    if value is None:  # the field was emptied: keep the logit it had
        st.session_state[exact_key(i)] = state.current().logits[i]
        return
    _edit(lambda sc: sc.with_logit(i, float(value)))


def _on_target() -> None:
    _edit(lambda sc: replace(sc, target=int(st.session_state["target"])))


def _on_temperature() -> None:
    _edit(lambda sc: replace(sc, temperature=float(st.session_state["temperature"])))


def _on_unit() -> None:
    _edit(lambda sc: replace(sc, unit=st.session_state["unit"]))


def _on_preset(name: str) -> None:
    _edit(lambda sc: apply_preset(name, sc))


def _on_rename(i: int) -> None:
    sc = state.current()
    try:
        state.update(sc.renamed(i, str(st.session_state[name_key(i)])))
        st.session_state.pop(NAME_ERROR, None)
    except ValueError as exc:
        st.session_state[name_key(i)] = sc.classes[i]  # the last good name stays
        st.session_state[NAME_ERROR] = f"Kept “{sc.classes[i]}”: {exc}."


def _on_add() -> None:
    _edit(lambda sc: sc.with_class_added())


def _on_remove(i: int) -> None:
    _edit(lambda sc: sc.with_class_removed(i))


# ---- widgets ----------------------------------------------------------------------
def presets() -> None:
    row = st.container(horizontal=True, gap="small")
    for k, name in enumerate(PRESETS):
        row.button(name, key=f"pg_preset_{k}", on_click=_on_preset, args=(name,))


def logits(sc: Scenario) -> None:
    """One row per class: a slider for -10..10 and an exact entry for any finite value."""
    lo, hi = LOGIT_SLIDER
    for i, name in enumerate(sc.classes):
        true_mark = " ✓ true class" if i == sc.target else ""
        slide, exact = st.columns([3, 1.3], vertical_alignment="bottom")
        slide.slider(
            f"Logit of **{md_escape(name)}**{true_mark}",
            min_value=lo,
            max_value=hi,
            step=0.1,
            key=slider_key(i),
            on_change=_on_slider,
            args=(i,),
            help="Drag, or focus and use the arrow keys (±0.1).",
        )
        exact.number_input(
            f"Exact logit of {md_escape(name)}",
            step=0.1,
            format="%.6g",
            key=exact_key(i),
            on_change=_on_exact,
            args=(i,),
            label_visibility="collapsed",
            help="Any finite number, e.g. -0.356675 or 1e4.",
        )
        if not lo <= sc.logits[i] <= hi:
            slide.caption(f"The logit is {fmt(sc.logits[i])}: beyond the slider's range.")


def target_temperature_unit(sc: Scenario) -> None:
    names = sc.classes
    st.segmented_control(
        "True class",
        options=list(range(sc.n_classes)),
        format_func=lambda i: md_escape(names[i]),
        key="target",
        required=True,
        on_change=_on_target,
        width="stretch",
    )
    temp, unit = st.columns([3, 1.3], vertical_alignment="bottom")
    lo, hi = TEMPERATURE_RANGE
    temp.slider(
        "Temperature T",
        min_value=lo,
        max_value=hi,
        step=0.05,
        key="temperature",
        on_change=_on_temperature,
        help="Divides every logit before softmax: T < 1 sharpens, T > 1 flattens.",
    )
    unit.segmented_control(
        "Loss unit",
        options=["nats", "bits"],
        key="unit",
        required=True,
        on_change=_on_unit,
        width="stretch",
        help="nats use the natural log; bits use log base 2 (1 bit = ln 2 nats).",
    )


def class_editor(sc: Scenario) -> None:
    with st.expander(f"Edit classes ({MIN_CLASSES} to {MAX_CLASSES})"):
        error = st.session_state.get(NAME_ERROR)
        if error:
            st.error(md_escape(error), icon=":material/error:")
        for i in range(sc.n_classes):
            name, remove = st.columns([4, 1], vertical_alignment="bottom")
            name.text_input(
                f"Name of class {i + 1}",
                key=name_key(i),
                max_chars=MAX_NAME_LENGTH,
                on_change=_on_rename,
                args=(i,),
            )
            remove.button(
                "Remove",
                key=f"pg_remove_{i}",
                on_click=_on_remove,
                args=(i,),
                disabled=sc.n_classes <= MIN_CLASSES,
                help=f"Remove class {i + 1}",
            )
        st.button(
            "Add a class", key="pg_add", on_click=_on_add, disabled=sc.n_classes >= MAX_CLASSES, icon=":material/add:"
        )
        st.caption(f"Names: unique, 1 to {MAX_NAME_LENGTH} characters, no commas.")
