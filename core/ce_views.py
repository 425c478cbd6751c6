r"""The numbers behind the Cross-entropy page, one function per tab, each at the example's temperature.

One temperature rule: :math:`p = \operatorname{softmax}(z / T)`, a loss is
``cross_entropy(z / T, ·)`` and its gradient with respect to the logits is
:math:`(p - \tilde y) / T`.

Loss curves over :math:`p_t` (the true class's probability) need the rest of the
mass placed somewhere: here it is spread evenly over the other classes, the
convention the page states. Every value comes from :mod:`core.losses`.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt

from core.losses import (
    cross_entropy,
    cross_entropy_grad,
    entropy,
    focal_loss,
    focal_loss_grad,
    kl_divergence,
    smoothed_target,
    squared_error,
    squared_error_grad,
)
from core.query import QueryParams, format_number, parse_number, read_param
from core.scenario import Scenario
from core.softmax import FloatArray, check_temperature, shifted_logits, softmax, softmax_with_log
from core.text import fmt

__all__ = [
    "EXP_OVERFLOW",
    "KERAS_EPSILON",
    "P_GRID",
    "BatchView",
    "Curves",
    "FrameworkValue",
    "FrameworksView",
    "InformationView",
    "LossCurvesView",
    "Row",
    "SoftTargetsView",
    "Target",
    "batch_view",
    "curves_over_p",
    "default_rows",
    "framework_values",
    "frameworks_view",
    "information",
    "information_view",
    "loss_curves_view",
    "naive_note",
    "soft_targets_view",
    "target_distribution",
]

KERAS_EPSILON = 1e-7
"""Keras clips probabilities to [1e-7, 1 - 1e-7] when ``from_logits=False`` (``backend.epsilon()``)."""
EXP_OVERFLOW = math.log(float(np.finfo(np.float64).max))
"""709.78: ``exp(z)`` is ``inf`` in float64 past this."""
EXP_UNDERFLOW = -745.0
"""``exp(z)`` rounds to 0 in float64 below about this (the smallest subnormal is e^−744.4)."""
P_GRID: FloatArray = np.unique(np.concatenate([np.geomspace(1e-3, 0.05, 40), np.linspace(0.05, 0.999, 80)]))
"""The p(true) values the loss curves are drawn at: dense near 0, where cross-entropy rises fastest."""


# ---- Loss curves ----------------------------------------------------------------------------
def logits_for(p_true: npt.ArrayLike, n_classes: int) -> FloatArray:
    """Logits whose softmax gives class 0 probability ``p_true`` and the others equal shares."""
    p = np.asarray(p_true, dtype=np.float64)
    if np.any((p <= 0) | (p >= 1)):
        raise ValueError("p_true must lie strictly between 0 and 1")
    if n_classes < 2:
        raise ValueError(f"n_classes must be at least 2, got {n_classes}")
    rest = np.log((1.0 - p) / (n_classes - 1))
    z = np.repeat(rest[..., None], n_classes, axis=-1)
    z[..., 0] = np.log(p)
    return z


@dataclass(frozen=True)
class Curves:
    """Loss and d(loss)/d(true logit) for each ``p``: cross-entropy, squared error, focal.

    The gradients are with respect to the logit ``z`` itself at ``temperature`` T
    (the losses see ``z / T``): the T = 1 gradient divided by T.
    """

    p: FloatArray
    ce: FloatArray
    se: FloatArray
    focal: FloatArray
    ce_grad: FloatArray
    se_grad: FloatArray
    focal_grad: FloatArray
    temperature: float = 1.0


def curves_over_p(p_true: npt.ArrayLike, n_classes: int, gamma: float, temperature: float = 1.0) -> Curves:
    """The three losses over p(true) and their gradients with respect to the true class's logit at T."""
    t_ = check_temperature(temperature)
    p = np.asarray(p_true, dtype=np.float64)
    s = logits_for(p, n_classes)  # s = z / T: the scaled logits whose softmax is p
    t = np.zeros(p.shape, dtype=np.int64)
    return Curves(
        p=p,
        ce=cross_entropy(s, t, reduction="none"),
        se=squared_error(s, t, reduction="none"),
        focal=focal_loss(s, t, gamma=gamma, reduction="none"),
        ce_grad=cross_entropy_grad(s, t)[..., 0] / t_,
        se_grad=squared_error_grad(s, t)[..., 0] / t_,
        focal_grad=focal_loss_grad(s, t, gamma=gamma)[..., 0] / t_,
        temperature=t_,
    )


@dataclass(frozen=True)
class LossCurvesView:
    """The Loss curves tab: the curves at T, the true class's p at T and each loss's push on its logit."""

    temperature: float
    p_now: float
    log_p_now: float
    """ln p_now (nats): says what a p_now that underflowed to 0 is"""
    curves: Curves
    ce_push: float
    se_push: float
    """squared error's push; where p_now underflows it is of the order of p_now itself (written as such)"""
    focal_push: float


def loss_curves_view(sc: Scenario, gamma: float) -> LossCurvesView:
    p, log_p = softmax_with_log(sc.logits, temperature=sc.temperature)
    p_now = float(p[sc.target])
    # the pushes at p_now itself (bounded only to keep the curve's logits finite: 1e-300 is far below any p
    # that shows as a number; an underflowed p is said to be so by the page)
    now = curves_over_p(np.array([min(max(p_now, 1e-300), 1 - 1e-16)]), sc.n_classes, gamma, sc.temperature)
    return LossCurvesView(
        temperature=sc.temperature,
        p_now=p_now,
        log_p_now=float(log_p[sc.target]),
        curves=curves_over_p(P_GRID, sc.n_classes, gamma, sc.temperature),
        ce_push=float(now.ce_grad[0]),
        se_push=float(now.se_grad[0]),
        focal_push=float(now.focal_grad[0]),
    )


# ---- Soft targets and Information ------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """The target distribution ỹ of the Soft targets and Information tabs, and how it was made."""

    y: FloatArray
    how: str
    problem: str | None
    """stored unescaped; the page escapes it where it shows it"""
    symbol: str
    """"y" for a one-hot target, "ỹ" for a smoothed or typed one"""
    typed: bool


def target_distribution(
    n_classes: int, target: int, label_smoothing: float, typed: Sequence[float | None] | None = None
) -> Target:
    """The one-hot true class smoothed with ε (PyTorch's convention), or the typed distribution.

    A typed distribution (empty entries count as 0) that does not sum to 1 is
    rescaled to, with a problem saying so; one that sums to 0 gives the uniform one.
    """
    if typed is None:
        y = smoothed_target(np.asarray(target), n_classes, label_smoothing)
        symbol = "y" if label_smoothing == 0 else "ỹ"
        return Target(y, f"the true class smoothed with ε = {fmt(label_smoothing, 2)}", None, symbol, False)
    if len(typed) != n_classes:
        raise ValueError(f"typed must have {n_classes} values, got {len(typed)}")
    v = np.array([0.0 if x is None else float(x) for x in typed], dtype=np.float64)
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise ValueError(f"typed probabilities must be finite and non-negative, got {v.tolist()}")
    total = float(v.sum())
    if total <= 0:
        problem = "The typed target probabilities sum to 0; using the uniform distribution."
        return Target(np.full(n_classes, 1.0 / n_classes), "uniform", problem, "ỹ", True)
    if abs(total - 1) > 1e-6:
        problem = f"The typed target probabilities sum to {fmt(total)}, not 1; using them rescaled to sum to 1."
        return Target(v / total, "the distribution typed above, rescaled", problem, "ỹ", True)
    return Target(v, "the distribution typed above", None, "ỹ", True)


@dataclass(frozen=True)
class SoftTargetsView:
    """The Soft targets tab at T: the target, p, the loss H(ỹ, p) and its gradient (p − ỹ) / T."""

    temperature: float
    target: Target
    p: FloatArray
    loss: float
    one_hot_loss: float
    grad: FloatArray


def soft_targets_view(sc: Scenario, target: Target) -> SoftTargetsView:
    """The loss and the gradient use the same target ỹ: ``cross_entropy(z / T, ỹ)`` and ``(p − ỹ) / T``."""
    s = shifted_logits(sc.logits, sc.temperature)  # (z − max z) / T: z / T itself may overflow
    return SoftTargetsView(
        temperature=sc.temperature,
        target=target,
        p=softmax(s),
        loss=float(cross_entropy(s, target.y)),
        one_hot_loss=float(cross_entropy(s, sc.target)),
        grad=cross_entropy_grad(s, target.y) / sc.temperature,
    )


def information(
    logits: npt.ArrayLike, target_dist: npt.ArrayLike, temperature: float = 1.0
) -> tuple[float, float, float]:
    r"""``(H(y), KL(y || p), H(y, p))`` in nats with :math:`p = \operatorname{softmax}(z / T)`.

    :math:`H(y, p) = H(y) + \mathrm{KL}(y \| p)`. The cross-entropy comes from
    :func:`core.losses.cross_entropy` (exact through log-softmax); KL from
    :func:`core.losses.kl_divergence` on ``softmax(logits / T)``.
    """
    s = shifted_logits(logits, check_temperature(temperature))  # (z − max z) / T: never overflows
    y = np.asarray(target_dist, dtype=np.float64)
    h = float(entropy(y))
    ce = float(cross_entropy(s, y))
    kl = float(kl_divergence(y, softmax(s)))
    if not math.isfinite(kl):  # p underflowed to 0 where y has mass: KL is what remains of H(y, p)
        kl = ce - h
    return h, kl, ce


@dataclass(frozen=True)
class InformationView:
    """The Information tab at T, in nats: H(ỹ, p) = H(ỹ) + KL(ỹ ‖ p) for the tab's target, and the one-hot loss."""

    temperature: float
    target: Target
    entropy: float
    """H of the target (H(ỹ) when smoothed or typed; 0 for a one-hot y)"""
    kl: float
    cross_entropy: float
    """H(target, p): the loss against the tab's target"""
    one_hot_cross_entropy: float
    """H(y, p) against the one-hot true class: the loss the readout under the logits shows"""


def information_view(sc: Scenario, target: Target) -> InformationView:
    h, kl, ce = information(sc.logits, target.y, sc.temperature)
    one_hot = float(cross_entropy(shifted_logits(sc.logits, sc.temperature), sc.target))
    return InformationView(sc.temperature, target, h, kl, ce, one_hot)


# ---- A batch ----------------------------------------------------------------------------------
Row = tuple[tuple[float, ...], int]


def default_rows(sc: Scenario) -> list[Row]:
    """The batch's starting rows: the example, a confident right one, a confident wrong one, a shrug."""
    rows = [
        tuple(sc.logits),
        tuple(3.0 if i == sc.target else 0.0 for i in range(sc.n_classes)),
        tuple(3.0 if i == (sc.target + 1) % sc.n_classes else 0.0 for i in range(sc.n_classes)),
        (0.0,) * sc.n_classes,
    ]
    return [(tuple(float(v) for v in r), sc.target) for r in rows]


@dataclass(frozen=True)
class BatchView:
    """The A batch tab at T: each complete row's ``cross_entropy(z / T, t)``, their mean, sum, weighted mean."""

    temperature: float
    rows: tuple[Row, ...]
    skipped: tuple[int, ...]
    """1-based numbers of the rows left out (a cell empty or not finite, or no class)"""
    losses: FloatArray
    mean: float | None
    total: float | None
    weighted_mean: float | None
    problems: tuple[str, ...]
    """stored unescaped"""


def _finite(v: Any) -> bool:
    return isinstance(v, numbers.Real) and math.isfinite(v)


def batch_view(
    records: Sequence[Mapping[str, Any]],
    classes: Sequence[str],
    temperature: float,
    weights: Sequence[float] | None = None,
) -> BatchView:
    """The batch from the editor's records (one mapping per row: a logit per class and ``"target"``)."""
    t_ = check_temperature(temperature)
    rows: list[Row] = []
    skipped: list[int] = []
    for k, r in enumerate(records, start=1):
        values = [r.get(c) for c in classes]
        if r.get("target") not in classes or not all(_finite(v) for v in values):
            skipped.append(k)
            continue
        rows.append((tuple(float(cast(float, v)) for v in values), list(classes).index(r["target"])))
    problems: list[str] = []
    if skipped:
        problems.append(f"Rows {', '.join(map(str, skipped))} skipped: every cell needs a finite number and a class.")
    if not rows:
        return BatchView(t_, (), tuple(skipped), np.zeros(0), None, None, None, tuple(problems))
    s = shifted_logits(np.array([z for z, _ in rows], dtype=np.float64), t_)  # each row (z − max z) / T
    ts = np.array([t for _, t in rows], dtype=np.int64)
    weighted = None
    if weights is not None:
        w = np.asarray(weights, dtype=np.float64)
        if w[ts].sum() > 0:
            weighted = float(cross_entropy(s, ts, weight=w))
        else:
            problems.append("The weights of these examples' classes sum to 0: the weighted mean is undefined.")
    return BatchView(
        temperature=t_,
        rows=tuple(rows),
        skipped=tuple(skipped),
        losses=cross_entropy(s, ts, reduction="none"),
        mean=float(cross_entropy(s, ts)),
        total=float(cross_entropy(s, ts, reduction="sum")),
        weighted_mean=weighted,
        problems=tuple(problems),
    )


# ---- In your framework --------------------------------------------------------------------------
@dataclass(frozen=True)
class FrameworkValue:
    name: str
    value: float
    convention: str


def naive_note(scaled_logits: npt.ArrayLike) -> str:
    """What a naive ``exp(z) / sum(exp(z))`` meets for these (already scaled) logits, in words."""
    s = np.asarray(scaled_logits, dtype=np.float64)
    with np.errstate(over="ignore", under="ignore"):
        e = np.exp(s)
    notes = []
    if np.any(np.isinf(e)):
        notes.append(f"overflow: exp(z) = inf past z ≈ {fmt(EXP_OVERFLOW, 2)}, and inf / inf = NaN")
    if np.any(e == 0):
        notes.append(f"underflow: exp(z) = 0 below z ≈ {fmt(EXP_UNDERFLOW, 0)}, log 0 = −∞ (and 0 · −∞ = NaN)")
    if not notes:
        return (
            "no shift by the max: exact for these logits, but exp(z) overflows past "
            f"z ≈ {fmt(EXP_OVERFLOW, 2)} and underflows to 0 below z ≈ {fmt(EXP_UNDERFLOW, 0)}"
        )
    return "; ".join(notes)


def framework_values(
    logits: npt.ArrayLike, target: int, label_smoothing: float = 0.0, temperature: float = 1.0
) -> list[FrameworkValue]:
    """The loss each framework returns for one example at T (logits divided by T), under its convention."""
    t_ = check_temperature(temperature)
    with np.errstate(over="ignore"):
        s = np.asarray(logits, dtype=np.float64) / t_  # what the naive code exponentiates (inf past 1.8e308)
    n = s.shape[-1]
    y = smoothed_target(np.asarray(target), n, label_smoothing)
    stable = shifted_logits(logits, t_)  # what the frameworks' log-softmax works on: the same numbers, shifted
    exact = float(cross_entropy(stable, target, label_smoothing=label_smoothing))
    # Keras from_logits=False: normalise, clip to [eps, 1 - eps], then -sum(y log p).
    p = softmax(stable)
    clipped = np.clip(p / p.sum(), KERAS_EPSILON, 1.0 - KERAS_EPSILON)
    keras_probs = float(-(y * np.log(clipped)).sum())
    # A hand-written NumPy: log of softmax computed naively (no shift).
    with np.errstate(over="ignore", under="ignore", divide="ignore", invalid="ignore"):
        e = np.exp(s)
        naive = float(-(y * np.log(e / e.sum())).sum())
    note = naive_note(s)
    if not math.isfinite(naive):
        note += f": it returns {'NaN' if math.isnan(naive) else fmt(naive)}"
    z = "logits" if t_ == 1 else "logits / T"
    return [
        FrameworkValue(f"PyTorch F.cross_entropy({z}, target)", exact, "log-softmax of the logits; exact"),
        FrameworkValue(f"Keras CategoricalCrossentropy(from_logits=True) on {z}", exact, "log-softmax; exact"),
        FrameworkValue(
            f"Keras CategoricalCrossentropy(from_logits=False) on softmax({z})",
            keras_probs,
            "probabilities clipped to [1e-7, 1 − 1e-7]: the loss tops out at −ln 1e-7 = 16.118",
        ),
        FrameworkValue(f"NumPy, naive -log(exp({'z' if t_ == 1 else 'z / T'}) / sum(...))", naive, note),
    ]


@dataclass(frozen=True)
class FrameworksView:
    """The In your framework tab at T: the code to run (logits divided by T when T ≠ 1) and what it returns."""

    temperature: float
    label_smoothing: float
    code: tuple[tuple[str, str], ...]
    """(framework, Python code) pairs; plain text"""
    values: tuple[FrameworkValue, ...]


def frameworks_view(sc: Scenario, label_smoothing: float) -> FrameworksView:
    e = label_smoothing
    z = ", ".join(format_number(v) for v in sc.logits)
    t, c = sc.target, sc.n_classes
    scaled = sc.temperature != 1.0
    temp = f"T = {format_number(sc.temperature)}  # the temperature\n" if scaled else ""
    by_t = " / T" if scaled else ""
    ls = f", label_smoothing={format_number(e)}" if e else ""
    torch_code = (
        f"import torch\nimport torch.nn.functional as F\n\n{temp}logits = torch.tensor([[{z}]], dtype=torch.float64)\n"
        f"target = torch.tensor([{t}])  # {sc.target_name}\nF.cross_entropy(logits{by_t}, target{ls})"
    )
    keras_code = (
        f"import keras\nimport tensorflow as tf\n\n{temp}logits = tf.constant([[{z}]], dtype=tf.float64)\n"
        f"y = tf.one_hot([{t}], {c})\nkeras.losses.CategoricalCrossentropy(from_logits=True{ls})(y, logits{by_t})\n"
        f"# on probabilities instead: clipped to [1e-7, 1 - 1e-7]\n"
        f"keras.losses.CategoricalCrossentropy(from_logits=False{ls})(y, tf.nn.softmax(logits{by_t}))"
    )
    numpy_code = (
        f"import numpy as np\n\n{temp}z = np.array([{z}]){by_t}\ny = np.eye({c})[{t}]"
        + (f" * (1 - {format_number(e)}) + {format_number(e)} / {c}" if e else "")
        + "\np = np.exp(z) / np.exp(z).sum()  # naive: no shift by the max\n-(y * np.log(p)).sum()"
    )
    return FrameworksView(
        temperature=sc.temperature,
        label_smoothing=e,
        code=(("PyTorch", torch_code), ("Keras", keras_code), ("NumPy", numpy_code)),
        values=tuple(framework_values(sc.logits, sc.target, e, sc.temperature)),
    )


# ---- URL ----------------------------------------------------------------------------------------
MAX_BATCH_ROWS = 50


def read_batch(
    params: QueryParams, key: str, classes: Sequence[str]
) -> tuple[list[tuple[tuple[float, ...], int]] | None, list[str]]:
    """A batch from the URL: rows ``z1,...,zC,class`` separated by ``;``. ``(None, [])`` when absent.

    >>> read_batch({"b": "2,1,dog;0,3,cat"}, "b", ["cat", "dog"])
    ([((2.0, 1.0), 1), ((0.0, 3.0), 0)], [])
    """
    lowered = [c.casefold() for c in classes]

    def parse(text: str) -> list[tuple[tuple[float, ...], int]]:
        parts = [r for r in text.split(";") if r.strip()]
        if not 1 <= len(parts) <= MAX_BATCH_ROWS:
            raise ValueError(f"{len(parts)} rows; 1 to {MAX_BATCH_ROWS} are allowed")
        rows = []
        for k, part in enumerate(parts, start=1):
            *numbers, name = part.split(",")
            if len(numbers) != len(classes):
                raise ValueError(f"row {k} has {len(numbers)} logits for {len(classes)} classes")
            if name.strip().casefold() not in lowered:
                raise ValueError(f"row {k}: {name.strip()[:24]!r} is not a class")
            z = tuple(parse_number(t, name=f"{key} row {k}") for t in numbers)
            rows.append((z, lowered.index(name.strip().casefold())))
        return rows

    rows, why = read_param(params, key, parse)
    return rows, ([] if why is None else [f"'{key}' ignored ({why})."])


def write_batch(rows: Sequence[tuple[Sequence[float], int]], classes: Sequence[str]) -> str:
    """The inverse of :func:`read_batch`."""
    return ";".join(",".join([*(format_number(float(v)) for v in z), classes[t]]) for z, t in rows)
