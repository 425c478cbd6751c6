r"""What the Next-token page shows, computed once: the prompt, one decoding step, a generated run, a scored sentence.

Pure functions over a :class:`core.lm.NeuralLM`: no Streamlit. Every number the page and its charts draw
comes from here (the filters from :mod:`core.decoding`, the choice and the losses from :mod:`core.next_token`).

- :func:`read_prompt` splits text into the model's words, with one note naming the words read as ``<unk>``.
- :func:`step_view` runs the pipeline for the next word and keeps the top tokens with what each stage did.
- :func:`generate` steps N words with one ``np.random.Generator`` (the same seed gives the same text).
- :func:`score_sentence` scores a sentence word by word under teacher forcing (``</s>`` is the last target,
  as in training), and :func:`playground_query` opens one of its words in the Playground with the same loss.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from core.corpus import BOS, EOS, UNK, encode, tokenize
from core.decoding import check_min_p, check_top_k, check_top_p, pipeline
from core.lm import NeuralLM
from core.next_token import greedy as greedy_choice
from core.next_token import perplexity, sample, sequence_cross_entropy
from core.scenario import MAX_CLASSES, MAX_NAME_LENGTH, Scenario
from core.softmax import FloatArray, check_temperature, logsumexp, softmax

__all__ = [
    "EVERYTHING_ELSE",
    "MAX_GENERATE",
    "NAMED_UNKNOWN",
    "TOP_SHOWN",
    "GeneratedStep",
    "Prompt",
    "SentenceScore",
    "StageMass",
    "StepView",
    "TokenRow",
    "WordScore",
    "class_name",
    "generate",
    "logits_view",
    "next_logits",
    "playground_query",
    "playground_scenario",
    "read_prompt",
    "score_sentence",
    "step_view",
]

TOP_SHOWN = 20
"""How many tokens a step shows (the most probable under the raw logits)."""
MAX_GENERATE = 200
"""The most words one :func:`generate` run may produce."""
EVERYTHING_ELSE = "everything else"
"""The Playground class holding every word not shown: its logit is the logsumexp of their logits."""
FILTERS = ("top_k", "top_p", "min_p")


# ---- the prompt -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Prompt:
    """Typed text as the model reads it: its tokens, their indices and a note naming the words read as ``<unk>``."""

    text: str
    tokens: tuple[str, ...]
    ids: tuple[int, ...]
    notes: tuple[str, ...]


NAMED_UNKNOWN = 8
"""A prompt's note names at most this many of its unknown words ("and N more" for the rest)."""


def read_prompt(text: str, vocab: Sequence[str]) -> Prompt:
    """Split ``text`` into the model's words (:func:`core.corpus.tokenize`); unknown words become ``<unk>``.

    An empty prompt is allowed: generation then starts from ``<s>`` alone. ``notes`` is empty when every word
    is known, else one note naming the distinct unknown words in order (at most :data:`NAMED_UNKNOWN`).

    >>> read_prompt("the zebra and a qwerty", ["<s>", "</s>", "<unk>", "the", "and", "a"]).notes
    ("2 words are not in the model's 6 words and are read as <unk>: 'zebra', 'qwerty'",)
    """
    tokens = tuple(tokenize(text))
    ids = tuple(encode(tokens, vocab))
    known = set(vocab)
    unknown = [t for t in dict.fromkeys(tokens) if t not in known]
    return Prompt(text, tokens, ids, (_unknown_note(unknown, len(vocab)),) if unknown else ())


def _unknown_note(unknown: Sequence[str], vocab_size: int) -> str:
    n = len(unknown)
    names = ", ".join(f"'{t}'" for t in unknown[:NAMED_UNKNOWN])
    if n > NAMED_UNKNOWN:
        names += f" and {n - NAMED_UNKNOWN} more"
    if n == 1:
        return f"1 word is not in the model's {vocab_size} words and is read as {UNK}: {names}"
    return f"{n} words are not in the model's {vocab_size} words and are read as {UNK}: {names}"


# ---- one step ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TokenRow:
    """One shown token: its raw probability, the stage that removed it (None: kept) and its final probability.

    ``top_k_tie``: more than k tokens passed top-k because of a tie with the k-th largest logit, and this one
    ranks below the k-th (by logit, equal logits by index): top-k kept it only for the tie.
    """

    index: int
    word: str
    logit: float
    raw_prob: float  # softmax(z), before temperature
    scaled_prob: float  # softmax(z / T)
    removed_by: str | None  # "top_k", "top_p", "min_p" or None
    final_prob: float  # after every filter, renormalised (0 when removed)
    top_k_tie: bool = False  # top-k kept it only because its logit ties the k-th largest (it ranks below k)


@dataclass(frozen=True)
class StageMass:
    """How many tokens survive a stage and their probability under ``softmax(z / T)``."""

    name: str
    kept: int
    mass: float


@dataclass(frozen=True, eq=False)
class StepView:
    """The pipeline for one next word: settings, the top tokens, the mass each stage keeps, H and e^H."""

    context: tuple[str, ...]
    temperature: float
    top_k: int
    top_p: float
    min_p: float
    rows: tuple[TokenRow, ...]
    stages: tuple[StageMass, ...]  # temperature (everything), top_k, top_p, min_p
    entropy: float  # nats, of the final distribution
    effective_choices: float  # e^H
    vocab_size: int
    probs: FloatArray = field(repr=False)  # (V,) the final distribution (read-only)

    @property
    def kept_count(self) -> int:
        return self.stages[-1].kept


def _check_settings(temperature: float, top_k: int, top_p: float, min_p: float) -> tuple[float, int, float, float]:
    return check_temperature(temperature), check_top_k(top_k), check_top_p(top_p), check_min_p(min_p)


def _context(model: NeuralLM, ids: Sequence[int]) -> np.ndarray:
    """The last ``context`` ids, left-padded with ``<s>``, checked against the vocabulary."""
    v = len(model.vocabulary)
    for i in ids:
        if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= int(i) < v:
            raise ValueError(f"token ids must be whole numbers in [0, {v - 1}], got {i!r}")
    bos = model.vocabulary.index(BOS)
    padded = [bos] * model.context + [int(i) for i in ids]
    return np.asarray(padded[-model.context :], dtype=np.int64)


def logits_view(
    logits: FloatArray,
    words: Sequence[str],
    *,
    context: tuple[str, ...] = (),
    temperature: float,
    top_k: int,
    top_p: float,
    min_p: float,
) -> StepView:
    """Run temperature → top-k → top-p → min-p on one vector of ``logits`` (one per word of ``words``)."""
    t, k, p, mp = _check_settings(temperature, top_k, top_p, min_p)
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or z.size != len(words):
        raise ValueError(f"logits must be one per word: {z.shape} logits for {len(words)} words")
    run = pipeline(z, temperature=t, top_k=k, top_p=p, min_p=mp)
    raw = softmax(z)
    scaled = run.scaled_probs
    order = np.lexsort((np.arange(z.size), -z))[:TOP_SHOWN]  # by raw probability, ties by index
    masks = {"top_k": run.kept_top_k, "top_p": run.kept_top_p, "min_p": run.kept_min_p}
    rows = []
    for rank, i in enumerate(order):
        removed = next((name for name in FILTERS if not masks[name][i]), None)
        rows.append(
            TokenRow(
                index=int(i),
                word=words[i],
                logit=float(z[i]),
                raw_prob=float(raw[i]),
                scaled_prob=float(scaled[i]),
                removed_by=removed,
                final_prob=float(run.probs[i]),
                # below the k-th in this order, yet kept: z / T equals the k-th's (the order is z's, and / T is
                # monotone, so every token ranked above it has z / T >= its own)
                top_k_tie=0 < k <= rank and bool(run.kept_top_k[i]),
            )
        )
    stages = (
        StageMass("temperature", int(np.count_nonzero(run.kept_temperature)), 1.0),
        StageMass("top_k", int(np.count_nonzero(run.kept_top_k)), float(run.mass_top_k)),
        StageMass("top_p", int(np.count_nonzero(run.kept_top_p)), float(run.mass_top_p)),
        StageMass("min_p", int(np.count_nonzero(run.kept_min_p)), float(run.mass_min_p)),
    )
    return StepView(
        context=context,
        temperature=t,
        top_k=k,
        top_p=p,
        min_p=mp,
        rows=tuple(rows),
        stages=stages,
        entropy=float(run.entropy),
        effective_choices=float(run.effective_choices),
        vocab_size=int(z.size),
        probs=run.probs,
    )


def next_logits(model: NeuralLM, context_ids: Sequence[int]) -> FloatArray:
    """The model's logits (one per vocabulary word) for the word after ``context_ids`` (``<s>`` before them)."""
    return np.asarray(model.logits_batch(_context(model, context_ids)[None, :])[0], dtype=np.float64)


def step_view(
    model: NeuralLM, context_ids: Sequence[int], *, temperature: float, top_k: int, top_p: float, min_p: float
) -> StepView:
    """:func:`logits_view` of the model's logits for the word after ``context_ids``."""
    _check_settings(temperature, top_k, top_p, min_p)
    ctx = _context(model, context_ids)
    z = next_logits(model, context_ids)
    return logits_view(
        z,
        model.vocabulary,
        context=tuple(model.vocabulary[i] for i in ctx),
        temperature=temperature,
        top_k=top_k,
        top_p=top_p,
        min_p=min_p,
    )


# ---- generating ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GeneratedStep:
    """One generated word, its probability under the final distribution, and the step it was drawn from."""

    index: int
    word: str
    prob: float
    view: StepView


def generate(
    model: NeuralLM,
    prompt_ids: Sequence[int],
    n: int,
    *,
    seed: int,
    greedy: bool,
    temperature: float,
    top_k: int,
    top_p: float,
    min_p: float,
) -> tuple[GeneratedStep, ...]:
    """Up to ``n`` words after the prompt; stops after ``</s>``. One generator for the run: a seed repeats it.

    ``greedy`` takes the most probable word each step (the filters never remove it), ignoring the seed.
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= MAX_GENERATE:
        raise ValueError(f"n must be a whole number of words from 1 to {MAX_GENERATE}, got {n!r}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a whole number >= 0, got {seed!r}")
    _check_settings(temperature, top_k, top_p, min_p)
    rng = np.random.default_rng(int(seed))
    ids = [int(i) for i in prompt_ids]
    _context(model, ids)
    steps: list[GeneratedStep] = []
    for _ in range(int(n)):
        view = step_view(model, ids, temperature=temperature, top_k=top_k, top_p=top_p, min_p=min_p)
        j = int(greedy_choice(view.probs)) if greedy else int(sample(view.probs, rng))
        word = model.vocabulary[j]
        steps.append(GeneratedStep(j, word, float(view.probs[j]), view))
        ids.append(j)
        if word == EOS:
            break
    return tuple(steps)


# ---- scoring a sentence -----------------------------------------------------------------------------
@dataclass(frozen=True)
class WordScore:
    """One word under teacher forcing: what the model saw, the true word, its probability and its loss."""

    position: int
    context: tuple[str, ...]
    word: str
    index: int
    prob: float
    ce: float  # nats: -ln p(word)


@dataclass(frozen=True, eq=False)
class SentenceScore:
    r"""A sentence's loss: per word, total, mean and perplexity :math:`e^{\text{mean}}` (nats)."""

    text: str
    words: tuple[WordScore, ...]
    total: float
    mean: float
    perplexity: float
    notes: tuple[str, ...]
    vocabulary: tuple[str, ...] = field(repr=False)
    logits: FloatArray = field(repr=False)  # (T, V): the model's logits before each word (read-only)


def score_sentence(model: NeuralLM, text: str) -> SentenceScore:
    """Teacher forcing: each word (and the closing ``</s>``) predicted from the true words before it."""
    prompt = read_prompt(text, model.vocabulary)
    if not prompt.tokens:
        raise ValueError("type a sentence to score: it has no words")
    bos, eos = encode([BOS, EOS], model.vocabulary)
    ids = [bos] * model.context + list(prompt.ids) + [eos]
    c = model.context
    X = np.asarray([ids[t - c : t] for t in range(c, len(ids))], dtype=np.int64)
    y = np.asarray(ids[c:], dtype=np.int64)
    z = np.asarray(model.logits_batch(X), dtype=np.float64)
    ce = sequence_cross_entropy(z, y)
    log_p = z[np.arange(y.size), y] - logsumexp(z, axis=-1)
    words = tuple(
        WordScore(
            position=i,
            context=tuple(model.vocabulary[j] for j in X[i]),
            word=model.vocabulary[int(y[i])],
            index=int(y[i]),
            prob=math.exp(float(log_p[i])),
            ce=float(ce[i]),
        )
        for i in range(y.size)
    )
    z.flags.writeable = False
    total = float(np.sum(ce))
    return SentenceScore(
        text=text,
        words=words,
        total=total,
        mean=total / y.size,
        perplexity=perplexity(ce),
        notes=prompt.notes,
        vocabulary=model.vocabulary,
        logits=z,
    )


# ---- into the Playground ----------------------------------------------------------------------------
_PUNCTUATION = {",": "(comma)"}


def class_name(word: str, taken: Sequence[str] = ()) -> str:
    """``word`` as a valid Playground class name, unique (ignoring case) among ``taken``.

    A comma (the URL's separator) becomes ``(comma)`` and any other comma is dropped; a name is cut to 24
    characters; a name already taken gets `` (2)``, `` (3)`` ... ; an empty one becomes ``(blank)``.

    >>> class_name(","), class_name("everything else", ["everything else"])
    ('(comma)', 'everything else (2)')
    """
    name = _PUNCTUATION.get(word, word).replace(",", "")
    name = "".join(ch for ch in name if ch.isprintable()).strip()[:MAX_NAME_LENGTH].strip() or "(blank)"
    used = {t.casefold() for t in taken}
    candidate, k = name, 2
    while candidate.casefold() in used:
        suffix = f" ({k})"
        candidate = name[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
        k += 1
    return candidate


def playground_scenario(score: SentenceScore, i: int, top: int = 8) -> Scenario:
    """Word ``i`` of ``score`` as a Playground example: the ``top`` words by logit, the true word (added when it
    is not among them), and "everything else" with the logsumexp of all the other logits.

    Logits are the model's, shifted so the largest is 0 (softmax does not change), so p(true) and the loss are
    the page's. With the true word added the Playground shows ``top + 2`` classes, at most 10: ``top`` <= 8.
    """
    if isinstance(i, bool) or not isinstance(i, int | np.integer) or not 0 <= i < len(score.words):
        raise ValueError(f"word index must be in [0, {len(score.words) - 1}], got {i!r}")
    if isinstance(top, bool) or not isinstance(top, int | np.integer) or not 1 <= top <= MAX_CLASSES - 2:
        raise ValueError(f"top must be a whole number from 1 to {MAX_CLASSES - 2}, got {top!r}")
    z = score.logits[i]
    true = score.words[i].index
    order = [int(j) for j in np.lexsort((np.arange(z.size), -z))[: int(top)]]
    if true not in order:
        order.append(true)
    shift = float(np.max(z))
    rest = np.ones(z.size, dtype=bool)
    rest[order] = False
    names: list[str] = []
    for j in order:
        names.append(class_name(score.vocabulary[j], names))
    logits = [float(z[j]) - shift for j in order]
    if rest.any():
        names.append(class_name(EVERYTHING_ELSE, names))
        logits.append(float(logsumexp(z[rest])) - shift)
    return Scenario(classes=tuple(names), logits=tuple(logits), target=order.index(true))


def playground_query(score: SentenceScore, i: int, top: int = 8) -> dict[str, str]:
    """The Playground's URL query for word ``i`` (:func:`playground_scenario`, then ``Scenario.to_query``)."""
    return playground_scenario(score, i, top).to_query()
