"""core.decoding: the filters against references written here, the pipeline's order, sampling, the sentence loss.

Expected values never come from core.decoding: probabilities from scipy.special, orderings from a stable
numpy sort, Hugging Face's warpers re-written in numpy from their published algorithms, small cases by hand.
"""

from __future__ import annotations

import math
import re
import threading
from typing import Any

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import core.decoding as dec
from core.decoding import min_p_filter, next_token_probs, pipeline, top_k_filter, top_p_filter
from core.next_token import effective_choices, greedy, perplexity, sample, sequence_cross_entropy

EPS = np.finfo(np.float64).eps
finite = st.floats(min_value=-20, max_value=20, allow_nan=False, allow_infinity=False)
vectors = arrays(np.float64, st.integers(min_value=1, max_value=40), elements=finite)
# few distinct values: ties everywhere, the hard case for every filter
tied_vectors = arrays(np.float64, st.integers(min_value=1, max_value=30), elements=st.integers(-3, 3).map(float))
any_vector = st.one_of(vectors, tied_vectors)
probabilities = st.floats(min_value=1e-6, max_value=1.0)
unit = st.floats(min_value=0.0, max_value=1.0)


def ranking(z: np.ndarray) -> np.ndarray:
    """Token indices from the largest logit down; equal logits by index, the lower first."""
    return np.argsort(-z, kind="stable")


def kept(filtered: np.ndarray) -> np.ndarray:
    return np.asarray(filtered > -np.inf)


# ---- Hugging Face's warpers, re-written in numpy from transformers' logits_process.py ----------------
def hf_top_k(z: np.ndarray, k: int) -> np.ndarray:
    """TopKLogitsWarper: remove ``scores < topk(scores, k)[-1]``."""
    kth = np.sort(z)[::-1][min(k, z.size) - 1]
    return np.asarray(z >= kth)


def hf_top_p(z: np.ndarray, p: float) -> np.ndarray:
    """TopPLogitsWarper: sort ascending (stably here), cumsum of the softmax, remove ``<= 1 - p``, keep the last."""
    order = np.argsort(z, kind="stable")
    cum = np.cumsum(sp.softmax(z[order]))
    remove = cum <= 1 - p
    remove[-1] = False
    keep = np.ones(z.size, dtype=bool)
    keep[order[remove]] = False
    return keep


def hf_min_p(z: np.ndarray, min_p: float) -> np.ndarray:
    """MinPLogitsWarper: remove ``probs < min_p * max(probs)``; the top token always stays."""
    q = sp.softmax(z)
    keep = q >= min_p * q.max()
    keep[np.argmax(z)] = True
    return np.asarray(keep)


# ---- top-k --------------------------------------------------------------------------------------------
@given(any_vector, st.integers(min_value=1, max_value=45))
def test_top_k_keeps_exactly_k_unless_tied_then_all_tied_with_the_kth(z: np.ndarray, k: int) -> None:
    got = kept(top_k_filter(z, k))
    desc = z[ranking(z)]
    if k >= z.size:
        assert got.all()
        return
    kth = desc[k - 1]
    np.testing.assert_array_equal(got, z >= kth)
    if desc[k] < kth:  # the k-th is not tied with the next: exactly k survive
        assert got.sum() == k
    else:
        assert got.sum() == k + np.count_nonzero(desc[k:] == kth)
    np.testing.assert_array_equal(got, hf_top_k(z, k))


@given(any_vector)
def test_top_k_zero_keeps_all_and_kept_logits_are_unchanged(z: np.ndarray) -> None:
    np.testing.assert_array_equal(top_k_filter(z, 0), z)
    out = top_k_filter(z, 2)
    np.testing.assert_array_equal(out[kept(out)], z[kept(out)])


def test_top_k_by_hand() -> None:
    assert top_k_filter([0.5, 2.0, -1.0, 2.0, 1.0], 2).tolist() == [-np.inf, 2.0, -np.inf, 2.0, -np.inf]
    assert top_k_filter([0.5, 2.0, -1.0, 2.0, 1.0], 3).tolist() == [-np.inf, 2.0, -np.inf, 2.0, 1.0]
    assert top_k_filter([[1.0, 2.0], [4.0, 3.0]], 1).tolist() == [[-np.inf, 2.0], [4.0, -np.inf]]


# ---- top-p --------------------------------------------------------------------------------------------
@given(any_vector, probabilities)
def test_top_p_keeps_mass_at_least_p_and_is_minimal(z: np.ndarray, p: float) -> None:
    q = sp.softmax(z)
    got = kept(top_p_filter(z, p))
    mass = q[got].sum()
    tol = 8 * z.size * EPS
    assert mass >= p - tol
    # minimal: without its least probable token the set falls short of p
    if got.sum() > 1:
        assert mass - q[got].min() < p + tol
    # and it is the leading set: no removed token is more probable than a kept one
    if not got.all():
        assert q[~got].max() <= q[got].min()


@given(any_vector, probabilities)
def test_top_p_matches_the_smallest_prefix_reaching_p(z: np.ndarray, p: float) -> None:
    q = sp.softmax(z)
    order = ranking(z)
    cum = np.cumsum(q[order])
    assume(np.all(np.abs(cum - p) > 1e-9) or p == 1.0)  # a sum this close to p is a rounding question
    m = int(np.argmax(cum >= p)) + 1 if np.any(cum >= p) else z.size
    expected = np.zeros(z.size, dtype=bool)
    expected[order[:m]] = True
    np.testing.assert_array_equal(kept(top_p_filter(z, p)), expected)


@given(arrays(np.float64, st.integers(min_value=1, max_value=40), elements=finite, unique=True), probabilities)
def test_top_p_is_hugging_faces_top_p_without_ties(z: np.ndarray, p: float) -> None:
    np.testing.assert_array_equal(kept(top_p_filter(z, p)), hf_top_p(z, p))


@given(tied_vectors, probabilities)
def test_top_p_keeps_as_many_as_hugging_face_with_ties(z: np.ndarray, p: float) -> None:
    # which tied tokens survive differs (see the next test); how many, and their mass, do not
    got, hf = kept(top_p_filter(z, p)), hf_top_p(z, p)
    assert got.sum() == hf.sum()
    q = sp.softmax(z)
    assert q[got].sum() == pytest.approx(q[hf].sum(), abs=8 * z.size * EPS)


def test_top_p_boundary_and_ties_by_hand() -> None:
    z = [math.log(2.0), 0.0, 0.0]  # probabilities 0.5, 0.25, 0.25 (exact in binary)
    np.testing.assert_allclose(sp.softmax(z), [0.5, 0.25, 0.25], rtol=4 * EPS)
    # a set whose mass reaches p exactly stops there (transformers: tail mass 0.25 <= 1 - 0.75 is removed)
    assert kept(top_p_filter(z, 0.75)).tolist() == [True, True, False]
    assert kept(top_p_filter(z, 0.5)).tolist() == [True, False, False]
    # just above the boundary one more token is needed
    assert kept(top_p_filter(z, 0.5 + 1e-9)).tolist() == [True, True, False]
    assert kept(top_p_filter(z, 0.75 + 1e-9)).tolist() == [True, True, True]
    # equal logits straddling the cut: the lower index ranks first here; transformers' order is unspecified
    # (torch.sort(stable=False)); a stable ascending sort, as in hf_top_p, would keep the higher indices
    four = np.zeros(4)
    assert kept(top_p_filter(four, 0.5)).tolist() == [True, True, False, False]
    assert hf_top_p(four, 0.5).tolist() == [False, False, True, True]
    assert kept(top_p_filter(four, 0.5 + 1e-9)).tolist() == [True, True, True, False]


@given(any_vector)
def test_top_p_of_one_keeps_all(z: np.ndarray) -> None:
    np.testing.assert_array_equal(top_p_filter(z, 1.0), z)


def test_top_p_keeps_the_top_token_when_p_is_tiny() -> None:
    assert kept(top_p_filter([1.0, 3.0, 2.0], 1e-12)).tolist() == [False, True, False]
    assert kept(top_p_filter([3.0, 3.0, 2.0], 1e-12)).tolist() == [True, False, False]


@given(st.integers(min_value=20, max_value=300), st.integers(min_value=1, max_value=30), probabilities, st.data())
def test_top_p_sorting_few_or_all_tokens_agrees(v: int, k: int, p: float, data: st.DataObject) -> None:
    # after a top-k, top-p ranks just the survivors; with most tokens left it sorts the whole row
    z = data.draw(arrays(np.float64, v, elements=st.one_of(finite, st.integers(-2, 2).map(float))))
    results = []
    for share in (0.0, 1.0):  # force each way
        old, dec._COMPRESS_SHARE = dec._COMPRESS_SHARE, share
        try:
            results.append(pipeline(z, top_k=k, top_p=p).kept_top_p)
        finally:
            dec._COMPRESS_SHARE = old
    np.testing.assert_array_equal(results[0], results[1])


# ---- min-p ----------------------------------------------------------------------------------------------
@given(any_vector, unit)
def test_min_p_keeps_exactly_the_tokens_at_least_min_p_times_the_top(z: np.ndarray, min_p: float) -> None:
    q = sp.softmax(z)
    bound = min_p * q.max()
    assume(np.all(np.abs(q - bound) > 1e-12 * q.max()) or min_p in (0.0, 1.0))
    got = kept(min_p_filter(z, min_p))
    np.testing.assert_array_equal(got, q >= bound)
    np.testing.assert_array_equal(got, hf_min_p(z, min_p))


def test_min_p_by_hand() -> None:
    # ratios to the top: 1, e^-1 = 0.368, e^-2 = 0.135, e^-3 = 0.050
    z = [0.0, -1.0, -2.0, -3.0]
    assert kept(min_p_filter(z, 0.1)).tolist() == [True, True, True, False]
    assert kept(min_p_filter(z, 0.3)).tolist() == [True, True, False, False]
    assert kept(min_p_filter(z, 0.0)).all()
    assert kept(min_p_filter([2.0, 2.0, 1.0], 1.0)).tolist() == [True, True, False]


# ---- at least one token, and -inf on input -----------------------------------------------------------------
@given(
    any_vector,
    st.floats(min_value=0.01, max_value=10),
    st.integers(min_value=0, max_value=50),
    probabilities,
    unit,
)
def test_at_least_one_token_is_always_kept(z: np.ndarray, t: float, k: int, p: float, min_p: float) -> None:
    for out in (top_k_filter(z, k), top_p_filter(z, p), min_p_filter(z, min_p)):
        assert kept(out)[np.argmax(z)]
    probs = next_token_probs(z, temperature=t, top_k=k, top_p=p, min_p=min_p)
    assert probs[np.argmax(z)] > 0
    assert probs.sum() == pytest.approx(1.0, abs=8 * z.size * EPS)


def test_minus_infinity_logits_stay_at_probability_zero() -> None:
    z = np.array([1.0, -np.inf, 0.5, -np.inf])
    run = pipeline(z, top_k=3, top_p=0.99, min_p=0.01)
    assert run.kept_temperature.tolist() == [True, False, True, False]
    assert run.probs[[1, 3]].tolist() == [0.0, 0.0]
    np.testing.assert_allclose(run.probs[[0, 2]], sp.softmax([1.0, 0.5]), rtol=4 * EPS)
    assert kept(top_k_filter(z, 3)).tolist() == [True, False, True, False]
    assert kept(top_p_filter(z, 0.999)).tolist() == [True, False, True, False]


# ---- temperature and the whole pipeline -------------------------------------------------------------------
@given(vectors)
def test_temperature_to_zero_gives_greedy(z: np.ndarray) -> None:
    desc = np.sort(z)[::-1]
    assume(z.size == 1 or desc[0] - desc[1] > 0.05)
    probs = next_token_probs(z, temperature=1e-3)  # the runner-up weighs at most e^-50 = 2e-22
    assert probs[np.argmax(z)] == pytest.approx(1.0, abs=z.size * 1e-21)
    assert int(greedy(probs)) == int(np.argmax(z))
    assert int(sample(probs, 0)) == int(np.argmax(z))


@given(
    any_vector,
    st.floats(min_value=0.05, max_value=5),
    st.integers(min_value=0, max_value=50),
    probabilities,
    unit,
)
def test_pipeline_is_the_filters_in_generates_order(z: np.ndarray, t: float, k: int, p: float, min_p: float) -> None:
    run = pipeline(z, temperature=t, top_k=k, top_p=p, min_p=min_p)
    np.testing.assert_array_equal(run.scaled, z / t)
    after_k = top_k_filter(z / t, k)
    after_p = top_p_filter(after_k, p)
    after_m = min_p_filter(after_p, min_p)
    np.testing.assert_array_equal(run.after_top_k, after_k)
    np.testing.assert_array_equal(run.after_top_p, after_p)
    np.testing.assert_array_equal(run.after_min_p, after_m)
    # the final distribution is the softmax of what is left; removed tokens exactly 0
    np.testing.assert_allclose(run.probs, sp.softmax(after_m), rtol=8 * z.size * EPS, atol=1e-300)
    assert np.all(run.probs[~kept(after_m)] == 0.0)
    np.testing.assert_array_equal(run.probs, next_token_probs(z, temperature=t, top_k=k, top_p=p, min_p=min_p))
    # masks are nested, masses (under softmax(z / T)) go down
    assert np.all(run.kept_top_p <= run.kept_top_k)
    assert np.all(run.kept_min_p <= run.kept_top_p)
    q = sp.softmax(z / t)
    for mask, mass in ((run.kept_top_k, run.mass_top_k), (run.kept_top_p, run.mass_top_p)):
        assert float(mass) == pytest.approx(q[mask].sum(), abs=8 * z.size * EPS)
    assert float(run.mass_min_p) == pytest.approx(q[run.kept_min_p].sum(), abs=8 * z.size * EPS)
    assert run.kept_count == np.count_nonzero(run.kept_min_p)
    np.testing.assert_allclose(run.scaled_probs, q, rtol=8 * z.size * EPS, atol=1e-300)


def test_order_matters_top_k_before_top_p() -> None:
    # probabilities 0.4, 0.3, 0.2, 0.1: top-k 2 leaves (4/7, 3/7); 4/7 = 0.571 reaches p = 0.5 alone
    z = np.log([0.4, 0.3, 0.2, 0.1])
    run = pipeline(z, top_k=2, top_p=0.5)
    assert run.kept_top_p.tolist() == [True, False, False, False]
    assert run.probs.tolist() == [1.0, 0.0, 0.0, 0.0]
    # the other order keeps two: top-p on the full distribution needs 0.4 + 0.3
    assert kept(top_k_filter(top_p_filter(z, 0.5), 2)).tolist() == [True, True, False, False]


def test_order_matters_temperature_before_top_p() -> None:
    z = np.array([2.0, 1.0, 0.0])
    # at T = 1: softmax = (0.665, 0.245, 0.090): p = 0.7 needs two tokens
    assert sp.softmax(z)[0] < 0.7 < sp.softmax(z)[:2].sum()
    # at T = 0.5 the top one alone has 0.867 >= 0.7
    assert sp.softmax(z / 0.5)[0] > 0.7
    run = pipeline(z, temperature=0.5, top_p=0.7)
    assert run.kept_top_p.tolist() == [True, False, False]
    # top-p first, temperature after, would keep two
    assert kept(top_p_filter(z, 0.7) / 0.5).tolist() == [True, True, False]
    # and min-p after temperature: ratio e^{-1/T} is 0.37 at T = 1, 0.14 at T = 0.5
    assert pipeline(z, temperature=0.5, min_p=0.2).kept_min_p.tolist() == [True, False, False]
    assert pipeline(z, temperature=1.0, min_p=0.2).kept_min_p.tolist() == [True, True, False]


def test_pipeline_by_hand() -> None:
    run = pipeline([3.0, 2.0, 1.0, 0.0, -1.0], temperature=2.0, top_k=4, top_p=0.8, min_p=0.5)
    q = sp.softmax(
        np.array([3.0, 2.0, 1.0, 0.0, -1.0]) / 2.0
    )  # e^{1.5, 1, 0.5, 0, -0.5} / 10.455: 0.429, 0.260, 0.158, 0.096, 0.058
    assert run.kept_top_k.tolist() == [True, True, True, True, False]
    # renormalised over four (/ 9.849): 0.455, 0.276, 0.167, 0.102 -> 0.455 + 0.276 = 0.731, + 0.167 = 0.898 >= 0.8
    assert run.kept_top_p.tolist() == [True, True, True, False, False]
    # min-p 0.5: ratios e^{-0.5} = 0.61 kept, e^{-1} = 0.37 removed
    assert run.kept_min_p.tolist() == [True, True, False, False, False]
    np.testing.assert_allclose(run.mass_top_k, q[:4].sum(), rtol=1e-14)
    np.testing.assert_allclose(run.mass_top_p, q[:3].sum(), rtol=1e-14)
    np.testing.assert_allclose(run.mass_min_p, q[:2].sum(), rtol=1e-14)
    np.testing.assert_allclose(run.probs, [*sp.softmax([1.5, 1.0]), 0, 0, 0], rtol=1e-14)
    assert [s.name for s in run.stages] == list(dec.STAGES)
    assert [int(s.kept.sum()) for s in run.stages] == [5, 4, 3, 2]
    assert [round(float(s.mass), 3) for s in run.stages] == [1.0, 0.942, 0.846, 0.689]


def test_defaults_keep_everything() -> None:
    z = np.random.default_rng(3).normal(size=1000)
    run = pipeline(z)
    assert run.kept_min_p.all()
    np.testing.assert_allclose(run.probs, sp.softmax(z), rtol=1e-13)
    assert float(run.mass_min_p) == pytest.approx(1.0, abs=1e-13)
    assert run.after_min_p is run.after_top_p is run.after_top_k is run.scaled  # nothing removed, nothing copied


@given(any_vector, st.floats(min_value=0.05, max_value=5), probabilities)
def test_entropy_and_effective_choices(z: np.ndarray, t: float, p: float) -> None:
    run = pipeline(z, temperature=t, top_p=p)
    h = scipy.stats.entropy(run.probs)
    assert float(run.entropy) == pytest.approx(h, abs=64 * z.size * EPS * max(1.0, float(np.max(np.abs(z / t)))))
    assert float(run.effective_choices) == pytest.approx(math.exp(h), rel=1e-9)
    assert float(effective_choices(run.probs)) == pytest.approx(math.exp(h), rel=1e-9)
    assert 1.0 - 1e-9 <= float(run.effective_choices) <= run.kept_count * (1 + 1e-9)


@given(st.integers(min_value=1, max_value=60), finite)
def test_uniform_logits_have_v_effective_choices(v: int, value: float) -> None:
    assert float(pipeline(np.full(v, value)).effective_choices) == pytest.approx(v, rel=64 * EPS * max(1, v))


def test_batches_are_rows() -> None:
    z = np.random.default_rng(5).normal(size=(3, 4, 50))
    run = pipeline(z, temperature=0.7, top_k=20, top_p=0.8, min_p=0.05)
    assert run.probs.shape == z.shape
    assert run.entropy.shape == run.mass_top_p.shape == (3, 4)
    for i in range(3):
        for j in range(4):
            row = pipeline(z[i, j], temperature=0.7, top_k=20, top_p=0.8, min_p=0.05)
            np.testing.assert_array_equal(run.kept_min_p[i, j], row.kept_min_p)
            np.testing.assert_allclose(run.probs[i, j], row.probs, rtol=1e-15)
            assert float(run.entropy[i, j]) == pytest.approx(float(row.entropy), rel=1e-14)


def test_results_are_read_only_and_the_callers_array_is_not() -> None:
    z = np.array([1.0, 2.0, 3.0])
    run = pipeline(z, top_k=2)
    for array in (run.logits, run.scaled, run.probs, run.kept_top_k, run.after_top_k, run.mass_top_k):
        with pytest.raises(ValueError, match="read-only"):
            array[...] = 0
    z[0] = 5.0  # still the caller's to change
    assert next_token_probs(z, top_k=1).tolist() == [1.0, 0.0, 0.0]
    probs = next_token_probs([1.0, 2.0])
    probs[0] = 0.5  # a copy the caller owns


def test_threads_share_no_scratch_memory() -> None:
    rng = np.random.default_rng(11)
    inputs = [rng.normal(size=5000) * s for s in (0.5, 1.0, 2.0, 4.0)]
    settings: dict[str, Any] = {"temperature": 0.9, "top_p": 0.9, "min_p": 0.01}
    expected = [pipeline(z, **settings).probs.copy() for z in inputs]
    failures: list[int] = []

    def work(i: int) -> None:
        for _ in range(30):
            if not np.array_equal(pipeline(inputs[i], **settings).probs, expected[i]):
                failures.append(i)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert failures == []


# ---- logits near float64's limit ----------------------------------------------------------------------------------
# z / T overflows float64 for these (|z| / T > 1.8e308): softmax and the filters only compare logits, so the answer
# is the one the finite logits around the top give; a token far below the top has probability exactly 0.
huge = st.floats(min_value=-1.7e308, max_value=1.7e308, allow_nan=False, allow_infinity=False)
huge_vectors = st.one_of(
    arrays(np.float64, st.integers(min_value=1, max_value=30), elements=huge),
    arrays(np.float64, st.integers(min_value=1, max_value=30), elements=st.one_of(huge, finite)),
)


@pytest.mark.parametrize("t", [0.05, 0.45, 0.999, 1.0, 2.0, 5.0])
def test_logits_of_1e308_work_at_any_temperature(t: float) -> None:
    # the user test's case: {1e308, -1e308} at T = 0.45 raised "logits / temperature overflows float64"
    for z in ([1e308, -1e308], [-1e308, 1e308], [1.7e308, -1.7e308, 0.0]):
        top = int(np.argmax(z))
        want = np.zeros(len(z))
        want[top] = 1.0  # e^{-1e308 / T} underflows to exactly 0
        run = pipeline(z, temperature=t, top_k=1, top_p=0.9, min_p=0.1)
        assert run.probs.tolist() == want.tolist()
        assert next_token_probs(z, temperature=t).tolist() == want.tolist()
        assert float(run.entropy) == 0.0
        assert float(run.effective_choices) == 1.0
        assert run.kept_temperature.all()  # finite logits: temperature removes nothing


@pytest.mark.parametrize("t", [0.05, 0.45, 1.3])
@pytest.mark.parametrize(("k", "p", "min_p"), [(0, 1.0, 0.0), (2, 1.0, 0.0), (0, 0.8, 0.0), (0, 1.0, 0.3)])
def test_a_huge_negative_logit_leaves_the_others_as_without_it(t: float, k: int, p: float, min_p: float) -> None:
    # -1e308 / 0.45 overflows; the other three are ordinary, so Hugging Face's warpers on them are the reference
    rest = np.array([2.0, 1.0, 0.0])
    z = np.array([-1e308, *rest])
    run = pipeline(z, temperature=t, top_k=k, top_p=p, min_p=min_p)
    keep = np.ones(3, dtype=bool)
    if k:
        keep &= hf_top_k(rest / t, k)
    if p < 1:
        keep &= hf_top_p(np.where(keep, rest / t, -np.inf), p)
    if min_p:
        keep &= hf_min_p(np.where(keep, rest / t, -np.inf), min_p)
    no_filter = k == 0 and p == 1.0 and min_p == 0.0  # then it stays in, with probability exactly 0
    assert run.kept_min_p.tolist() == [no_filter, *keep.tolist()]
    want = sp.softmax(np.where(keep, rest / t, -np.inf))
    np.testing.assert_allclose(run.probs, [0.0, *want], rtol=1e-14, atol=0)
    assert float(run.entropy) == pytest.approx(scipy.stats.entropy(want), rel=1e-12)


@given(huge_vectors, st.floats(min_value=0.05, max_value=5), st.integers(0, 5), probabilities, unit)
def test_any_finite_logits_at_any_allowed_temperature(z: np.ndarray, t: float, k: int, p: float, min_p: float) -> None:
    run = pipeline(z, temperature=t, top_k=k, top_p=p, min_p=min_p)
    probs = run.probs
    assert np.all(np.isfinite(probs))
    assert np.all(probs >= 0)
    assert float(probs.sum()) == pytest.approx(1.0, abs=8 * z.size * EPS)
    assert probs[int(np.argmax(z))] > 0  # the top token is never removed
    assert run.kept_temperature.all()
    # with no filter, the softmax of z / T, written here as exp((z - max z) / T) normalised (z - max z may be -inf)
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        x = (z - z.max()) / t
        e = np.exp(x)
    # exp(x) moves by |x| * eps when x is rounded once more (z / T - max, or (z - max) / T): scale the tolerance by |x|
    scale = 1 + float(np.max(np.abs(np.where(e > 1e-300, x, 0.0))))
    np.testing.assert_allclose(
        pipeline(z, temperature=t).probs, e / e.sum(), rtol=16 * z.size * EPS * scale, atol=1e-300
    )
    h = float(run.entropy)
    assert math.isfinite(h)
    assert h == pytest.approx(scipy.stats.entropy(probs), abs=1e-9)
    assert float(run.effective_choices) == pytest.approx(math.exp(scipy.stats.entropy(probs)), rel=1e-9)


def test_entropy_is_finite_when_a_gap_exceeds_float64() -> None:
    # T = 1: 1.7e308 - (-1e308) overflows to -inf, and its probability (0) times that once made H NaN
    run = pipeline([1e308, -1e308, 0.0, 1.7e308])
    assert run.probs.tolist() == [0.0, 0.0, 0.0, 1.0]
    assert float(run.entropy) == scipy.stats.entropy([0.0, 0.0, 0.0, 1.0]) == 0.0
    assert float(run.effective_choices) == 1.0
    # two tied at the top: H = ln 2, two effective choices
    tied = pipeline([1.7e308, -1e308, 1.7e308, 0.0])
    assert tied.probs.tolist() == [0.5, 0.0, 0.5, 0.0]
    assert float(tied.entropy) == pytest.approx(scipy.stats.entropy([0.5, 0.0, 0.5, 0.0]), rel=1e-15)
    assert float(tied.effective_choices) == pytest.approx(2.0, rel=1e-15)
    # and with -inf logits beside them, in a batch: each row its own
    batch = pipeline([[1.7e308, -np.inf, -1.7e308], [0.0, -np.inf, 0.0]], temperature=0.5)
    np.testing.assert_allclose(batch.entropy, [0.0, math.log(2)], rtol=1e-15)


# ---- sampling ------------------------------------------------------------------------------------------------------
def test_sample_is_reproducible_with_a_seed_and_a_generator() -> None:
    p = sp.softmax(np.random.default_rng(1).normal(size=100))
    assert [int(sample(p, 42)) for _ in range(5)] == [int(sample(p, 42))] * 5
    a, b = np.random.default_rng(7), np.random.default_rng(7)
    assert [int(sample(p, a)) for _ in range(20)] == [int(sample(p, b)) for _ in range(20)]
    assert len({int(sample(p, np.random.default_rng(7))) for _ in range(3)}) == 1


def test_sample_is_the_inverse_cdf_of_the_generators_uniform() -> None:
    p = np.array([0.1, 0.2, 0.3, 0.4])
    u = np.random.default_rng(9).random()
    assert int(sample(p, 9)) == int(np.searchsorted(np.cumsum(p), u * np.cumsum(p)[-1], side="right"))


def test_sample_frequencies_follow_the_probabilities() -> None:
    p = np.array([0.1, 0.2, 0.3, 0.4])
    rng = np.random.default_rng(2024)
    draws = sample(np.tile(p, (20_000, 1)), rng)
    counts = np.bincount(draws, minlength=4)
    # a fixed seed: deterministic; chi-square p-value far from the 1e-3 tail
    assert scipy.stats.chisquare(counts, 20_000 * p).pvalue > 1e-3
    assert draws.shape == (20_000,)


@given(arrays(np.float64, st.integers(2, 30), elements=st.floats(0, 1)), st.integers(0, 2**32))
def test_sample_never_draws_a_token_of_probability_zero(w: np.ndarray, seed: int) -> None:
    w[::2] = 0.0
    assume(w.sum() > 0)
    p = w / w.sum()
    assert p[int(sample(p, seed))] > 0


def test_greedy_takes_the_first_of_equal_maxima() -> None:
    assert int(greedy([0.2, 0.4, 0.4])) == 1
    assert greedy([[0.5, 0.5], [0.1, 0.9]]).tolist() == [0, 1]


# ---- the loss of a sentence --------------------------------------------------------------------------------------
@given(
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1, max_value=30),
    st.data(),
)
def test_sequence_cross_entropy_is_minus_log_softmax(t: int, v: int, data: st.DataObject) -> None:
    z = data.draw(arrays(np.float64, (t, v), elements=finite))
    y = np.array(data.draw(st.lists(st.integers(0, v - 1), min_size=t, max_size=t)))
    expected = -sp.log_softmax(z, axis=-1)[np.arange(t), y]
    np.testing.assert_allclose(sequence_cross_entropy(z, y), expected, rtol=1e-12, atol=1e-12)
    assert perplexity(sequence_cross_entropy(z, y)) == pytest.approx(math.exp(expected.mean()), rel=1e-12)


@given(st.integers(min_value=1, max_value=20), st.integers(min_value=1, max_value=3000), finite)
def test_uniform_logits_give_perplexity_v(t: int, v: int, value: float) -> None:
    targets = np.arange(t) % v
    ce = sequence_cross_entropy(np.full((t, v), value), targets)
    np.testing.assert_allclose(ce, math.log(v), rtol=8 * EPS, atol=8 * EPS)
    assert perplexity(ce) == pytest.approx(v, rel=64 * EPS * max(1.0, math.log(v)))


def test_perplexity_by_hand() -> None:
    # p(true) = 1/2, 1/4, 1/8: mean CE = ln 4, perplexity 4 (the geometric mean of 2, 4, 8)
    assert perplexity([math.log(2), math.log(4), math.log(8)]) == pytest.approx(4.0, rel=4 * EPS)
    assert perplexity([0.0]) == 1.0
    assert perplexity([math.inf, 1.0]) == math.inf
    assert perplexity([800.0]) == math.inf  # e^800 overflows: infinite, not an error


def test_a_target_of_probability_zero_costs_infinity() -> None:
    ce = sequence_cross_entropy([[0.0, -np.inf], [0.0, 0.0]], [1, 0])
    assert ce[0] == math.inf
    assert ce[1] == pytest.approx(math.log(2))


# ---- errors ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: next_token_probs([1.0, np.nan]), "logits must be finite or -inf"),
        (lambda: next_token_probs([1.0, np.inf]), "logits must be finite or -inf"),
        (lambda: next_token_probs([-np.inf, -np.inf]), "all -inf"),
        (lambda: next_token_probs(3.0), "class axis"),
        (lambda: next_token_probs([]), "at least one class"),
        (lambda: next_token_probs(["a", "b"]), "array of real numbers"),
        (lambda: next_token_probs([1.0], temperature=0.0), "temperature must be finite and > 0"),
        (lambda: next_token_probs([1.0], temperature=-1.0), "temperature must be finite and > 0"),
        (lambda: next_token_probs([1.0], temperature=math.nan), "temperature must be finite and > 0"),
        (lambda: next_token_probs([1.0], top_k=-1), "top_k must be >= 0"),
        (lambda: next_token_probs([1.0], top_k=1.5), "top_k must be a whole number"),  # type: ignore[arg-type]
        (lambda: next_token_probs([1.0], top_k=True), "top_k must be a whole number"),
        (lambda: next_token_probs([1.0], top_k="3"), "top_k must be a whole number"),  # type: ignore[arg-type]
        (lambda: top_k_filter([1.0], -2), "top_k must be >= 0"),
        (lambda: next_token_probs([1.0], top_p=0.0), "top_p must be in (0, 1]"),
        (lambda: next_token_probs([1.0], top_p=1.5), "top_p must be in (0, 1]"),
        (lambda: next_token_probs([1.0], top_p=-0.1), "top_p must be in (0, 1]"),
        (lambda: next_token_probs([1.0], top_p=math.nan), "top_p must be in (0, 1]"),
        (lambda: top_p_filter([1.0], "x"), "top_p must be a number"),  # type: ignore[arg-type]
        (lambda: next_token_probs([1.0], min_p=-0.01), "min_p must be in [0, 1]"),
        (lambda: next_token_probs([1.0], min_p=1.01), "min_p must be in [0, 1]"),
        (lambda: min_p_filter([1.0], math.nan), "min_p must be in [0, 1]"),
        (lambda: top_p_filter([np.nan], 0.5), "logits must be finite or -inf"),
        (lambda: min_p_filter([np.inf], 0.5), "logits must be finite or -inf"),
        (lambda: sequence_cross_entropy([1.0, 2.0], [0]), "logits must have shape (T, V)"),
        (lambda: sequence_cross_entropy([[1.0, 2.0]], [0, 1]), "targets must have shape (1,)"),
        (lambda: sequence_cross_entropy([[1.0, 2.0]], [[0]]), "targets must have shape (1,)"),
        (lambda: sequence_cross_entropy([[1.0, 2.0]], [0.0]), "whole-number token indices"),
        (lambda: sequence_cross_entropy([[1.0, 2.0]], [2]), "in [0, 1], got 2 at position 0"),
        (lambda: sequence_cross_entropy([[1.0, 2.0]], [-1]), "in [0, 1], got -1 at position 0"),
        (lambda: sequence_cross_entropy([[np.nan, 2.0]], [0]), "logits must be finite or -inf"),
        (lambda: perplexity([]), "at least one cross-entropy"),
        (lambda: perplexity([1.0, -0.5]), "per_token_ce must be >= 0"),
        (lambda: perplexity([np.nan]), "per_token_ce must be >= 0"),
        (lambda: perplexity(["x"]), "per_token_ce must be numbers"),
        (lambda: sample([0.5, 0.6], 0), "probs must sum to 1"),
        (lambda: sample([0.5, 0.5], -1), "seed >= 0"),
        (lambda: sample([0.5, 0.5], 1.5), "whole-number seed"),  # type: ignore[arg-type]
        (lambda: sample([0.5, 0.5], "seed"), "whole-number seed"),  # type: ignore[arg-type]
        (lambda: greedy([1.5, -0.5]), "probs must be finite and >= 0"),
    ],
)
def test_bad_input_raises_a_value_error_naming_it(call: object, words: str) -> None:
    with pytest.raises(ValueError, match=re.escape(words)):
        call()  # type: ignore[operator]
