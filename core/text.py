"""How numbers are written for people: one function, used by every page and chart."""

from __future__ import annotations

import math

from core.query import format_number

__all__ = ["fmt", "temperature_rule"]


def fmt(x: float, digits: int = 4) -> str:
    """A number as people read it: ``0.2419``, ``1.2e-07``, ``∞``; never ``nan``.

    Fixed ``digits`` decimals for ordinary sizes, scientific notation for tiny or
    huge ones, a true minus sign, and words or symbols instead of ``nan``/``inf``.

    >>> fmt(1.6094379124341003), fmt(-0.5), fmt(1.2e-7), fmt(float("inf"))
    ('1.6094', '−0.5000', '1.20e−07', '∞')
    """
    if math.isnan(x):
        return "undefined"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    if abs(x) >= 10 ** (-digits + 1) and abs(x) < 1e6:
        return f"{x:.{digits}f}".replace("-", "−")
    return f"{x:.{max(digits - 2, 1)}e}".replace("-", "−")


def temperature_rule(temperature: float, gradient: str | None = None) -> str:
    """The one temperature rule with T's value, as every tab states it (plain text).

    ``gradient`` names the gradient at T = 1 (e.g. ``"(p − y)"``); it is then said divided by T.

    >>> temperature_rule(2.0, "(p − ỹ)")
    'With T = 2: p = softmax(z / 2), gradients (p − ỹ) / 2.'
    >>> temperature_rule(1.0), temperature_rule(1.0, "(p − y)")
    ('T = 1: p = softmax(z).', 'T = 1: p = softmax(z), gradients p − y.')
    """
    if not (math.isfinite(temperature) and temperature > 0):
        raise ValueError(f"temperature must be a finite number > 0, got {temperature!r}")
    if temperature == 1.0:
        grad = f", gradients {gradient.strip('()')}" if gradient else ""
        return f"T = 1: p = softmax(z){grad}."
    v = format_number(temperature)
    grad = f", gradients {gradient} / {v}" if gradient else ""
    return f"With T = {v}: p = softmax(z / {v}){grad}."
