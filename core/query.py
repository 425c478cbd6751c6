"""Reading URL query parameters: one reader, so every value is limited and reported alike.

Every page's parameters, the Scenario's included, go through :func:`read_param`,
which never raises: a bad value comes back as a reason for the page to show.
Numbers are written back with :func:`format_number`, the shortest text that reads
back as the same float. A number a person types into a box is read by
:func:`parse_typed_number`, which never misreads a decimal comma.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

__all__ = [
    "MAX_PARAM_LENGTH",
    "QueryParams",
    "format_number",
    "nearest_on_log_scale",
    "parse_number",
    "parse_typed_number",
    "quote",
    "read_number",
    "read_numbers",
    "read_param",
    "snap_to_step",
    "unknown_params",
]

MAX_PARAM_LENGTH = 2000
"""Longest query value read; longer ones are treated as bad (a URL is no place for a novel)."""

QueryParams = Mapping[str, "str | Sequence[str]"]
T = TypeVar("T")


def format_number(x: float) -> str:
    """Shortest text that reads back as exactly ``x`` (``2.0 -> "2"``, ``0.1 -> "0.1"``)."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


MINUS = "\u2212"
"""The true minus sign the app writes (core.text.fmt); read as "-" wherever a number is read."""
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", re.IGNORECASE)
_ROOM_FOR_THOUSANDS = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")


def parse_number(text: str, *, name: str) -> float:
    """Parse one finite real number; raise ``ValueError`` with a readable message.

    ``−`` (the true minus the app writes) is a minus. Python's ``float`` would read
    ``1_5`` as 15: refused, like any other text that is not a number as people write
    one. A comma is not a decimal point here (in a URL it separates a list's values):
    ``1,5`` is refused with a hint.
    """
    t = text.strip()
    try:
        value = float(t.replace(MINUS, "-"))
    except ValueError:
        hint = " (decimals take a point: 1.5)" if "," in t else ""
        raise ValueError(f"{name}: {t!r} is not a number{hint}") from None
    if not math.isfinite(value):
        raise ValueError(f"{name}: {t!r} is not a finite number")
    if "_" in t:
        raise ValueError(f"{name}: {t!r} is not a number (no '_' between digits)")
    return value


def parse_typed_number(text: str) -> tuple[float, str | None]:
    """A number a person typed into a box: ``(value, note)``; ``ValueError`` says why it is refused.

    The rule ``ui/logit_pad.js`` applies in the browser. A decimal comma reads as a
    point, and ``note`` says so (``"1,5"`` is 1.5, never 15); a comma that could as well
    separate thousands (``"1,000"``, ``"12,345"``) is refused, and so is anything that is
    not one finite number in plain decimal text. ``−`` (the true minus the app writes) is
    a minus.

    >>> parse_typed_number("0,7"), parse_typed_number("−2.5")
    ((0.7, 'Read “0,7” as 0.7.'), (-2.5, None))
    """
    typed = text.strip()
    shown = typed if len(typed) <= 24 else typed[:24] + "…"
    if not typed:
        raise ValueError("the box is empty")
    t = typed.replace(MINUS, "-")
    note = None
    if "," in t:
        if t.count(",") > 1 or "." in t:
            raise ValueError(f"“{shown}” is not one number: decimals take a point, and no thousands separators")
        if _ROOM_FOR_THOUSANDS.fullmatch(t):
            whole, frac = t.replace("-", MINUS).split(",")
            raise ValueError(f"“{shown}” could be {whole}.{frac} or {whole}{frac}: write decimals with a point")
        t = t.replace(",", ".")
        note = "comma"
    if not _PLAIN_NUMBER.fullmatch(t):
        raise ValueError(f"“{shown}” is not a number")
    value = float(t)
    if not math.isfinite(value):
        raise ValueError(f"“{shown}” is too large: not a finite number")
    return value, (f"Read “{shown}” as {format_number(value).replace('-', MINUS)}." if note else None)


def read_param(params: QueryParams, key: str, parse: Callable[[str], T]) -> tuple[T | None, str | None]:
    """``(parse(value), None)`` for the URL's last value of ``key``; ``(None, reason)`` if it is bad.

    Absent means ``(None, None)``. Never raises: a value longer than
    :data:`MAX_PARAM_LENGTH` or one ``parse`` rejects with ``ValueError`` gives the reason.
    Every page parameter is read through here, so each is limited and reported alike.
    """
    raw = params.get(key)
    if raw is None:
        return None, None
    text = raw if isinstance(raw, str) else (raw[-1] if len(raw) else "")
    try:
        if len(text) > MAX_PARAM_LENGTH:
            raise ValueError(f"longer than {MAX_PARAM_LENGTH} characters")
        return parse(text), None
    except ValueError as exc:
        return None, str(exc)


def _within(value: float, bounds: tuple[float, float]) -> float:
    lo, hi = bounds
    if not lo <= value <= hi:
        raise ValueError(f"{format_number(value)} is outside {format_number(lo)} to {format_number(hi)}")
    return value


def read_number(params: QueryParams, key: str, bounds: tuple[float, float], default: float) -> tuple[float, list[str]]:
    """A number query parameter within ``bounds``: ``(value, [])``, or ``(default, [problem])``.

    Absent means the default and no problem; never raises.
    """
    value, why = read_param(params, key, lambda t: _within(parse_number(t, name=key), bounds))
    if why is not None:
        return default, [f"'{key}' ignored ({why}); using {format_number(default)}."]
    return (default if value is None else value), []


def read_numbers(
    params: QueryParams, key: str, count: int, bounds: tuple[float, float]
) -> tuple[tuple[float, ...] | None, list[str]]:
    """``count`` comma-separated numbers within ``bounds``: ``(values, [])``, or ``(None, [problem])``.

    Absent means ``(None, [])``; never raises.
    """

    def parse(text: str) -> tuple[float, ...]:
        parts = text.split(",")
        if len(parts) != count:
            raise ValueError(f"{len(parts)} values for {count} classes")
        return tuple(_within(parse_number(t, name=key), bounds) for t in parts)

    values, why = read_param(params, key, parse)
    return values, ([] if why is None else [f"'{key}' ignored ({why})."])


def quote(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def unknown_params(params: QueryParams, known: frozenset[str]) -> list[str]:
    """One problem sentence per query parameter the page does not know."""
    return [f"unknown parameter {quote(k)} ignored." for k in params if k not in known]


def snap_to_step(step: float) -> Callable[[float], float]:
    """The rule a control with this ``step`` applies: a URL value is rounded to the nearest step.

    >>> snap_to_step(0.05)(0.123), snap_to_step(10)(47), snap_to_step(1)(2.5)
    (0.1, 50.0, 2.0)
    """
    if not (math.isfinite(step) and step > 0):
        raise ValueError(f"step must be a finite number > 0, got {step!r}")
    digits = max(0, -math.floor(math.log10(step)) + 1)
    return lambda v: float(round(round(v / step) * step, digits))


def nearest_on_log_scale(options: Sequence[float]) -> Callable[[float], float]:
    """The rule a log-scale control applies: the option closest to a value in ratio.

    >>> nearest_on_log_scale((0.1, 1.0, 10.0))(3.0), nearest_on_log_scale((0.1, 1.0, 10.0))(4.0)
    (1.0, 10.0)
    """
    if not options or any(not (math.isfinite(o) and o > 0) for o in options):
        raise ValueError(f"options must be finite numbers > 0, got {options!r}")
    return lambda v: min(options, key=lambda o: abs(math.log(o) - math.log(v)))
