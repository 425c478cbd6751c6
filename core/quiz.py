r"""Predict, then reveal: seeded quiz questions about softmax and cross-entropy.

:func:`question` builds question ``n`` of the quiz with seed ``seed``; the same
``(seed, n)`` always gives the same question, so a teacher can hand a whole class
one link. Four kinds take turns:

* ``p_true``: estimate the probability softmax gives the true class;
* ``lowest_loss``: pick, among three sets of logits, the one with the lowest loss;
* ``loss``: estimate the cross-entropy (nats);
* ``step``: say which way one gradient step (learning rate 1) moves each probability.

:func:`grade` checks an answer and explains the truth in one line.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Literal

import numpy as np
import numpy.typing as npt

from core.scenario import Scenario
from core.softmax import log_softmax, softmax
from core.text import fmt

__all__ = [
    "KINDS",
    "LOSS_TOLERANCE",
    "P_TOLERANCE",
    "ROUND",
    "Grade",
    "Question",
    "about",
    "grade",
    "logit_text",
    "loss_tolerance",
    "question",
    "step_moves",
]

Kind = Literal["p_true", "lowest_loss", "loss", "step"]
KINDS: tuple[Kind, ...] = ("p_true", "lowest_loss", "loss", "step")
ROUND = 8
"""Questions in one round of the quiz."""
CLASS_SETS = (
    ("cat", "dog", "rabbit"),
    ("cat", "dog", "rabbit", "fox"),
    ("cat", "dog", "rabbit"),
    ("car", "bus", "bike"),
)
P_TOLERANCE = 0.1
"""An estimate of p(true) counts as right within ±0.1."""
LOSS_TOLERANCE = 0.25
"""An estimate of the loss counts as right within ±0.25 nats or ±20 %, whichever is wider."""
CLEAR_WINNER = 0.1
"""In a ``lowest_loss`` question the best option's loss is lower than the next one's by more than this (nats)."""
MIN_MOVE = 0.005
"""Step questions avoid probabilities that barely move (the answer would hinge on rounding)."""
MAX_SEED = 999_999
LOGIT_DIGITS = 2
"""Decimals a quiz logit is written with, in its table and in the explanations alike (−0.50, 2.50)."""


@dataclass(frozen=True)
class Question:
    seed: int
    n: int
    kind: Kind
    prompt: str
    scenarios: tuple[Scenario, ...]
    """one scenario; three (the options) for ``lowest_loss``"""
    truth: float | int | tuple[bool, ...]
    """p(true) or loss (nats), the index of the best option, or for each class whether it goes up"""

    @property
    def scenario(self) -> Scenario:
        """The scenario to open in the Playground (the best option for ``lowest_loss``)."""
        return self.scenarios[int(self.truth) if self.kind == "lowest_loss" else 0]  # type: ignore[arg-type]


@dataclass(frozen=True)
class Grade:
    correct: bool
    truth: str
    """the true answer, as shown"""
    error: str | None
    """how far an estimate was off, as shown (None for choices)"""
    explanation: str


def logit_text(z: float) -> str:
    """A quiz logit as the page writes it, with a true minus sign: ``logit_text(-0.5) == "−0.50"``."""
    return fmt(z, LOGIT_DIGITS)


def loss_tolerance(truth: float) -> float:
    """How far a loss estimate may be off and still count as right: ±0.25 nats or ±20 %, whichever is wider."""
    return max(LOSS_TOLERANCE, 0.2 * truth)


def _check(seed: int, n: int) -> None:
    for name, value, high in (("seed", seed, MAX_SEED), ("n", n, 10_000)):
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
            raise ValueError(f"{name} must be an integer from 0 to {high}, got {value!r}")


def _logits(rng: np.random.Generator, c: int) -> tuple[float, ...]:
    return tuple(float(v) for v in rng.choice(np.arange(-3.0, 3.5, 0.5), size=c, replace=True))


def _scenario(rng: np.random.Generator, classes: tuple[str, ...], target: int | None = None) -> Scenario:
    t = int(rng.integers(len(classes))) if target is None else target
    return Scenario(classes=classes, logits=_logits(rng, len(classes)), target=t)


def _loss(sc: Scenario) -> float:
    """Cross-entropy in nats: -log softmax(z / T)[true] (the quiz's examples have T = 1)."""
    return float(-log_softmax(sc.logits, temperature=sc.temperature)[sc.target])


def step_moves(sc: Scenario, lr: float = 1.0) -> np.ndarray:
    """How each probability changes after one gradient step of cross-entropy on the logits.

    p = softmax(z / T); the step is z ← z − lr (p − y) / T (the quiz's examples have T = 1).
    """
    t = sc.temperature
    p = softmax(sc.logits, temperature=t)
    y = np.eye(sc.n_classes)[sc.target]
    return np.asarray(softmax(np.asarray(sc.logits) - lr * (p - y) / t, temperature=t) - p)


def _prompt(kind: Kind, name: str) -> str:
    """The one prompt of each kind, naming the true class ``name``."""
    if kind == "p_true":
        return f"Estimate p({name}), the probability softmax gives the true class."
    if kind == "loss":
        return f"Estimate the cross-entropy in nats (the true class is {name})."
    if kind == "lowest_loss":
        return f"The true class is {name}. Which logits give the lowest loss?"
    return f"After one gradient step (learning rate 1, true class {name}), which way does each probability move?"


def _truth(kind: Kind, scenarios: tuple[Scenario, ...]) -> float | int | tuple[bool, ...]:
    """The one truth of each kind: p(true), the loss (nats), the best option's index, or each class's direction."""
    sc = scenarios[0]
    if kind == "p_true":
        return float(softmax(sc.logits, temperature=sc.temperature)[sc.target])
    if kind == "loss":
        return _loss(sc)
    if kind == "lowest_loss":
        return min(range(len(scenarios)), key=lambda i: _loss(scenarios[i]))
    return tuple(bool(d > 0) for d in step_moves(sc))


def _make(seed: int, n: int, kind: Kind, scenarios: tuple[Scenario, ...]) -> Question:
    return Question(seed, n, kind, _prompt(kind, scenarios[0].target_name), scenarios, _truth(kind, scenarios))


def _clear_winner(options: Sequence[Scenario]) -> bool:
    losses = sorted(_loss(o) for o in options)
    return losses[1] - losses[0] > CLEAR_WINNER


def question(seed: int, n: int) -> Question:
    """Question ``n`` (from 0) of the quiz with this ``seed``: deterministic."""
    _check(seed, n)
    rng = np.random.default_rng([seed, n])
    kinds = np.random.default_rng(seed).permutation(len(KINDS))  # each round's order depends on the seed
    kind = KINDS[int(kinds[n % len(KINDS)])]
    classes = CLASS_SETS[int(rng.integers(len(CLASS_SETS)))]
    if kind == "lowest_loss":
        target = int(rng.integers(len(classes)))
        while True:
            options = tuple(_scenario(rng, classes, target) for _ in range(3))
            if _clear_winner(options):
                return _make(seed, n, kind, options)
    while True:
        sc = _scenario(rng, classes)
        p = softmax(sc.logits, temperature=sc.temperature)
        if kind == "step":
            if np.all(np.abs(step_moves(sc)) >= MIN_MOVE):
                break
        elif 0.02 <= p[sc.target] <= 0.98:  # estimates stay meaningful
            break
    return _make(seed, n, kind, (sc,))


def _example_seed(sc: Scenario) -> int:
    """A seed drawn from the example's own values: the same example always gives the same options."""
    text = "&".join(f"{k}={v}" for k, v in sorted(sc.to_query().items()))
    return int.from_bytes(hashlib.sha256(text.encode("utf-8")).digest()[:8], "big")


def _example_options(sc: Scenario) -> tuple[Scenario, ...]:
    """Three logit sets for a ``lowest_loss`` question about ``sc``: deterministic, one loss clearly the lowest.

    The example itself (its logits written with :data:`LOGIT_DIGITS` decimals, as shown) is one option; the
    others move each logit by −2 to +2 in steps of 0.5 (times T when T > 1, so a step still matters). Options
    are redrawn until one loss is lower than the others' by more than :data:`CLEAR_WINNER`. When no draw
    manages it (an example whose true class already dominates), the options put the true logit 3·T above,
    level with and 3·T below the largest other logit m: losses ≤ ln(1 + 9e⁻³) ≈ 0.37, ≥ ln 2 ≈ 0.69, more.
    """
    rng = np.random.default_rng(_example_seed(sc))
    own = np.round(np.asarray(sc.logits), LOGIT_DIGITS)
    steps = np.arange(-2.0, 2.5, 0.5) * max(1.0, sc.temperature)

    def option(logits: npt.ArrayLike) -> Scenario:
        return replace(sc, logits=tuple(round(float(z), LOGIT_DIGITS) for z in np.asarray(logits)))

    for _ in range(100):
        options = [option(own), *(option(own + rng.choice(steps, size=sc.n_classes)) for _ in range(2))]
        picked = tuple(options[int(i)] for i in rng.permutation(3))
        if len({o.logits for o in picked}) == 3 and _clear_winner(picked):
            return picked
    m = float(np.max(np.delete(own, sc.target)))
    shifted = []
    for shift in (3.0 * sc.temperature, 0.0, -3.0 * sc.temperature):
        z = own.copy()
        z[sc.target] = m + shift
        shifted.append(option(z))
    return tuple(shifted[int(i)] for i in rng.permutation(3))


def about(sc: Scenario, kind: str) -> Question:
    """A question of ``kind`` about the example ``sc`` (the Playground's scenario): its prompt and its truth are the
    quiz's own (one place for each). ``seed`` and ``n`` are 0; ``lowest_loss`` options come from
    :func:`_example_options` (seeded by the example's values).
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    k = KINDS[KINDS.index(kind)]  # the Kind that equals kind
    scenarios = _example_options(sc) if k == "lowest_loss" else (sc,)
    return _make(0, 0, k, scenarios)


def grade(q: Question, answer: float | int | Sequence[bool]) -> Grade:
    """Check ``answer`` (a number, an option index, or one up/down per class) against the truth."""
    if q.kind in ("p_true", "loss"):
        guess = float(answer)  # type: ignore[arg-type]
        if not math.isfinite(guess):
            raise ValueError(f"answer must be a finite number, got {answer!r}")
        truth = float(q.truth)  # type: ignore[arg-type]
        off = abs(guess - truth)
        sc = q.scenario
        p = float(softmax(sc.logits, temperature=sc.temperature)[sc.target])
        if q.kind == "p_true":
            ok = off <= P_TOLERANCE
            why = (
                f"p({sc.target_name}) = exp({logit_text(sc.logits[sc.target])}) / Σ exp(z) = {fmt(p, 3)}: "
                "each class's share grows with e to the power of its logit."
            )
            return Grade(ok, fmt(truth, 3), f"off by {fmt(off, 3)}", why)
        ok = off <= loss_tolerance(truth)
        why = f"Cross-entropy = −ln p({sc.target_name}) = −ln {fmt(p, 3)} = {fmt(truth, 3)} nats."
        return Grade(ok, f"{fmt(truth, 3)} nats", f"off by {fmt(off, 3)} nats", why)
    if q.kind == "lowest_loss":
        pick = int(answer)  # type: ignore[arg-type]
        if not 0 <= pick < len(q.scenarios):
            raise ValueError(f"answer must be an option from 0 to {len(q.scenarios) - 1}, got {answer!r}")
        best = int(q.truth)  # type: ignore[arg-type]
        sc = q.scenarios[best]
        p = float(softmax(sc.logits, temperature=sc.temperature)[sc.target])
        losses = ", ".join(f"{'ABC'[i]} {fmt(_loss(o), 3)}" for i, o in enumerate(q.scenarios))
        why = (
            f"The loss only depends on p({sc.target_name}); option {'ABC'[best]} gives it the most ({fmt(p, 3)}). "
            f"Losses in nats: {losses}."
        )
        return Grade(pick == best, f"option {'ABC'[best]}", None, why)
    ups = tuple(bool(a) for a in answer)  # type: ignore[union-attr]
    truth_ups: tuple[bool, ...] = q.truth  # type: ignore[assignment]
    if len(ups) != len(truth_ups):
        raise ValueError(f"answer must give one direction per class ({len(truth_ups)}), got {len(ups)}")
    sc = q.scenario
    moves = step_moves(sc)
    shown = ", ".join(
        f"{c} {'up' if u else 'down'} ({'+' if d > 0 else '−'}{fmt(abs(float(d)), 3)})"
        for c, u, d in zip(sc.classes, truth_ups, moves, strict=True)
    )
    why = (
        "The step adds 1 − p to the true logit and takes p away from every other logit: the true class always "
        "gains, and a wrong class can still gain when a bigger wrong class loses more."
    )
    right = sum(a == b for a, b in zip(ups, truth_ups, strict=True))
    return Grade(ups == truth_ups, shown, f"{right} of {len(ups)} right", why)
