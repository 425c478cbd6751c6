"""core.export: CSV, JSON and the Python script carry the right numbers (checked with scipy)."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import re

import numpy as np
import pytest
from scipy.special import log_softmax as sp_log_softmax
from scipy.special import softmax as sp_softmax

from core.export import python_script, to_csv, to_json
from core.scenario import DEFAULT, Scenario

CASES = [
    DEFAULT,
    Scenario(classes=("a", "b", "c", "d"), logits=(3.0, -1.5, 0.25, 1e4), target=2, temperature=0.5, unit="bits"),
    Scenario(classes=('"quote', "<b>x</b>", "naïve"), logits=(1.0, -800.0, 0.0), target=0),
]


def expected(sc: Scenario) -> tuple[np.ndarray, float, np.ndarray]:
    s = np.array(sc.logits) / sc.temperature
    p = sp_softmax(s)
    loss = -sp_log_softmax(s)[sc.target]
    return p, loss, (p - np.eye(sc.n_classes)[sc.target]) / sc.temperature


@pytest.mark.parametrize("sc", CASES)
def test_csv_has_one_row_per_class_with_the_numbers(sc: Scenario) -> None:
    p, _, grad = expected(sc)
    table = list(csv.DictReader(io.StringIO(to_csv(sc))))
    assert [r["class"] for r in table] == list(sc.classes)
    assert [r["true_class"] for r in table] == [str(i == sc.target) for i in range(sc.n_classes)]
    np.testing.assert_allclose([float(r["probability"]) for r in table], p, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose([float(r["gradient"]) for r in table], grad, rtol=1e-12, atol=1e-15)
    surprise = float(table[sc.target]["surprise"])
    factor = 1 / math.log(2) if sc.unit == "bits" else 1.0
    log_p = sp_log_softmax(np.array(sc.logits) / sc.temperature)[sc.target]
    assert surprise == pytest.approx(-log_p * factor, rel=1e-12)  # finite even where p underflows to 0


@pytest.mark.parametrize("sc", CASES)
def test_json_holds_the_scenario_its_query_and_the_results(sc: Scenario) -> None:
    p, loss, _ = expected(sc)
    doc = json.loads(to_json(sc))
    assert doc["scenario"]["classes"] == list(sc.classes)
    assert doc["scenario"]["query"] == sc.to_query()
    assert Scenario.from_query(doc["scenario"]["query"])[0] == sc  # the link reopens this example
    assert doc["results"]["cross_entropy_nats"] == pytest.approx(loss, rel=1e-12)
    assert doc["results"]["cross_entropy_bits"] == pytest.approx(loss / math.log(2), rel=1e-12)
    assert doc["results"]["p_true"] == pytest.approx(p[sc.target], rel=1e-12)


@pytest.mark.parametrize("sc", CASES)
def test_the_python_script_runs_alone_and_prints_the_same_numbers(sc: Scenario) -> None:
    p, loss, grad = expected(sc)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(python_script(sc), {})
    text = out.getvalue()
    found = re.search(r"cross-entropy = ([0-9.]+) nats", text)
    assert found
    assert float(found.group(1)) == pytest.approx(loss, abs=1e-6)
    ps = [float(v) for v in re.findall(r"p = ([0-9.e-]+)", text)]
    np.testing.assert_allclose(ps, p, atol=1e-6)
    gs = [float(v) for v in re.findall(r"dL/dz = ([+\-0-9.e]+)", text)]
    np.testing.assert_allclose(gs, grad, atol=1e-6)


def test_a_certain_class_has_a_surprise_of_zero_not_minus_zero() -> None:
    """−log 1 is −0.0 in float64; the files say 0.0 (a user test found "-0.0" in the CSV)."""
    sc = Scenario(classes=("cat", "dog", "rabbit"), logits=(1e4, 1.0, 0.0), target=1)
    table = list(csv.DictReader(io.StringIO(to_csv(sc))))
    assert table[0]["surprise"] == "0.0"
    assert json.loads(to_json(sc))["results"]["per_class"][0]["surprise"] == 0.0
    assert "-0.0" not in to_json(sc)
