r"""Next-token decoding: temperature, top-k, top-p and min-p over a vocabulary's logits.

Everything takes logits of shape ``(..., V)`` (the vocabulary on the last axis), works in float64 and
follows Hugging Face ``transformers``' logits warpers (``TemperatureLogitsWarper``, ``TopKLogitsWarper``,
``TopPLogitsWarper``, ``MinPLogitsWarper``) in ``generate()``'s order:

.. math:: z \;\to\; z / T \;\to\; \text{top-}k \;\to\; \text{top-}p \;\to\; \text{min-}p
          \;\to\; \operatorname{softmax}

A filter never changes a kept logit: it sets the removed ones to ``-inf``, so the final softmax gives
them probability exactly 0 and shares all the mass among the kept tokens. Every filter keeps at least
one token (the most probable one). ``-inf`` logits are allowed on input (probability 0 already);
``NaN``, ``+inf`` and a row of only ``-inf`` raise :class:`ValueError`, as in :mod:`core.softmax`.

The rules, and where they differ from ``transformers`` (with ``min_tokens_to_keep=1``):

- **top-k** keeps every token whose logit is ``>=`` the k-th largest, so tokens tied with the k-th are
  all kept (more than k survive); ``k = 0`` or ``k >= V`` keeps all. Same as ``TopKLogitsWarper``.
- **top-p** (nucleus) ranks tokens from most to least probable and keeps the smallest leading set whose
  probability reaches ``p`` (``>= p``). As ``TopPLogitsWarper``, it is computed from the least probable
  end: sort ascending, take the cumulative probability ``c_j`` (the token and everything less probable
  than it), remove the token when ``c_j <= 1 - p``, never remove the most probable. At the boundary a
  set that reaches exactly ``p`` stops there: with probabilities ``(0.5, 0.25, 0.25)`` and ``p = 0.75``
  two tokens are kept (mass 0.75), and ``p = 0.5`` keeps one. The probabilities are those of the logits
  the filter receives (after temperature and top-k, renormalised), as in ``generate()``.
  ``p = 1`` keeps all (``generate()`` skips the warper; called directly, the warper would also drop
  tokens whose probability underflows to 0). **Difference:** ``transformers`` orders equal logits with
  ``torch.sort(stable=False)``, an unspecified order, so when tied tokens straddle the boundary which of
  them survive is not defined; here equal logits rank by index, the lower index first (the order
  :func:`greedy` and a stable descending sort use). The number of tokens kept and their mass are the
  same either way.
- **min-p** keeps the tokens with ``p_i >= min_p * p_max`` (``MinPLogitsWarper`` removes
  ``p_i < min_p * p_max``); ``min_p = 0`` keeps all, ``min_p = 1`` keeps the tokens tied with the top.
  The ratio ``p_i / p_max = exp(z_i - z_max)`` is computed directly, without the normalising sum, which
  can differ from ``transformers``' normalised probabilities by one rounding at the exact boundary.
- Precision: float64 throughout (``transformers`` usually runs these in the model's float32 or bfloat16).
- Any finite logits work at any temperature: where ``z / T`` overflows float64 (``1e308`` at ``T = 0.45``,
  where ``transformers`` would get ``inf`` and ``NaN``), the pipeline divides ``z - max z`` instead, which
  softmax and the filters do not see (see :class:`Pipeline`'s ``scaled``).

Choosing a token from these probabilities, and the loss of a whole sentence, are in :mod:`core.next_token`.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

from core.softmax import FloatArray, IntArray, check_logits, check_temperature, softmax

BoolArray = NDArray[np.bool_]
_A = TypeVar("_A", bound=np.ndarray[Any, Any])

__all__ = [
    "STAGES",
    "Pipeline",
    "Stage",
    "check_min_p",
    "check_top_k",
    "check_top_p",
    "min_p_filter",
    "next_token_probs",
    "pipeline",
    "top_k_filter",
    "top_p_filter",
]

STAGES = ("temperature", "top_k", "top_p", "min_p")
"""The stages of :func:`pipeline`, in the order they run (``generate()``'s)."""

# Below this share of the vocabulary still kept, top-p sorts just the kept tokens (after a top-k, say).
_COMPRESS_SHARE = 0.125

# Scratch memory reused across calls. At V = 50,257 a fresh 400 kB array costs the kernel's page faults
# (about 0.2 ms each here), more than the arithmetic on it; the pool keeps its pages. One caller at a time
# (a lock taken without waiting); a concurrent caller, or a bigger input, gets fresh arrays instead.
_SCRATCH_MAX = 1 << 20  # float64 elements per buffer (8 MB)
_SCRATCH_LOCK = threading.Lock()
_scratch_pool: list[FloatArray] = []


@contextmanager
def _scratch(shape: tuple[int, ...], n: int) -> Iterator[list[FloatArray]]:
    """``n`` uninitialised float64 arrays of ``shape`` that must not outlive the ``with`` block."""
    size = math.prod(shape)
    if size > _SCRATCH_MAX or not _SCRATCH_LOCK.acquire(blocking=False):
        yield [np.empty(shape) for _ in range(n)]
        return
    try:
        global _scratch_pool
        if len(_scratch_pool) < n or _scratch_pool[0].size < size:
            _scratch_pool = [np.empty(max(size, _scratch_pool[0].size if _scratch_pool else 0)) for _ in range(n)]
        yield [buf[:size].reshape(shape) for buf in _scratch_pool[:n]]
    finally:
        _SCRATCH_LOCK.release()


# ---- arguments ----------------------------------------------------------------------------------
def check_top_k(k: object) -> int:
    """``k`` as an int, or ``ValueError`` unless it is a whole number ``>= 0`` (0 means "keep all")."""
    whole = isinstance(k, int | np.integer) or (isinstance(k, float | np.floating) and float(k).is_integer())
    if isinstance(k, bool | np.bool_) or not whole:
        raise ValueError(f"top_k must be a whole number >= 0, got {k!r}")
    n = int(k)  # type: ignore[call-overload]
    if n < 0:
        raise ValueError(f"top_k must be >= 0 (0 keeps every token), got {k!r}")
    return int(n)


def check_top_p(p: object) -> float:
    """``p`` as a float, or ``ValueError`` unless ``0 < p <= 1`` (1 means "keep all")."""
    value = _number(p, "top_p")
    if not (0.0 < value <= 1.0):
        raise ValueError(f"top_p must be in (0, 1] (1 keeps every token), got {p!r}")
    return value


def check_min_p(min_p: object) -> float:
    """``min_p`` as a float, or ``ValueError`` unless ``0 <= min_p <= 1`` (0 means "keep all")."""
    value = _number(min_p, "min_p")
    if not (0.0 <= value <= 1.0):
        raise ValueError(f"min_p must be in [0, 1] (0 keeps every token), got {min_p!r}")
    return value


def _number(x: object, name: str) -> float:
    if isinstance(x, bool | np.bool_):
        raise ValueError(f"{name} must be a number, got {x!r}")
    try:
        return float(x)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {x!r}") from None


def _ratios(z: FloatArray, out: FloatArray) -> FloatArray:
    """``exp(z - max z)`` per row into ``out``: each token's probability over the top one's (the top's is 1)."""
    np.subtract(z, np.max(z, axis=-1, keepdims=True), out=out)
    with np.errstate(under="ignore"):
        return np.exp(out, out=out)


def _divide(z: FloatArray, t: float) -> FloatArray:
    """``z / t``, as ``TemperatureLogitsWarper`` computes it; when that overflows float64 (finite logits beyond
    ``±1.8e308 * t``, ``t < 1``), ``(z - max z) / t`` per row instead: the same softmax, and the same filters
    (each compares logits with each other or with the row's top) but for logits the shift rounds together.
    Every entry is then ``<= 0``, finite or ``-inf`` (a logit too far below the top: probability 0 anyway)."""
    try:
        with np.errstate(over="raise", under="ignore"):
            return np.asarray(z / t, dtype=np.float64)
    except FloatingPointError:
        with np.errstate(over="ignore", under="ignore"):  # only towards -inf: every shifted logit is <= 0
            return np.asarray((z - np.max(z, axis=-1, keepdims=True)) / t, dtype=np.float64)


def _read_only(a: _A) -> _A:
    a.flags.writeable = False
    return a


# ---- the filters ----------------------------------------------------------------------------------
def _top_k_keep(z: FloatArray, k: int, scratch: FloatArray) -> BoolArray:
    v = z.shape[-1]
    if k == 0 or k >= v:
        return np.ones(z.shape, dtype=bool)
    np.copyto(scratch, z)
    scratch.partition(v - k, axis=-1)
    return np.asarray(z >= scratch[..., v - k : v - k + 1])  # >= the k-th largest of each row


def _top_p_keep_row(
    z: FloatArray, w: FloatArray, kept: BoolArray, total: float, p: float, scratch: FloatArray, scratch2: FloatArray
) -> None:
    """One row of top-p, in place: clears ``kept`` for the tokens it removes.

    ``z``: the logits; ``w``: ``exp(z - max z)``; ``kept``: the tokens earlier stages left; ``total``: the sum
    of ``w`` over them; ``scratch``, ``scratch2``: float rows to write into. Ranks the kept tokens by logit (ties: lower
    index first) and keeps the most probable until their share of ``total`` reaches ``p``.
    """
    v = z.shape[-1]
    if np.count_nonzero(kept) <= _COMPRESS_SHARE * v:
        live = np.flatnonzero(kept)
        # Few tokens left (a top-k ran first): rank just those, by logit descending then index ascending.
        order = live[np.lexsort((live, -z[live]))]
        cum = np.cumsum(w[order[::-1]] / total)
        removed = min(int(np.searchsorted(cum, 1.0 - p, side="right")), order.size - 1)
        kept[order[order.size - removed :]] = False
        return
    # Many tokens: exp is monotone, so the sorted ratios are the probabilities in the logits' order.
    ascending = np.multiply(w, kept, out=scratch2)  # removed tokens weigh 0 and sort first: they change no sum
    ascending.sort()
    np.divide(ascending, total, out=scratch)
    np.cumsum(scratch, out=scratch)  # nondecreasing: c_j, the token's and every less probable token's mass
    removed = min(int(np.searchsorted(scratch, 1.0 - p, side="right")), v - 1)
    threshold = ascending[removed]  # the least probable survivor's ratio (> 0: its c_j passed 1 - p)
    need = (v - removed) - int(np.count_nonzero(kept & (w > threshold)))
    np.logical_and(kept, w >= threshold, out=kept)
    tied = np.flatnonzero(kept & (w == threshold))
    if need < tied.size:  # equal ratios straddle the cut: rank them by logit, then by index
        kept[tied[np.lexsort((tied, -z[tied]))[need:]]] = False


def _top_p_keep(
    z: FloatArray, w: FloatArray, kept: BoolArray, p: float, scratch: FloatArray, scratch2: FloatArray
) -> None:
    """Top-p over ``(..., V)``, in place on ``kept``; row by row (a page has one row)."""
    if p >= 1.0:
        return
    v = z.shape[-1]
    z2, w2, k2 = z.reshape(-1, v), w.reshape(-1, v), kept.reshape(-1, v)
    s2, t2 = scratch.reshape(-1, v), scratch2.reshape(-1, v)
    totals = np.sum(np.multiply(w2, k2, out=t2), axis=-1)  # (a where= sum is 10x slower on a ragged mask)
    for i in range(z2.shape[0]):
        _top_p_keep_row(z2[i], w2[i], k2[i], float(totals[i]), p, s2[i], t2[i])


def _masked(z: FloatArray, keep: BoolArray) -> FloatArray:
    return np.asarray(np.where(keep, z, -np.inf), dtype=np.float64)


def top_k_filter(logits: npt.ArrayLike, k: int) -> FloatArray:
    r"""Keep the ``k`` largest logits of each row (and any tied with the k-th); the rest become ``-inf``.

    .. math:: \tilde z_i = z_i \text{ if } z_i \ge z_{(k)} \text{ else } -\infty,
              \qquad z_{(k)} = \text{the k-th largest logit}

    ``k = 0`` or ``k >= V`` keeps all. Shapes: ``(..., V) -> (..., V)``.

    >>> top_k_filter([1.0, 3.0, 2.0, 3.0], 1).tolist()  # a tie with the first: both kept
    [-inf, 3.0, -inf, 3.0]
    """
    z = check_logits(logits)
    n = check_top_k(k)
    with _scratch(z.shape, 1) as (buf,):
        return _masked(z, _top_k_keep(z, n, buf))


def top_p_filter(logits: npt.ArrayLike, p: float) -> FloatArray:
    r"""Nucleus filter: keep the smallest set of most probable tokens whose probability reaches ``p``.

    With :math:`\pi = \operatorname{softmax}(z)` sorted ascending and :math:`c_j = \sum_{i \le j} \pi_{(i)}`
    (the token and everything less probable), token :math:`(j)` is removed when :math:`c_j \le 1 - p`;
    the most probable is always kept. Equal logits rank by index, the lower first (see the module notes).
    ``p = 1`` keeps all. Shapes: ``(..., V) -> (..., V)``.

    >>> top_p_filter([math.log(2), 0.0, 0.0], 0.75).tolist()  # (0.5, 0.25, 0.25): 0.5 + 0.25 reaches 0.75
    [0.6931471805599453, 0.0, -inf]
    """
    z = check_logits(logits)
    q = check_top_p(p)
    keep = np.ones(z.shape, dtype=bool)
    with _scratch(z.shape, 3) as (w, buf, buf2):
        _ratios(z, out=w)
        _top_p_keep(z, w, keep, q, buf, buf2)
    return _masked(z, keep)


def min_p_filter(logits: npt.ArrayLike, min_p: float) -> FloatArray:
    r"""Keep the tokens at least ``min_p`` times as probable as the most probable one.

    .. math:: \tilde z_i = z_i \text{ if } \pi_i \ge \text{min\_p} \cdot \max_j \pi_j
              \;\big(\Leftrightarrow e^{z_i - \max_j z_j} \ge \text{min\_p}\big) \text{ else } -\infty

    ``min_p = 0`` keeps all. Shapes: ``(..., V) -> (..., V)``.

    >>> min_p_filter([0.0, -1.0, -3.0], 0.2).tolist()  # ratios 1, 0.37, 0.05
    [0.0, -1.0, -inf]
    """
    z = check_logits(logits)
    m = check_min_p(min_p)
    with _scratch(z.shape, 1) as (w,):
        return _masked(z, _ratios(z, out=w) >= m)


# ---- the pipeline -----------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Stage:
    """One stage of the pipeline, for a page to draw: its logits, who survives it, and their mass."""

    name: str  # one of STAGES
    logits: FloatArray  # (..., V): after this stage, -inf where removed
    kept: BoolArray  # (..., V): still in after this stage (and every earlier one)
    mass: FloatArray  # (...): their probability under softmax(z / T), before any filter


@dataclass(frozen=True, eq=False)
class Pipeline:
    r"""Every stage of :func:`pipeline`; all arrays are read-only.

    ``kept_*`` masks are cumulative (a token removed by top-k stays removed); ``mass_*`` is the
    probability the survivors had under ``softmax(z / T)``, the distribution before any filter, so
    ``1 >= mass_top_k >= mass_top_p >= mass_min_p > 0`` (up to rounding). ``entropy`` is
    :math:`H = -\sum_i p_i \ln p_i` of the final probabilities, in nats, and ``effective_choices`` is
    :math:`e^H` (1 for a single token, V for the uniform distribution over V). The filtered logits
    (``after_top_k`` ...) and ``scaled_probs`` are computed when first read.
    """

    temperature: float
    top_k: int
    top_p: float
    min_p: float
    logits: FloatArray  # (..., V) as given (a read-only view when it was already a float64 array)
    scaled: FloatArray  # (..., V): z / T, or (z - max z) / T where z / T overflows float64
    kept_temperature: BoolArray  # (..., V): the finite logits
    kept_top_k: BoolArray
    kept_top_p: BoolArray
    kept_min_p: BoolArray
    probs: FloatArray  # (..., V): softmax(after_min_p), the final distribution
    mass_top_k: FloatArray  # (...)
    mass_top_p: FloatArray
    mass_min_p: FloatArray
    entropy: FloatArray  # (...)
    effective_choices: FloatArray  # (...)

    @cached_property
    def scaled_probs(self) -> FloatArray:
        """``softmax(z / T)``, before any filter, ``(..., V)``."""
        return _read_only(softmax(self.scaled))

    @cached_property
    def after_top_k(self) -> FloatArray:
        """``z / T`` with ``-inf`` where top-k removed the token, ``(..., V)``."""
        return self._after(self.kept_top_k, self.scaled, self.kept_temperature)

    @cached_property
    def after_top_p(self) -> FloatArray:
        """The logits after top-p (and top-k), ``(..., V)``."""
        return self._after(self.kept_top_p, self.after_top_k, self.kept_top_k)

    @cached_property
    def after_min_p(self) -> FloatArray:
        """The logits after min-p (and top-p, top-k), ``(..., V)``: the final softmax's input."""
        return self._after(self.kept_min_p, self.after_top_p, self.kept_top_p)

    @staticmethod
    def _after(kept: BoolArray, previous: FloatArray, previous_kept: BoolArray) -> FloatArray:
        if kept is previous_kept or np.array_equal(kept, previous_kept):
            return previous  # this stage removed nothing: the same (read-only) array
        return _read_only(_masked(previous, kept))

    @property
    def stages(self) -> tuple[Stage, ...]:
        """The four stages in order, each with its logits, survivors and the mass they keep."""
        everything = _read_only(np.ones(self.logits.shape[:-1]))  # softmax(z / T) itself
        return (
            Stage("temperature", self.scaled, self.kept_temperature, everything),
            Stage("top_k", self.after_top_k, self.kept_top_k, self.mass_top_k),
            Stage("top_p", self.after_top_p, self.kept_top_p, self.mass_top_p),
            Stage("min_p", self.after_min_p, self.kept_min_p, self.mass_min_p),
        )

    @property
    def kept_count(self) -> IntArray:
        """How many tokens the final distribution can draw, ``(...)``."""
        return np.asarray(np.count_nonzero(self.kept_min_p, axis=-1), dtype=np.int64)


def pipeline(
    logits: npt.ArrayLike,
    *,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    min_p: float = 0.0,
) -> Pipeline:
    r"""Run temperature → top-k → top-p → min-p → softmax and keep every stage.

    .. math:: p = \operatorname{softmax}\big(\text{min-}p(\text{top-}p(\text{top-}k(z / T)))\big)

    Each filter sees the logits the previous stage left (top-p's probabilities are renormalised over
    the tokens top-k kept, as in ``generate()``). Shapes: logits ``(..., V)``; see :class:`Pipeline`.

    >>> run = pipeline([2.0, 1.0, 0.0, -1.0], temperature=0.5, top_p=0.9)
    >>> run.kept_top_p.tolist(), round(float(run.mass_top_p), 4), run.probs.round(4).tolist()
    ([True, True, False, False], 0.982, [0.8808, 0.1192, 0.0, 0.0])
    """
    z = check_logits(logits)
    t = check_temperature(temperature)
    k = check_top_k(top_k)
    p = check_top_p(top_p)
    mp = check_min_p(min_p)
    given = z.view() if z is logits else z  # never make the caller's own array read-only
    scaled = given if t == 1.0 else _divide(z, t)

    # The top token survives every stage, so one shift and one exponential serve them all; each later
    # stage's probabilities are these weights over its survivors, renormalised.
    finite = np.asarray(z > -np.inf)  # (not scaled's: a finite logit far below the top can shift to -inf)
    probs = np.empty(scaled.shape)
    with _scratch(scaled.shape, 4) as (s, w, buf, buf2):
        with np.errstate(over="ignore"):  # a gap beyond float64 (1e308 - -1e308) is -inf: weight exactly 0
            np.subtract(scaled, np.max(scaled, axis=-1, keepdims=True), out=s)  # <= 0; the top is exactly 0
        with np.errstate(under="ignore"):
            np.exp(s, out=w)  # p_i / p_max under softmax(z / T); 0 for -inf logits
        base_total = np.sum(w, axis=-1)

        kept_k = _top_k_keep(scaled, k, buf) & finite
        kept_p = kept_k.copy()
        _top_p_keep(scaled, w, kept_p, p, buf, buf2)
        kept_m = kept_p & (w >= mp) if mp > 0.0 else kept_p.copy()

        np.multiply(w, kept_m, out=probs)  # exactly 0 for removed tokens
        total = np.sum(probs, axis=-1, keepdims=True)
        probs /= total
        # H = -sum p (s - log total) = log total - sum p s, where a token of p = 0 adds 0; its s may be -inf
        # (a -inf logit, or one too far below the top), and 0 * -inf is NaN: then those terms are dropped
        h = np.log(total[..., 0]) - np.einsum("...v,...v->...", probs, s)
        if np.isnan(h).any():
            h = np.log(total[..., 0]) - np.einsum("...v,...v->...", probs, np.where(probs > 0.0, s, 0.0))
        h = np.maximum(h, 0.0)

        def mass(kept: BoolArray) -> FloatArray:
            return _read_only(np.asarray(np.sum(np.multiply(w, kept, out=buf), axis=-1) / base_total, np.float64))

        masses = mass(kept_k), mass(kept_p), mass(kept_m)

    return Pipeline(
        temperature=t,
        top_k=k,
        top_p=p,
        min_p=mp,
        logits=_read_only(given),
        scaled=_read_only(scaled),
        kept_temperature=_read_only(finite),
        kept_top_k=_read_only(kept_k),
        kept_top_p=_read_only(kept_p),
        kept_min_p=_read_only(kept_m),
        probs=_read_only(probs),
        mass_top_k=masses[0],
        mass_top_p=masses[1],
        mass_min_p=masses[2],
        entropy=_read_only(np.asarray(h, dtype=np.float64)),
        effective_choices=_read_only(np.asarray(np.exp(h), dtype=np.float64)),
    )


def next_token_probs(
    logits: npt.ArrayLike,
    *,
    temperature: float = 1.0,
    top_k: int = 0,
    top_p: float = 1.0,
    min_p: float = 0.0,
) -> FloatArray:
    r"""The next-token distribution after temperature → top-k → top-p → min-p (``generate()``'s order).

    .. math:: p = \operatorname{softmax}\big(\text{min-}p(\text{top-}p(\text{top-}k(z / T)))\big)

    Removed tokens get probability exactly 0. Shapes: ``(..., V) -> (..., V)``.

    >>> next_token_probs([2.0, 1.0, 0.1], top_k=2).round(4).tolist()
    [0.7311, 0.2689, 0.0]
    """
    run = pipeline(logits, temperature=temperature, top_k=top_k, top_p=top_p, min_p=min_p)
    return np.array(run.probs)
