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

import streamlit as st

from core.descent import LEARNING_RATES, DescentSteps, confidently_wrong, descent_steps
from core.figures.learning import decision_regions, descent_losses, descent_race, training_curves
from core.figures.playground import gradient_bars, probability_bars
from core.query import nearest_on_log_scale, snap_to_step
from core.scenario import Scenario
from core.text import fmt, fmt_prob, temperature_rule
from core.training import ClassifierRun, classifier_frame, train_classifier
from ui import animation, controls, present
from ui.chart import chart
from ui.escape import md_escape
from ui.frame import PageParams, readout, write_url
from ui.present import style
from ui.session import Key

STEPS = 100
"""Gradient steps computed on the logits (the player goes through them)."""
N_PER_CLASS = 50
CLASSES = ("cat", "dog", "rabbit")
GRID = 70
"""Decision-region cells per side."""

LR: Key[float] = Key("lg_lr", 1.0)
STEP: Key[int] = Key("lg_step", 0)
SPREAD: Key[float] = Key("lg_spread", 1.0)
SEED: Key[int] = Key("lg_seed", 0)
CLF_LR: Key[float] = Key("lg_clf_lr", 0.5)
EPOCHS: Key[int] = Key("lg_epochs", 200)
SMOOTH: Key[float] = Key("lg_smooth", 0.0)
EPOCH: Key[int] = Key("lg_epoch", 500)
"""The epoch shown; its default (past any run) shows the end of training."""
WRONG = "lg_wrong"
USE = "lg_use"
"""Button keys (no state of their own)."""


PLAYERS = (STEP.name, EPOCH.name)


def epoch_problems(query: dict[str, list[str]]) -> list[str]:
    """An epoch asked for in the URL past the end of the training run is shown as the last one."""
    if EPOCH.name not in query:
        return []  # the default (the last epoch) is clamped without a word
    epoch, epochs = int(EPOCH.get()), int(EPOCHS.get())
    if epoch <= epochs:
        return []
    EPOCH.set(epochs)
    return [f"'{EPOCH.name}' {epoch} is past the last epoch ({epochs}); showing epoch {epochs}."]


PARAMS = PageParams(
    {
        LR.name: ((0.01, 10.0), LR.default),
        STEP.name: ((0.0, float(STEPS)), STEP.default),
        SPREAD.name: ((0.2, 3.0), SPREAD.default),
        SEED.name: ((0.0, 9999.0), SEED.default),
        CLF_LR.name: ((0.01, 10.0), CLF_LR.default),
        EPOCHS.name: ((10.0, 500.0), EPOCHS.default),
        SMOOTH.name: ((0.0, 0.5), SMOOTH.default),
        EPOCH.name: ((0.0, 500.0), EPOCH.default),
    },
    snap={
        LR.name: nearest_on_log_scale(LEARNING_RATES),
        CLF_LR.name: nearest_on_log_scale(LEARNING_RATES),
        STEP.name: round,
        SEED.name: round,
        EPOCHS.name: lambda v: int(snap_to_step(10)(v)),
        EPOCH.name: round,
        SPREAD.name: snap_to_step(0.1),
        SMOOTH.name: snap_to_step(0.05),
    },
    read_extra=epoch_problems,
)


# ---- gradient steps on the logits ------------------------------------------------------------
@st.cache_data(max_entries=512, show_spinner=False)
def descent(logits: tuple[float, ...], target: int, temperature: float, lr: float, unit: str) -> DescentSteps:
    """Cross-entropy's path and squared error's, from the same logits (shared by every session)."""
    return descent_steps(logits, target, temperature=temperature, lr=lr, unit=unit, steps=STEPS)


def _use_step_logits(values: tuple[float, ...]) -> None:
    """The button's callback. The button is in the step player's fragment, so its click asks for a
    rerun of that fragment alone, which would leave the pad, the readout and the URL (outside it) on
    the old logits: ``st.rerun()`` from the callback makes that one rerun the whole page's."""
    controls.set_logits(values)
    animation.reset(STEP.name)
    st.rerun(scope="app")


def gradient_steps(sc: Scenario) -> None:
    pad, body = st.columns([1, 3], gap="large")
    with pad:
        readout(sc)
        st.caption(
            f"True class: {md_escape(sc.target_name)}. {md_escape(temperature_rule(sc.temperature, '(p − y)'))} "
            "Every number here uses the example's temperature (set in the toolbar)."
        )
        st.button(
            "Start confidently wrong",
            key=WRONG,
            icon=":material/sentiment_dissatisfied:",
            on_click=controls.set_logits,
            args=(confidently_wrong(sc.n_classes, sc.target),),
            help="Logits that give the true class almost no probability: where squared error gets stuck.",
            width="stretch",
        )
    with body:
        st.select_slider(
            "Learning rate η",
            options=LEARNING_RATES,
            key=LR.name,
            help="Each step moves the logits by −η times the gradient.",
        )
        steps = descent(sc.logits, sc.target, sc.temperature, float(LR.get()), sc.unit)
        animation.buttons(STEP.name, STEPS)

        def draw(k: int) -> None:
            _descent_frame(sc, steps, k)
            write_url(PARAMS)  # the scrub slider reruns only the player's fragment, which the page's end is not in

        animation.frames(STEP.name, STEPS, draw, label="Step")


def _descent_frame(sc: Scenario, steps: DescentSteps, k: int) -> None:
    now = steps.at(k)
    row = st.container(horizontal=True, gap="small")
    row.metric("Step", f"{now.step} of {now.steps}", border=True)
    row.metric("Cross-entropy", f"{fmt(now.loss)} {sc.unit}", border=True)
    row.metric(f"p({md_escape(sc.target_name)})", fmt_prob(now.p_true, float(now.log_probs[sc.target])), border=True)
    row.metric(
        "Squared error's p at this step",
        fmt_prob(now.se_p_true, now.se_log_p_true),
        help="The same start, learning rate and temperature, descending squared error on the probabilities instead.",
        border=True,
    )
    probs, grad = st.columns(2)
    with probs:
        chart(probability_bars(sc.classes, now.probs, sc.target, style(), now.log_probs), "lg_probs")
    with grad:
        chart(gradient_bars(sc.classes, now.grad, sc.target, style(), temperature=sc.temperature), "lg_grad")
    losses, race = st.columns(2)
    with losses:
        chart(descent_losses(steps.losses, now.step, sc.unit, style()), "lg_losses")
    with race:
        race_chart = descent_race(
            steps.p_true, steps.se_p_true, now.step, sc.target_name, style(), passes_half=steps.passes_half
        )
        chart(race_chart, "lg_race")
    col = st.columns([1, 1])[0]
    col.button(
        f"Use step {now.step}'s logits",
        key=USE,
        icon=":material/input:",
        on_click=_use_step_logits,
        args=(now.logits,),
        disabled=now.step == 0,
        help="Make these logits the current example (on every page), and start again from step 0.",
    )


# ---- a tiny classifier -----------------------------------------------------------------------
@st.cache_data(max_entries=256, show_spinner=False)
def trained(spread: float, seed: int, lr: float, epochs: int, smoothing: float) -> ClassifierRun:
    """The data set, the training run and the map's bounds (deterministic: shared by every session)."""
    return train_classifier(
        n_per_class=N_PER_CLASS, spread=spread, seed=seed, lr=lr, epochs=epochs, label_smoothing=smoothing
    )


def classifier(sc: Scenario) -> None:
    if not present.active():
        st.markdown(
            "Three clusters of points, one per class, and the simplest classifier that uses softmax: "
            "**p = softmax(x W + b)**, fitted by gradient descent on the mean cross-entropy over all points."
        )
    st.caption("This classifier is its own model: it does not use the example's logits or temperature.")
    spread, seed, lr, epochs, smooth = st.columns([1.2, 0.8, 1.4, 1.2, 1.2], gap="medium")
    spread.slider("Overlap (spread)", 0.2, 3.0, step=0.1, key=SPREAD.name, help="Each cluster's standard deviation.")
    seed.number_input("Seed", 0, 9999, step=1, key=SEED.name, help="Picks the data set and the initial weights.")
    lr.select_slider("Learning rate", options=LEARNING_RATES, key=CLF_LR.name)
    epochs.slider("Epochs", 10, 500, step=10, key=EPOCHS.name)
    smooth.slider(
        "Label smoothing ε", 0.0, 0.5, step=0.05, key=SMOOTH.name, help="Targets y(1 − ε) + ε/3, as in PyTorch."
    )
    n_epochs = int(EPOCHS.get())
    run = trained(float(SPREAD.get()), int(SEED.get()), float(CLF_LR.get()), n_epochs, float(SMOOTH.get()))
    stride = max(1, n_epochs // 40)
    animation.buttons(EPOCH.name, n_epochs, stride=stride, noun="epoch")

    def draw(k: int) -> None:
        _classifier_frame(sc, run, k)
        write_url(PARAMS)  # as in gradient_steps: a fragment rerun must write the URL itself

    animation.frames(EPOCH.name, n_epochs, draw, stride=stride, label="Epoch")


def _classifier_frame(sc: Scenario, run: ClassifierRun, k: int) -> None:
    now = classifier_frame(run, k, sc.unit, GRID)
    row = st.container(horizontal=True, gap="small")
    row.metric("Epoch", f"{now.epoch} of {now.epochs}", border=True)
    row.metric("Training loss", f"{fmt(now.loss)} {sc.unit}", border=True)
    row.metric("Accuracy", f"{fmt(now.accuracy_percent, 1)}%", border=True)
    regions, curves = st.columns([1.1, 1], gap="large")
    with regions:
        chart(decision_regions(CLASSES, now.regions, run.X, run.y, style()), "lg_regions")
    with curves:
        chart(training_curves(now.losses, now.accuracy_percents, now.epoch, sc.unit, style()), "lg_training")
        st.caption(
            f"Each epoch takes one step along the mean gradient over all {len(run.y)} points. "
            "Label smoothing keeps the loss above zero even when every point is right."
        )
