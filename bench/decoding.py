"""Decoding over a GPT-2-sized vocabulary: each filter and the whole pipeline, per update, against references.

An "update" is what the Next token page recomputes when a control moves: one call on one (50,257,) vector
of logits. References measured in the same run on the same vector: ``scipy.special.softmax`` (what any
update must at least do) and ``np.argsort`` (a full sort, what a naive top-p does).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.special as sp

from bench.common import pct, table
from core.decoding import min_p_filter, next_token_probs, pipeline, top_k_filter, top_p_filter

V, RUNS, WARMUP, TARGET_MS = 50_257, 300, 20, 2.0
# the page's sliders, cycled so consecutive updates differ as they do while one is dragged
SWEEP: list[dict[str, Any]] = [
    {"temperature": t, "top_k": k, "top_p": p, "min_p": m}
    for t, k, p, m in [(0.7, 50, 0.9, 0.05), (1.0, 0, 0.95, 0.0), (1.3, 200, 0.8, 0.02), (0.5, 0, 0.5, 0.1)]
]


def _times(fn: Callable[[int], object]) -> list[float]:
    for i in range(WARMUP):
        fn(i)
    out = []
    for i in range(RUNS):
        t = time.perf_counter()
        fn(i)
        out.append((time.perf_counter() - t) * 1000)
    return out


def run() -> str:
    z = np.random.default_rng(0).normal(size=V)
    typical: dict[str, Any] = {"temperature": 0.8, "top_k": 50, "top_p": 0.9, "min_p": 0.05}
    whole: dict[str, Any] = {"temperature": 0.8, "top_p": 0.9}  # top-p over all 50,257 tokens: the slowest path

    # the numbers are right before they are timed
    np.testing.assert_allclose(next_token_probs(z), sp.softmax(z), rtol=1e-12)
    assert 0 < int(pipeline(z, **whole).kept_count) < V

    cases: list[tuple[str, Callable[[int], object], bool]] = [
        ("scipy.special.softmax (reference)", lambda i: sp.softmax(z), False),
        ("np.argsort, a full sort (reference)", lambda i: np.argsort(z), False),
        ("top_k_filter(k=50)", lambda i: top_k_filter(z, 50), True),
        ("top_p_filter(p=0.9)", lambda i: top_p_filter(z, 0.9), True),
        ("min_p_filter(min_p=0.05)", lambda i: min_p_filter(z, 0.05), True),
        ("next_token_probs(T=0.8, k=50, p=0.9, min_p=0.05)", lambda i: next_token_probs(z, **typical), True),
        ("pipeline(T=0.8, k=50, p=0.9, min_p=0.05)", lambda i: pipeline(z, **typical), True),
        ("pipeline(T=0.8, p=0.9): top-p over every token", lambda i: pipeline(z, **whole), True),
        ("pipeline, settings changing every update", lambda i: pipeline(z, **SWEEP[i % len(SWEEP)]), True),
    ]
    measured = [(name, _times(fn), targeted) for name, fn, targeted in cases]
    ref = float(np.median(measured[0][1]))
    rows = []
    for name, runs, targeted in measured:
        med, p95 = float(np.median(runs)), pct(runs, 95)
        verdict = ("yes" if p95 <= TARGET_MS else "NO") if targeted else ""
        rows.append([name, med, p95, f"{med / ref:.2f}x", verdict])
    return table(
        f"Decoding: one update over V = {V:,} float64 logits (random normal, seed 0), {RUNS} runs each",
        ["computation", "median ms", "p95 ms", "median vs scipy softmax", f"p95 <= {TARGET_MS:g} ms"],
        rows,
        f"Target: <= {TARGET_MS:g} ms per update in core (issue 15). Each row times single calls after "
        f"{WARMUP} warm-up calls; the pipeline rows include the masks, the masses kept and the entropy.",
    )


if __name__ == "__main__":
    print(run())
