r"""Choosing the next token, and how well a model predicted a sentence.

:func:`sample` and :func:`greedy` pick a token from next-token probabilities (those of
:func:`core.decoding.next_token_probs`); :func:`effective_choices` says how many tokens the choice is
really between (:math:`e^H`). :func:`sequence_cross_entropy` is the training loss of a sentence word by
word (teacher forcing) and :func:`perplexity` its exponential mean.

Sampling is reproducible: :func:`sample` draws one uniform ``u`` per distribution from a NumPy
``Generator`` (a seed makes one) and returns the first token whose cumulative probability exceeds
``u`` times the total, so a token of probability 0 is never drawn.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from core.losses import check_distribution, cross_entropy, entropy
from core.softmax import FloatArray, IntArray, check_logits

__all__ = ["effective_choices", "greedy", "perplexity", "sample", "sequence_cross_entropy"]


def effective_choices(probs: npt.ArrayLike) -> FloatArray:
    r"""The effective number of choices :math:`e^{H(p)}` (the perplexity of one distribution).

    1 for a single certain token, V for the uniform distribution over V. Shapes: ``(..., V) -> (...)``.

    >>> round(float(effective_choices([0.25, 0.25, 0.25, 0.25])), 12)
    4.0
    """
    return np.asarray(np.exp(entropy(probs)), dtype=np.float64)


# ---- choosing a token -----------------------------------------------------------------------------------
def _generator(rng_or_seed: object) -> np.random.Generator:
    if isinstance(rng_or_seed, np.random.Generator):
        return rng_or_seed
    if isinstance(rng_or_seed, bool | np.bool_) or not isinstance(rng_or_seed, int | np.integer):
        raise ValueError(f"rng_or_seed must be a whole-number seed >= 0 or a numpy Generator, got {rng_or_seed!r}")
    if rng_or_seed < 0:
        raise ValueError(f"rng_or_seed must be a seed >= 0, got {rng_or_seed!r}")
    return np.random.default_rng(int(rng_or_seed))


def sample(probs: npt.ArrayLike, rng_or_seed: int | np.random.Generator) -> IntArray:
    r"""Draw one token index from each distribution, reproducibly.

    With :math:`u \sim U[0, 1)` from the generator (a seed makes a fresh ``np.random.default_rng(seed)``)
    and :math:`c_j = \sum_{i \le j} p_i`, the token is the first :math:`j` with :math:`c_j > u\,c_V`.
    A token of probability 0 is never drawn. Pass one ``Generator`` to draw a sequence; the same seed
    gives the same draws. Shapes: ``(..., V) -> (...)`` (``int(...)`` of the result for one row).

    >>> int(sample([0.0, 1.0, 0.0], 7)), int(sample([0.5, 0.5], 0)) == int(sample([0.5, 0.5], 0))
    (1, True)
    """
    p = check_distribution(probs, name="probs")
    rng = _generator(rng_or_seed)
    c = np.cumsum(p, axis=-1)
    u = rng.random(size=p.shape[:-1])
    x = np.asarray(u * c[..., -1])
    idx = np.count_nonzero(c <= x[..., None], axis=-1)
    last = p.shape[-1] - 1 - np.argmax(p[..., ::-1] > 0, axis=-1)  # the last token with p > 0
    return np.asarray(np.minimum(idx, last), dtype=np.int64)


def greedy(probs: npt.ArrayLike) -> IntArray:
    """The most probable token of each distribution (the first one among ties). Shapes: ``(..., V) -> (...)``.

    >>> int(greedy([0.2, 0.4, 0.4]))
    1
    """
    p = check_distribution(probs, name="probs")
    return np.asarray(np.argmax(p, axis=-1), dtype=np.int64)


# ---- the loss of a sentence -------------------------------------------------------------------------
def sequence_cross_entropy(logits: npt.ArrayLike, targets: npt.ArrayLike) -> FloatArray:
    r"""Per-token cross-entropy of a sentence under teacher forcing, in nats.

    Row ``t`` of ``logits`` is the model's prediction for token ``t``; ``targets[t]`` is the token that
    came. :math:`\mathrm{CE}_t = -\log \operatorname{softmax}(z_t)_{y_t}` (``core.losses.cross_entropy``
    with ``reduction="none"``). Shapes: ``(T, V), (T,) -> (T,)``, ``T >= 1``.

    >>> sequence_cross_entropy([[0.0, 0.0], [0.0, math.log(3)]], [0, 1]).round(4).tolist()  # ln 2, ln 4/3
    [0.6931, 0.2877]
    """
    z = check_logits(logits)
    if z.ndim != 2:
        raise ValueError(f"logits must have shape (T, V), one row per position, got shape {z.shape}")
    t = np.asarray(targets)
    if t.ndim != 1 or t.shape[0] != z.shape[0]:
        raise ValueError(f"targets must have shape ({z.shape[0]},), one token per row of logits, got shape {t.shape}")
    if t.dtype == np.bool_ or not np.issubdtype(t.dtype, np.integer):
        raise ValueError(f"targets must be whole-number token indices, got dtype {t.dtype}")
    bad = (t < 0) | (t >= z.shape[1])
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"targets must be token indices in [0, {z.shape[1] - 1}], got {int(t[i])} at position {i}")
    return np.asarray(cross_entropy(z, t.astype(np.int64), reduction="none"), dtype=np.float64)


def perplexity(per_token_ce: npt.ArrayLike) -> float:
    r"""Perplexity :math:`e^{\frac{1}{T}\sum_t \mathrm{CE}_t}` of per-token cross-entropies (nats).

    V for a model that spreads its probability uniformly over V tokens; ``inf`` if a token had
    probability 0. Shapes: ``(T,)`` (any shape is flattened), at least one value.

    >>> round(perplexity([math.log(4), math.log(4)]), 12)
    4.0
    """
    try:
        ce = np.asarray(per_token_ce, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError(f"per_token_ce must be numbers, got {per_token_ce!r}") from None
    if ce.size == 0:
        raise ValueError("per_token_ce must hold at least one cross-entropy, got none")
    bad = ~(ce >= 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"per_token_ce must be >= 0 (nats), got {float(ce[i])!r} at position {i}")
    try:
        return math.exp(float(np.mean(ce)))
    except OverflowError:
        return math.inf
