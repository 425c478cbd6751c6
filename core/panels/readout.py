"""The readout under the logits on the deep-dive pages (Softmax, Cross-entropy, Learning).

Those pages explain one idea per tab; what the logits move on all of them is
the example's probabilities and its loss. The readout shows both, and follows a
drag; the tabs themselves update when the drag ends. One slot, ``readout``: the
loss and a bar per class (text and a bar whose width is p; the true class
hatched and marked "✓ true"). A p that underflows is written from its log
(:func:`core.text.fmt_prob`: "≈ 3.1 × 10⁻⁴³⁴³"), never as 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from core.explain import evaluate
from core.figures.style import FigureStyle
from core.panels.parts import Panel, esc, html_block, metric, metrics, panel
from core.scenario import Scenario
from core.text import fmt, fmt_prob, relation

__all__ = ["readout_panel"]


def readout_panel(sc: Scenario, extra: Mapping[str, Any], style: FigureStyle) -> Panel:
    """The example's cross-entropy and probabilities, compact."""
    del style  # no chart: the bars are HTML, sized by p
    if extra:
        raise ValueError(f"the readout takes no page settings, got {sorted(extra)[:5]}")
    ev = evaluate(sc)
    rows = []
    for i, name in enumerate(sc.classes):
        p = float(ev.probs[i])
        true = i == sc.target
        label = f"<b>{esc(name)}</b> ✓ true" if true else esc(name)
        shown = fmt_prob(p, float(ev.log_probs[i]))
        wrap = ' style="white-space:normal"' if relation(shown)[0] != "=" else ""  # "≈ 3.1 × 10⁻⁴³⁴³" may wrap
        rows.append(
            f'<tr class="{"true" if true else ""}"><th scope="row">{label}</th>'
            f"<td{wrap}>{shown}</td>"
            f'<td class="bar" aria-hidden="true"><span style="width:{100 * p:.2f}%"></span></td></tr>'
        )
    table = (
        f'<table class="readout"><caption>p = softmax(z / T), T = {fmt(sc.temperature, 2)}</caption>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )
    head = metrics(
        metric(
            "ce",
            "Cross-entropy",
            f"{fmt(ev.loss_in_unit)} {ev.unit}",
            help=f"−log p({sc.target_name}) = {fmt(ev.loss_in_other_unit)} {ev.other_unit}.",
        )
    )
    return panel("readout", {"readout": [head, html_block("readout_probs", table)]})
