r"""The project's small language model (Bengio et al., 2003), its training, and two n-gram baselines.

A neural probabilistic language model over words: the last ``n`` tokens (left-padded with ``<s>``)
are looked up in an embedding table ``E`` (``V x d``), concatenated into ``x`` (``n d``), and passed
through one tanh hidden layer to one logit per word of the vocabulary:

.. math:: h = \tanh(x W_1 + b_1), \qquad z = h W_2 + b_2, \qquad p(w \mid \text{context}) = \operatorname{softmax}(z)_w

It is trained on the mean cross-entropy of each true next token, with the project's own
:func:`core.losses.cross_entropy` and its gradient :func:`core.losses.cross_entropy_grad`
(:math:`\partial L / \partial z = p - y`), backpropagated by hand through the MLP, by Adam on
mini-batches. The seed fixes the initial weights and the order of the batches, so training twice gives
the same weights bit for bit on one machine (with the same number of BLAS threads: a different thread
count sums the matrix products in another order, which changes the last bits).

The baselines, on the same tokens: a **unigram** model :math:`p(w) = (c(w) + k) / (N + kV)` and a
**bigram** model :math:`p(w \mid u) = (c(u, w) + k) / (c(u) + kV)` (add-k smoothing). Both give their
log-probabilities as logits, so every model is scored the same way, by
:func:`core.next_token.sequence_cross_entropy` and :func:`core.next_token.perplexity`.

The only I/O here is :func:`load`, which reads the shipped ``.npz``; ``scripts/train_lm.py`` writes it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from core.corpus import BOS, EOS, encode, tokenize
from core.losses import cross_entropy, cross_entropy_grad
from core.next_token import perplexity, sequence_cross_entropy
from core.softmax import FloatArray, IntArray

__all__ = [
    "PARAM_NAMES",
    "AddKModel",
    "NeuralLM",
    "TrainConfig",
    "choose_k",
    "examples",
    "held_out_perplexity",
    "init_params",
    "load",
    "loss_and_grads",
    "train",
]

Params = dict[str, FloatArray]
PARAM_NAMES = ("E", "W1", "b1", "W2", "b2")


@dataclass(frozen=True)
class TrainConfig:
    """The model's shape and its training; the seed fixes everything random."""

    context: int = 3
    embed_dim: int = 48
    hidden: int = 128
    epochs: int = 12
    batch_size: int = 128
    lr: float = 2e-3
    seed: int = 15

    def to_json(self) -> str:
        return json.dumps(self.__dict__, sort_keys=True)


# ---- data ------------------------------------------------------------------------------------------
def examples(sentences: Sequence[str], vocabulary: Sequence[str], context: int) -> tuple[IntArray, IntArray]:
    """Every (context, next token) pair of the sentences: ``X`` of shape ``(N, context)`` and ``y`` ``(N,)``.

    Each sentence is ``<s>`` × context, its tokens, ``</s>``; every token after the padding, ``</s>``
    included, is a target once, predicted from the ``context`` tokens before it.

    >>> X, y = examples(["a b"], ["<s>", "</s>", "<unk>", "a", "b"], 2)
    >>> X.tolist(), y.tolist()
    ([[0, 0], [0, 3], [3, 4]], [3, 4, 1])
    """
    if context < 1:
        raise ValueError(f"context must be >= 1, got {context!r}")
    bos, eos = encode([BOS, EOS], vocabulary)
    rows: list[list[int]] = []
    targets: list[int] = []
    for s in sentences:
        ids = [bos] * context + encode(tokenize(s), vocabulary) + [eos]
        for t in range(context, len(ids)):
            rows.append(ids[t - context : t])
            targets.append(ids[t])
    return np.asarray(rows, dtype=np.int64).reshape(-1, context), np.asarray(targets, dtype=np.int64)


# ---- the MLP ---------------------------------------------------------------------------------------
def init_params(vocab_size: int, config: TrainConfig) -> Params:
    """Small random weights from the seed: ``E`` ~ N(0, 0.1²), ``W`` ~ N(0, 1/fan_in), zero biases."""
    rng = np.random.default_rng(config.seed)
    n_in = config.context * config.embed_dim
    return {
        "E": 0.1 * rng.standard_normal((vocab_size, config.embed_dim)),
        "W1": rng.standard_normal((n_in, config.hidden)) / math.sqrt(n_in),
        "b1": np.zeros(config.hidden),
        "W2": rng.standard_normal((config.hidden, vocab_size)) / math.sqrt(config.hidden),
        "b2": np.zeros(vocab_size),
    }


def _forward(params: Params, X: IntArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """``(x, h, z)``: the concatenated embeddings, the hidden layer and the logits."""
    x = params["E"][X].reshape(X.shape[0], -1)
    h = np.tanh(x @ params["W1"] + params["b1"])
    return x, h, h @ params["W2"] + params["b2"]


def loss_and_grads(params: Params, X: IntArray, y: IntArray) -> tuple[float, Params]:
    r"""Mean cross-entropy of the batch and its gradient with respect to every parameter.

    .. math:: \delta_z = \tfrac1N (P - Y), \quad \nabla W_2 = h^\top \delta_z, \quad
              \delta_a = \delta_z W_2^\top \odot (1 - h^2), \quad \nabla W_1 = x^\top \delta_a, \quad
              \nabla E_w = \sum_{\text{slots holding } w} (\delta_a W_1^\top)_{\text{slot}}
    """
    x, h, z = _forward(params, X)
    n = X.shape[0]
    loss = float(cross_entropy(z, y))
    dz = cross_entropy_grad(z, y) / n
    da = (dz @ params["W2"].T) * (1.0 - h * h)
    dx = (da @ params["W1"].T).reshape(n, X.shape[1], -1)
    dE = np.zeros_like(params["E"])
    np.add.at(dE, X, dx)
    grads = {"E": dE, "W1": x.T @ da, "b1": da.sum(axis=0), "W2": h.T @ dz, "b2": dz.sum(axis=0)}
    return loss, grads


def train(X: IntArray, y: IntArray, vocab_size: int, config: TrainConfig) -> tuple[Params, list[float]]:
    """Adam (β = 0.9, 0.999) on shuffled mini-batches; returns the weights and each epoch's mean loss."""
    rng = np.random.default_rng(config.seed + 1)
    params = init_params(vocab_size, config)
    m = {k: np.zeros_like(v) for k, v in params.items()}
    v2 = {k: np.zeros_like(v) for k, v in params.items()}
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    step = 0
    history: list[float] = []
    for _ in range(config.epochs):
        order = rng.permutation(X.shape[0])
        total = 0.0
        for start in range(0, X.shape[0], config.batch_size):
            idx = order[start : start + config.batch_size]
            loss, grads = loss_and_grads(params, X[idx], y[idx])
            total += loss * idx.size
            step += 1
            for k, g in grads.items():
                m[k] = beta1 * m[k] + (1 - beta1) * g
                v2[k] = beta2 * v2[k] + (1 - beta2) * g * g
                m_hat = m[k] / (1 - beta1**step)
                v_hat = v2[k] / (1 - beta2**step)
                params[k] = params[k] - config.lr * m_hat / (np.sqrt(v_hat) + eps)
        history.append(total / X.shape[0])
    return params, history


@dataclass(frozen=True)
class NeuralLM:
    """The trained model: its vocabulary, weights and configuration, and what it scored when trained."""

    vocabulary: tuple[str, ...]
    params: Params = field(repr=False)
    config: TrainConfig
    metrics: dict[str, float] = field(default_factory=dict)

    @property
    def context(self) -> int:
        return self.config.context

    def context_ids(self, tokens: Sequence[str]) -> IntArray:
        """The last ``context`` tokens as indices, left-padded with ``<s>``; unknown words become ``<unk>``."""
        ids = encode([BOS] * self.context + list(tokens), self.vocabulary)
        return np.asarray(ids[-self.context :], dtype=np.int64)

    def logits_batch(self, X: npt.ArrayLike) -> FloatArray:
        """Logits of the next token for each row of context indices: ``(N, context) -> (N, V)``."""
        ids = np.asarray(X)
        if ids.ndim != 2 or ids.shape[1] != self.context or not np.issubdtype(ids.dtype, np.integer):
            raise ValueError(f"X must be integer token indices of shape (N, {self.context}), got {ids.shape}")
        if ids.size and (ids.min() < 0 or ids.max() >= len(self.vocabulary)):
            raise ValueError(f"X must hold token indices in [0, {len(self.vocabulary) - 1}]")
        return _forward(self.params, ids.astype(np.int64))[2]

    def logits(self, tokens: Sequence[str]) -> FloatArray:
        """Logits of the word after ``tokens`` (the words so far, already tokenized): shape ``(V,)``."""
        return np.asarray(self.logits_batch(self.context_ids(tokens)[None, :])[0], dtype=np.float64)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """Everything :func:`load` reads back: the weights, the vocabulary, the config and the metrics (JSON)."""
        return {
            **{k: self.params[k] for k in PARAM_NAMES},
            "vocabulary": np.asarray(self.vocabulary, dtype=np.str_),
            "config": np.asarray(self.config.to_json()),
            "metrics": np.asarray(json.dumps(self.metrics, sort_keys=True)),
        }


def load(path: str | Path) -> NeuralLM:
    """The model saved at ``path`` (an ``.npz`` of :meth:`NeuralLM.to_arrays`), without pickles."""
    with np.load(path, allow_pickle=False) as data:
        params = {k: np.asarray(data[k], dtype=np.float64) for k in PARAM_NAMES}
        vocabulary = tuple(str(w) for w in data["vocabulary"])
        config = TrainConfig(**json.loads(str(data["config"])))
        metrics = {str(k): float(v) for k, v in json.loads(str(data["metrics"])).items()}
    return NeuralLM(vocabulary=vocabulary, params=params, config=config, metrics=metrics)


# ---- n-gram baselines ------------------------------------------------------------------------------
@dataclass(frozen=True)
class AddKModel:
    """A unigram (``order=1``) or bigram (``order=2``) model with add-k smoothing, counted on ``(X, y)``."""

    log_probs: FloatArray = field(repr=False)
    """``(V,)`` for a unigram, ``(V, V)`` (previous token, next token) for a bigram"""
    order: int
    k: float

    @classmethod
    def fit(cls, X: IntArray, y: IntArray, vocab_size: int, *, order: int, k: float) -> AddKModel:
        """Count the targets (after their previous token, for a bigram) and smooth with ``k`` > 0."""
        if order not in (1, 2) or not k > 0:
            raise ValueError(f"order must be 1 or 2 and k > 0, got order={order!r}, k={k!r}")
        if order == 1:
            counts = np.bincount(y, minlength=vocab_size).astype(np.float64)
            return cls(np.log((counts + k) / (counts.sum() + k * vocab_size)), order, float(k))
        pairs = np.bincount(X[:, -1] * vocab_size + y, minlength=vocab_size * vocab_size).astype(np.float64)
        table = pairs.reshape(vocab_size, vocab_size) + k
        return cls(np.log(table / table.sum(axis=1, keepdims=True)), order, float(k))

    def logits_batch(self, X: npt.ArrayLike) -> FloatArray:
        """Log-probabilities of the next token for each row of context indices: ``(N, n) -> (N, V)``."""
        ids = np.asarray(X, dtype=np.int64)
        if self.order == 1:
            return np.broadcast_to(self.log_probs, (ids.shape[0], self.log_probs.shape[0])).copy()
        return np.asarray(self.log_probs[ids[:, -1]], dtype=np.float64)


def held_out_perplexity(model: NeuralLM | AddKModel, X: IntArray, y: IntArray, *, chunk: int = 4096) -> float:
    """Perplexity :math:`e^{\\text{mean CE}}` of the model on every ``(X, y)`` pair, via :mod:`core.next_token`."""
    starts = range(0, len(y), chunk)
    ce = [sequence_cross_entropy(model.logits_batch(X[i : i + chunk]), y[i : i + chunk]) for i in starts]
    return perplexity(np.concatenate(ce))


def choose_k(X: IntArray, y: IntArray, vocab_size: int, *, order: int, grid: Sequence[float]) -> float:
    """The ``k`` of ``grid`` with the lowest perplexity on the last tenth of ``(X, y)``, fitted on the rest.

    Only training data is used: the held-out split never chooses anything.
    """
    cut = int(0.9 * len(y))
    scores = [
        held_out_perplexity(AddKModel.fit(X[:cut], y[:cut], vocab_size, order=order, k=k), X[cut:], y[cut:])
        for k in grid
    ]
    return float(grid[int(np.argmin(scores))])
