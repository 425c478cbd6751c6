"""The Next-token page's core: prompt notes, steps, reproducible runs, sentence scores, the Playground link, charts."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from core.explain import evaluate
from core.figures.next_token import pipeline_chart, sentence_chart
from core.figures.style import STYLE
from core.lm import NeuralLM, load
from core.next_token_views import (
    EVERYTHING_ELSE,
    class_name,
    generate,
    logits_view,
    next_logits,
    playground_query,
    playground_scenario,
    read_prompt,
    score_sentence,
    step_view,
)
from core.scenario import MAX_CLASSES, MAX_NAME_LENGTH, Scenario
from core.text import fmt

MODEL_PATH = Path(__file__).resolve().parents[2] / "assets" / "lm" / "next_token.npz"
OPEN = {"temperature": 1.0, "top_k": 0, "top_p": 1.0, "min_p": 0.0}


@pytest.fixture(scope="module")
def model() -> NeuralLM:
    return load(MODEL_PATH)


def test_prompt_notes_each_unknown_word_once(model: NeuralLM) -> None:
    p = read_prompt("The zebra watched the zebra and a qwerty", model.vocabulary)
    assert p.tokens[:2] == ("the", "zebra")
    unk = model.vocabulary.index("<unk>")
    assert p.ids[1] == unk
    assert p.ids[4] == unk
    assert p.notes == (
        f"'zebra' is not in the model's {len(model.vocabulary)} words: read as <unk>",
        f"'qwerty' is not in the model's {len(model.vocabulary)} words: read as <unk>",
    )
    empty = read_prompt("", model.vocabulary)
    assert empty.tokens == ()
    assert empty.ids == ()
    assert empty.notes == ()


def test_step_view_stages(model: NeuralLM) -> None:
    ids = read_prompt("the cat", model.vocabulary).ids
    v = step_view(model, ids, temperature=0.8, top_k=10, top_p=0.9, min_p=0.05)
    assert len(v.rows) == 20
    assert v.vocab_size == len(model.vocabulary)
    raw = [r.raw_prob for r in v.rows]
    assert raw == sorted(raw, reverse=True)
    assert [s.name for s in v.stages] == ["temperature", "top_k", "top_p", "min_p"]
    masses = [s.mass for s in v.stages]
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(masses))
    assert v.stages[1].kept <= 10 or v.rows[9].logit == v.rows[10].logit
    assert all((r.final_prob == 0) == (r.removed_by is not None) for r in v.rows)
    assert math.isclose(sum(r.final_prob for r in v.rows if r.removed_by is None), 1.0, rel_tol=1e-9)
    assert math.isclose(v.effective_choices, math.exp(v.entropy), rel_tol=1e-12)
    assert v.rows[0].removed_by is None
    open_view = step_view(model, ids, **OPEN)  # type: ignore[arg-type]
    assert all(r.removed_by is None for r in open_view.rows)
    assert open_view.kept_count == v.vocab_size


def test_same_seed_same_words(model: NeuralLM) -> None:
    ids = read_prompt("the dog", model.vocabulary).ids
    run = {"seed": 7, "greedy": False, "temperature": 1.2, "top_k": 0, "top_p": 0.95, "min_p": 0.0}
    a = generate(model, ids, 10, **run)  # type: ignore[arg-type]
    b = generate(model, ids, 10, **run)  # type: ignore[arg-type]
    assert [s.word for s in a] == [s.word for s in b]
    assert all(s.prob == s.view.probs[s.index] > 0 for s in a)
    assert all(s.word != "</s>" for s in a[:-1])  # stops at </s>
    assert len(a) == 10 or a[-1].word == "</s>"


def test_greedy_equals_temperature_to_zero(model: NeuralLM) -> None:
    ids = read_prompt("grandma", model.vocabulary).ids
    g = generate(model, ids, 12, seed=0, greedy=True, **OPEN)  # type: ignore[arg-type]
    cold = {**OPEN, "temperature": 1e-3}
    for seed in (0, 1, 2):
        s = generate(model, ids, 12, seed=seed, greedy=False, **cold)  # type: ignore[arg-type]
        assert [x.word for x in s] == [x.word for x in g]


def test_sentence_score_and_perplexity(model: NeuralLM) -> None:
    score = score_sentence(model, "The cat purred on the sofa.")
    assert [w.word for w in score.words][-1] == "</s>"
    assert len(score.words) == len(read_prompt(score.text, model.vocabulary).tokens) + 1
    ces = np.array([w.ce for w in score.words])
    assert np.allclose(ces, [-math.log(w.prob) for w in score.words], rtol=1e-12)
    assert math.isclose(score.total, float(ces.sum()), rel_tol=1e-12)
    assert math.isclose(score.mean, float(ces.mean()), rel_tol=1e-12)
    assert math.isclose(score.perplexity, math.exp(score.mean), rel_tol=1e-12)
    assert score.words[0].context == ("<s>",) * model.context


@pytest.mark.parametrize("text", ["The cat purred on the sofa.", "Mia, the zebra, barked loudly!"])
def test_playground_loss_equals_page_ce(model: NeuralLM, text: str) -> None:
    score = score_sentence(model, text)
    for i, w in enumerate(score.words):
        for top in (1, 3, 8):
            q = playground_query(score, i, top)
            scenario, problems = Scenario.from_query(q)
            assert problems == []
            assert scenario.target_name == class_name(w.word, scenario.classes[: scenario.target])
            assert abs(evaluate(scenario).loss - w.ce) <= 1e-9
            assert fmt(evaluate(scenario).loss) == fmt(w.ce)
            assert scenario.n_classes <= MAX_CLASSES
            assert scenario.classes[-1] == EVERYTHING_ELSE


def test_class_names_are_valid(model: NeuralLM) -> None:
    score = score_sentence(model, "Mia, the cat, purred.")
    comma = next(i for i, w in enumerate(score.words) if w.word == ",")
    s = playground_scenario(score, comma)
    assert "(comma)" in s.classes
    assert s.target_name == "(comma)"
    assert class_name("x" * 40) == "x" * MAX_NAME_LENGTH
    assert class_name("a,b") == "ab"
    assert class_name("Cat", ["cat"]) == "Cat (2)"


def test_bad_settings_raise(model: NeuralLM) -> None:
    ids = read_prompt("the cat", model.vocabulary).ids
    for bad in ({"temperature": 0.0}, {"top_k": -1}, {"top_p": 0.0}, {"top_p": 1.5}, {"min_p": 2.0}):
        with pytest.raises(ValueError, match=next(iter(bad))):
            step_view(model, ids, **{**OPEN, **bad})  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="token ids"):
        step_view(model, [10_000], **OPEN)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="n must"):
        generate(model, ids, 0, seed=0, greedy=True, **OPEN)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="seed"):
        generate(model, ids, 3, seed=-1, greedy=False, **OPEN)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="no words"):
        score_sentence(model, "   ")
    score = score_sentence(model, "the cat")
    with pytest.raises(ValueError, match="top"):
        playground_query(score, 0, top=9)
    with pytest.raises(ValueError, match="word index"):
        playground_query(score, 99)


def test_pipeline_chart_carries_every_number(model: NeuralLM) -> None:
    ids = read_prompt("the cat", model.vocabulary).ids
    v = step_view(model, ids, temperature=0.7, top_k=5, top_p=0.9, min_p=0.0)
    chart = pipeline_chart(v, STYLE)
    assert chart.alt.startswith("Bar chart")
    assert chart.tables
    cells = {c for t in chart.tables for row in t.rows for c in row}
    for r in v.rows:
        assert {fmt(r.raw_prob), fmt(r.final_prob), fmt(r.scaled_prob)} <= cells
        assert f"{r.word}: raw {fmt(r.raw_prob)}" in chart.alt
    for s in v.stages:
        assert fmt(s.mass) in cells
        assert fmt(s.mass) in chart.alt
    assert fmt(v.entropy) in cells
    assert fmt(v.effective_choices) in chart.alt
    assert "removed by top-k" in chart.alt  # the stage in words, not colour alone
    patterns = chart.spec["data"][0]["marker"]["pattern"]["shape"]
    assert patterns[0] == ""
    assert "x" in patterns


def test_sentence_chart_carries_every_number(model: NeuralLM) -> None:
    score = score_sentence(model, "The dog barked at night.")
    chart = sentence_chart(score, STYLE)
    cells = {c for t in chart.tables for row in t.rows for c in row}
    for w in score.words:
        assert fmt(w.ce) in cells
        assert fmt(w.prob) in cells
        assert f"CE = {fmt(w.ce)}" in chart.alt
    for x in (score.total, score.mean, score.perplexity):
        assert fmt(x) in cells
        assert fmt(x) in chart.alt
    mean = chart.spec["data"][1]
    assert mean["y"] == [score.mean, score.mean]
    assert mean["name"] == f"mean {fmt(score.mean)} nats"


def test_logits_view_matches_scipy_on_any_vocabulary() -> None:
    from scipy.special import softmax as sp_softmax

    words = [f"w{i}" for i in range(30)]
    z = np.random.default_rng(4).normal(size=30) * 3
    z[7] = -np.inf  # a token that can never be chosen
    v = logits_view(z, words, temperature=0.5, top_k=0, top_p=1.0, min_p=0.0)
    want = sp_softmax(np.where(np.isinf(z), -np.inf, z / 0.5))
    np.testing.assert_allclose(v.probs, want, rtol=1e-12, atol=0)
    assert v.probs[7] == 0.0
    assert v.vocab_size == 30
    assert [r.word for r in v.rows] == [words[i] for i in np.argsort(-z, kind="stable")[:20]]
    assert v.context == ()
    k3 = logits_view(z, words, temperature=1.0, top_k=3, top_p=1.0, min_p=0.0)
    assert k3.kept_count == 3
    assert {r.word for r in k3.rows if r.removed_by is None} == {words[i] for i in np.argsort(-z)[:3]}
    with pytest.raises(ValueError, match="one per word"):
        logits_view(z, words[:-1], **OPEN)  # type: ignore[arg-type]


def test_next_logits_are_the_steps_and_the_scores_logits(model: NeuralLM) -> None:
    ids = read_prompt("the old dog", model.vocabulary).ids
    z = next_logits(model, ids)
    assert z.shape == (len(model.vocabulary),)
    np.testing.assert_allclose(step_view(model, ids, **OPEN).probs, np.exp(z - np.logaddexp.reduce(z)), rtol=1e-12)  # type: ignore[arg-type]
    score = score_sentence(model, "the old dog gobbles")
    np.testing.assert_allclose(
        score.logits[3], z, rtol=0, atol=1e-12
    )  # a batch of 4 vs 1: BLAS order  # "gobbles" is predicted from "the old dog"


def test_pipeline_chart_marks_the_chosen_word(model: NeuralLM) -> None:
    ids = read_prompt("the cat", model.vocabulary).ids
    v = step_view(model, ids, **OPEN)  # type: ignore[arg-type]
    second = v.rows[1]
    chart = pipeline_chart(v, STYLE, chosen=second.index)
    ticks = chart.spec["layout"]["yaxis"]["ticktext"]
    assert ticks[1].startswith("<b>")
    assert not ticks[0].startswith("<b>")
    labels = [a["text"] for a in chart.spec["layout"]["annotations"]]
    assert labels[1] == f"{fmt(second.final_prob)} · kept · chosen"
    assert "chosen" not in labels[0]
    assert f"{second.word}: raw {fmt(second.raw_prob)}, kept · chosen" in chart.alt
    assert "chosen" not in pipeline_chart(v, STYLE).alt
