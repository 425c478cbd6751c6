"""The current example and its results as CSV, JSON and a Python script that recomputes them.

Every number comes from :func:`core.explain.evaluate`; the script recomputes the
same numbers with NumPy alone (max-shifted softmax), so a reader can check them
outside the app.
"""

from __future__ import annotations

import csv
import io
import json
import math
from typing import Any

from core.explain import evaluate
from core.query import format_number
from core.scenario import Scenario
from core.units import in_unit

__all__ = ["python_script", "rows", "to_csv", "to_json"]

COLUMNS = ("class", "true_class", "logit", "logit_over_T", "probability", "log_p", "surprise", "gradient")
"""``log_p`` is the natural log of the probability, from log-softmax: where ``probability`` underflows to 0
(e^−9999), ``log_p`` still says what it is."""


def _num(x: float) -> float | str:
    """A JSON/CSV number; infinities as text (JSON has no infinity); −0.0 (−log 1) as 0.0."""
    return x + 0.0 if math.isfinite(x) else ("inf" if x > 0 else "-inf")


def rows(sc: Scenario) -> list[dict[str, Any]]:
    """One row per class: logit, z/T, p, ln p (nats), −log p (in the scenario's unit) and ∂L/∂z."""
    ev = evaluate(sc)
    return [
        {
            "class": name,
            "true_class": i == sc.target,
            "logit": _num(sc.logits[i]),
            "logit_over_T": _num(float(ev.scaled[i])),
            "probability": float(ev.probs[i]),
            "log_p": _num(float(ev.log_probs[i])),
            "surprise": _num(float(ev.surprise_in_unit[i])),
            "gradient": float(ev.grad[i]),
        }
        for i, name in enumerate(sc.classes)
    ]


def to_csv(sc: Scenario) -> str:
    """The per-class table, with a header row; the surprise column is in the scenario's unit."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows(sc):
        writer.writerow({k: (repr(v) if isinstance(v, float) else v) for k, v in row.items()})
    return out.getvalue()


def to_json(sc: Scenario) -> str:
    """The scenario (with its URL query) and every result, as a JSON document."""
    ev = evaluate(sc)
    doc = {
        "scenario": {
            "classes": list(sc.classes),
            "logits": [_num(z) for z in sc.logits],
            "target": sc.target_name,
            "temperature": sc.temperature,
            "unit": sc.unit,
            "query": sc.to_query(),
        },
        "results": {
            "cross_entropy_nats": ev.loss,
            "cross_entropy_bits": in_unit(ev.loss, "bits"),
            "p_true": ev.p_true,
            "log_p_true": _num(ev.log_p_true),
            # one class, or null when several share the largest logit (a tie is no single pick)
            "predicted": sc.classes[ev.predicted] if len(ev.top) == 1 else None,
            "top_classes": [sc.classes[i] for i in ev.top],
            "per_class": rows(sc),
        },
        "conventions": (
            "p = softmax(logits / T); log_p = log_softmax(logits / T), natural log (exact where p underflows to 0); "
            "loss = -log p[target]; gradient = d loss / d logits = (p - y) / T; "
            "predicted is null when several classes share the largest logit (see top_classes)"
        ),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False)


def python_script(sc: Scenario) -> str:
    """A NumPy script that recomputes p, the loss and the gradient for ``sc`` and prints them."""
    z = ", ".join(format_number(z) for z in sc.logits)
    names = ", ".join(json.dumps(c, ensure_ascii=False) for c in sc.classes)
    return (
        '"""Softmax & cross-entropy for one example, as the explorer computed it."""\n'
        "import numpy as np\n\n"
        f"classes = [{names}]\n"
        f"logits = np.array([{z}])\n"
        f"target = {sc.target}  # {json.dumps(sc.target_name, ensure_ascii=False)}\n"
        f"T = {format_number(sc.temperature)}  # temperature\n\n"
        "s = logits / T\n"
        "s = s - s.max()  # shift by the max: exp never overflows\n"
        "log_p = s - np.log(np.exp(s).sum())\n"
        "p = np.exp(log_p)\n"
        "loss = -log_p[target]  # nats; divide by np.log(2) for bits\n"
        "y = np.eye(len(logits))[target]\n"
        "grad = (p - y) / T  # d loss / d logits\n\n"
        "for name, pi, lpi, gi in zip(classes, p, log_p, grad):  # log p stays exact where p underflows to 0\n"
        '    print(f"{name:>12}  p = {pi:.6g}  log(p) = {lpi:.6f}  dL/dz = {gi:+.6f}")\n'
        'print(f"cross-entropy = {loss:.6f} nats = {loss / np.log(2):.6f} bits")\n'
    )
