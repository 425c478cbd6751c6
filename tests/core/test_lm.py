"""core.lm: the shipped language model, its gradient, and the baselines it must beat.

These tests load ``assets/lm/next_token.npz`` and never train it (``scripts/train_lm.py`` does, in
about half a minute); the only training here is a tiny run on a toy corpus for the gradient check.
Expected values come from finite differences, core.next_token and counting, never from the code under test.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from core import corpus
from core.lm import (
    PARAM_NAMES,
    AddKModel,
    NeuralLM,
    TrainConfig,
    examples,
    held_out_perplexity,
    init_params,
    load,
    loss_and_grads,
    train,
)
from core.next_token import perplexity, sequence_cross_entropy

SHIPPED = Path(__file__).resolve().parents[2] / "assets" / "lm" / "next_token.npz"
TOY = ["the cat purrs .", "the dog barks .", "the rabbit hops .", "a cat sleeps .", "the dog sleeps ."]


@pytest.fixture(scope="module")
def model() -> NeuralLM:
    return load(SHIPPED)


@pytest.fixture(scope="module")
def data(model: NeuralLM) -> dict[str, np.ndarray]:
    """The shipped model's training and held-out pairs, regenerated from its seed."""
    n = int(model.metrics["n_sentences"])
    sentences = corpus.generate(n, seed=model.config.seed)
    train_s, test_s = corpus.split(sentences, held_out=model.metrics["held_out"], seed=model.config.seed)
    assert corpus.build_vocabulary(train_s) == model.vocabulary, "the vocabulary is not the seed's"
    X, y = examples(train_s, model.vocabulary, model.context)
    Xt, yt = examples(test_s, model.vocabulary, model.context)
    return {"X": X, "y": y, "Xt": Xt, "yt": yt}


# ---- the gradient ---------------------------------------------------------------------------------
def test_the_gradient_matches_finite_differences() -> None:
    vocabulary = corpus.build_vocabulary(TOY, min_count=1)
    config = TrainConfig(context=2, embed_dim=4, hidden=5, epochs=3, batch_size=4, lr=0.01, seed=3)
    X, y = examples(TOY, vocabulary, config.context)
    params, history = train(X, y, len(vocabulary), config)  # a few steps, so the weights are not the initial ones
    assert history[-1] < history[0]
    _, grads = loss_and_grads(params, X, y)
    rng = np.random.default_rng(0)
    h = 1e-6
    for name in PARAM_NAMES:
        assert grads[name].shape == params[name].shape
        for flat in rng.choice(params[name].size, size=min(8, params[name].size), replace=False):
            idx = np.unravel_index(int(flat), params[name].shape)
            plus = {k: v.copy() for k, v in params.items()}
            minus = {k: v.copy() for k, v in params.items()}
            plus[name][idx] += h
            minus[name][idx] -= h
            numeric = (loss_and_grads(plus, X, y)[0] - loss_and_grads(minus, X, y)[0]) / (2 * h)
            assert grads[name][idx] == pytest.approx(numeric, rel=1e-5, abs=1e-8), (name, idx)


def test_the_embedding_gradient_adds_up_a_word_used_twice_in_one_context() -> None:
    vocabulary = ("<s>", "</s>", "<unk>", "a")
    config = TrainConfig(context=3, embed_dim=2, hidden=3, seed=1)
    params = init_params(len(vocabulary), config)
    X = np.array([[3, 3, 0]])
    y = np.array([1])
    _, grads = loss_and_grads(params, X, y)
    h = 1e-6
    for j in range(2):
        plus = {k: v.copy() for k, v in params.items()}
        minus = {k: v.copy() for k, v in params.items()}
        plus["E"][3, j] += h
        minus["E"][3, j] -= h
        numeric = (loss_and_grads(plus, X, y)[0] - loss_and_grads(minus, X, y)[0]) / (2 * h)
        assert grads["E"][3, j] == pytest.approx(numeric, rel=1e-5, abs=1e-9)


def test_training_is_reproducible_bit_for_bit_on_the_toy_corpus() -> None:
    vocabulary = corpus.build_vocabulary(TOY, min_count=1)
    config = TrainConfig(context=2, embed_dim=4, hidden=5, epochs=2, batch_size=4, seed=9)
    X, y = examples(TOY, vocabulary, config.context)
    a, _ = train(X, y, len(vocabulary), config)
    b, _ = train(X, y, len(vocabulary), config)
    assert all(np.array_equal(a[k], b[k]) for k in PARAM_NAMES)


# ---- the shipped model --------------------------------------------------------------------------------
def test_the_shipped_file_is_at_most_5_mb() -> None:
    assert SHIPPED.stat().st_size <= 5 * 1024 * 1024


def test_the_shipped_model_has_its_documented_shape(model: NeuralLM) -> None:
    V = len(model.vocabulary)
    c = model.config
    assert 500 <= V <= 2000
    assert model.vocabulary[:3] == corpus.SPECIALS
    assert 2 <= c.context <= 4
    assert model.params["E"].shape == (V, c.embed_dim)
    assert model.params["W1"].shape == (c.context * c.embed_dim, c.hidden)
    assert model.params["W2"].shape == (c.hidden, V)
    assert all(np.all(np.isfinite(p)) for p in model.params.values())


def test_the_held_out_perplexity_is_the_stored_one_and_beats_both_baselines(
    model: NeuralLM, data: dict[str, np.ndarray]
) -> None:
    Xt, yt = data["Xt"], data["yt"]
    logits = np.concatenate([model.logits_batch(Xt[i : i + 2048]) for i in range(0, len(yt), 2048)])
    ppl = perplexity(sequence_cross_entropy(logits, yt))
    assert ppl == pytest.approx(model.metrics["mlp_perplexity"], rel=1e-9)

    V = len(model.vocabulary)
    unigram = AddKModel.fit(data["X"], data["y"], V, order=1, k=model.metrics["unigram_k"])
    bigram = AddKModel.fit(data["X"], data["y"], V, order=2, k=model.metrics["bigram_k"])
    ppl_unigram = held_out_perplexity(unigram, Xt, yt)
    ppl_bigram = held_out_perplexity(bigram, Xt, yt)
    assert ppl_unigram == pytest.approx(model.metrics["unigram_perplexity"], rel=1e-9)
    assert ppl_bigram == pytest.approx(model.metrics["bigram_perplexity"], rel=1e-9)
    assert ppl < ppl_bigram < ppl_unigram


def test_the_bigram_baseline_is_add_k_counting(model: NeuralLM, data: dict[str, np.ndarray]) -> None:
    V, k = len(model.vocabulary), 0.5
    X, y = data["X"], data["y"]
    bigram = AddKModel.fit(X, y, V, order=2, k=k)
    the, cat = model.vocabulary.index("the"), model.vocabulary.index("cat")
    pair = int(np.sum((X[:, -1] == the) & (y == cat)))
    after_the = int(np.sum(X[:, -1] == the))
    expected = math.log((pair + k) / (after_the + k * V))
    assert bigram.logits_batch(np.array([[0, 0, the]]))[0, cat] == pytest.approx(expected, rel=1e-12)
    unigram = AddKModel.fit(X, y, V, order=1, k=k)
    assert unigram.logits_batch(np.array([[0, 0, the]]))[0, cat] == pytest.approx(
        math.log((np.sum(y == cat) + k) / (len(y) + k * V)), rel=1e-12
    )


def test_uniform_logits_give_perplexity_V(model: NeuralLM) -> None:
    V = len(model.vocabulary)
    targets = np.arange(40) % V
    assert perplexity(sequence_cross_entropy(np.zeros((40, V)), targets)) == pytest.approx(V, rel=1e-12)


def test_logits_of_words_pad_with_start_and_map_unknown_words(model: NeuralLM) -> None:
    V = len(model.vocabulary)
    bos, unk = model.vocabulary.index("<s>"), model.vocabulary.index("<unk>")
    the = model.vocabulary.index("the")
    assert model.context_ids([]).tolist() == [bos] * model.context
    assert model.context_ids(["the"]).tolist() == [bos] * (model.context - 1) + [the]
    assert model.context_ids(["a", "b", "zebra", "the"])[-2:].tolist() == [unk, the]
    z = model.logits(["the"])
    assert z.shape == (V,)
    np.testing.assert_array_equal(z, model.logits_batch(model.context_ids(["the"])[None, :])[0])
    with pytest.raises(ValueError, match="X must"):
        model.logits_batch(np.zeros((1, model.context + 1), dtype=np.int64))
    with pytest.raises(ValueError, match="X must"):
        model.logits_batch(np.full((1, model.context), V))


def test_context_helps_the_species_decides_the_habit(model: NeuralLM) -> None:
    word = model.vocabulary.index
    for species, own, others in [("cat", "purrs", ("barks", "hops")), ("dog", "barks", ("purrs", "hops")),
                                 ("rabbit", "hops", ("purrs", "barks"))]:  # fmt: skip
        z = model.logits(corpus.tokenize(f"luna the {species}"))
        assert all(z[word(own)] > z[word(o)] + 1.0 for o in others), species
