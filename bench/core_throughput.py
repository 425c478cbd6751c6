"""Core throughput: cross_entropy on (1e6, 10) logits against a scipy.special reference."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable

import numpy as np
import scipy.special as sp

from bench.common import table
from core.losses import cross_entropy

N, C, REPEATS = 1_000_000, 10, 7


def _time(fn: Callable[[], object]) -> float:
    runs = []
    for _ in range(REPEATS):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return statistics.median(runs) * 1000


def run() -> str:
    rng = np.random.default_rng(0)
    z = rng.normal(scale=3.0, size=(N, C))
    y = rng.integers(0, C, size=N)

    def reference() -> float:
        return float(-np.take_along_axis(sp.log_softmax(z, axis=-1), y[:, None], -1).mean())

    def ours() -> float:
        return float(cross_entropy(z, y))

    assert abs(ours() - reference()) < 1e-12
    ref_ms, ours_ms = _time(reference), _time(ours)
    rows = [
        ["scipy.special.log_softmax + gather + mean (reference)", ref_ms, "1.00x"],
        ["core.losses.cross_entropy (validated, PyTorch semantics)", ours_ms, f"{ours_ms / ref_ms:.2f}x"],
    ]
    return table(
        f"Core throughput: cross-entropy of ({N:,}, {C}) float64 logits, median of {REPEATS}",
        ["implementation", "ms", "vs reference"],
        rows,
        "Target: within 1.2x of the reference.",
    )


if __name__ == "__main__":
    print(run())
