"""The Next-token page's core: prompt notes, steps, reproducible runs, sentence scores, the Playground link, charts."""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats

from core.explain import evaluate
from core.figures.next_token import pipeline_chart, sentence_chart, visible_whitespace
from core.figures.style import PRESENT_STYLE, STYLE, FigureStyle
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


def test_prompt_notes_name_the_unknown_words_once_in_one_note(model: NeuralLM) -> None:
    p = read_prompt("The zebra watched the zebra and a qwerty", model.vocabulary)
    assert p.tokens[:2] == ("the", "zebra")
    unk = model.vocabulary.index("<unk>")
    assert p.ids[1] == unk
    assert p.ids[4] == unk
    assert len(model.vocabulary) == 550
    assert p.notes == ("2 words are not in the model's 550 words and are read as <unk>: 'zebra', 'qwerty'",)
    one = read_prompt("the zebra purred", model.vocabulary)
    assert one.notes == ("1 word is not in the model's 550 words and is read as <unk>: 'zebra'",)
    empty = read_prompt("", model.vocabulary)
    assert empty.tokens == ()
    assert empty.ids == ()
    assert empty.notes == ()
    assert read_prompt("the cat purred on the sofa.", model.vocabulary).notes == ()


def test_a_prompt_of_markup_gets_one_note_naming_eight_words(model: NeuralLM) -> None:
    # the user test's prompt of HTML and markdown made 24 notes, one per unknown token
    text = "<h1>Title</h1> **bold** [link](https://example.org) `code` zebra qwerty x"
    p = read_prompt(text, model.vocabulary)
    vocab = set(model.vocabulary)
    unknown = list(dict.fromkeys(t for t in p.tokens if t not in vocab))  # in order, each once
    assert len(unknown) > 8
    assert len(p.notes) == 1
    names = ", ".join(f"'{t}'" for t in unknown[:8])
    assert p.notes[0] == (
        f"{len(unknown)} words are not in the model's 550 words and are read as <unk>: "
        f"{names} and {len(unknown) - 8} more"
    )
    assert f"'{unknown[8]}'" not in p.notes[0]
    # exactly eight: every one named, no "more"
    eight = read_prompt(" ".join(f"zz{i}" for i in range(8)), model.vocabulary)
    assert eight.notes[0].endswith("'zz6', 'zz7'")
    assert eight.notes[0].startswith("8 words are not")


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
    labels = chart.spec["data"][2]["text"]
    assert labels[1] == f"{fmt(second.scaled_prob, 3)} → {fmt(second.final_prob, 3)} · chosen<br>kept"
    assert "chosen" not in labels[0]
    assert f"{second.word}: raw {fmt(second.raw_prob)}" in chart.alt
    assert "kept · chosen" in chart.alt
    assert "chosen" not in pipeline_chart(v, STYLE).alt


# ---- the pipeline chart: p after ÷ T against the final p ---------------------------------------------------------
def nucleus(q: np.ndarray, p: float) -> np.ndarray:
    """The smallest set of most probable tokens whose probability reaches p (ties by index), written here."""
    order = np.argsort(-q, kind="stable")
    n = int(np.searchsorted(np.cumsum(q[order]), p - 1e-12)) + 1
    keep = np.zeros(q.size, dtype=bool)
    keep[order[:n]] = True
    return keep


def test_pipeline_chart_pale_bar_is_p_after_temperature_and_labels_say_both(model: NeuralLM) -> None:
    ids = read_prompt("the dog", model.vocabulary).ids
    t, top_p = 2.5, 0.5
    v = step_view(model, ids, temperature=t, top_k=0, top_p=top_p, min_p=0.0)
    z = next_logits(model, ids)
    q = sp.softmax(z / t)  # what top-p acts on
    keep = nucleus(q, top_p)
    final = np.where(keep, q, 0.0) / q[keep].sum()
    shown = [r.index for r in v.rows]
    chart = pipeline_chart(v, STYLE)
    pale, solid, labels = chart.spec["data"]
    assert pale["name"] == "p = softmax(z / T)"
    assert solid["name"] == "final p (kept, renormalised)"
    np.testing.assert_allclose(pale["x"], q[shown], rtol=1e-9)
    np.testing.assert_allclose(solid["x"], final[shown], rtol=1e-9, atol=1e-15)
    removed = [i for i in shown if not keep[i]]
    assert removed  # the case shows both kinds of rows
    assert any(keep[i] for i in shown)
    for i, text in zip(shown, labels["text"], strict=True):
        numbers, said = text.split("<br>")
        assert numbers == f"{fmt(q[i], 3)} → {fmt(final[i], 3)}"
        assert said == ("kept" if keep[i] else "removed by top-p")
    assert "0 · " not in labels["text"][0]
    # the raw probability (T = 1) stays in the hover and the table
    raw = sp.softmax(z)
    assert [c[1] for c in pale["customdata"]] == [fmt(raw[i]) for i in shown]
    assert "raw p = softmax(z)" in pale["hovertemplate"]
    table = chart.tables[0]
    col = table.header.index("raw p = softmax(z)")
    assert [row[col] for row in table.rows] == [fmt(raw[i]) for i in shown]
    assert [row[table.header.index("p after ÷ T")] for row in table.rows] == [fmt(q[i]) for i in shown]


@pytest.mark.parametrize("style", [STYLE, PRESENT_STYLE], ids=["standard", "present"])
@pytest.mark.parametrize("t", [0.05, 0.45, 1.0, 5.0])
def test_pipeline_chart_bars_fit_the_axis_and_labels_have_their_own_column(
    model: NeuralLM, style: FigureStyle, t: float
) -> None:
    ids = read_prompt("the cat", model.vocabulary).ids
    v = step_view(model, ids, temperature=t, top_k=0, top_p=0.9, min_p=0.0)
    spec = pipeline_chart(v, style).spec
    layout = spec["layout"]
    longest = max(max(trace["x"]) for trace in spec["data"][:2])
    lo, hi = layout["xaxis"]["range"]
    assert lo == 0
    assert longest <= hi <= 1.0  # no bar cut, and never past p = 1
    assert hi <= max(1.1 * longest, 1e-6)  # and no wide empty band on the bars' side
    labels = spec["data"][2]
    assert labels["mode"] == "text"
    assert labels["xaxis"] == "x2"
    assert labels["textposition"] == "middle right"
    assert labels["textfont"]["size"] == style.font_size - 4
    assert set(labels["x"]) == {0}  # at the left edge of the label column ...
    assert layout["xaxis2"]["range"] == [0, 1]
    assert layout["xaxis2"]["domain"][0] > layout["xaxis"]["domain"][1]  # ... which starts right of every bar
    assert layout["xaxis2"]["domain"][1] == 1
    # two lines of text per row: the height leaves each row at least 2 × 1.3 em
    rows = len(v.rows)
    plot = layout["height"] - layout["margin"]["t"]
    assert plot / rows >= 2 * 1.3 * labels["textfont"]["size"]
    assert all(text.count("<br>") == 1 for text in labels["text"])


def test_a_token_tied_with_the_kth_is_labelled_so() -> None:
    words = [f"w{i}" for i in range(8)]
    z = np.array([3.0, 2.0, 2.0, 2.0, 1.0, 2.0, 0.0, -1.0])
    t, k = 0.7, 2
    v = logits_view(z, words, temperature=t, top_k=k, top_p=1.0, min_p=0.0)
    # by hand: ranked w0, then w1 (the k-th), w2, w3, w5 tie with it; w4, w6, w7 are below it
    by_word = {r.word: r for r in v.rows}
    assert [w for w, r in by_word.items() if r.top_k_tie] == ["w2", "w3", "w5"]
    assert not by_word["w0"].top_k_tie
    assert not by_word["w1"].top_k_tie
    assert all(by_word[w].removed_by == "top_k" for w in ("w4", "w6", "w7"))
    chart = pipeline_chart(v, STYLE)
    said = {r.word: text.split("<br>")[1] for r, text in zip(v.rows, chart.spec["data"][2]["text"], strict=True)}
    assert said["w2"] == said["w3"] == said["w5"] == "kept (tied with the k-th)"
    assert said["w0"] == said["w1"] == "kept"
    stage = chart.tables[0].header.index("stage")
    assert [row[stage] for row in chart.tables[0].rows].count("kept (tied with the k-th)") == 3
    assert "w5: raw" in chart.alt
    assert "kept (tied with the k-th)" in chart.alt
    # no tie: nothing flagged; top-k off or k >= V: nothing flagged
    for kk in (0, 1, 8, 50):
        assert not any(r.top_k_tie for r in logits_view(z, words, temperature=t, top_k=kk, top_p=1.0, min_p=0.0).rows)


def test_tie_flags_agree_with_a_rank_written_here() -> None:
    rng = np.random.default_rng(21)
    for _ in range(40):
        n = int(rng.integers(2, 30))
        z = rng.integers(-3, 4, size=n).astype(float)
        k = int(rng.integers(1, n + 1))
        v = logits_view(z, [f"w{i}" for i in range(n)], temperature=1.3, top_k=k, top_p=1.0, min_p=0.0)
        order = np.argsort(-z, kind="stable")
        kth = np.sort(z)[::-1][k - 1]
        rank = {int(i): r for r, i in enumerate(order)}
        for row in v.rows:
            assert row.top_k_tie == (rank[row.index] >= k and z[row.index] == kth)


# ---- huge logits on the page -------------------------------------------------------------------------------------
def test_logits_near_float64s_limit_give_finite_numbers_on_the_page() -> None:
    v = logits_view(np.array([1e308, -1e308]), ["a", "b"], temperature=0.45, top_k=0, top_p=1.0, min_p=0.0)
    assert v.probs.tolist() == [1.0, 0.0]
    assert v.entropy == 0.0
    assert v.effective_choices == 1.0
    w = logits_view(np.array([1e308, -1e308, 0.0, 1.7e308]), list("abcd"), temperature=1.0, top_k=0, top_p=1.0, min_p=0)
    assert w.entropy == scipy.stats.entropy(w.probs) == 0.0
    assert math.isfinite(w.effective_choices)
    for view in (v, w):
        chart = pipeline_chart(view, STYLE)
        cells = [c for t in chart.tables for row in t.rows for c in row]
        assert "undefined" not in chart.alt
        assert "undefined" not in cells


# ---- whitespace made visible ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token", "shown"),
    [
        (" the", "␣the"),
        ("the ", "the␣"),
        ("   ", "␣␣␣"),
        ("\t", "⇥"),
        ("\n", "⏎"),
        ("new\nline", "new⏎line"),
        ("a\r\nb", "a⏎b"),
        ("\tx", "⇥x"),
        (" New York ", "␣New York␣"),
        ("cat", "cat"),
        ("Ġthe", "Ġthe"),
        ("<unk>", "<unk>"),
    ],
)
def test_visible_whitespace(token: str, shown: str) -> None:
    assert visible_whitespace(token) == shown


def test_the_models_words_are_unchanged(model: NeuralLM) -> None:
    assert [visible_whitespace(w) for w in model.vocabulary] == list(model.vocabulary)


def test_pipeline_chart_shows_whitespace_tokens_visibly() -> None:
    words = [" the", "   ", "\t", "new\nline", "cat"]
    v = logits_view(np.array([4.0, 3.0, 2.0, 1.0, 0.0]), words, temperature=1.0, top_k=0, top_p=1.0, min_p=0.0)
    chart = pipeline_chart(v, STYLE)
    want = ["␣the", "␣␣␣", "⇥", "new⏎line", "cat"]
    assert chart.spec["layout"]["yaxis"]["ticktext"] == want
    assert [row[0] for row in chart.tables[0].rows] == want
    for w in want:
        assert f"{w}: raw" in chart.alt
    assert [c[0] for c in chart.spec["data"][0]["customdata"]] == want
    assert "new\nline" not in chart.alt


# ---- the sentence chart: numbers at a fixed size, clear of the mean line -----------------------------------------
def sentence_of(model: NeuralLM, n_words: int) -> str:
    known = ["the", "old", "dog", "barked", "at", "the", "cat", "and", "the", "cat", "chased", "the", "big", "dog"]
    words = (known * 3)[:n_words]
    assert all(w in model.vocabulary for w in words)
    return " ".join(words)


@pytest.mark.parametrize("style", [STYLE, PRESENT_STYLE], ids=["standard", "present"])
@pytest.mark.parametrize(
    "text",
    [
        "The cat purred on the sofa.",
        "the zebra qwerty purred loudly",
        "the dog",
        "the old dog barked",
        "the old dog gobbles some eggs in the greenhouse .",  # losses of 0.0036 and 0.0002: "≈ 0"
    ],
)
def test_sentence_chart_numbers_are_a_text_trace_clear_of_bars_and_mean(
    model: NeuralLM, style: FigureStyle, text: str
) -> None:
    score = score_sentence(model, text)
    chart = sentence_chart(score, style)
    bars, mean, labels = chart.spec["data"]
    assert "text" not in bars  # no bar text: Plotly shrinks it to fit the bar
    assert labels["type"] == "scatter"
    assert labels["mode"] == "text"
    assert labels["textfont"]["size"] == style.font_size - 4
    assert labels["textposition"] == "middle center"
    assert labels["x"] == bars["x"]
    ce = [w.ce for w in score.words]
    for shown, c in zip(labels["text"], ce, strict=True):
        assert (shown == "≈ 0") if c < 0.005 else abs(float(shown) - c) <= 0.005 + 1e-12
    # in nats, a line of text is at least its glyphs' height (0.7 em) over the most the plot can be tall
    layout = chart.spec["layout"]
    y_max = layout["yaxis"]["range"][1]
    plot_px = layout["height"] - layout["margin"]["t"] - layout["margin"]["b"]
    half = 0.35 * labels["textfont"]["size"] * y_max / plot_px
    for y, c in zip(labels["y"], ce, strict=True):
        assert y - half >= c  # above its own bar
        assert abs(y - score.mean) >= half  # the dashed line passes above or below the digits, never through
        assert y + half <= y_max  # inside the plot
    assert mean["name"] == f"mean {fmt(score.mean)} nats"  # the line's label is in the legend
    assert mean.get("showlegend", True) is not False


def test_sentence_chart_drops_its_numbers_beyond_fifteen_words(model: NeuralLM) -> None:
    fifteen = score_sentence(model, sentence_of(model, 14))  # 14 words and </s>
    sixteen = score_sentence(model, sentence_of(model, 15))
    assert len(fifteen.words) == 15
    assert len(sixteen.words) == 16
    assert len(sentence_chart(fifteen, STYLE).spec["data"]) == 3
    data = sentence_chart(sixteen, STYLE).spec["data"]
    assert len(data) == 2
    assert not any(trace.get("mode") == "text" or "text" in trace for trace in data)
    # the table still has every word's number, and the axis still holds every bar
    chart = sentence_chart(sixteen, STYLE)
    assert [row[3] for row in chart.tables[0].rows] == [fmt(w.ce) for w in sixteen.words]
    assert chart.spec["layout"]["yaxis"]["range"][1] >= max(w.ce for w in sixteen.words)
