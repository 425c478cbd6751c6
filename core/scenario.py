"""The shared example: classes, logits, true class, temperature, unit.

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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal, TypeVar

from core.query import QueryParams, format_number, parse_number, quote, read_number, read_param

__all__ = [
    "DEFAULT",
    "LOGIT_SLIDER",
    "MAX_CLASSES",
    "MAX_NAME_LENGTH",
    "MIN_CLASSES",
    "PARAMS",
    "TEMPERATURE_RANGE",
    "UNITS",
    "Scenario",
    "Unit",
    "check_class_name",
]

MIN_CLASSES = 2
MAX_CLASSES = 10
MAX_NAME_LENGTH = 24
TEMPERATURE_RANGE = (0.05, 10.0)
LOGIT_SLIDER = (-10.0, 10.0)

Unit = Literal["nats", "bits"]
UNITS: tuple[Unit, ...] = ("nats", "bits")
T = TypeVar("T")


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
        parameter that was ignored (and replaced by its default). Every value is
        read by :func:`core.query.read_param`, like every page's own parameters.
        """
        problems: list[str] = []
        default = DEFAULT

        def read(key: str, parse: Callable[[str], T], fallback: Callable[[], str]) -> T | None:
            value, why = read_param(params, key, parse)
            if why is not None:
                problems.append(f"'{key}' ignored ({why}); using {fallback()}.")
            return value

        classes = read("classes", _parse_classes, lambda: ", ".join(default.classes)) or default.classes
        n = len(classes)
        start = default.logits if n == default.n_classes else (0.0,) * n
        logits = read("logits", lambda t: _parse_logits(t, n), lambda: ", ".join(map(format_number, start))) or start
        target = default.target if classes == default.classes else 0
        found = read("target", lambda t: _find_class(t, classes), lambda: classes[target])
        target = target if found is None else found
        temperature, problem = read_number(params, "temperature", TEMPERATURE_RANGE, default.temperature)
        problems += problem
        unit = read("unit", _parse_unit, lambda: default.unit) or default.unit
        return cls(classes, logits, target, temperature, unit), problems


def _parse_classes(text: str) -> tuple[str, ...]:
    names = text.split(",")
    if not MIN_CLASSES <= len(names) <= MAX_CLASSES:
        raise ValueError(f"{len(names)} names; {MIN_CLASSES} to {MAX_CLASSES} are allowed")
    out: list[str] = []
    for name in names:
        out.append(check_class_name(name, out))
    return tuple(out)


def _parse_logits(text: str, n: int) -> tuple[float, ...]:
    values = tuple(parse_number(v, name="a logit") for v in text.split(","))
    if len(values) != n:
        raise ValueError(f"{len(values)} values for {n} classes")
    return values


def _find_class(text: str, classes: Sequence[str]) -> int:
    key = text.strip().casefold()
    for i, c in enumerate(classes):
        if c.casefold() == key:
            return i
    raise ValueError(f"{quote(text)} is not one of the classes")


def _parse_unit(text: str) -> Unit:
    u = text.strip().lower()
    if u == "nats":
        return "nats"
    if u == "bits":
        return "bits"
    raise ValueError(f"{quote(text)} is not nats or bits")


PARAMS = frozenset({"classes", "logits", "target", "temperature", "unit"})
"""The query parameters a :class:`Scenario` reads and writes."""

DEFAULT = Scenario()
