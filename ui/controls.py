"""The Playground's controls: logits, true class, temperature, unit, presets, classes.

The Scenario is the single source of truth, and the script never writes a
widget's state. Each widget gets its value from the Scenario through ``value=``
and a key with a revision: when an edit from one widget (or a preset, or the
class editor) changes what *another* widget shows, that other widget's revision
goes up, so it is created afresh with the new value. A stale value still in the
browser then belongs to a key that no longer exists and can never overwrite a
newer one (two widgets bound to one logit would otherwise race while dragging).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import streamlit as st

from core.presets import PRESETS, apply_preset
from core.scenario import LOGIT_SLIDER, MAX_CLASSES, MAX_NAME_LENGTH, MIN_CLASSES, TEMPERATURE_RANGE, Scenario
from core.text import fmt
from ui import logit_pad, present, session
from ui.escape import md_escape
from ui.session import Key

CONTROLS_ENV = "EXPLORER_CONTROLS"
"""Set to ``slider`` to serve Streamlit's own sliders instead of the live pad (the benchmarks' reference)."""

NAME_ERROR: Key[str | None] = Key("pg_name_error", None)
"""Why the last rename was refused, until a rename succeeds."""
REVISIONS: Key[dict[str, int]] = Key("pg_revisions", {})
"""Each widget base name's revision (see the module's docstring)."""
_UNSET = object()


def slider_base(i: int) -> str:
    return f"pg_logit_{i}"


def exact_base(i: int) -> str:
    return f"pg_logit_exact_{i}"


def name_base(i: int) -> str:
    return f"pg_name_{i}"


def key(base: str) -> str:
    """The widget key for ``base`` now: ``base`` itself until its first revision."""
    rev = REVISIONS.get().get(base, 0)
    return base if rev == 0 else f"{base}~{rev}"


def _clamp(z: float) -> float:
    lo, hi = LOGIT_SLIDER
    return min(max(z, lo), hi)


def widget_values(sc: Scenario) -> dict[str, Any]:
    """The value each Playground widget must show for ``sc``, by widget base name."""
    values: dict[str, Any] = {"target": sc.target, "temperature": sc.temperature, "unit": sc.unit}
    for i, (name, z) in enumerate(zip(sc.classes, sc.logits, strict=True)):
        values[slider_base(i)] = _clamp(z)
        values[exact_base(i)] = z
        values[name_base(i)] = name
    return values


def _bump(*bases: str) -> None:
    revs = REVISIONS.setdefault({})
    for base in bases:
        revs[base] = revs.get(base, 0) + 1


def _commit(new: Scenario, source: str | None) -> None:
    """Make ``new`` current; refresh every widget but ``source`` whose value it changes."""
    old = session.current()
    before = widget_values(old)
    after = widget_values(new)
    _bump(*(b for b, v in after.items() if b != source and before.get(b, _UNSET) != v))
    if source != logit_pad.KEY:
        logit_pad.drag_over()
        if new.logits != old.logits:
            logit_pad.new_epoch()
    session.update(new)


# ---- callbacks: widget value -> new Scenario ------------------------------------
# Each callback gets the key its widget was created with. A widget whose key is no
# longer current was replaced after another edit: its value is stale, so it is ignored.
def _fresh(base: str, widget_key: str) -> bool:
    return widget_key == key(base)


def _edit(change: Callable[[Scenario], Scenario], source: str | None = None) -> None:
    try:
        _commit(change(session.current()), source)
    except ValueError as exc:
        if source is not None:
            _bump(source)  # show the last good value again
        session.notify(str(exc))


def _on_slider(i: int, widget_key: str) -> None:
    if _fresh(slider_base(i), widget_key):
        value = float(st.session_state[widget_key])
        _edit(lambda sc: sc.with_logit(i, value), slider_base(i))


def _on_exact(i: int, widget_key: str) -> None:
    if not _fresh(exact_base(i), widget_key):
        return
    value = st.session_state[widget_key]
    if value is None:  # the field was emptied: show the logit it had
        _bump(exact_base(i))
        return
    _edit(lambda sc: sc.with_logit(i, float(value)), exact_base(i))


def _on_target(widget_key: str) -> None:
    if _fresh("target", widget_key):
        target = int(st.session_state[widget_key])
        _edit(lambda sc: replace(sc, target=target), "target")


def _on_temperature(widget_key: str) -> None:
    if _fresh("temperature", widget_key):
        temperature = float(st.session_state[widget_key])
        _edit(lambda sc: replace(sc, temperature=temperature), "temperature")


def _on_unit(widget_key: str) -> None:
    if _fresh("unit", widget_key):
        unit = st.session_state[widget_key]
        _edit(lambda sc: replace(sc, unit=unit), "unit")


def _on_pad() -> None:
    sc = session.current()
    values = logit_pad.read(logit_pad.latest(), sc.n_classes)
    if values is not None:  # read() returns only finite logits, one per class: a valid scenario
        _commit(replace(sc, logits=tuple(values)), logit_pad.KEY)


def set_logits(values: tuple[float, ...]) -> None:
    """Make ``values`` the current logits (a callback for buttons on other pages)."""
    _edit(lambda sc: replace(sc, logits=tuple(values)))


def _on_preset(name: str) -> None:
    _edit(lambda sc: apply_preset(name, sc))


def _on_rename(i: int, widget_key: str) -> None:
    if not _fresh(name_base(i), widget_key):
        return
    sc = session.current()
    try:
        _commit(sc.renamed(i, str(st.session_state[widget_key])), name_base(i))
        NAME_ERROR.set(None)
    except ValueError as exc:
        _bump(name_base(i))  # the last good name stays
        NAME_ERROR.set(f"Kept “{sc.classes[i]}”: {exc}.")


def _on_add() -> None:
    _edit(lambda sc: sc.with_class_added())


add_class = _on_add
"""A button's callback that adds a class to the example (the Simplex page offers it with two classes)."""


def _on_remove(i: int) -> None:
    _edit(lambda sc: sc.with_class_removed(i))


# ---- widgets ----------------------------------------------------------------------
def presets() -> None:
    row = st.container(horizontal=True, gap="small")
    for k, name in enumerate(PRESETS):
        row.button(name, key=f"pg_preset_{k}", on_click=_on_preset, args=(name,))


def logits(sc: Scenario, live: Mapping[str, Any] | None = None) -> None:
    """The live logit pad: sends values while dragging; exact entry for any finite value.

    ``live`` is the page's live context (:func:`ui.live_panel.context`): with it, a drag goes
    over the live route and the page's panel follows it without a rerun.
    """
    if os.environ.get(CONTROLS_ENV) == "slider":
        logits_native(sc)
    else:
        logit_pad.logit_pad(sc.classes, sc.logits, sc.target, _on_pad, live)


def logits_native(sc: Scenario) -> None:
    """Streamlit's own widgets, one row per class: st.slider (-10..10) and st.number_input.

    The reference the benchmarks measure the live pad against (EXPLORER_CONTROLS=slider):
    st.slider sends its value only when the pointer is released.
    """
    lo, hi = LOGIT_SLIDER
    for i, name in enumerate(sc.classes):
        true_mark = " ✓ true class" if i == sc.target else ""
        slide, exact = st.columns([3, 1.3], vertical_alignment="bottom")
        slider_key, exact_key = key(slider_base(i)), key(exact_base(i))
        slide.slider(
            f"Logit of {md_escape(name)}{true_mark}",
            min_value=lo,
            max_value=hi,
            step=0.1,
            value=_clamp(sc.logits[i]),
            key=slider_key,
            on_change=_on_slider,
            args=(i, slider_key),
            help="Drag, or focus and use the arrow keys (±0.1).",
        )
        exact.number_input(
            f"Exact logit of {md_escape(name)}",
            step=0.1,
            format="%.6g",
            value=sc.logits[i],
            key=exact_key,
            on_change=_on_exact,
            args=(i, exact_key),
            label_visibility="collapsed",
            help="Any finite number, e.g. -0.356675 or 1e4.",
        )
        if not lo <= sc.logits[i] <= hi:
            slide.caption(f"The logit is {fmt(sc.logits[i])}: beyond the slider's range.")


def settings(sc: Scenario) -> None:
    """The toolbar: true class, temperature, unit and the class editor, in one row."""
    names = sc.classes
    # on a projector the text is 1.35 times larger: the unit and "Edit classes" need more of the row to stay whole
    widths = [3, 2, 1.6, 1.9] if present.active() else [3, 2.2, 1.3, 1.2]
    target, temp, unit, edit = st.columns(widths, vertical_alignment="bottom", gap="medium")
    target.segmented_control(
        "True class",
        options=list(range(sc.n_classes)),
        format_func=lambda i: md_escape(names[i]),
        default=sc.target,
        key=key("target"),
        required=True,
        on_change=_on_target,
        args=(key("target"),),
        width="stretch",
        wrap=True,  # ten classes take several rows, every one in sight (a single row scrolled, hiding half)
    )
    lo, hi = TEMPERATURE_RANGE
    temp.slider(
        "Temperature T",
        min_value=lo,
        max_value=hi,
        step=0.05,
        value=sc.temperature,
        key=key("temperature"),
        on_change=_on_temperature,
        args=(key("temperature"),),
        help="Divides every logit before softmax: T < 1 sharpens, T > 1 flattens.",
    )
    unit.segmented_control(
        "Loss unit",
        options=["nats", "bits"],
        default=sc.unit,
        key=key("unit"),
        required=True,
        on_change=_on_unit,
        args=(key("unit"),),
        width="stretch",
        help="nats use the natural log; bits use log base 2 (1 bit = ln 2 nats).",
    )
    with edit:
        class_editor(sc)


def class_editor(sc: Scenario) -> None:
    with st.popover("Edit classes", icon=":material/edit:", width="stretch"):
        st.markdown(f"**Classes** ({MIN_CLASSES} to {MAX_CLASSES})")
        error = NAME_ERROR.get()
        if error:
            st.error(md_escape(error), icon=":material/error:")
        for i in range(sc.n_classes):
            name, remove = st.columns([4, 1], vertical_alignment="bottom")
            name.text_input(
                f"Name of class {i + 1}",
                value=sc.classes[i],
                key=key(name_base(i)),
                max_chars=MAX_NAME_LENGTH,
                on_change=_on_rename,
                args=(i, key(name_base(i))),
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
