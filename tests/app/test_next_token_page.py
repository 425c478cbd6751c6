"""The Next-token page in AppTest: deep links, bad parameters, every control, and each tab's numbers.

Expected numbers are computed here, independently of the page's code: the shipped model's logits
(``core.lm.load`` and its forward pass) go through a decoding pipeline written out below with NumPy and
``scipy.special`` (Hugging Face ``transformers``' semantics: ÷ T, top-k with ties kept, the smallest top-p
prefix reaching p, min-p against the top probability), and a sentence's loss is ``-log_softmax`` of each
true next word. A shown number is compared to the expected one to the digits it shows.
"""

from __future__ import annotations

import html
import json
import math
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import numpy as np
import pytest
import scipy.special as sp
import scipy.stats
from numpy.typing import NDArray
from streamlit.testing.v1 import AppTest

from core.lm import load
from tests.app.support import html_text, metric, open_page, panel_slots, plain, url

PAGE = "app_pages/next-token.py"
MODEL = load(Path(__file__).resolve().parents[2] / "assets" / "lm" / "next_token.npz")
VOCAB = list(MODEL.vocabulary)
V = len(VOCAB)
PROMPT = "when the cat is"  # the page's default prompt
SENTENCE = "the old dog gobbles some eggs in the greenhouse ."  # the page's default sentence
GENERATE, SCORE, OWN = 0, 1, 2  # the tabs, in page order
OWN_JSON = '{"Ġthe": 0.5, "Ġcat": 3.0, "Ġdog": 2.25, "Ġrabbit": 1.0, "Ġsat": -0.75}'
OWN_TOKENS = ["Ġthe", "Ġcat", "Ġdog", "Ġrabbit", "Ġsat"]
OWN_LOGITS = [0.5, 3.0, 2.25, 1.0, -0.75]


# ---- the expected numbers, computed here ----------------------------------------------------------------------
def decode(
    z: NDArray[np.float64], t: float = 1.0, k: int = 0, p: float = 1.0, min_p: float = 0.0
) -> tuple[NDArray[np.bool_], NDArray[np.float64]]:
    """(kept, final probabilities) after ÷ t → top-k → top-p → min-p → softmax, written out from the definitions.

    Checks that no kept count is decided by a rounding (a cumulative mass within 1e-6 of p, a probability within
    1e-9 of the min-p threshold): a test using such settings would test floating point, not the page.
    """
    s = np.asarray(z, dtype=np.float64) / t
    keep = np.ones(s.size, dtype=bool)
    if 0 < k < s.size:
        keep &= s >= np.sort(s)[::-1][k - 1]  # ties with the k-th stay
    if p < 1.0:
        q = sp.softmax(np.where(keep, s, -np.inf))
        order = np.lexsort((np.arange(s.size), -q))  # most probable first, ties by index
        cum = np.cumsum(q[order])
        assert np.min(np.abs(cum[: int(keep.sum())] - p)) > 1e-6, "top-p boundary too close to call"
        n = int(np.searchsorted(cum, p)) + 1  # the shortest prefix whose mass reaches p
        nucleus = np.zeros(s.size, dtype=bool)
        nucleus[order[:n]] = True
        keep &= nucleus
    if min_p > 0.0:
        q = sp.softmax(np.where(keep, s, -np.inf))
        assert np.min(np.abs(q[keep] - min_p * q.max())) > 1e-9, "min-p boundary too close to call"
        keep &= q >= min_p * q.max()
    return keep, sp.softmax(np.where(keep, s, -np.inf))


def logits_after(words: list[str]) -> NDArray[np.float64]:
    """The model's logits for the word after ``words`` (known words; ``<s>`` pads the start)."""
    assert all(w in VOCAB for w in words), words
    return np.asarray(MODEL.logits(words), dtype=np.float64)


def greedy_run(prompt: list[str], n: int, **settings: Any) -> list[tuple[str, float]]:
    """The most probable word, ``n`` times (until ``</s>``), each with its final probability."""
    context, out = list(prompt), []
    for _ in range(n):
        _, probs = decode(logits_after(context), **settings)
        j = int(np.argmax(probs))
        out.append((VOCAB[j], float(probs[j])))
        context.append(VOCAB[j])
        if VOCAB[j] == "</s>":
            break
    return out


def sentence_ce(sentence: str) -> list[tuple[str, float]]:
    """(true word, -ln p(true word)) for each word and the closing ``</s>``, each from the true words before it."""
    words = sentence.split()
    targets = [*words, "</s>"]
    return [(w, float(-sp.log_softmax(logits_after(words[:i]))[VOCAB.index(w)])) for i, w in enumerate(targets)]


# ---- reading the page -----------------------------------------------------------------------------------------
_SUPERSCRIPT = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")


def reading(text: str) -> tuple[float, float]:
    """A shown number (``1.3010 nats``, ``−0.5``, ``2.2 × 10⁻⁴``) and half a unit of its last digit."""
    t = text.replace("nats", "").replace("CE", "").replace("−", "-").replace(",", "").strip()
    mantissa, _, power = t.partition(" × 10")
    exponent = int(power.translate(_SUPERSCRIPT)) if power else 0
    decimals = len(mantissa.partition(".")[2])
    return float(mantissa) * 10.0**exponent, 0.5 * 10.0 ** (exponent - decimals)


def shows(text: str, expected: float) -> bool:
    """Whether ``text`` is ``expected`` to the digits it shows."""
    value, half = reading(text)
    return abs(value - expected) <= half * (1 + 1e-9)


SLOTS = {GENERATE: "facts", OWN: "own", "nt_pipeline_chart": "pipeline", "nt_own_chart": "own"}
"""Where a tab's pipeline is drawn: a slot of the page's live panel (core/panels/next_token.py)."""


def slot_parts(at: AppTest, slot: str) -> list[dict[str, Any]]:
    return panel_slots(at).get(slot, [])


def facts(at: AppTest, tab: int) -> dict[str, str]:
    """The four pipeline metrics of a tab (Words kept, Probability kept, Entropy H, Effective choices e^H)."""
    return {
        m["label"]: m["value"]
        for part in slot_parts(at, SLOTS[tab])
        if part["kind"] == "metrics"
        for m in part["items"]
    }


def assert_facts(at: AppTest, tab: int, z: NDArray[np.float64], **settings: Any) -> None:
    """The tab's metrics are those of ``z`` under ``settings``, computed here."""
    keep, probs = decode(z, **settings)
    h = float(scipy.stats.entropy(probs))
    shown = facts(at, tab)
    assert shown["Words kept"] == f"{int(keep.sum()):,} of {z.size:,}"
    mass = float(sp.softmax(np.asarray(z) / settings.get("t", 1.0))[keep].sum())
    assert shows(shown["Probability kept"], mass), (shown["Probability kept"], mass)
    assert shows(shown["Entropy H"], h), (shown["Entropy H"], h)
    assert shows(shown["Effective choices e^H"], math.exp(h)), (shown["Effective choices e^H"], math.exp(h))


def chart_data(at: AppTest, key: str) -> list[dict[str, Any]]:
    """The traces of the chart ``key`` names: a pipeline (drawn by the page's live panel) or the sentence's (its
    own chart component)."""
    if key in SLOTS:
        return list(next(p for p in slot_parts(at, SLOTS[key]) if p["kind"] == "chart")["spec"]["data"])
    element = next(e for e in at.get("bidi_component") if e.key == key)
    return list(json.loads(element.proto.json)["spec"]["data"])


def final_bars(at: AppTest, key: str) -> list[float]:
    """The pipeline chart's final-probability bars (the top tokens by raw logit, most probable first)."""
    return [float(x) for x in next(t for t in chart_data(at, key) if t["name"].startswith("final p"))["x"]]


def expected_bars(z: NDArray[np.float64], **settings: Any) -> list[float]:
    """The final probabilities of the 20 highest logits (ties by index), computed here."""
    _, probs = decode(z, **settings)
    return [float(probs[i]) for i in np.lexsort((np.arange(z.size), -z))[:20]]


_WORD = re.compile(r'<span class="nt-word"( aria-current="step")?>(.*?)<small>(.*?)</small></span>')


def text_markup(at: AppTest) -> str:
    """The Generate tab's text and its step line (the live panel's ``text`` slot)."""
    return str(next(p for p in slot_parts(at, "text") if p["kind"] == "html")["html"])


def generated(at: AppTest) -> list[tuple[str, str]]:
    """The generated words and their shown probabilities, in order."""
    markup = text_markup(at)
    return [(html.unescape(w), html.unescape(p)) for _, w, p in _WORD.findall(markup)]


def current_step(at: AppTest) -> int:
    """Which generated word (from 1) the text marks as the one whose step is shown."""
    markup = text_markup(at)
    marks = [i for i, (mark, _, _) in enumerate(_WORD.findall(markup), start=1) if mark]
    assert len(marks) == 1, marks
    return marks[0]


def step_note(at: AppTest) -> str:
    """The line on the shown step, as read (bold as ``**``)."""
    note = re.search(r'<p class="nt-step">(.*?)</p>', text_markup(at))
    assert note, text_markup(at)
    return html.unescape(note.group(1).replace("<b>", "**").replace("</b>", "**"))


def playground_links(at: AppTest) -> list[tuple[str, str, dict[str, str]]]:
    """(word, its shown CE, the Playground query it opens) for each link under the sentence."""
    markup = next(h.value for h in at.html if 'class="nt-links"' in h.value)
    links = re.findall(r'<a class="nt-link" href="([^"]*)"[^>]*>(.*?)<small>(.*?)</small></a>', markup)
    out = []
    for href, word, ce in links:
        target = urlsplit(html.unescape(href))
        assert target.path == "./", href  # the Playground is the app's root page
        out.append((html.unescape(word), html.unescape(ce), dict(parse_qsl(target.query, keep_blank_values=True))))
    return out


def own_lines(at: AppTest) -> list[str]:
    """The Your-own-logits tab's markdown (the greedy pick line), as read."""
    return [plain(m.value) for m in at.tabs[OWN].markdown if "Greedy picks" in m.value]


def paste(at: AppTest, text: str) -> AppTest:
    """Type ``text`` into the paste box (read on change)."""
    at.text_area(key="nt_paste").set_value(text).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


# ---- deep links and bad parameters ----------------------------------------------------------------------------
def test_defaults_open_clean_with_the_page_in_the_url() -> None:
    at = open_page(PAGE)
    assert not at.warning
    assert [t.label for t in at.tabs] == ["Generate", "Score a sentence", "Your own logits"]
    want = {"nt_t": "1", "nt_k": "0", "nt_p": "1", "nt_minp": "0", "nt_mode": "sample", "nt_seed": "1"}
    want |= {"nt_n": "10", "nt_step": "1", "nt_prompt": PROMPT, "nt_sentence": SENTENCE}
    assert {k: url(at)[k] for k in want} == want
    assert len(generated(at)) == 10
    assert_facts(at, GENERATE, logits_after(PROMPT.split()))


def test_deep_link_with_every_parameter_is_restored_and_kept() -> None:
    query = {
        "nt_t": "0.7",
        "nt_k": "5",
        "nt_p": "0.9",
        "nt_minp": "0.05",
        "nt_mode": "greedy",
        "nt_seed": "7",
        "nt_n": "4",
        "nt_step": "2",
        "nt_prompt": "the dog is",
        "nt_sentence": "the cat purrs .",
    }
    at = open_page(PAGE, query)
    assert not at.warning, [w.value for w in at.warning]
    assert at.slider(key="nt_t").value == 0.7
    assert at.number_input(key="nt_k").value == 5
    assert at.slider(key="nt_p").value == 0.9
    assert at.slider(key="nt_minp").value == 0.05
    assert at.radio(key="nt_mode").value == "Greedy"
    assert at.number_input(key="nt_seed").value == 7
    assert at.number_input(key="nt_n").value == 4
    assert at.slider(key="nt_step").value == 2
    assert at.text_input(key="nt_prompt").value == "the dog is"
    assert at.text_input(key="nt_sentence").value == "the cat purrs ."
    assert {k: url(at)[k] for k in query} == query
    settings = {"t": 0.7, "k": 5, "p": 0.9, "min_p": 0.05}
    run = greedy_run(["the", "dog", "is"], 4, **settings)
    assert [w for w, _ in generated(at)] == [w for w, _ in run]
    assert current_step(at) == 2
    assert_facts(at, GENERATE, logits_after(["the", "dog", "is", run[0][0]]), **settings)
    at.run()  # a rerun from its own URL changes nothing
    assert {k: url(at)[k] for k in query} == query


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("nt_t", "0"),
        ("nt_t", "0.123"),  # between two steps of the slider
        ("nt_k", "-3"),
        ("nt_k", "2.5"),
        ("nt_p", "1.5"),
        ("nt_minp", "nan"),
        ("nt_mode", "wild"),
        ("nt_seed", "x"),
        ("nt_n", "99"),
        ("nt_step", "0"),
        ("nt_prompt", "the cat " * 63),  # 504 characters
        ("nt_sentence", "the dog " * 63),
    ],
)
def test_a_bad_parameter_is_named_and_the_page_still_works(param: str, value: str) -> None:
    at = open_page(PAGE, {param: value})
    warned = " ".join(plain(w.value) for w in at.warning)
    assert f"'{param}'" in warned
    assert facts(at, GENERATE)["Words kept"].endswith("of 550")
    assert metric(at, "Total cross-entropy").endswith("nats")
    assert url(at)[param] != value  # what the URL holds now is what the page used
    at.run()
    assert not at.exception
    assert not at.warning  # said once, on the first visit


def test_long_prompt_is_cut_to_200_characters() -> None:
    at = open_page(PAGE, {"nt_prompt": "the cat " * 63})
    assert at.text_input(key="nt_prompt").value == ("the cat " * 63)[:200]
    assert url(at)["nt_prompt"] == ("the cat " * 63)[:200]


# ---- the decoding settings ------------------------------------------------------------------------------------
def test_temperature_sharpens_and_flattens_the_distribution() -> None:
    at = open_page(PAGE)
    z = logits_after(PROMPT.split())
    entropies = []
    for t in (0.5, 2.0):
        at.slider(key="nt_t").set_value(t).run()
        assert url(at)["nt_t"] == f"{t:g}"
        assert_facts(at, GENERATE, z, t=t)
        assert final_bars(at, "nt_pipeline_chart") == pytest.approx(expected_bars(z, t=t), abs=1e-12)
        entropies.append(reading(facts(at, GENERATE)["Entropy H"])[0])
    assert entropies[0] < float(scipy.stats.entropy(sp.softmax(z))) < entropies[1]


def test_top_k_keeps_k_words() -> None:
    at = open_page(PAGE)
    z = logits_after(PROMPT.split())
    for k in (5, 1, 40):
        assert np.sort(z)[::-1][k - 1] > np.sort(z)[::-1][k]  # no tie at the k-th: exactly k are kept
        at.number_input(key="nt_k").set_value(k).run()
        assert facts(at, GENERATE)["Words kept"] == f"{k} of 550"
        assert_facts(at, GENERATE, z, k=k)
        assert final_bars(at, "nt_pipeline_chart") == pytest.approx(expected_bars(z, k=k), abs=1e-12)
        assert url(at)["nt_k"] == str(k)
    at.number_input(key="nt_k").set_value(0).run()
    assert facts(at, GENERATE)["Words kept"] == "550 of 550"


def test_top_p_keeps_the_smallest_set_reaching_p() -> None:
    at = open_page(PAGE)
    z = logits_after(PROMPT.split())
    counts = []
    for p in (0.5, 0.8, 0.95):
        at.slider(key="nt_p").set_value(p).run()
        keep, _ = decode(z, p=p)
        ranked = np.sort(sp.softmax(z))[::-1]
        n = int(keep.sum())
        assert ranked[: n - 1].sum() < p <= ranked[:n].sum()  # minimal, and reaching p
        assert facts(at, GENERATE)["Words kept"] == f"{n} of 550"
        assert_facts(at, GENERATE, z, p=p)
        assert url(at)["nt_p"] == f"{p:g}"
        counts.append(n)
    assert counts == sorted(counts)
    assert counts[0] < counts[-1]


def test_min_p_drops_words_below_a_share_of_the_top_one() -> None:
    at = open_page(PAGE)
    z = logits_after(PROMPT.split())
    q = sp.softmax(z)
    for min_p in (0.05, 0.3):
        at.slider(key="nt_minp").set_value(min_p).run()
        n = int(np.count_nonzero(q >= min_p * q.max()))
        assert 1 < n < 550
        assert facts(at, GENERATE)["Words kept"] == f"{n} of 550"
        assert_facts(at, GENERATE, z, min_p=min_p)
        assert url(at)["nt_minp"] == f"{min_p:g}"


def test_all_four_settings_apply_in_transformers_order() -> None:
    settings = {"t": 1.5, "k": 30, "p": 0.85, "min_p": 0.1}
    at = open_page(PAGE, {"nt_t": "1.5", "nt_k": "30", "nt_p": "0.85", "nt_minp": "0.1"})
    z = logits_after(PROMPT.split())
    assert_facts(at, GENERATE, z, **settings)
    assert final_bars(at, "nt_pipeline_chart") == pytest.approx(expected_bars(z, **settings), abs=1e-12)


# ---- generate -------------------------------------------------------------------------------------------------
def test_greedy_takes_the_most_probable_word_each_step_and_disables_the_seed() -> None:
    at = open_page(PAGE)
    assert not at.number_input(key="nt_seed").disabled
    at.radio(key="nt_mode").set_value("Greedy").run()
    assert url(at)["nt_mode"] == "greedy"
    assert at.number_input(key="nt_seed").disabled
    run = greedy_run(PROMPT.split(), 10)
    shown = generated(at)
    assert [w for w, _ in shown] == [w for w, _ in run]
    for (_, p_text), (_, p) in zip(shown, run, strict=True):
        assert shows(p_text, p), (p_text, p)
    assert "the most probable," in step_note(at)


def test_greedy_with_filters_renormalises_the_kept_words() -> None:
    at = open_page(PAGE, {"nt_mode": "greedy", "nt_k": "3", "nt_t": "2"})
    run = greedy_run(PROMPT.split(), 10, t=2.0, k=3)
    shown = generated(at)
    assert [w for w, _ in shown] == [w for w, _ in run]
    for (_, p_text), (_, p) in zip(shown, run, strict=True):
        assert shows(p_text, p), (p_text, p)


def test_the_same_seed_gives_the_same_text_and_another_seed_another() -> None:
    first = [w for w, _ in generated(open_page(PAGE, {"nt_seed": "42"}))]
    again = [w for w, _ in generated(open_page(PAGE, {"nt_seed": "42"}))]
    other = open_page(PAGE, {"nt_seed": "43"})
    assert first == again
    assert [w for w, _ in generated(other)] != first
    other.number_input(key="nt_seed").set_value(42).run()  # the control, in a session that drew another text
    assert [w for w, _ in generated(other)] == first
    assert url(other)["nt_seed"] == "42"
    assert "drawn:" in step_note(other)


def test_sampled_words_come_from_the_kept_words_with_their_probabilities() -> None:
    at = open_page(PAGE, {"nt_k": "3", "nt_seed": "5", "nt_n": "8"})
    context = PROMPT.split()
    for word, p_text in generated(at):
        keep, probs = decode(logits_after(context), k=3)
        assert word in [VOCAB[i] for i in np.flatnonzero(keep)], (context, word)
        assert shows(p_text, float(probs[VOCAB.index(word)]))
        context.append(word)
        if word == "</s>":
            break


def test_the_number_of_words_follows_the_control() -> None:
    at = open_page(PAGE, {"nt_mode": "greedy"})
    assert len(generated(at)) == 10
    at.number_input(key="nt_n").set_value(4).run()
    assert [w for w, _ in generated(at)] == [w for w, _ in greedy_run(PROMPT.split(), 4)]
    assert url(at)["nt_n"] == "4"
    assert at.slider(key="nt_step").max == 4
    at.number_input(key="nt_n").set_value(1).run()
    assert len(generated(at)) == 1
    assert not [s for s in at.slider if s.key == "nt_step"]  # nothing to scrub with one word
    assert step_note(at).startswith("**Word 1**")


def test_the_step_control_shows_that_words_distribution() -> None:
    at = open_page(PAGE, {"nt_mode": "greedy", "nt_n": "6"})
    words = [w for w, _ in greedy_run(PROMPT.split(), 6)]
    assert len(words) == 6
    before = final_bars(at, "nt_pipeline_chart")
    at.slider(key="nt_step").set_value(3).run()
    assert current_step(at) == 3
    assert url(at)["nt_step"] == "3"
    context = [*PROMPT.split(), *words[:2]]
    note = step_note(at)
    assert note.startswith("**Word 3**")
    assert f"after “{' '.join(context[-MODEL.context :])}”" in note
    assert f"**{words[2]}**" in note
    bars = final_bars(at, "nt_pipeline_chart")
    assert bars != before
    assert bars == pytest.approx(expected_bars(logits_after(context)), abs=1e-12)
    assert_facts(at, GENERATE, logits_after(context))


def test_a_step_past_the_end_shows_the_last_word() -> None:
    at = open_page(PAGE, {"nt_mode": "greedy", "nt_n": "4", "nt_step": "30"})
    assert current_step(at) == 4
    assert step_note(at).startswith("**Word 4**")
    at.number_input(key="nt_n").set_value(8).run()
    at.slider(key="nt_step").set_value(7).run()
    at.number_input(key="nt_n").set_value(2).run()  # fewer words than the shown step
    assert not at.exception
    assert current_step(at) == 2
    assert at.slider(key="nt_step").value == 2
    assert url(at)["nt_step"] == "2"


def test_an_unknown_prompt_word_is_named() -> None:
    at = open_page(PAGE)
    assert not at.tabs[GENERATE].info
    at.text_input(key="nt_prompt").set_value("when the zebra is").run()
    notes = [plain(i.value) for i in at.tabs[GENERATE].info]
    assert len(notes) == 1, notes
    assert "'zebra'" in notes[0]
    assert "<unk>" in notes[0]
    assert url(at)["nt_prompt"] == "when the zebra is"
    assert "“the <unk> is”" in step_note(at)
    z = np.asarray(MODEL.logits_batch(np.array([[VOCAB.index(w) for w in ("the", "<unk>", "is")]]))[0])
    assert_facts(at, GENERATE, z)


def test_an_empty_prompt_starts_from_the_sentence_start() -> None:
    at = open_page(PAGE, {"nt_mode": "greedy"})
    at.text_input(key="nt_prompt").set_value("").run()
    assert not at.exception
    assert [w for w, _ in generated(at)] == [w for w, _ in greedy_run([], 10)]
    assert_facts(at, GENERATE, logits_after([]))


# ---- score a sentence -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("sentence", [SENTENCE, "a small rabbit naps under the table ."])
def test_sentence_loss_total_mean_and_perplexity(sentence: str) -> None:
    at = open_page(PAGE) if sentence == SENTENCE else open_page(PAGE, {"nt_sentence": sentence})
    ce = [c for _, c in sentence_ce(sentence)]
    total, mean = sum(ce), sum(ce) / len(ce)
    assert shows(metric(at, "Total cross-entropy"), total)
    assert shows(metric(at, "Mean per word"), mean)
    assert shows(metric(at, "Perplexity e^mean"), math.exp(mean))
    bars = next(t for t in chart_data(at, "nt_sentence_chart") if t["type"] == "bar")
    assert bars["y"] == pytest.approx(ce, rel=1e-12)
    formulas = " ".join([*(f.value for f in at.tabs[SCORE].latex), *(html_text(h.value) for h in at.tabs[SCORE].html)])
    assert f"{total:.4f} / {len(ce)} = {mean:.4f}" in formulas  # the formulas with this sentence's numbers


def test_typing_a_sentence_rescores_it() -> None:
    at = open_page(PAGE)
    at.text_input(key="nt_sentence").set_value("the cat purrs .").run()
    ce = [c for _, c in sentence_ce("the cat purrs .")]
    assert shows(metric(at, "Total cross-entropy"), sum(ce))
    assert url(at)["nt_sentence"] == "the cat purrs ."


def test_an_empty_sentence_asks_for_one() -> None:
    at = open_page(PAGE)
    at.text_input(key="nt_sentence").set_value("").run()
    assert not at.exception
    assert any("sentence" in plain(i.value) for i in at.tabs[SCORE].info)
    assert not [m for m in at.metric if m.label == "Total cross-entropy"]
    assert facts(at, GENERATE)["Words kept"] == "550 of 550"  # the other tabs still work


def test_each_word_opens_the_playground_with_the_same_loss() -> None:
    at = open_page(PAGE)
    expected = sentence_ce(SENTENCE)
    links = playground_links(at)
    assert [w for w, _, _ in links] == [w for w, _ in expected]
    for (word, shown_ce, query), (_, ce) in zip(links, expected, strict=True):
        assert shows(shown_ce, ce), (word, shown_ce, ce)
        classes = query["classes"].split(",")
        assert query["target"] == word
        assert classes[-1] == "everything else"
        assert len(classes) <= 10
        pg = open_page("app_pages/playground.py", query)
        assert not pg.warning, (query, [w.value for w in pg.warning])
        loss = metric(pg, "Cross-entropy")
        assert shows(loss, ce), (word, loss, ce)
        assert reading(loss)[0] == pytest.approx(reading(shown_ce)[0], abs=reading(shown_ce)[1])


def test_a_link_offers_the_top_words_and_the_true_one() -> None:
    at = open_page(PAGE)
    words = SENTENCE.split()
    for i, (word, _, query) in enumerate(playground_links(at)):
        z = logits_after(words[:i])
        top = [VOCAB[j] for j in np.lexsort((np.arange(z.size), -z))[:8]]
        classes = query["classes"].split(",")
        named = ["(comma)" if w == "," else w for w in top]
        assert classes[:8] == named
        assert classes[8:-1] == ([] if word in top else [word])
        rest = np.ones(V, dtype=bool)
        rest[[VOCAB.index(w) for w in [*top, word]]] = False
        logits = [float(v) for v in query["logits"].split(",")]
        assert logits[:8] == pytest.approx(sorted(z, reverse=True)[:8] - z.max(), abs=1e-9)
        assert logits[-1] == pytest.approx(float(sp.logsumexp(z[rest]) - z.max()), abs=1e-9)


# ---- your own logits ------------------------------------------------------------------------------------------
def test_pasted_json_is_read_and_follows_the_settings() -> None:
    at = paste(open_page(PAGE), OWN_JSON)
    z = np.array(OWN_LOGITS)
    assert_facts(at, OWN, z)
    assert own_lines(at)[0].startswith("Greedy picks **'Ġcat'**")
    assert final_bars(at, "nt_own_chart") == pytest.approx(list(sp.softmax(np.sort(z)[::-1])), abs=1e-12)
    at.number_input(key="nt_k").set_value(2).run()
    assert facts(at, OWN)["Words kept"] == "2 of 5"
    assert_facts(at, OWN, z, k=2)
    at.slider(key="nt_t").set_value(0.25).run()
    assert_facts(at, OWN, z, t=0.25, k=2)
    at.number_input(key="nt_k").set_value(1).run()  # one word left: the draw can only be the greedy pick
    assert "sampled with seed 1: **'Ġcat'**" in own_lines(at)[0]
    assert not at.tabs[OWN].error


def test_pasted_csv_with_a_header_is_read() -> None:
    text = "token,logit\n" + "\n".join(f"{t},{v}" for t, v in zip(OWN_TOKENS, OWN_LOGITS, strict=True))
    at = paste(open_page(PAGE, {"nt_minp": "0.3"}), text)
    z = np.array(OWN_LOGITS)
    keep, _ = decode(z, min_p=0.3)
    assert facts(at, OWN)["Words kept"] == f"{int(keep.sum())} of 5" == "2 of 5"
    assert_facts(at, OWN, z, min_p=0.3)
    assert own_lines(at)[0].startswith("Greedy picks **'Ġcat'**")
    assert any("Skipped the header row" in plain(c.value) for c in at.tabs[OWN].caption)


TOO_MANY = "\n".join(f"t{i},{i % 7}" for i in range(100_001))


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("a,1\nb,2\na,3", "'a' appears on rows 1 and 3"),
        ('{"a": 1, "b": NaN}', "NaN"),
        ("a,1\nb,nan", "NaN"),
        ("a,1\nb,lots", "'lots' is not a number"),
        ("", "empty"),
        ("   \n ", "empty"),
        (TOO_MANY, "100,001 rows: at most 100,000"),
    ],
    ids=["duplicate", "json-nan", "csv-nan", "not-a-number", "empty", "blank", "too-many-rows"],
)
def test_bad_input_is_named_and_the_last_good_logits_stay(text: str, named: str) -> None:
    at = paste(open_page(PAGE), OWN_JSON)
    before = (facts(at, OWN), own_lines(at), final_bars(at, "nt_own_chart"))
    paste(at, text)
    errors = [plain(e.value) for e in at.tabs[OWN].error]
    assert len(errors) == 1, errors
    assert named in errors[0]
    assert "still the last good ones" in errors[0]
    assert (facts(at, OWN), own_lines(at), final_bars(at, "nt_own_chart")) == before
    paste(at, "x,1\ny,2")  # a good input clears the error
    assert not at.tabs[OWN].error
    assert facts(at, OWN)["Words kept"] == "2 of 2"


def test_read_button_reads_the_paste_box() -> None:
    at = open_page(PAGE)
    at.session_state["nt_paste"] = OWN_JSON  # the box's text, without its on-change reading it
    at.run()
    assert not facts(at, OWN)
    assert any("No logits yet" in i.value for i in at.tabs[OWN].info)
    at.button(key="nt_read").click().run()
    assert not at.exception
    assert_facts(at, OWN, np.array(OWN_LOGITS))


def test_load_this_pages_model_fills_the_box_with_its_logits() -> None:
    at = open_page(PAGE, {"nt_k": "12"})
    at.text_input(key="nt_prompt").set_value("the dog").run()
    at.button(key="nt_example").click().run()
    assert not at.exception
    data = json.loads(str(at.text_area(key="nt_paste").value))
    z = logits_after(["the", "dog"])
    assert list(data) == VOCAB
    assert np.array(list(data.values())) == pytest.approx(z, abs=1e-12)
    assert_facts(at, OWN, z, k=12)
    assert facts(at, OWN) == facts(at, GENERATE)  # the same logits as the Generate tab's first step
    assert own_lines(at)[0].startswith(f"Greedy picks **{VOCAB[int(np.argmax(z))]!r}**")
    assert any("the dog" in plain(c.value) for c in at.tabs[OWN].caption)


def test_an_uploaded_file_is_read_and_a_bad_one_refused() -> None:
    at = open_page(PAGE)
    csv = "\n".join(f"{t},{v}" for t, v in zip(OWN_TOKENS, OWN_LOGITS, strict=True)).encode()
    at.file_uploader(key="nt_upload").set_value(("gpt2_logits.csv", csv, "text/csv")).run()
    assert not at.exception
    assert_facts(at, OWN, np.array(OWN_LOGITS))
    assert any(plain(c.value).startswith("From gpt2_logits.csv.") for c in at.tabs[OWN].caption)
    before = facts(at, OWN)
    at.file_uploader(key="nt_upload").set_value(("latin1.csv", "café,1\nthé,2".encode("latin-1"), "text/csv")).run()
    errors = [plain(e.value) for e in at.tabs[OWN].error]
    assert len(errors) == 1, errors
    assert errors[0].startswith("latin1.csv: not UTF-8")
    assert facts(at, OWN) == before
    at.file_uploader(key="nt_upload").set_value(("dup.json", b'{"a": 1, "a": 2}', "application/json")).run()
    errors = [plain(e.value) for e in at.tabs[OWN].error]
    assert len(errors) == 1, errors
    assert errors[0].startswith("dup.json: token 'a' appears on entries 1 and 2")
    assert facts(at, OWN) == before
