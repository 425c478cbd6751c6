r"""The numbers behind the Softmax page: temperature sweeps, stability, two classes, the Jacobian.

Everything here builds on :mod:`core.softmax`; the naive formula exists only to
show where it breaks. One function per tab of the page (:func:`temperature_tab`,
:func:`shift_scale_tab`, :func:`stability_tab`, :func:`two_classes_tab`,
:func:`jacobian_tab`) returns every number that tab shows, all under one
temperature rule: the probabilities are :math:`p = \operatorname{softmax}(z / T)`
with the example's ``T``, and entropies are in the example's unit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from core.losses import entropy
from core.query import QueryParams, format_number, read_number, snap_to_step
from core.scenario import TEMPERATURE_RANGE, Scenario, Unit
from core.softmax import FloatArray, check_logits, check_temperature, log_softmax, shifted_logits, softmax
from core.units import in_unit

__all__ = [
    "COLD",
    "DTYPES",
    "HOT",
    "LEGACY_T",
    "SIGMOID_MARKS",
    "SIGMOID_X",
    "TEMPERATURES",
    "JacobianTab",
    "ShiftScaleTab",
    "StabilityRow",
    "StabilityTab",
    "TemperatureTab",
    "TwoClassesTab",
    "jacobian",
    "jacobian_tab",
    "legacy_temperature",
    "log_entropy",
    "naive_softmax",
    "overflow_point",
    "shift_scale_tab",
    "sigmoid",
    "stability_tab",
    "stability_table",
    "stable_softmax",
    "temperature_sweep",
    "temperature_tab",
    "two_classes_tab",
]

DTYPES: tuple[type[np.floating], ...] = (np.float16, np.float32, np.float64)


TEMPERATURES: FloatArray = np.geomspace(0.01, 100.0, 121)
"""The temperatures every sweep is drawn at: 30 a decade from 0.01 to 100 (0.1, 1 and 10 included)."""


def temperature_sweep(z: npt.ArrayLike, temperatures: npt.ArrayLike) -> FloatArray:
    """``softmax(z / T)`` for each ``T``: shape ``(len(temperatures), C)``.

    >>> temperature_sweep([1.0, 0.0], [1e-3, 1e3]).round(3).tolist()
    [[1.0, 0.0], [0.5, 0.5]]
    """
    ts = np.asarray(temperatures, dtype=np.float64)
    if ts.ndim != 1 or not np.all((ts > 0) & np.isfinite(ts)):
        raise ValueError(f"temperatures must be a list of finite numbers > 0, got {ts.tolist()[:5]}")
    # (z - max z) / T for every T at once: each row is what softmax(z, temperature=T) exponentiates (its
    # maximum is 0, so the row softmax below shifts by nothing and divides by nothing: the same numbers)
    shifted = shifted_logits(z)
    with np.errstate(over="ignore"):  # overflow can only give -inf (every entry <= 0): probability 0, exact
        scaled = shifted[..., None, :] / ts[:, None]
    return softmax(scaled)


def naive_softmax(z: npt.ArrayLike, dtype: type[np.floating]) -> npt.NDArray[np.floating]:
    r"""``exp(z) / sum(exp(z))`` computed in ``dtype``, exactly as the formula reads (no shift).

    It overflows once a logit passes :func:`overflow_point` and returns ``inf`` / ``nan``.
    For teaching only: use :func:`core.softmax.softmax`.
    """
    a = np.asarray(z, dtype=dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(a)
        return np.asarray(e / e.sum(dtype=dtype))


def stable_softmax(z: npt.ArrayLike, dtype: type[np.floating]) -> npt.NDArray[np.floating]:
    """The max-shifted softmax computed in ``dtype``: finite for every finite input."""
    a = np.asarray(z, dtype=dtype)
    with np.errstate(under="ignore"):
        e = np.exp(a - a.max())
        return np.asarray(e / e.sum(dtype=dtype))


def overflow_point(dtype: type[np.floating]) -> float:
    """The largest x with ``exp(x)`` finite in ``dtype``: ln(max float), about 11.09, 88.72, 709.78."""
    return math.log(float(np.finfo(dtype).max))


@dataclass(frozen=True)
class StabilityRow:
    dtype: str
    overflow_at: float
    naive: tuple[float, ...]
    stable: tuple[float, ...]

    @property
    def naive_broke(self) -> bool:
        return not all(math.isfinite(v) for v in self.naive)


def stability_table(z: npt.ArrayLike) -> list[StabilityRow]:
    """Naive against stable softmax of ``z`` in float16, float32 and float64."""
    a = check_logits(z)
    if a.ndim != 1:
        raise ValueError(f"z must be one row of logits, got shape {a.shape}")
    return [
        StabilityRow(
            dtype=np.dtype(d).name,
            overflow_at=overflow_point(d),
            naive=tuple(float(v) for v in naive_softmax(a, d)),
            stable=tuple(float(v) for v in stable_softmax(a, d)),
        )
        for d in DTYPES
    ]


def sigmoid(x: npt.ArrayLike) -> FloatArray:
    r"""The logistic function, stable for any finite input.

    .. math:: \sigma(x) = \frac{1}{1 + e^{-x}}

    With two classes, :math:`\operatorname{softmax}(z_1, z_2)_1 = \sigma(z_1 - z_2)`.

    >>> sigmoid([0.0, 1000.0, -1000.0]).tolist()
    [0.5, 1.0, 0.0]
    """
    a = np.asarray(x, dtype=np.float64)
    out = np.empty_like(a)
    pos = a >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-a[pos]))
    e = np.exp(a[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def jacobian(p: npt.ArrayLike, temperature: float = 1.0) -> FloatArray:
    r"""The softmax Jacobian at probabilities ``p = softmax(z / T)``: :math:`\partial p_i / \partial z_j`.

    .. math:: J = \frac{\operatorname{diag}(p) - p\,p^\top}{T}

    Shape ``(C,) -> (C, C)``; symmetric, rows sum to 0, entries at most ``0.25 / T``.

    >>> jacobian([0.5, 0.5]).tolist(), float(jacobian([0.5, 0.5], temperature=2.0)[0, 0])
    ([[0.25, -0.25], [-0.25, 0.25]], 0.125)
    """
    v = np.asarray(p, dtype=np.float64)
    if v.ndim != 1:
        raise ValueError(f"p must be one distribution, got shape {v.shape}")
    t = check_temperature(temperature)
    return np.asarray((np.diag(v) - np.outer(v, v)) / t, dtype=np.float64)


# ---- the page's tabs: one typed result each, all at the example's T ---------------------------
COLD = 0.01
"""The coldest temperature of the sweep: softmax is close to the argmax there."""
HOT = 100.0
"""The hottest temperature of the sweep: softmax is close to uniform there."""

SIGMOID_X: FloatArray = np.linspace(-10.0, 10.0, 161)
"""Where the sigmoid curve of the Two classes tab is drawn: (z₁ − z₂) / T from −10 to 10."""
SIGMOID_MARKS: FloatArray = np.arange(-10.0, 10.5, 1.0)
"""Where two-class softmax is drawn as points on that curve (every whole number)."""


def _entropy(p: FloatArray, unit: Unit) -> float:
    return in_unit(float(entropy(p)), unit)


def log_entropy(z: npt.ArrayLike, temperature: float = 1.0) -> float:
    r"""The natural log of the entropy of ``softmax(z / T)`` in nats, exact where the entropy underflows to 0.

    Each term :math:`p_i \log(1/p_i)` is taken in log space: with :math:`s = (z - \max z) / T` and
    :math:`R_i = \log \sum_{j \ne i} e^{s_j - s_i}`, :math:`\log(1/p_i) = \operatorname{softplus}(R_i)`, so

    .. math:: \log H = \operatorname{LSE}_i\big(-\operatorname{softplus}(R_i)
              + \log \operatorname{softplus}(R_i)\big)

    (the most probable class's term, :math:`\approx e^{R_i}`, counts too). ``-inf`` when H = 0 (one class has
    every bit of probability, as with ``-inf`` logits for the rest).

    >>> round(math.exp(log_entropy([0.0, 0.0])), 12) == round(math.log(2), 12)
    True
    """
    s = shifted_logits(z, temperature)
    terms = []
    for i in range(s.size):
        if not np.isfinite(s[i]):
            continue  # p_i = 0 exactly: no term
        r = float(np.logaddexp.reduce(np.delete(s, i) - s[i])) if s.size > 1 else -math.inf
        if r == -math.inf:
            continue  # p_i = 1 exactly: log(1/p_i) = 0
        softplus = float(np.logaddexp(0.0, r))
        log_softplus = r - 0.5 * math.exp(r) if r < -30 else math.log(softplus)  # log1p(e^r) ≈ e^r for r ≪ 0
        terms.append(-softplus + log_softplus)
    return float(np.logaddexp.reduce(terms)) if terms else -math.inf


@dataclass(frozen=True)
class TemperatureTab:
    """Each class's probability from T = 0.01 to 100, and where the example's T puts it."""

    temperature: float
    """the example's T"""
    temperatures: FloatArray
    """the sweep's temperatures, :data:`TEMPERATURES`"""
    sweep: FloatArray
    """``softmax(z / t)`` for each sweep temperature, shape ``(len(temperatures), C)``"""
    probs: FloatArray
    """``softmax(z / T)`` at the example's T"""
    cold: FloatArray
    """``softmax(z / 0.01)``: close to the argmax"""
    hot: FloatArray
    """``softmax(z / 100)``: close to uniform"""
    log_probs: FloatArray
    """log of ``probs`` (nats), finite where an entry underflows to 0: for :func:`core.text.fmt_prob`"""
    log_cold: FloatArray
    """log of ``cold``"""
    log_hot: FloatArray
    """log of ``hot``"""
    top: tuple[int, ...]
    """the classes with the largest logit: T → 0 gives them everything, shared equally when several tie"""
    entropy: float
    """entropy of ``probs`` in ``unit`` (0 where it underflows: ``log_entropy`` is then the truth)"""
    log_entropy: float
    """the natural log of ``entropy`` (finite where ``entropy`` underflows to 0), for :func:`core.text.fmt_prob`"""
    max_entropy: float
    uniform: float
    """1 / C: every class's probability in the limit T → ∞"""
    """log C in ``unit``: the entropy of the uniform distribution"""
    unit: Unit


def temperature_tab(sc: Scenario) -> TemperatureTab:
    """The Temperature tab at the example's T and unit."""
    z = np.asarray(sc.logits, dtype=np.float64)
    t = sc.temperature
    probs = softmax(z, temperature=t)
    return TemperatureTab(
        temperature=t,
        temperatures=TEMPERATURES,
        sweep=temperature_sweep(z, TEMPERATURES),
        probs=probs,
        cold=softmax(z, temperature=COLD),
        hot=softmax(z, temperature=HOT),
        log_probs=log_softmax(z, temperature=t),
        log_cold=log_softmax(z, temperature=COLD),
        log_hot=log_softmax(z, temperature=HOT),
        top=tuple(int(i) for i in np.flatnonzero(z == z.max())),
        entropy=_entropy(probs, sc.unit),
        log_entropy=log_entropy(z, t) + math.log(in_unit(1.0, sc.unit)),
        max_entropy=in_unit(math.log(sc.n_classes), sc.unit),
        uniform=1.0 / sc.n_classes,
        unit=sc.unit,
    )


@dataclass(frozen=True)
class ShiftScaleTab:
    """Adding c to every logit changes nothing; multiplying by k acts as the temperature T / k."""

    temperature: float
    shift: float
    """c"""
    scale: float
    """k"""
    probs: FloatArray
    """``softmax(z / T)``"""
    shifted: FloatArray
    """``softmax((z + c) / T)``: the same as ``probs`` up to rounding"""
    largest_change: float
    """``max |shifted − probs|`` (rounding only)"""
    scaled: FloatArray
    """``softmax(k z / T)`` = ``softmax(z / (T / k))``"""
    effective_temperature: float
    """``T / k``"""
    entropy: float
    """entropy of ``probs`` in ``unit``"""
    scaled_entropy: float
    """entropy of ``scaled`` in ``unit``"""
    unit: Unit


def shift_scale_tab(sc: Scenario, *, shift: float, scale: float) -> ShiftScaleTab:
    """The Shift and scale tab: ``softmax((z + c) / T)`` and ``softmax(k z / T)`` against ``softmax(z / T)``."""
    if not (scale > 0 and math.isfinite(scale)):
        raise ValueError(f"scale must be finite and > 0, got {scale!r}")
    z = np.asarray(sc.logits, dtype=np.float64)
    t = sc.temperature
    probs = softmax(z, temperature=t)
    shifted = softmax(z + shift, temperature=t)
    with np.errstate(over="ignore"):  # k (z − max z) <= 0: an overflow is −inf, probability 0, exact
        scaled = softmax(scale * shifted_logits(z), temperature=t)  # k z itself may overflow to +inf
    return ShiftScaleTab(
        temperature=t,
        shift=float(shift),
        scale=float(scale),
        probs=probs,
        shifted=shifted,
        largest_change=float(np.max(np.abs(shifted - probs))),
        scaled=scaled,
        effective_temperature=t / scale,
        entropy=_entropy(probs, sc.unit),
        scaled_entropy=_entropy(scaled, sc.unit),
        unit=sc.unit,
    )


@dataclass(frozen=True)
class StabilityTab:
    """Naive against max-shifted softmax on the logits the softmax sees, ``z / T``."""

    temperature: float
    logits: FloatArray
    """the example's logits moved so that the largest is the chosen value (gaps kept)"""
    seen: FloatArray
    """``logits / T``: what the softmax exponentiates"""
    rows: tuple[StabilityRow, ...]
    """float16, float32 and float64, each naive and max-shifted, on ``seen``"""


def stability_tab(sc: Scenario, *, largest: float) -> StabilityTab:
    """The Stability tab: the example's logits with their largest set to ``largest``, then divided by T."""
    z = np.asarray(sc.logits, dtype=np.float64)
    with np.errstate(over="ignore"):  # a gap beyond float64 goes to -inf: probability 0, exact
        moved = z - z.max() + float(largest)
        seen = moved / sc.temperature
    return StabilityTab(temperature=sc.temperature, logits=moved, seen=seen, rows=tuple(stability_table(seen)))


@dataclass(frozen=True)
class TwoClassesTab:
    """Softmax over two classes at T is the sigmoid of their logits' difference divided by T."""

    first: int
    second: int
    temperature: float
    z1: float
    z2: float
    x: float
    """``(z₁ − z₂) / T``"""
    p: float
    """``softmax([z₁, z₂] / T)₁ = σ((z₁ − z₂) / T)``"""
    curve_x: FloatArray
    """:data:`SIGMOID_X`"""
    curve_y: FloatArray
    """``σ(curve_x)``"""
    marks_x: FloatArray
    """:data:`SIGMOID_MARKS`"""
    marks_y: FloatArray
    """``softmax([x, 0])₁`` at each mark: two-class softmax, lying on the curve"""


def two_classes_tab(sc: Scenario, first: int, second: int) -> TwoClassesTab:
    """The Two classes tab for the pair ``(first, second)`` (two different class indices)."""
    if first == second or not (0 <= first < sc.n_classes and 0 <= second < sc.n_classes):
        raise ValueError(f"first and second must be two different class indices, got {first} and {second}")
    z1, z2, t = sc.logits[first], sc.logits[second], sc.temperature
    return TwoClassesTab(
        first=first,
        second=second,
        temperature=t,
        z1=z1,
        z2=z2,
        x=(z1 - z2) / t,
        p=float(softmax([z1, z2], temperature=t)[0]),
        curve_x=SIGMOID_X,
        curve_y=sigmoid(SIGMOID_X),
        marks_x=SIGMOID_MARKS,
        marks_y=softmax(np.stack([SIGMOID_MARKS, np.zeros_like(SIGMOID_MARKS)], axis=-1))[:, 0],
    )


@dataclass(frozen=True)
class JacobianTab:
    """The softmax Jacobian ``∂p/∂z = (diag(p) − p pᵀ) / T`` at the example's T."""

    temperature: float
    probs: FloatArray
    """``softmax(z / T)``"""
    matrix: FloatArray
    """``(diag(p) − p pᵀ) / T``, row i and column j: ``∂pᵢ / ∂zⱼ``"""
    largest: int
    """the class whose diagonal entry ``pᵢ(1 − pᵢ) / T`` is largest (the largest entry of all)"""
    largest_value: float
    bound: float
    """``0.25 / T``: no entry can exceed it (reached when a p is ½)"""


def jacobian_tab(sc: Scenario) -> JacobianTab:
    """The Jacobian tab at the example's T."""
    t = sc.temperature
    probs = softmax(sc.logits, temperature=t)
    matrix = jacobian(probs, temperature=t)
    largest = int(np.argmax(np.diag(matrix)))
    return JacobianTab(
        temperature=t,
        probs=probs,
        matrix=matrix,
        largest=largest,
        largest_value=float(matrix[largest, largest]),
        bound=0.25 / t,
    )


LEGACY_T = "sm_t"
"""The Softmax page's own temperature in links made before every page shared the example's T."""


def legacy_temperature(params: QueryParams) -> tuple[float | None, list[str]]:
    """The example's T that an old link's ``sm_t`` asks for, and what the page should say about it.

    ``sm_t`` counts only when the link has no ``temperature`` of its own; it is brought
    into the temperature control's range and step, and the message says so.

    >>> legacy_temperature({"sm_t": "2"})
    (2.0, ["'sm_t' is now the example's temperature: T = 2."])
    >>> legacy_temperature({"sm_t": "0.01"})[0], legacy_temperature({"sm_t": "2", "temperature": "1"})[0]
    (0.05, None)
    """
    if LEGACY_T not in params:
        return None, []
    value, problems = read_number(params, LEGACY_T, (0.01, 100.0), 1.0)
    if problems:
        return None, problems
    if "temperature" in params:
        return None, [f"'{LEGACY_T}' ignored: the link's 'temperature' sets T on every page."]
    lo, hi = TEMPERATURE_RANGE
    t = min(max(snap_to_step(0.05)(value), lo), hi)
    note = (
        ""
        if t == value
        else f" (the link's {format_number(value)}, brought to the control's {lo:g} to {hi:g} in 0.05 steps)"
    )
    return t, [f"'{LEGACY_T}' is now the example's temperature: T = {format_number(t)}{note}."]
