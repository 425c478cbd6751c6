"""Named starting points for the Playground, each a function of the current scenario."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace

from core.scenario import Scenario

__all__ = ["PRESETS", "apply_preset"]

CONFIDENT = 5.0
"""Logit gap of a "confident" model: p ≈ 0.99 for the favourite among three classes."""


def _article(_: Scenario) -> Scenario:
    """The article's worked example: p = (0.7, 0.2, 0.1) for cat, dog, rabbit; truly a dog."""
    return Scenario(
        classes=("cat", "dog", "rabbit"),
        logits=(math.log(0.7), math.log(0.2), math.log(0.1)),
        target=1,
    )


def _confident_right(s: Scenario) -> Scenario:
    """The true class gets a large logit, every other class 0."""
    logits = tuple(CONFIDENT if i == s.target else 0.0 for i in range(s.n_classes))
    return replace(s, logits=logits, temperature=1.0)


def _confident_wrong(s: Scenario) -> Scenario:
    """Another class (the first that is not the true one) gets the large logit."""
    wrong = 0 if s.target != 0 else 1
    logits = tuple(CONFIDENT if i == wrong else 0.0 for i in range(s.n_classes))
    return replace(s, logits=logits, temperature=1.0)


def _unsure(s: Scenario) -> Scenario:
    """All logits equal: the uniform distribution, loss ln C."""
    return replace(s, logits=(0.0,) * s.n_classes, temperature=1.0)


PRESETS: dict[str, Callable[[Scenario], Scenario]] = {
    "The article's example": _article,
    "Confident and right": _confident_right,
    "Confident and wrong": _confident_wrong,
    "Unsure (all equal)": _unsure,
}


def apply_preset(name: str, scenario: Scenario) -> Scenario:
    """The scenario preset ``name`` makes from ``scenario`` (unit is kept)."""
    try:
        preset = PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of {list(PRESETS)}") from None
    return replace(preset(scenario), unit=scenario.unit)
