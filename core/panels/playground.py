"""The Playground's live area: headline numbers, the three charts, the worked table and the formulas.

Every number comes from :func:`core.explain.evaluate` (in the scenario's unit
too), every chart from :mod:`core.figures.playground`. Two slots: ``side`` (under the
logits: the headline numbers and the gradient bars, so that on a phone, where
the columns stack, what a drag moves is right under the finger) and ``main``
(beside them: probabilities and loss curve, what the gradient means, the table,
the formulas).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.explain import Evaluation, evaluate
from core.figures.playground import gradient_bars, loss_curve, probability_bars
from core.figures.style import FigureStyle
from core.panels.parts import Panel, chart, esc, html_block, metric, metrics, panel, row
from core.scenario import Scenario
from core.text import fmt, fmt_prob, relation

__all__ = ["formulas_html", "gradient_html", "playground_panel", "steps_html", "top_pick"]


def playground_panel(sc: Scenario, extra: Mapping[str, Any], style: FigureStyle) -> Panel:
    """The Playground's live area for ``sc`` (it has no settings of its own: ``extra`` is empty)."""
    if extra:
        raise ValueError(f"the Playground takes no page settings, got {sorted(extra)[:5]}")
    ev = evaluate(sc)
    p_true = fmt_prob(ev.p_true, ev.log_p_true)
    headline = metrics(
        metric(
            "ce",
            "Cross-entropy",
            f"{fmt(ev.loss_in_unit)} {ev.unit}",
            help=f"= {fmt(ev.loss_in_other_unit)} {ev.other_unit}. The loss is −log p of the true class "
            f"({sc.target_name}).",
        ),
        metric(
            "p_true",
            f"p(true class) = p({sc.target_name})",
            p_true,
            help=_underflow_help(ev.log_p_true) if relation(p_true)[0] != "=" else "",
        ),
        top_pick(sc, ev),
    )
    return panel(
        "playground",
        {
            "side": [  # under the logits: what a drag changes first stays next to the hand, on a phone too
                headline,
                chart("pg_grad", gradient_bars(sc.classes, ev.grad, sc.target, style, temperature=sc.temperature)),
            ],
            "main": [
                row(
                    chart("pg_probs", probability_bars(sc.classes, ev.probs, sc.target, style, ev.log_probs)),
                    chart("pg_loss_curve", loss_curve(sc.target_name, ev.curve, style)),
                ),
                html_block("pg_gradient_text", gradient_html(sc)),
                html_block("pg_steps", steps_html(sc, ev)),
                html_block("pg_formulas", formulas_html(sc, ev)),
            ],
        },
    )


def _underflow_help(log_p: float) -> str:
    return (
        f"Too small for a float64 (below ≈ 2.2 × 10⁻³⁰⁸), so it is written from its log: ln p = {fmt(log_p)}. "
        "The loss is computed from that log, so it stays exact."
    )


def top_pick(sc: Scenario, ev: Evaluation) -> dict[str, str]:
    """The class with the largest logit, right or wrong; several sharing it are a tie, named as one."""
    if len(ev.top) == 1:
        right = ev.predicted == sc.target
        return metric(
            "top",
            "Model's top pick",
            sc.classes[ev.predicted],
            delta="✓ right" if right else "✗ wrong",
            tone="good" if right else "bad",
        )
    names = ", ".join(sc.classes[i] for i in ev.top)
    shared = sc.target in ev.top
    return metric(
        "top",
        f"Model's top pick: a tie of {len(ev.top)}",
        names,
        delta="= a tie, the true class among them" if shared else "✗ wrong: a tie without the true class",
        tone="" if shared else "bad",
        help="These classes share the largest logit, so the same top probability: no single pick.",
    )


def gradient_html(sc: Scenario) -> str:
    """What the gradient bars mean."""
    scale = "" if sc.temperature == 1 else f" (divided by T = {fmt(sc.temperature, 2)})"
    name = esc(sc.target_name)
    if sc.n_classes == 2:  # one other class: it goes down by exactly as much as the true class goes up
        other = esc(sc.classes[1 - sc.target])
        others = f"the other class <b>{other}</b> goes down by as much. "
    else:
        others = "every other class goes down, most for the classes that took the most probability. "
    return (
        f'<p class="explain"><b>What the gradient says.</b> Each gradient bar is ∂L/∂z = p − y{scale}. '
        f"A gradient-descent step moves every logit <i>against</i> its bar: the true class <b>{name}</b> goes up, "
        f"{others}"
        f"The bars always sum to 0, and vanish only when p({name}) = 1: "
        "cross-entropy keeps pushing until the model is certain and right.</p>"
    )


def steps_html(sc: Scenario, ev: Evaluation) -> str:
    """One row per class (z, z / T, shifted, exp, p, -log p), then the sums."""
    log = "log₂" if ev.unit == "bits" else "ln"
    scaled = ev.temperature != 1
    header = ["class", "z", *(["z / T"] if scaled else []), "shifted (− max)", "exp(shifted)", "p = exp / Σ"]
    header.append(f"−{log} p")
    rows = []
    for i, name in enumerate(sc.classes):
        label = f"<b>{esc(name)}</b> ✓ true" if i == sc.target else esc(name)
        cells = [fmt(sc.logits[i]), *([fmt(float(ev.scaled[i]))] if scaled else [])]
        # exp(shifted) and p are written from their logs where they underflow: e^−9999 is not 0
        cells += [
            fmt(float(ev.shifted[i])),
            fmt_prob(float(ev.exps[i]), float(ev.shifted[i])),
            fmt_prob(float(ev.probs[i]), float(ev.log_probs[i])),
        ]
        cells.append(fmt(float(ev.surprise_in_unit[i])))
        rows.append(_row(label, cells, "true" if i == sc.target else ""))
    sums = ["", *([""] if scaled else []), "", fmt(ev.total), fmt(ev.prob_total), ""]
    rows.append(_row("Σ (sum)", sums, "sum"))
    head = "".join(f"<th>{h}</th>" for h in header)
    return (
        '<p class="explain"><b>Step by step</b></p>'
        # a table wider than a phone scrolls in its box, which takes keyboard focus to scroll without a mouse
        '<div class="scroll-x" tabindex="0" role="region" aria-label="Step by step, as a table">'
        f'<table class="steps"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )


def _row(label: str, cells: list[str], cls: str) -> str:
    tds = "".join(f"<td>{c}</td>" for c in cells)
    return f'<tr class="{cls}"><th scope="row">{label}</th>{tds}</tr>'


def _frac(top: str, bottom: str) -> str:
    return f'<span class="frac"><span>{top}</span><span>{bottom}</span></span>'


def _frac_of(top: str, bottom: str) -> str:
    """``= top / bottom``, or ``≈ top / bottom`` when ``top`` is written from its log."""
    sign, number = relation(top)
    return f"{sign} {_frac(number, bottom)}"


def formulas_html(sc: Scenario, ev: Evaluation) -> str:
    """The formulas, then the same formulas with this scenario's numbers put in."""
    y = sc.target
    log = "log<sub>2</sub>" if ev.unit == "bits" else "ln"
    over_t = "" if ev.temperature == 1 else " / T"
    total = fmt(ev.total)
    top = f"e<sup>(z<sub>i</sub> − m){over_t}</sup>"
    bottom = f"Σ<sub>j</sub> e<sup>(z<sub>j</sub> − m){over_t}</sup>"
    general = (
        f'<p class="math">p<sub>i</sub> = {_frac(top, bottom)}, &nbsp; m = max<sub>j</sub> z<sub>j</sub></p>'
        f'<p class="math">L = −Σ<sub>i</sub> y<sub>i</sub> {log} p<sub>i</sub> = −{log} p<sub>true</sub></p>'
    )
    p_true = fmt_prob(ev.p_true, ev.log_p_true)
    tiny = relation(p_true)[0] != "="  # below float64's range: written from its log
    p_arg = f"({p_true})" if tiny else p_true
    live = (
        f'<p class="explain">With the true class <b>{esc(sc.target_name)}</b> '
        f"(class {y + 1} of {sc.n_classes}):</p>"
        f'<p class="math">p<sub>true</sub> = {_frac(f"e<sup>{fmt(float(ev.shifted[y]))}</sup>", total)}'
        f" {_frac_of(fmt_prob(float(ev.exps[y]), float(ev.shifted[y])), total)} {' '.join(relation(p_true))}</p>"
        f'<p class="math">L = −{log} {p_arg} = <b>{fmt(ev.loss_in_unit)} {ev.unit}</b></p>'
    )
    if tiny:
        live += (
            f'<p class="explain">p<sub>true</sub> is too small for a float64 (below ≈ 2.2 × 10⁻³⁰⁸), so it is written '
            f"from its log, ln p<sub>true</sub> = (z<sub>true</sub> − m){over_t} − ln Σ = {fmt(ev.log_p_true)}: "
            "the loss is computed from that log (log-softmax), never from the rounded-off p.</p>"
        )
    return f'<div class="formulas">{general}{live}</div>'
