"""The Playground's scenario: classes, logits, true class, temperature, unit.

A :class:`Scenario` is immutable and always valid: its constructor checks every
field. :meth:`Scenario.from_query` turns URL query parameters into a scenario and
never raises: each bad parameter is dropped, its default used, and a readable
problem returned for the page to show. :meth:`Scenario.to_query` is the inverse.

URL schema (public, documented in the README)::

    ?classes=cat,dog,rabbit&logits=2,1,0.1&target=dog&temperature=1&unit=nats
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar

__all__ = [
    "DEFAULT",
    "LOGIT_SLIDER",
    "MAX_CLASSES",
    "MAX_NAME_LENGTH",
    "MIN_CLASSES",
    "PARAMS",
    "TEMPERATURE_RANGE",
    "QueryParams",
    "Scenario",
    "check_class_name",
    "format_number",
    "parse_number",
    "read_number",
    "read_numbers",
    "read_param",
    "unknown_params",
]

MIN_CLASSES = 2
MAX_CLASSES = 10
MAX_NAME_LENGTH = 24
TEMPERATURE_RANGE = (0.05, 10.0)
LOGIT_SLIDER = (-10.0, 10.0)
MAX_PARAM_LENGTH = 2000
"""Longest query value read; longer ones are treated as bad (a URL is no place for a novel)."""

Unit = Literal["nats", "bits"]
UNITS: tuple[Unit, ...] = ("nats", "bits")
QueryParams = Mapping[str, "str | Sequence[str]"]
T = TypeVar("T")


def format_number(x: float) -> str:
    """Shortest text that reads back as exactly ``x`` (``2.0 -> "2"``, ``0.1 -> "0.1"``)."""
    text = repr(float(x))
    return text[:-2] if text.endswith(".0") else text


def parse_number(text: str, *, name: str) -> float:
    """Parse one finite real number; raise ``ValueError`` with a readable message."""
    t = text.strip()
    try:
        value = float(t)
    except ValueError:
        raise ValueError(f"{name}: {t!r} is not a number") from None
    if not math.isfinite(value):
        raise ValueError(f"{name}: {t!r} is not a finite number")
    return value


def check_class_name(name: str, others: Sequence[str] = ()) -> str:
    """Return ``name`` stripped, or raise ``ValueError`` saying what is wrong with it.

    A class name is non-empty, at most 24 characters, has no comma (the URL's
    separator) and no control characters, and differs from ``others`` ignoring case.
    """
    n = name.strip()
    if not n:
        raise ValueError("a class name cannot be empty")
    if len(n) > MAX_NAME_LENGTH:
        raise ValueError(f"class name {n[:MAX_NAME_LENGTH]!r}… is longer than {MAX_NAME_LENGTH} characters")
    if "," in n:
        raise ValueError(f"class name {n!r} contains a comma")
    if any(unicodedata.category(ch).startswith("C") for ch in n):
        raise ValueError(f"class name {n!r} contains a control character")
    if n.casefold() in {o.casefold() for o in others}:
        raise ValueError(f"there is already a class called {n!r}")
    return n


@dataclass(frozen=True)
class Scenario:
    """One classification example: the model's logits and the true class.

    Fields are validated on construction, so holding a ``Scenario`` means holding
    a valid one. ``target`` is an index into ``classes``.
    """

    classes: tuple[str, ...] = ("cat", "dog", "rabbit")
    logits: tuple[float, ...] = (2.0, 1.0, 0.1)
    target: int = 1
    temperature: float = 1.0
    unit: Unit = "nats"
    _names: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        classes = tuple(self.classes)
        if not MIN_CLASSES <= len(classes) <= MAX_CLASSES:
            raise ValueError(f"classes must number {MIN_CLASSES} to {MAX_CLASSES}, got {len(classes)}")
        for i, name in enumerate(classes):
            if check_class_name(name, classes[:i]) != name:
                raise ValueError(f"class name {name!r} has surrounding spaces")
        logits = tuple(float(z) for z in self.logits)
        if len(logits) != len(classes):
            raise ValueError(f"logits has {len(logits)} values for {len(classes)} classes")
        if not all(math.isfinite(z) for z in logits):
            raise ValueError(f"logits must be finite, got {logits}")
        if not (isinstance(self.target, int) and 0 <= self.target < len(classes)):
            raise ValueError(f"target must be a class index in [0, {len(classes) - 1}], got {self.target!r}")
        lo, hi = TEMPERATURE_RANGE
        if not lo <= self.temperature <= hi:
            raise ValueError(f"temperature must be in [{lo}, {hi}], got {self.temperature!r}")
        if self.unit not in UNITS:
            raise ValueError(f"unit must be one of {UNITS}, got {self.unit!r}")
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "logits", logits)
        object.__setattr__(self, "temperature", float(self.temperature))
        object.__setattr__(self, "_names", frozenset(c.casefold() for c in classes))

    # ---- derived ---------------------------------------------------------------
    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def target_name(self) -> str:
        return self.classes[self.target]

    def index_of(self, name: str) -> int | None:
        """Index of the class called ``name`` (ignoring case and spaces), or None."""
        key = name.strip().casefold()
        for i, c in enumerate(self.classes):
            if c.casefold() == key:
                return i
        return None

    # ---- edits (each returns a new valid Scenario or raises ValueError) --------
    def with_logit(self, i: int, value: float) -> Scenario:
        logits = list(self.logits)
        logits[i] = float(value)
        return replace(self, logits=tuple(logits))

    def renamed(self, i: int, name: str) -> Scenario:
        others = self.classes[:i] + self.classes[i + 1 :]
        classes = list(self.classes)
        classes[i] = check_class_name(name, others)
        return replace(self, classes=tuple(classes))

    def with_class_added(self, name: str | None = None, logit: float = 0.0) -> Scenario:
        if self.n_classes >= MAX_CLASSES:
            raise ValueError(f"at most {MAX_CLASSES} classes")
        if name is None:
            k = self.n_classes + 1
            while f"class {k}".casefold() in self._names:
                k += 1
            name = f"class {k}"
        name = check_class_name(name, self.classes)
        return replace(self, classes=(*self.classes, name), logits=(*self.logits, float(logit)))

    def with_class_removed(self, i: int) -> Scenario:
        if self.n_classes <= MIN_CLASSES:
            raise ValueError(f"at least {MIN_CLASSES} classes are needed")
        target = self.target - 1 if i < self.target else (0 if i == self.target else self.target)
        return replace(
            self,
            classes=self.classes[:i] + self.classes[i + 1 :],
            logits=self.logits[:i] + self.logits[i + 1 :],
            target=target,
        )

    # ---- URL ---------------------------------------------------------------------
    def to_query(self) -> dict[str, str]:
        """Query parameters that :meth:`from_query` reads back as this scenario.

        ``unit`` is written only when it is not the default, to keep links short.
        """
        q = {
            "classes": ",".join(self.classes),
            "logits": ",".join(format_number(z) for z in self.logits),
            "target": self.target_name,
            "temperature": format_number(self.temperature),
        }
        if self.unit != "nats":
            q["unit"] = self.unit
        return q

    @classmethod
    def from_query(cls, params: QueryParams) -> tuple[Scenario, list[str]]:
        """Parse query parameters; never raises.

        Returns the scenario and a list of problems, one readable sentence per
        parameter that was ignored (and replaced by its default).
        """
        problems: list[str] = []
        default = DEFAULT

        def get(key: str) -> str | None:
            raw = params.get(key)
            if raw is None:
                return None
            value = raw if isinstance(raw, str) else (raw[-1] if len(raw) else "")
            if len(value) > MAX_PARAM_LENGTH:
                problems.append(f"'{key}' is longer than {MAX_PARAM_LENGTH} characters; ignored it.")
                return None
            return value

        # classes
        classes = default.classes
        raw_classes = get("classes")
        if raw_classes is not None:
            try:
                classes = _parse_classes(raw_classes)
            except ValueError as exc:
                problems.append(f"'classes' ignored ({exc}); using {', '.join(default.classes)}.")

        # logits
        n = len(classes)
        logits = default.logits if n == default.n_classes else (0.0,) * n
        raw_logits = get("logits")
        if raw_logits is not None:
            try:
                values = tuple(parse_number(v, name="a logit") for v in raw_logits.split(","))
                if len(values) != n:
                    raise ValueError(f"{len(values)} values for {n} classes")
                logits = values
            except ValueError as exc:
                problems.append(f"'logits' ignored ({exc}); using {', '.join(map(format_number, logits))}.")

        # target
        target = default.target if classes == default.classes else 0
        raw_target = get("target")
        if raw_target is not None:
            found = [i for i, c in enumerate(classes) if c.casefold() == raw_target.strip().casefold()]
            if found:
                target = found[0]
            else:
                problems.append(
                    f"'target' ignored ({_quote(raw_target)} is not one of the classes); using {classes[target]}."
                )

        # temperature
        temperature, problem = read_number(params, "temperature", TEMPERATURE_RANGE, default.temperature)
        problems += problem

        # unit
        unit: Unit = default.unit
        raw_unit = get("unit")
        if raw_unit is not None:
            u = raw_unit.strip().lower()
            if u in UNITS:
                unit = "nats" if u == "nats" else "bits"
            else:
                problems.append(f"'unit' ignored ({_quote(raw_unit)} is not nats or bits); using {unit}.")

        return cls(classes, logits, target, temperature, unit), problems


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


def _quote(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _parse_classes(text: str) -> tuple[str, ...]:
    names = text.split(",")
    if not MIN_CLASSES <= len(names) <= MAX_CLASSES:
        raise ValueError(f"{len(names)} names; {MIN_CLASSES} to {MAX_CLASSES} are allowed")
    out: list[str] = []
    for name in names:
        out.append(check_class_name(name, out))
    return tuple(out)


PARAMS = frozenset({"classes", "logits", "target", "temperature", "unit"})
"""The query parameters a :class:`Scenario` reads and writes."""

DEFAULT = Scenario()


def unknown_params(params: QueryParams, known: frozenset[str] = PARAMS) -> list[str]:
    """One problem sentence per query parameter the page does not know."""
    return [f"unknown parameter {_quote(k)} ignored." for k in params if k not in known]
