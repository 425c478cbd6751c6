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

from core.figures.simplex import simplex_chart
from core.scenario import MAX_CLASSES, Scenario
from core.simplex import contour_levels, pick_three, simplex_view
from core.softmax import softmax
from core.text import fmt
from core.units import in_unit
from ui import controls, present, session
from ui.chart import chart
from ui.escape import md_escape
from ui.frame import PageParams
from ui.learning_tabs import LR_OPTIONS, nearest_lr
from ui.present import style


def corner_problems(_query: dict[str, list[str]]) -> list[str]:
    """Corners asked for in the URL that cannot be shown (the true class, no such class, twice)."""
    sc = session.current()
    wanted = [int(st.session_state[k]) for k in ("sx_b", "sx_c")]
    shown = pick_three(softmax(sc.logits, temperature=sc.temperature), sc.target, wanted) if sc.n_classes >= 3 else ()
    return [
        f"'{key}' {w} cannot be a corner (the true class, a repeat, or no such class); showing "
        f"{md_escape(sc.classes[shown[k + 1]])} instead."
        for k, (key, w) in enumerate(zip(("sx_b", "sx_c"), wanted, strict=True))
        if w != -1 and shown and shown[k + 1] != w
    ]


PARAMS = PageParams(
    {
        "sx_lr": ((0.01, 10.0), 1.0),
        "sx_steps": ((1.0, 100.0), 30.0),
        "sx_b": ((-1.0, MAX_CLASSES - 1.0), -1.0),
        "sx_c": ((-1.0, MAX_CLASSES - 1.0), -1.0),
    },
    snap={
        "sx_lr": nearest_lr,
        "sx_steps": round,
        "sx_b": round,
        "sx_c": round,
    },
    read_extra=corner_problems,
)


def body(sc: Scenario) -> None:
    wanted = (int(st.session_state["sx_b"]), int(st.session_state["sx_c"]))
    view = simplex_view(
        sc.logits,
        sc.target,
        temperature=sc.temperature,
        wanted=wanted,
        lr=float(st.session_state["sx_lr"]),
        steps=int(st.session_state["sx_steps"]),
    )
    st.session_state["sx_b"], st.session_state["sx_c"] = view.classes[1], view.classes[2]
    names = [sc.classes[i] for i in view.classes]
    pad, graph, facts = st.columns([1.3, 2.3, 1.2] if present.active() else [1, 2.3, 1.1], gap="large")
    with pad:
        controls.logits(sc)
        st.select_slider(
            "Learning rate of the gradient steps", options=LR_OPTIONS, key="sx_lr", help="The black path's step size."
        )
        st.slider("Gradient steps drawn", 1, 100, key="sx_steps")
        if sc.n_classes > 3:
            others = [i for i in range(sc.n_classes) if i != sc.target]
            for key, label in (("sx_b", "Second corner"), ("sx_c", "Third corner")):
                st.selectbox(
                    label,
                    options=others,
                    format_func=lambda i: md_escape(sc.classes[i]),
                    key=key,
                    help="The true class is always the top corner.",
                )
    with graph:
        chart(simplex_chart(names, view, sc.temperature, contour_levels(sc.unit), sc.unit, style()), "sx_simplex")
    with facts:
        shown = in_unit(view.loss_shown, sc.unit)
        st.metric(
            "Loss on the triangle",
            f"{fmt(shown)} {sc.unit}",
            help=f"Cross-entropy −log p({md_escape(names[0])}) of the point shown.",
            border=True,
        )
        st.markdown("\n".join(f"- p({md_escape(n)}) = {fmt(float(v))}" for n, v in zip(names, view.now, strict=True)))
        if sc.n_classes > 3:
            rest = [md_escape(sc.classes[i]) for i in range(sc.n_classes) if i not in view.classes]
            st.info(
                f"**{sc.n_classes - 3} more classes** ({', '.join(rest)}) hold {fmt(100 * view.rest, 2)}% of the "
                "probability. The triangle shows the three chosen classes' probabilities rescaled to sum to 1, "
                "which is exactly softmax over their three logits. The full cross-entropy is "
                f"{fmt(in_unit(view.loss_full, sc.unit))} {sc.unit}: the loss on the triangle plus −log of the "
                "three classes' share.",
                icon=":material/info:",
            )
        if present.active():  # fewer words on a projector
            return
        st.markdown(
            "**Reading the triangle.** Each corner is a certain prediction; the centre is uniform. "
            f"The shaded bands are lines of equal loss: cross-entropy only looks at p({md_escape(names[0])}), "
            "so they run parallel to the bottom edge.\n\n"
            "The **dashed blue path** is p as the temperature goes from 0.01 (a corner) to 100 (the centre). "
            "The **solid path** with triangles is gradient descent on the logits: it heads for the top corner."
        )
