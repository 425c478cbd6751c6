"""Scenario: validation, edits, and URL parsing that never raises."""

from __future__ import annotations

import math
import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.query import format_number, unknown_params
from core.scenario import DEFAULT, MAX_CLASSES, MAX_NAME_LENGTH, PARAMS, Scenario, check_class_name

names = st.text(
    alphabet=st.characters(blacklist_categories=("C", "Zs"), blacklist_characters=","),
    min_size=1,
    max_size=MAX_NAME_LENGTH,
)


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    classes = draw(st.lists(names, min_size=2, max_size=MAX_CLASSES, unique_by=str.casefold))
    n = len(classes)
    logits = draw(st.lists(st.floats(allow_nan=False, allow_infinity=False), min_size=n, max_size=n))
    return Scenario(
        classes=tuple(classes),
        logits=tuple(logits),
        target=draw(st.integers(0, n - 1)),
        temperature=draw(st.floats(0.05, 10.0)),
        unit=draw(st.sampled_from(["nats", "bits"])),
    )


# ---- URL round trip -------------------------------------------------------------------------
@given(scenarios())
def test_query_round_trip_is_exact(sc: Scenario) -> None:
    back, problems = Scenario.from_query(sc.to_query())
    assert problems == []
    assert back == sc


def test_default_query_is_the_documented_schema() -> None:
    assert DEFAULT.to_query() == {"classes": "cat,dog,rabbit", "logits": "2,1,0.1", "target": "dog", "temperature": "1"}


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_format_number_reads_back_exactly(x: float) -> None:
    assert float(format_number(x)) == x


def test_documented_urls() -> None:
    q = {"classes": "cat,dog,rabbit", "logits": "-0.356675,-1.609438,-2.302585", "target": "dog"}
    sc, problems = Scenario.from_query(q)
    assert problems == []
    assert sc.logits == (-0.356675, -1.609438, -2.302585)
    assert sc.target_name == "dog"
    sc, problems = Scenario.from_query({**q, "target": "cat"})
    assert (sc.target, problems) == (0, [])


def test_repeated_parameter_uses_the_last_value() -> None:
    sc, problems = Scenario.from_query({"target": ["cat", "rabbit"]})
    assert (sc.target_name, problems) == ("rabbit", [])


def test_target_matches_ignoring_case_and_spaces() -> None:
    sc, problems = Scenario.from_query({"target": "  RaBBit "})
    assert (sc.target, problems) == (2, [])


def test_custom_classes_without_logits_start_uniform() -> None:
    sc, problems = Scenario.from_query({"classes": "a,b,c,d"})
    assert (sc.logits, sc.target, problems) == ((0.0,) * 4, 0, [])


# ---- bad parameters: one readable problem each, defaults used --------------------------
BAD = [
    ({"logits": "1,2"}, "logits", "2 values for 3 classes"),
    ({"logits": "1,abc,3"}, "logits", "'abc' is not a number"),
    ({"logits": "1,nan,3"}, "logits", "not a finite number"),
    ({"logits": "1,inf,3"}, "logits", "not a finite number"),
    ({"logits": "1e999,0,0"}, "logits", "not a finite number"),
    ({"logits": ""}, "logits", "is not a number"),
    ({"classes": "cat"}, "classes", "1 names"),
    ({"classes": ",".join(f"c{i}" for i in range(11))}, "classes", "11 names"),
    ({"classes": "cat,,dog"}, "classes", "cannot be empty"),
    ({"classes": "cat,Cat"}, "classes", "already a class called 'Cat'"),
    ({"classes": "cat," + "x" * 25}, "classes", "longer than 24"),
    ({"classes": "cat,do\x00g"}, "classes", "control character"),
    ({"target": "horse"}, "target", "'horse' is not one of the classes"),
    ({"target": ""}, "target", "is not one of the classes"),
    ({"temperature": "0"}, "temperature", "outside 0.05 to 10"),
    ({"temperature": "-1"}, "temperature", "outside"),
    ({"temperature": "11"}, "temperature", "outside"),
    ({"temperature": "warm"}, "temperature", "not a number"),
    ({"temperature": "nan"}, "temperature", "not a finite number"),
    ({"unit": "furlongs"}, "unit", "not nats or bits"),
    ({"logits": "1," * 2000}, "logits", "longer than 2000"),
]


@pytest.mark.parametrize(("query", "param", "words"), BAD)
def test_each_bad_parameter_is_named_and_replaced_by_its_default(query: dict, param: str, words: str) -> None:  # type: ignore[type-arg]
    sc, problems = Scenario.from_query(query)
    assert len(problems) == 1
    assert f"'{param}'" in problems[0]
    assert words in problems[0]
    assert getattr(sc, param if param != "classes" else "classes") == getattr(DEFAULT, param)


def test_bad_classes_keep_good_logits_when_counts_match() -> None:
    sc, problems = Scenario.from_query({"classes": "a,a,b", "logits": "1,2,3", "target": "cat"})
    assert sc.classes == DEFAULT.classes
    assert sc.logits == (1.0, 2.0, 3.0)
    assert sc.target == 0
    assert len(problems) == 1


def test_unknown_parameters_are_reported() -> None:
    assert unknown_params({"foo": "1", "logits": "1,2,3"}, PARAMS) == ["unknown parameter 'foo' ignored."]
    assert unknown_params(dict.fromkeys(PARAMS, ""), PARAMS) == []


query_values = st.one_of(st.text(max_size=60), st.lists(st.text(max_size=30), max_size=3))


@given(st.dictionaries(st.sampled_from([*sorted(PARAMS), "x", ""]), query_values, max_size=6))
def test_from_query_never_raises_and_returns_a_valid_scenario(params: dict) -> None:  # type: ignore[type-arg]
    sc, problems = Scenario.from_query(params)
    assert isinstance(sc, Scenario)
    assert all(isinstance(p, str) and p for p in problems)
    assert all(math.isfinite(z) for z in sc.logits)


# ---- names and edits -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "others", "words"),
    [
        ("  ", (), "cannot be empty"),
        ("x" * 25, (), "longer than 24"),
        ("a,b", (), "comma"),
        ("tab\there", (), "control character"),
        ("DOG", ("cat", "dog"), "already a class called 'DOG'"),
    ],
)
def test_bad_class_names(name: str, others: tuple[str, ...], words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        check_class_name(name, others)


def test_class_names_are_stripped() -> None:
    assert check_class_name("  koala ") == "koala"


def test_rename_keeps_logits_and_target() -> None:
    sc = DEFAULT.renamed(2, "hare")
    assert sc.classes == ("cat", "dog", "hare")
    assert (sc.logits, sc.target) == (DEFAULT.logits, DEFAULT.target)
    with pytest.raises(ValueError, match="already"):
        DEFAULT.renamed(0, "Dog")
    assert DEFAULT.renamed(1, "DOG").classes[1] == "DOG"  # renaming a class to itself is fine


def test_add_and_remove_classes_within_limits() -> None:
    sc = DEFAULT
    for _ in range(MAX_CLASSES - 3):
        sc = sc.with_class_added()
    assert sc.n_classes == MAX_CLASSES
    assert len({c.casefold() for c in sc.classes}) == MAX_CLASSES
    with pytest.raises(ValueError, match="at most 10"):
        sc.with_class_added()
    two = DEFAULT.with_class_removed(2)
    with pytest.raises(ValueError, match="at least 2"):
        two.with_class_removed(0)


@pytest.mark.parametrize(("removed", "target_after"), [(0, 0), (1, 0), (2, 1)])
def test_removing_a_class_keeps_the_true_class_when_it_survives(removed: int, target_after: int) -> None:
    sc = DEFAULT.with_class_removed(removed)  # DEFAULT's true class is dog (1)
    assert sc.target == target_after
    if removed != 1:
        assert sc.target_name == "dog"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"classes": ("a",), "logits": (1.0,), "target": 0}, "2 to 10"),
        ({"logits": (1.0, 2.0)}, "2 values for 3 classes"),
        ({"logits": (1.0, math.nan, 0.0)}, "finite"),
        ({"target": 3}, "target"),
        ({"temperature": 0.0}, "temperature"),
        ({"unit": "hartleys"}, "hartleys"),
        ({"classes": (" cat", "dog", "rabbit")}, "surrounding spaces"),
    ],
)
def test_invalid_scenarios_cannot_be_built(change: dict, words: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(ValueError, match=re.escape(words)):
        replace(DEFAULT, **change)
