"""The Learning page's two sections: gradient steps on the logits, and a tiny classifier.

Page parameters (in the URL beside the shared scenario; each widget key is the
parameter's name):

``lg_lr``      learning rate of the steps on the logits, 0.01 to 10 (default 1)
``lg_step``    the step shown, 0 to 100 (default 0)
``lg_spread``  the clusters' spread (overlap), 0.2 to 3 (default 1)
``lg_seed``    the data set and initial weights, 0 to 9999 (default 0)
``lg_clf_lr``  the classifier's learning rate, 0.01 to 10 (default 0.5)
``lg_epochs``  epochs of training, 10 to 500 (default 200)
``lg_smooth``  label smoothing, 0 to 0.5 (default 0)
``lg_epoch``   the epoch shown, 0 to 500 (default 500: the end of training)
"""

from __future__ import annotations

import math

import numpy as np
import streamlit as st

from core.figures.learning import decision_regions, descent_losses, descent_race, training_curves
from core.figures.playground import gradient_bars, probability_bars
from core.scenario import Scenario
from core.text import fmt
from core.training import DescentPath, TrainingResult, confidently_wrong, decision_grid, logit_descent, make_blobs
from core.training import train_softmax_regression as train
from core.units import in_unit
from ui import animation, controls, present
from ui.chart import chart
from ui.escape import md_escape
from ui.frame import PageParams
from ui.present import style

STEPS = 100
"""Gradient steps computed on the logits (the player goes through them)."""
LR_OPTIONS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0)
N_PER_CLASS = 50
CLASSES = ("cat", "dog", "rabbit")
GRID = 70
"""Decision-region cells per side."""


def nearest_lr(lr: float) -> float:
    return min(LR_OPTIONS, key=lambda o: abs(math.log(o) - math.log(lr)))


PLAYERS = ("lg_step", "lg_epoch")


def epoch_problems(query: dict[str, list[str]]) -> list[str]:
    """An epoch asked for in the URL past the end of the training run is shown as the last one."""
    if "lg_epoch" not in query:
        return []  # the default (the last epoch) is clamped without a word
    epoch, epochs = int(st.session_state["lg_epoch"]), int(st.session_state["lg_epochs"])
    if epoch <= epochs:
        return []
    st.session_state["lg_epoch"] = epochs
    return [f"'lg_epoch' {epoch} is past the last epoch ({epochs}); showing epoch {epochs}."]


PARAMS = PageParams(
    {
        "lg_lr": ((0.01, 10.0), 1.0),
        "lg_step": ((0.0, float(STEPS)), 0.0),
        "lg_spread": ((0.2, 3.0), 1.0),
        "lg_seed": ((0.0, 9999.0), 0.0),
        "lg_clf_lr": ((0.01, 10.0), 0.5),
        "lg_epochs": ((10.0, 500.0), 200.0),
        "lg_smooth": ((0.0, 0.5), 0.0),
        "lg_epoch": ((0.0, 500.0), 500.0),
    },
    snap={
        "lg_lr": nearest_lr,
        "lg_clf_lr": nearest_lr,
        "lg_step": round,
        "lg_seed": round,
        "lg_epochs": lambda v: int(round(v / 10) * 10),
        "lg_epoch": round,
        "lg_spread": lambda v: round(round(v * 10) / 10, 1),
        "lg_smooth": lambda v: round(round(v * 20) / 20, 2),
    },
    read_extra=epoch_problems,
)


# ---- gradient steps on the logits ------------------------------------------------------------
@st.cache_data(max_entries=512, show_spinner=False)
def descent(logits: tuple[float, ...], target: int, temperature: float, lr: float) -> tuple[DescentPath, DescentPath]:
    """Cross-entropy's path and squared error's, from the same logits (shared by every session)."""
    ce = logit_descent(logits, target, lr=lr, steps=STEPS, temperature=temperature)
    se = logit_descent(logits, target, lr=lr, steps=STEPS, loss="squared_error", temperature=temperature)
    return ce, se


def _use_step_logits(values: tuple[float, ...]) -> None:
    controls.set_logits(values)
    animation.reset("lg_step")


def gradient_steps(sc: Scenario) -> None:
    pad, body = st.columns([1, 3], gap="large")
    with pad:
        controls.logits(sc)
        st.caption(
            f"True class: {md_escape(sc.target_name)}; temperature {fmt(sc.temperature, 2)}. "
            "Both are set on the Playground."
        )
        st.button(
            "Start confidently wrong",
            key="lg_wrong",
            icon=":material/sentiment_dissatisfied:",
            on_click=controls.set_logits,
            args=(confidently_wrong(sc.n_classes, sc.target),),
            help="Logits that give the true class almost no probability: where squared error gets stuck.",
            width="stretch",
        )
    with body:
        st.select_slider(
            "Learning rate η",
            options=LR_OPTIONS,
            key="lg_lr",
            help="Each step moves the logits by −η times the gradient.",
        )
        lr = float(st.session_state["lg_lr"])
        ce, se = descent(sc.logits, sc.target, sc.temperature, lr)
        animation.buttons("lg_step", STEPS)

        def draw(k: int) -> None:
            _descent_frame(sc, ce, se, k)

        animation.frames("lg_step", STEPS, draw, label="Step")


def _descent_frame(sc: Scenario, ce: DescentPath, se: DescentPath, k: int) -> None:
    p = ce.probs[k]
    loss = in_unit(float(ce.losses[k]), sc.unit)
    row = st.container(horizontal=True, gap="small")
    row.metric("Step", f"{k} of {STEPS}", border=True)
    row.metric("Cross-entropy", f"{fmt(loss)} {sc.unit}", border=True)
    row.metric(f"p({md_escape(sc.target_name)})", fmt(float(p[sc.target])), border=True)
    row.metric(
        "Squared error's p at this step",
        fmt(float(se.probs[k][sc.target])),
        help="The same start and learning rate, descending squared error on the probabilities instead.",
        border=True,
    )
    probs, grad = st.columns(2)
    with probs:
        chart(probability_bars(sc.classes, p, sc.target, style()), "lg_probs")
    with grad:
        chart(gradient_bars(sc.classes, ce.grads[k], sc.target, style()), "lg_grad")
    losses, race = st.columns(2)
    with losses:
        chart(descent_losses(ce.losses, k, sc.unit, style()), "lg_losses")
    with race:
        chart(descent_race(ce.probs[:, sc.target], se.probs[:, sc.target], k, sc.target_name, style()), "lg_race")
    col = st.columns([1, 1])[0]
    col.button(
        f"Use step {k}'s logits",
        key="lg_use",
        icon=":material/input:",
        on_click=_use_step_logits,
        args=(tuple(float(v) for v in ce.logits[k]),),
        disabled=k == 0,
        help="Make these logits the current example (on every page), and start again from step 0.",
    )


# ---- a tiny classifier -----------------------------------------------------------------------
@st.cache_data(max_entries=256, show_spinner=False)
def trained(
    spread: float, seed: int, lr: float, epochs: int, smoothing: float
) -> tuple[np.ndarray, np.ndarray, TrainingResult, tuple[tuple[float, float], tuple[float, float]]]:
    """The data set, the training run and the map's bounds (deterministic: shared by every session)."""
    X, y = make_blobs(N_PER_CLASS, seed=seed, spread=spread)
    result = train(X, y, lr=lr, epochs=epochs, label_smoothing=smoothing, seed=seed)
    lo, hi = X.min(axis=0) - 0.8, X.max(axis=0) + 0.8
    centre, half = (lo + hi) / 2, float(np.max(hi - lo)) / 2  # a square map, so the plane is not stretched
    bounds = ((centre[0] - half, centre[0] + half), (centre[1] - half, centre[1] + half))
    return X, y, result, bounds


def classifier(sc: Scenario) -> None:
    if not present.active():
        st.markdown(
            "Three clusters of points, one per class, and the simplest classifier that uses softmax: "
            "**p = softmax(x W + b)**, fitted by gradient descent on the mean cross-entropy over all points."
        )
    spread, seed, lr, epochs, smooth = st.columns([1.2, 0.8, 1.4, 1.2, 1.2], gap="medium")
    spread.slider("Overlap (spread)", 0.2, 3.0, step=0.1, key="lg_spread", help="Each cluster's standard deviation.")
    seed.number_input("Seed", 0, 9999, step=1, key="lg_seed", help="Picks the data set and the initial weights.")
    lr.select_slider("Learning rate", options=LR_OPTIONS, key="lg_clf_lr")
    epochs.slider("Epochs", 10, 500, step=10, key="lg_epochs")
    smooth.slider(
        "Label smoothing ε", 0.0, 0.5, step=0.05, key="lg_smooth", help="Targets y(1 − ε) + ε/3, as in PyTorch."
    )
    n_epochs = int(st.session_state["lg_epochs"])
    X, y, result, bounds = trained(
        float(st.session_state["lg_spread"]),
        int(st.session_state["lg_seed"]),
        float(st.session_state["lg_clf_lr"]),
        n_epochs,
        float(st.session_state["lg_smooth"]),
    )
    stride = max(1, n_epochs // 40)
    animation.buttons("lg_epoch", n_epochs, stride=stride, noun="epoch")

    def draw(k: int) -> None:
        _classifier_frame(sc, X, y, result, bounds, k)

    animation.frames("lg_epoch", n_epochs, draw, stride=stride, label="Epoch")


def _classifier_frame(
    sc: Scenario,
    X: np.ndarray,
    y: np.ndarray,
    result: TrainingResult,
    bounds: tuple[tuple[float, float], tuple[float, float]],
    k: int,
) -> None:
    loss = in_unit(float(result.history[k]), sc.unit)
    row = st.container(horizontal=True, gap="small")
    row.metric("Epoch", f"{k} of {len(result.history) - 1}", border=True)
    row.metric("Training loss", f"{fmt(loss)} {sc.unit}", border=True)
    row.metric("Accuracy", f"{fmt(100 * float(result.accuracies[k]), 1)}%", border=True)
    regions, curves = st.columns([1.1, 1], gap="large")
    with regions:
        grid = decision_grid(result.Ws[k], result.bs[k], bounds[0], bounds[1], GRID)
        chart(decision_regions(CLASSES, grid, X, y, style()), "lg_regions")
    with curves:
        chart(training_curves(result.history, result.accuracies, k, sc.unit, style()), "lg_training")
        st.caption(
            "Each epoch takes one step along the mean gradient over all 150 points. "
            "Label smoothing keeps the loss above zero even when every point is right."
        )
