"""core.quiz: seeded questions, their truths (recomputed with scipy), and grading."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.special import softmax as sp_softmax

from core.quiz import KINDS, LOSS_TOLERANCE, P_TOLERANCE, ROUND, grade, question, step_moves
from core.scenario import Scenario


def test_the_same_seed_gives_the_same_questions_and_another_seed_others() -> None:
    a = [question(42, n) for n in range(ROUND)]
    b = [question(42, n) for n in range(ROUND)]
    c = [question(43, n) for n in range(ROUND)]
    assert a == b
    assert a != c


@given(st.integers(0, 999_999))
def test_every_round_asks_every_kind_twice(seed: int) -> None:
    kinds = [question(seed, n).kind for n in range(ROUND)]
    assert sorted(kinds) == sorted(KINDS * 2)


@given(st.integers(0, 999_999), st.integers(0, ROUND - 1))
def test_truths_agree_with_scipy(seed: int, n: int) -> None:
    q = question(seed, n)
    if q.kind == "lowest_loss":
        losses = [-math.log(sp_softmax(np.array(s.logits))[s.target]) for s in q.scenarios]
        assert q.truth == int(np.argmin(losses))
        assert sorted(losses)[1] - min(losses) > 0.1  # one clear winner
        assert len({s.target for s in q.scenarios}) == 1
        return
    sc = q.scenario
    p = sp_softmax(np.array(sc.logits))
    if q.kind == "p_true":
        assert q.truth == pytest.approx(p[sc.target], rel=1e-12)
    elif q.kind == "loss":
        assert q.truth == pytest.approx(-math.log(p[sc.target]), rel=1e-12)
    else:
        y = np.eye(sc.n_classes)[sc.target]
        after = sp_softmax(np.array(sc.logits) - (p - y))
        assert q.truth == tuple(bool(v) for v in after > p)
        assert q.truth[sc.target] is True  # the true class always gains


def test_estimates_are_graded_with_their_tolerance() -> None:
    q = next(question(7, n) for n in range(ROUND) if question(7, n).kind == "p_true")
    truth = float(q.truth)  # type: ignore[arg-type]
    assert grade(q, truth + P_TOLERANCE * 0.9).correct
    assert not grade(q, min(1.0, truth + P_TOLERANCE * 1.5) if truth < 0.8 else truth - 0.15).correct
    assert "off by" in (grade(q, 0.0).error or "")
    q = next(question(7, n) for n in range(ROUND) if question(7, n).kind == "loss")
    truth = float(q.truth)  # type: ignore[arg-type]
    band = max(LOSS_TOLERANCE, 0.2 * truth)
    assert grade(q, truth + 0.9 * band).correct
    assert not grade(q, truth + 1.1 * band).correct
    assert "nats" in grade(q, truth).truth
    with pytest.raises(ValueError, match="answer"):
        grade(q, float("nan"))


def test_choices_and_directions_are_graded_exactly() -> None:
    q = next(question(3, n) for n in range(ROUND) if question(3, n).kind == "lowest_loss")
    best = int(q.truth)  # type: ignore[arg-type]
    assert grade(q, best).correct
    assert not grade(q, (best + 1) % 3).correct
    assert f"option {'ABC'[best]}" == grade(q, best).truth
    with pytest.raises(ValueError, match="answer"):
        grade(q, 3)
    q = next(question(3, n) for n in range(ROUND) if question(3, n).kind == "step")
    truth = q.truth
    assert isinstance(truth, tuple)
    assert grade(q, truth).correct
    flipped = (not truth[0], *truth[1:])
    g = grade(q, flipped)
    assert not g.correct
    assert g.error == f"{len(truth) - 1} of {len(truth)} right"
    with pytest.raises(ValueError, match="one direction per class"):
        grade(q, truth[:-1])


@pytest.mark.parametrize(("seed", "n"), [(-1, 0), (1_000_000, 0), (0, -1), (True, 0)])
def test_bad_seed_or_number_raises(seed: int, n: int) -> None:
    with pytest.raises(ValueError, match=r"seed|n must"):
        question(seed, n)


@pytest.mark.parametrize("t", [1.0, 2.0, 0.5])
def test_step_moves_follow_the_one_temperature_rule(t: float) -> None:
    """p = softmax(z / T); one step z ← z − (p − y) / T; the move is p_after − p (checked with scipy)."""
    z = np.array([2.0, 1.0, 0.1])
    sc = Scenario(logits=tuple(z), target=1, temperature=t)
    p = sp_softmax(z / t)
    after = sp_softmax((z - (p - np.eye(3)[1]) / t) / t)
    np.testing.assert_allclose(step_moves(sc), after - p, rtol=1e-12, atol=1e-15)
