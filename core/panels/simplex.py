"""The Simplex page's live area: the triangle (point, paths, contours) and the facts beside it.

``extra`` holds the page's own settings: ``lr`` (0.01 to 10), ``steps`` (1 to
100) and ``corners`` (the two corner classes asked for, -1 for "the most
probable"). Two slots: ``graph`` and ``facts``; ``state["corners"]`` gives back
the two corners shown, which the page keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.figures.simplex import simplex_chart
from core.figures.style import FigureStyle
from core.panels.parts import Panel, bounded, chart, esc, html_block, metric, metrics, panel
from core.scenario import MAX_CLASSES, Scenario
from core.simplex import SimplexView, simplex_page
from core.text import fmt, fmt_prob, relation

__all__ = ["LR_RANGE", "STEPS_RANGE", "simplex_panel"]

LR_RANGE = (0.01, 10.0)
STEPS_RANGE = (1, 100)


def _number(extra: Mapping[str, Any], name: str, lo: float, hi: float, default: float) -> float:
    return bounded(extra.get(name, default), name, lo, hi)


def _corners(extra: Mapping[str, Any]) -> tuple[int, int]:
    value = extra.get("corners", [-1, -1])
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise ValueError("corners must be two class indices")
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, int) or not -1 <= v < MAX_CLASSES:
            raise ValueError(f"a corner must be a class index or -1, got {str(v)[:40]!r}")
        out.append(v)
    return out[0], out[1]


def _classes(n: int) -> str:
    return "class" if n == 1 else "classes"


def _bullet(name: str, view: SimplexView, i: int, rescaled: bool) -> str:
    """``p(name) = 0.0844``: the model's probability over all classes; with hidden classes, the triangle's
    rescaled value after it, said to be the triangle's (``(0.0900 on the triangle)``)."""
    sign, number = relation(fmt_prob(float(view.p_all[i]), float(view.log_p_all[i])))
    shown = f"<li>p({esc(name)}) {sign} {number}"
    if rescaled:
        shown += f" ({fmt_prob(float(view.now[i]), float(view.log_now[i]))} on the triangle)"
    return shown + "</li>"


def simplex_panel(sc: Scenario, extra: Mapping[str, Any], style: FigureStyle) -> Panel:
    """The triangle and its facts for ``sc``, with the page's learning rate, steps and corners."""
    unknown = set(extra) - {"lr", "steps", "corners"}
    if unknown:
        raise ValueError(f"unknown Simplex settings {sorted(unknown)[:5]}")
    steps = _number(extra, "steps", *STEPS_RANGE, 30)
    if steps != int(steps):
        raise ValueError(f"steps must be a whole number, got {steps:g}")
    numbers = simplex_page(
        sc.logits,
        sc.target,
        temperature=sc.temperature,
        unit=sc.unit,
        wanted=_corners(extra),
        lr=_number(extra, "lr", *LR_RANGE, 1.0),
        steps=int(steps),
    )
    view = numbers.view
    names = [sc.classes[i] for i in view.classes]
    probs = "".join(_bullet(name, view, i, bool(numbers.hidden)) for i, name in enumerate(names))
    facts = [
        metrics(
            metric(
                "sx_loss",
                "Loss on the triangle",
                f"{fmt(numbers.loss_shown)} {sc.unit}",
                help=f"Cross-entropy −log p({names[0]}) of the point shown"
                + (", with p rescaled over the three classes on the triangle." if numbers.hidden else "."),
            )
        ),
        html_block("sx_probs", f'<ul class="probs">{probs}</ul>'),
    ]
    if numbers.hidden:
        rest = ", ".join(esc(sc.classes[i]) for i in numbers.hidden)
        facts.append(
            html_block(
                "sx_hidden",
                f'<div class="note" role="note"><b>{len(numbers.hidden)} more {_classes(len(numbers.hidden))}</b> '
                f"({rest}) {'holds' if len(numbers.hidden) == 1 else 'hold'} "
                f"{fmt(numbers.rest_percent, 2)}% of the probability. The triangle shows the three chosen classes' "
                "probabilities rescaled to sum to 1 (the numbers marked “on the triangle” above; the first number "
                "of each line is the model's own), which is exactly softmax over their three logits. "
                f"The full cross-entropy is {fmt(numbers.loss_full)} {esc(sc.unit)}: the loss on the triangle "
                "plus −log of the three classes' share.</div>",
            )
        )
    return panel(
        "simplex",
        {"graph": [chart("sx_simplex", simplex_chart(names, numbers, style))], "facts": facts},
        {"corners": [view.classes[1], view.classes[2]]},
    )
