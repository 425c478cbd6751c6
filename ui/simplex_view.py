"""The Simplex page: with three classes every prediction is a point in a triangle.

Page parameters (in the URL beside the shared scenario; each widget key is the
parameter's name):

``sx_lr``     learning rate of the gradient-descent path, 0.01 to 10 (default 1)
``sx_steps``  gradient steps drawn, 1 to 100 (default 30)
``sx_b``      with more than three classes, the second corner's class index (default: most probable)
``sx_c``      the third corner's class index (default: the next most probable)
"""

from __future__ import annotations

import streamlit as st

from core.descent import LEARNING_RATES
from core.panels import simplex_panel
from core.query import nearest_on_log_scale
from core.scenario import MAX_CLASSES, Scenario
from core.simplex import corners
from core.text import temperature_rule
from ui import controls, live_panel, present, session
from ui.escape import md_escape
from ui.frame import PageParams
from ui.present import style
from ui.session import Key

LR: Key[float] = Key("sx_lr", 1.0)
STEPS: Key[int] = Key("sx_steps", 30)
SECOND: Key[int] = Key("sx_b", -1)
"""The second corner's class index; -1: the most probable other class."""
THIRD: Key[int] = Key("sx_c", -1)
CORNERS = (SECOND, THIRD)


def corner_problems(_query: dict[str, list[str]]) -> list[str]:
    """Corners asked for in the URL that cannot be shown (the true class, no such class, twice).

    The problems are plain text (the frame escapes warnings where it shows them).
    """
    sc = session.current()
    if sc.n_classes < 3:
        return []
    wanted = [int(k.get()) for k in CORNERS]
    shown = corners(sc.logits, sc.target, temperature=sc.temperature, wanted=wanted)
    return [
        f"'{key.name}' {w} cannot be a corner (the true class, a repeat, or no such class); showing "
        f"{sc.classes[shown[k + 1]]} instead."
        for k, (key, w) in enumerate(zip(CORNERS, wanted, strict=True))
        if w != -1 and shown[k + 1] != w
    ]


PARAMS = PageParams(
    {
        LR.name: ((0.01, 10.0), LR.default),
        STEPS.name: ((1.0, 100.0), STEPS.default),
        SECOND.name: ((-1.0, MAX_CLASSES - 1.0), SECOND.default),
        THIRD.name: ((-1.0, MAX_CLASSES - 1.0), THIRD.default),
    },
    snap={
        LR.name: nearest_on_log_scale(LEARNING_RATES),
        STEPS.name: round,
        SECOND.name: round,
        THIRD.name: round,
    },
    read_extra=corner_problems,
)


def body(sc: Scenario) -> None:
    if sc.n_classes < 3:  # a triangle needs three corners; two classes are a point on a line
        st.info(
            "The triangle needs three classes, and this example has two. With two classes the "
            "probabilities are a point on a line, p and 1 − p: add a class to see the triangle."
        )
        st.button("Add a class", key="sx_add_class", on_click=controls.add_class)
        return
    extra = {"lr": float(LR.get()), "steps": int(STEPS.get()), "corners": [int(SECOND.get()), int(THIRD.get())]}
    panel = simplex_panel(sc, extra, style())
    SECOND.set(panel["state"]["corners"][0])
    THIRD.set(panel["state"]["corners"][1])
    # Under the logits, what a drag moves first (the loss, p): on a phone, where the columns stack, it stays
    # next to the finger; the triangle, its own settings under it, then the words.
    columns = st.columns([1.4, 2.6] if present.active() else [1.3, 2.3, 1.0], gap="large")
    with columns[0]:
        # a drag keeps the corners shown now (the first run may have asked for "the most probable": -1)
        controls.logits(sc, live_panel.context("simplex", sc, {**extra, "corners": panel["state"]["corners"]}))
        st.caption(md_escape(temperature_rule(sc.temperature) + " The point and the gradient steps use it."))
        live_panel.show(panel, "facts")
    with columns[1]:
        live_panel.show(panel, "graph")
        rate, steps = st.columns(2)
        rate.select_slider(
            "Learning rate of the gradient steps",
            options=LEARNING_RATES,
            key=LR.name,
            help="The black path's step size.",
        )
        steps.slider("Gradient steps drawn", 1, 100, key=STEPS.name)
        if sc.n_classes > 3:
            others = [i for i in range(sc.n_classes) if i != sc.target]
            for column, (key, label) in zip(
                st.columns(2), ((SECOND, "Second corner"), (THIRD, "Third corner")), strict=True
            ):
                column.selectbox(
                    label,
                    options=others,
                    format_func=lambda i: sc.classes[i],  # options are plain text (not markdown)
                    key=key.name,
                    help="The true class is always the top corner.",
                )
    if present.active():  # fewer words on a projector
        return
    with columns[2]:
        st.markdown(
            "**Reading the triangle.** Each corner is a certain prediction; the centre is uniform. "
            f"The shaded bands are lines of equal loss: cross-entropy only looks at p({md_escape(sc.target_name)}), "
            "so they run parallel to the bottom edge.\n\n"
            "The **dashed blue path** is p as the temperature goes from 0.01 (a corner) to 100 (the centre). "
            "The **solid path** with triangles is gradient descent on the logits: it heads for the top corner."
        )
