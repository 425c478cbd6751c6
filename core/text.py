"""How numbers are written for people: one function, used by every page and chart."""

from __future__ import annotations

import math

from core.query import format_number

__all__ = ["fmt", "fmt_prob", "relation", "temperature_rule"]


def fmt(x: float, digits: int = 4) -> str:
    """A number as people read it: ``0.2419``, ``1.20 × 10⁻⁷``, ``∞``; never ``nan``.

    ``digits`` decimals for ordinary sizes; a small number that would round to
    fewer than two significant digits gets the decimals it needs (down to 0.001,
    ``0.0041`` at ``digits=3``, ``−0.50`` at ``digits=1``); tinier or huge ones are
    written in scientific notation. A true minus sign, and words or symbols
    instead of ``nan``/``inf``. The one number formatter of the app.

    >>> fmt(1.6094379124341003), fmt(-0.5), fmt(1.2e-7), fmt(float("inf"))
    ('1.6094', '−0.5000', '1.20 × 10⁻⁷', '∞')
    >>> fmt(-0.5, 1), fmt(0.0041, 3), fmt(4.1e-4, 3), fmt(2.5, 1)
    ('−0.50', '0.0041', '4.1 × 10⁻⁴', '2.5')
    """
    if math.isnan(x):
        return "undefined"
    if math.isinf(x):
        return "∞" if x > 0 else "−∞"
    if x == 0:
        return "0"
    size = abs(x)
    if size >= 1e6 or size < min(1e-3, 10 ** (-digits + 1)):
        mantissa, exponent = f"{x:.{max(digits - 2, 1)}e}".split("e")
        return f"{mantissa} × 10{_power(int(exponent))}".replace("-", "−")
    decimals = digits if size >= 10 ** (-digits + 1) else math.floor(-math.log10(size)) + 2
    return f"{x:.{decimals}f}".replace("-", "−")


_SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def _power(exponent: int) -> str:
    """An exponent of ten as superscript digits: ``-7`` -> ``⁻⁷``."""
    return str(exponent).translate(_SUPERSCRIPT)


def fmt_prob(p: float, log_p: float, digits: int = 4) -> str:
    """A probability from its value and its natural log: :func:`fmt` of ``p``, unless ``p``
    underflowed to 0 (or below float64's normal range) while ``log_p`` is finite; then it
    is written from the log, as what it is: ``≈ 2.1 × 10⁻⁴³⁴³`` (never a false 0).

    >>> fmt_prob(0.25, math.log(0.25)), fmt_prob(0.0, -9999.0), fmt_prob(0.0, -math.inf)
    ('0.2500', '≈ 3.1 × 10⁻⁴³⁴³', '0')
    """
    if p >= 2.2250738585072014e-308 or not math.isfinite(log_p):
        return fmt(p, digits)
    log10 = log_p / math.log(10.0)
    if log10 < -999_999:  # (logits near ±1e308) an exponent of hundreds of digits says nothing more
        return f"< 10{_power(-999_999)}"
    exponent = math.floor(log10)
    mantissa = 10 ** (log10 - exponent)
    if round(mantissa, 1) >= 10:
        mantissa, exponent = 1.0, exponent + 1
    return f"≈ {mantissa:.1f} × 10{_power(exponent)}"


def relation(shown: str) -> tuple[str, str]:
    """The sign and the number of a value as :func:`core.text.fmt_prob` writes it: ``("=", "0.2500")``, or
    ``("≈", "3.1 × 10⁻⁴³⁴³")`` for one written from its log, so a page writes "p(dog) ≈ 3.1 × 10⁻⁴³⁴³",
    never "= ≈"."""
    if shown[:2] in ("≈ ", "< "):
        return shown[0], shown[2:]
    return "=", shown


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
