"""The Next-token page in real Chromium: deep link, every control, reproducible sampling, the Playground link,
bad input and a phone.

Every expected number is computed here from the shipped weights with NumPy and SciPy alone (the forward pass
and the decoding rules as DESIGN.md and core/lm.py's docstring state them), never by the page's own code.
"""

from __future__ import annotations

import contextlib
import json
import math
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
import numpy.typing as npt
from playwright.sync_api import Browser, FilePayload, Locator, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from scipy.special import logsumexp, softmax

from harness.browser import page_errors
from harness.server import IDLE
from tests.numbers import read_number

MODEL = Path(__file__).resolve().parents[2] / "assets" / "lm" / "next_token.npz"
PROMPT = "when the cat is"  # the page's default prompt
CHART = ".st-key-nt_panel_pipeline"  # the page's live panel (core/panels/next_token.py)
OWN_CHART = ".st-key-nt_panel_own"
PLAYGROUND_CE = '.live-panel .lp-metric[data-key="ce"] .lp-value'  # as tests/e2e/test_playground_browser.py
PHONE: dict[str, Any] = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
FIRST_DRAW_MS = 30_000
"""Plotly (4.6 MB) loads once per fresh browser context; on 2 busy cores the first chart can take longer than
expect's 5 s (a hang guard, not a speed check)."""
SHOWN = 20
"""Rows the pipeline chart shows: the most probable tokens under the raw logits (the page states it)."""


# ---- the model and decoding, independently ---------------------------------------------------------------------
class Reference:
    """The shipped weights read with NumPy: ``h = tanh(x W1 + b1)``, ``z = h W2 + b2`` over the last ``context``
    words, left-padded with ``<s>`` (core/lm.py's docstring)."""

    def __init__(self) -> None:
        with np.load(MODEL, allow_pickle=False) as d:
            self.vocab = [str(w) for w in d["vocabulary"]]
            self.context = int(json.loads(str(d["config"]))["context"])
            self.E, self.W1, self.b1, self.W2, self.b2 = (np.asarray(d[k], dtype=np.float64) for k in PARAMS)
        self.index = {w: i for i, w in enumerate(self.vocab)}

    def logits(self, words: list[str]) -> npt.NDArray[np.float64]:
        ids = [self.index["<s>"]] * self.context + [self.index[w] for w in words]
        x = self.E[ids[-self.context :]].reshape(-1)
        return np.asarray(np.tanh(x @ self.W1 + self.b1) @ self.W2 + self.b2)

    def greedy(self, prompt: list[str], n: int) -> list[str]:
        words: list[str] = []
        while len(words) < n and (not words or words[-1] != "</s>"):
            words.append(self.vocab[int(np.argmax(self.logits(prompt + words)))])
        return words

    def sampled(self, prompt: list[str], n: int, seed: int) -> list[str]:
        """core/next_token.py's documented rule: one u ~ U[0, 1) per word from default_rng(seed); the word is the
        first j whose cumulative probability c_j exceeds u · c_V (T = 1, no filters: p = softmax(z))."""
        rng = np.random.default_rng(seed)
        words: list[str] = []
        while len(words) < n and (not words or words[-1] != "</s>"):
            c = np.cumsum(softmax(self.logits(prompt + words)))
            words.append(self.vocab[int(np.argmax(c > rng.random() * c[-1]))])
        return words

    def sentence_ce(self, words: list[str]) -> list[float]:
        """Teacher forcing: -ln p(w_t | w_<t) for each word and the closing </s>."""
        out = []
        for t, w in enumerate([*words, "</s>"]):
            z = self.logits(words[:t])
            out.append(float(logsumexp(z) - z[self.index[w]]))
        return out


PARAMS = ("E", "W1", "b1", "W2", "b2")


@cache
def ref() -> Reference:
    return Reference()


def decode(z: npt.ArrayLike, t: float, k: int, p: float, min_p: float) -> tuple[npt.NDArray[np.bool_], Any, float]:
    """Hugging Face's order: ÷ T, top-k (ties with the k-th kept), top-p (the fewest most probable tokens whose
    mass reaches p), min-p (drop p_i < min_p · p_max); then softmax over what is left.

    Returns the kept mask, the final probabilities and the mass kept under softmax(z / T).
    """
    s = np.asarray(z, dtype=np.float64) / t
    keep = np.ones(s.size, dtype=bool)
    if k:
        keep &= s >= np.sort(s)[::-1][min(k, s.size) - 1]
    if p < 1:
        q = softmax(np.where(keep, s, -np.inf))
        order = np.argsort(-q, kind="stable")
        n = int(np.argmax(np.cumsum(q[order]) >= p)) + 1
        nucleus = np.zeros(s.size, dtype=bool)
        nucleus[order[:n]] = True
        keep &= nucleus
    if min_p > 0:
        q = softmax(np.where(keep, s, -np.inf))
        keep &= q >= min_p * q.max()
    return keep, softmax(np.where(keep, s, -np.inf)), float(softmax(s)[keep].sum())


def entropy(probs: npt.ArrayLike) -> float:
    p = np.asarray(probs)
    p = p[p > 0]
    return float(-(p * np.log(p)).sum())


def four(x: float) -> str:
    """A number as the page writes it in its metrics (4 decimals, a true minus sign; 0 as "0")."""
    if x == 0:
        return "0"
    assert 1e-3 <= abs(x) < 1e6, x  # the plain range; the checks below stay inside it
    return f"{x:.4f}".replace("-", "−")


def shown_rows(z: npt.ArrayLike) -> list[int]:
    """The tokens the chart shows: the SHOWN largest logits, ties by vocabulary order."""
    v = np.asarray(z)
    return [int(i) for i in np.lexsort((np.arange(v.size), -v))[:SHOWN]]


# ---- the page ----------------------------------------------------------------------------------------------------
def open_next_token(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(IDLE)
    expect(page.locator(f"{CHART} .js-plotly-plot .main-svg").first).to_be_attached(timeout=FIRST_DRAW_MS)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def no_warnings(page: Page) -> None:
    for kind in ("stAlertContentWarning", "stAlertContentError", "stException"):
        expect(page.locator(f'[data-testid="{kind}"]')).to_have_count(0)


def query(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def wait_param(page: Page, name: str, value: str) -> None:
    """Until the address says ``name=value`` (the rerun that read the control wrote it), and the run ended."""
    page.wait_for_function(
        "([n, v]) => new URLSearchParams(location.search).get(n) === v", arg=[name, value], timeout=15_000
    )
    page.wait_for_selector(IDLE)


def panel(page: Page, tab: str) -> Locator:
    return page.get_by_role("tabpanel", name=tab)


def metric(scope: Page | Locator, label: str) -> Locator:
    """A shown number: a Streamlit metric, or one of a live panel's (labelled "label: value")."""
    return scope.locator(
        f'[data-testid="stMetric"]:has-text("{label}") [data-testid="stMetricValue"], '
        f'.lp-metric[aria-label^="{label}: "] .lp-value'
    ).first


def expect_pipeline(scope: Page | Locator, chart: str, z: npt.ArrayLike, words: list[str], **settings: Any) -> None:
    """The four metrics and the chart's bars show the pipeline computed here for logits ``z``."""
    keep, final, mass = decode(z, settings["t"], settings["k"], settings["p"], settings["min_p"])
    h = entropy(final)
    expect(metric(scope, "Words kept")).to_have_text(f"{int(keep.sum()):,} of {keep.size:,}")
    expect(metric(scope, "Probability kept")).to_have_text(four(mass))
    expect(metric(scope, "Entropy H")).to_have_text(f"{four(h)} nats")
    expect(metric(scope, "Effective choices e^H")).to_have_text(four(math.exp(h)))
    rows = shown_rows(z)
    scaled = softmax(np.asarray(z, dtype=np.float64) / settings["t"])  # the pale bar: what the filters act on
    want = {"words": [words[i] for i in rows], "raw": [scaled[i] for i in rows], "final": [final[i] for i in rows]}
    page = scope if isinstance(scope, Page) else scope.page
    page.wait_for_function(
        """([sel, want]) => {
          const el = document.querySelector(sel + ' .explorer-chart');
          if (!el || !el.data || el.data.length < 2) return false;
          const close = (a, b) => a.length === b.length && a.every((x, i) => Math.abs(x - b[i]) < 1e-9);
          const ticks = el.layout.yaxis.ticktext.map(t => t.replace(/<\\/?b>/g, ''));
          return close(el.data[0].x, want.raw) && close(el.data[1].x, want.final)
            && JSON.stringify(ticks) === JSON.stringify(want.words);
        }""",
        arg=[chart, want],
        timeout=15_000,
    )


def generated(page: Page) -> list[str]:
    """The generated words of the Generate tab's text (each word without its probability)."""
    words = page.locator(".nt-text .nt-word").evaluate_all("els => els.map(e => e.firstChild.textContent)")
    return [str(w) for w in words]


def expect_generated(page: Page, words: list[str]) -> None:
    """Wait until the text shows ``words`` (the live panel draws a rerun's text in the next animation frame)."""
    page.wait_for_function(
        """(want) => JSON.stringify([...document.querySelectorAll('.nt-text .nt-word')]
            .map(e => e.firstChild.textContent)) === JSON.stringify(want)""",
        arg=words,
        timeout=15_000,
    )


def press(page: Page, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)


def type_number(page: Page, label: str, value: str) -> None:
    box = page.get_by_role("spinbutton", name=label)
    box.fill(value)
    box.press("Enter")


def type_text(page: Page, label: str, value: str) -> None:
    box = page.get_by_role("textbox", name=label)
    box.fill(value)
    box.press("Enter")


# ---- 1. deep link ------------------------------------------------------------------------------------------------
def test_deep_link_renders_without_warning_and_draws_the_chart(page: Page, app_url: str) -> None:
    errors = page_errors(page)
    open_next_token(
        page,
        app_url + "/next-token?nt_t=0.8&nt_k=20&nt_p=0.9&nt_minp=0.3&nt_mode=greedy&nt_n=6&nt_step=3"
        "&nt_prompt=the+old+dog&nt_sentence=the+rabbit+hops+.",
    )
    expect(page.get_by_role("heading", name="Next token: softmax picks the next word")).to_be_visible()
    no_warnings(page)
    prompt = ["the", "old", "dog"]
    words = ref().greedy(prompt, 6)  # greedy = argmax: no filter ever removes the most probable word
    expect_generated(page, words)
    expect(page.locator('.nt-word[aria-current="step"]')).to_contain_text(words[2])
    expect(page.get_by_role("slider", name="Temperature T")).to_have_value("0.8")
    z = ref().logits(prompt + words[:2])  # step 3 is drawn after the first two generated words
    expect_pipeline(page, CHART, z, ref().vocab, t=0.8, k=20, p=0.9, min_p=0.3)
    expect(page.locator(f"{CHART} .explorer-chart")).to_have_attribute("role", "figure")
    page.get_by_role("tab", name="Score a sentence").click()
    expect(page.locator(".nt-link")).to_have_count(5)  # the, rabbit, hops, ., </s>
    expect(page.locator(".st-key-nt_sentence_chart .js-plotly-plot .main-svg").first).to_be_attached()
    no_warnings(page)
    assert errors == []


# ---- 2. every control --------------------------------------------------------------------------------------------
def test_the_four_decoding_controls_from_the_keyboard(page: Page, app_url: str) -> None:
    open_next_token(page, app_url + "/next-token")
    gen = panel(page, "Generate")
    z = ref().logits(PROMPT.split())  # the shown step is word 1: the prompt alone is its context
    vocab = ref().vocab
    expect_pipeline(gen, CHART, z, vocab, t=1.0, k=0, p=1.0, min_p=0.0)

    page.get_by_role("slider", name="Temperature T").focus()
    press(page, "ArrowLeft", 4)  # 1.00 -> 0.80, step 0.05
    wait_param(page, "nt_t", "0.8")
    expect_pipeline(gen, CHART, z, vocab, t=0.8, k=0, p=1.0, min_p=0.0)

    type_number(page, "Top-k (0 = off)", "20")
    wait_param(page, "nt_k", "20")
    expect_pipeline(gen, CHART, z, vocab, t=0.8, k=20, p=1.0, min_p=0.0)

    page.get_by_role("slider", name="Top-p (1 = off)").focus()
    press(page, "ArrowLeft", 10)  # 1.00 -> 0.90, step 0.01
    wait_param(page, "nt_p", "0.9")
    expect_pipeline(gen, CHART, z, vocab, t=0.8, k=20, p=0.9, min_p=0.0)

    minp = page.get_by_role("slider", name="Min-p (0 = off)")
    minp.focus()
    page.keyboard.press("End")  # 1: only the most probable word is left
    wait_param(page, "nt_minp", "1")
    expect_pipeline(gen, CHART, z, vocab, t=0.8, k=20, p=0.9, min_p=1.0)
    expect(metric(gen, "Words kept")).to_have_text("1 of 550")
    press(page, "PageDown", 7)  # a tenth of the range each: 1 -> 0.3
    wait_param(page, "nt_minp", "0.3")
    expect_pipeline(gen, CHART, z, vocab, t=0.8, k=20, p=0.9, min_p=0.3)
    expect(minp).to_be_focused()

    # each of the four removed something here that the one before had kept (so each effect above was seen)
    counts = [
        int(decode(z, *s)[0].sum()) for s in [(1, 0, 1, 0), (0.8, 20, 1, 0), (0.8, 20, 0.9, 0), (0.8, 20, 0.9, 0.3)]
    ]
    assert counts == sorted(counts, reverse=True), counts
    assert len(set(counts)) == 4, counts
    assert {k: query(page)[k] for k in ("nt_t", "nt_k", "nt_p", "nt_minp")} == {
        "nt_t": "0.8",
        "nt_k": "20",
        "nt_p": "0.9",
        "nt_minp": "0.3",
    }
    no_warnings(page)


def test_the_generate_controls(page: Page, app_url: str) -> None:
    open_next_token(page, app_url + "/next-token")
    gen = panel(page, "Generate")
    type_text(page, "Prompt", "the rabbit")
    wait_param(page, "nt_prompt", "the rabbit")
    expect(page.locator(".nt-text .nt-prompt")).to_have_text("the rabbit")
    prompt = ["the", "rabbit"]

    gen.get_by_text("Greedy", exact=True).click()
    wait_param(page, "nt_mode", "greedy")
    expect(page.get_by_role("spinbutton", name="Seed")).to_be_disabled()
    greedy = ref().greedy(prompt, 10)
    expect(page.locator(".nt-text .nt-word")).to_have_count(len(greedy))
    expect_generated(page, greedy)

    type_number(page, "Words", "4")
    wait_param(page, "nt_n", "4")
    expect(page.locator(".nt-text .nt-word")).to_have_count(4)
    expect_generated(page, greedy[:4])

    step = page.get_by_role("slider", name="Word shown (scrub back to any step)")
    step.focus()
    page.keyboard.press("End")
    wait_param(page, "nt_step", "4")
    expect(page.locator('.nt-word[aria-current="step"]')).to_have_count(1)
    expect(page.locator(".nt-word").nth(3)).to_have_attribute("aria-current", "step")
    expect(gen.get_by_text(f"Word 4, after “{' '.join((prompt + greedy[:3])[-3:])}”")).to_be_visible()
    expect_pipeline(gen, CHART, ref().logits(prompt + greedy[:3]), ref().vocab, t=1.0, k=0, p=1.0, min_p=0.0)
    bold = page.evaluate(
        f"() => document.querySelector('{CHART} .explorer-chart').layout.yaxis.ticktext"
        ".filter(t => t.startsWith('<b>'))"
    )
    assert bold == [f"<b>{greedy[3]}</b>"]  # the chosen word's row
    page.keyboard.press("ArrowLeft")
    wait_param(page, "nt_step", "3")
    expect(page.locator(".nt-word").nth(2)).to_have_attribute("aria-current", "step")

    gen.get_by_text("Sampled", exact=True).click()
    wait_param(page, "nt_mode", "sample")
    expect(page.get_by_role("spinbutton", name="Seed")).to_be_enabled()
    type_number(page, "Seed", "7")
    wait_param(page, "nt_seed", "7")
    sampled = ref().sampled(prompt, 4, seed=7)
    expect(page.locator(".nt-text .nt-word")).to_have_count(len(sampled))
    expect_generated(page, sampled)

    type_text(page, "Prompt", "the zebra")  # not one of the model's words
    wait_param(page, "nt_prompt", "the zebra")
    expect(gen.locator('[data-testid="stAlertContentInfo"]').filter(has_text="'zebra'")).to_contain_text("<unk>")
    no_warnings(page)


# ---- 3. the same seed, the same text ---------------------------------------------------------------------------------
def test_a_seed_gives_the_same_ten_words_in_separate_browsers_and_by_its_url(browser: Browser, app_url: str) -> None:
    seed = 2024
    want = ref().sampled(PROMPT.split(), 10, seed)
    texts, urls = [], []
    for _ in range(2):
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        open_next_token(page, app_url + "/next-token")
        expect(page.get_by_label("Sampled")).to_be_checked()
        type_number(page, "Words", "10")
        type_number(page, "Seed", str(seed))
        wait_param(page, "nt_seed", str(seed))
        assert query(page)["nt_n"] == "10"
        assert query(page)["nt_mode"] == "sample"
        expect(page.locator(".nt-text .nt-word")).to_have_count(len(want))
        texts.append(page.locator(".nt-text").text_content() or "")
        expect_generated(page, want)
        urls.append(page.url)
        context.close()
    assert texts[0] == texts[1]
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = context.new_page()
    open_next_token(page, urls[0])
    expect(page.locator(".nt-text")).to_have_text(texts[0])
    expect_generated(page, want)
    context.close()


# ---- 4. a word into the Playground -------------------------------------------------------------------------------
def test_a_scored_word_opens_the_playground_with_the_same_loss(page: Page, app_url: str) -> None:
    open_next_token(page, app_url + "/next-token")
    page.get_by_role("tab", name="Score a sentence").click()
    sentence = "the old rabbit hops in the meadow ."
    type_text(page, "Sentence", sentence)
    wait_param(page, "nt_sentence", sentence)
    words = sentence.split()
    ce = ref().sentence_ce(words)
    score = panel(page, "Score a sentence")
    expect(metric(score, "Total cross-entropy")).to_have_text(f"{four(sum(ce))} nats")
    expect(metric(score, "Mean per word")).to_have_text(f"{four(sum(ce) / len(ce))} nats")
    expect(metric(score, "Perplexity e^mean")).to_have_text(four(math.exp(sum(ce) / len(ce))))
    links = page.locator(".nt-link")
    expect(links).to_have_count(len(words) + 1)  # and </s>
    i = int(np.argmax(ce))  # the costliest word: likely not among the model's top 8, so added as a class
    link = links.nth(i)
    expect(link.locator("small")).to_have_text(f"CE {ce[i]:.3f}")
    shown = link.locator("small").inner_text().removeprefix("CE ")

    expect(link).to_have_attribute("target", "_blank")  # a new tab: the sentence stays where it was
    with page.context.expect_page() as opened:
        link.click()
    sentence_page, page = page, opened.value
    page.wait_for_url(lambda u: urlparse(u).path == "/" and "classes" in parse_qs(urlparse(u).query))
    page.wait_for_selector(PLAYGROUND_CE)
    page.wait_for_selector(IDLE)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    # the step: the 8 largest logits, the true word when not among them, and "everything else"
    z = ref().logits(words[:i])
    top = shown_rows(z)[:8]
    true = ref().index[[*words, "</s>"][i]]
    shown_as = {",": "(comma)"}  # the URL's separator cannot be a class name (the Playground link says so)
    names = [ref().vocab[j] for j in top] + ([] if true in top else [ref().vocab[true]])
    classes = [shown_as.get(w, w) for w in names] + ["everything else"]
    q = query(page)
    assert q["classes"].split(",") == classes
    assert q["target"] == shown_as.get(ref().vocab[true], ref().vocab[true])
    expect(page.locator(PLAYGROUND_CE)).to_have_text(f"{ce[i]:.4f} nats")
    playground = read_number(page.locator(PLAYGROUND_CE).inner_text().removesuffix(" nats"))
    assert f"{playground:.{len(shown.split('.')[1])}f}" == shown  # the same loss, to the digits the link shows
    expect(sentence_page.locator(".nt-link")).to_have_count(len(words) + 1)  # the first tab is as it was


# ---- 5. your own logits --------------------------------------------------------------------------------------------
def big_csv(rows: int = 60_000) -> tuple[bytes, list[str], npt.NDArray[np.float64]]:
    """A header and ``rows`` token,logit rows with full-precision logits: about 1.5 MB, over the old 1 MB limit."""
    logits = np.random.default_rng(15).normal(0.0, 3.0, rows)
    tokens = [f"tok{i:05d}" for i in range(rows)]
    text = "token,logit\n" + "".join(f"{t},{x!r}\n" for t, x in zip(tokens, logits.tolist(), strict=True))
    return text.encode(), tokens, np.array([float(f"{x!r}") for x in logits.tolist()])


def test_your_own_logits_paste_load_and_upload(page: Page, app_url: str) -> None:
    open_next_token(page, app_url + "/next-token?nt_k=100")
    page.get_by_role("tab", name="Your own logits").click()
    own = panel(page, "Your own logits")
    settings = {"t": 1.0, "k": 100, "p": 1.0, "min_p": 0.0}

    page.get_by_role("textbox", name="Paste JSON or CSV").fill("cat,2\ndog,1\nrabbit,0.1")
    own.get_by_role("button", name="Read pasted logits").click()
    expect(own.get_by_text("From pasted text.")).to_be_visible()
    expect_pipeline(own, OWN_CHART, [2.0, 1.0, 0.1], ["cat", "dog", "rabbit"], **settings)
    expect(own.get_by_text("Greedy picks 'cat'")).to_be_visible()

    own.get_by_role("button", name="Load this page's model").click()
    z = ref().logits(PROMPT.split())
    expect_pipeline(own, OWN_CHART, z, ref().vocab, **settings)
    pasted = json.loads(page.get_by_role("textbox", name="Paste JSON or CSV").input_value())
    assert list(pasted) == ref().vocab
    assert np.allclose(list(pasted.values()), z, rtol=0, atol=1e-9)

    data, tokens, logits = big_csv()
    assert len(data) > 2**20  # over the 1 MB that server.maxUploadSize allowed before this page
    own.locator('[data-testid="stFileUploader"] input[type="file"]').set_input_files(
        files=[FilePayload(name="logits.csv", mimeType="text/csv", buffer=data)]
    )
    uploader = page.locator(".st-key-nt_upload")
    expect(uploader).to_contain_text("logits.csv")
    refused = uploader.get_by_text("must be", exact=False)  # Streamlit's "File must be 1.0MB or smaller."
    expect(refused, f"the upload was refused: {uploader.inner_text()!r}").to_have_count(0)
    expect(own.get_by_text("From logits.csv.")).to_be_visible(timeout=15_000)
    expect(own.get_by_text("60,000 tokens.")).to_be_visible()
    expect_pipeline(own, OWN_CHART, logits, tokens, **settings)
    expect(own.get_by_text(f"Greedy picks '{tokens[int(np.argmax(logits))]}'")).to_be_visible()
    no_warnings(page)


def test_duplicate_tokens_give_an_error_and_the_last_good_chart_stays(page: Page, app_url: str) -> None:
    open_next_token(page, app_url + "/next-token")
    page.get_by_role("tab", name="Your own logits").click()
    own = panel(page, "Your own logits")
    settings = {"t": 1.0, "k": 0, "p": 1.0, "min_p": 0.0}
    box = page.get_by_role("textbox", name="Paste JSON or CSV")
    box.fill("cat,2\ndog,1\nrabbit,0.1")
    own.get_by_role("button", name="Read pasted logits").click()
    expect_pipeline(own, OWN_CHART, [2.0, 1.0, 0.1], ["cat", "dog", "rabbit"], **settings)
    drawn = page.evaluate(f"() => JSON.stringify(document.querySelector('{OWN_CHART} .explorer-chart').data)")

    box.fill("cat,2\ndog,1\ncat,3")
    own.get_by_role("button", name="Read pasted logits").click()
    error = own.locator('[data-testid="stAlertContentError"]')
    expect(error).to_be_visible()
    expect(error).to_contain_text("'cat'")
    expect(error).to_contain_text("rows 1 and 3")
    page.wait_for_selector(IDLE)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    expect(page.locator(f"{OWN_CHART} .js-plotly-plot .main-svg").first).to_be_visible()
    assert page.evaluate(f"() => JSON.stringify(document.querySelector('{OWN_CHART} .explorer-chart').data)") == drawn
    expect_pipeline(own, OWN_CHART, [2.0, 1.0, 0.1], ["cat", "dog", "rabbit"], **settings)

    box.fill("cat,2\ndog,5")  # a good paste again: the error goes
    own.get_by_role("button", name="Read pasted logits").click()
    expect_pipeline(own, OWN_CHART, [2.0, 5.0], ["cat", "dog"], **settings)
    expect(error).to_have_count(0)


# ---- 6. a phone --------------------------------------------------------------------------------------------------
SIDEWAYS = """() => {
  const vw = document.documentElement.clientWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  const out = [];
  if (document.scrollingElement.scrollWidth > vw) out.push(`document ${document.scrollingElement.scrollWidth} > ${vw}`);
  if (main.scrollWidth > main.clientWidth) out.push(`stMain ${main.scrollWidth} > ${main.clientWidth}`);
  return out;
}"""


def sideways(page: Page) -> list[str]:
    """What scrolls sideways once the tab has settled: a chart drawn while its tab was hidden has Plotly's
    default width (700 px) until the tab shows and it is drawn again at the phone's width."""
    with contextlib.suppress(PlaywrightTimeoutError):  # the problems are reported below
        page.wait_for_function(f"() => ({SIDEWAYS})().length === 0", timeout=10_000)
    return list(page.evaluate(SIDEWAYS))


def test_on_a_phone_no_tab_scrolls_sideways(browser: Browser, app_url: str) -> None:
    context = browser.new_context(**PHONE)
    page = context.new_page()
    errors = page_errors(page)
    open_next_token(page, app_url + "/next-token?nt_n=30")  # the longest text the page generates
    expect(page.locator(".nt-text .nt-word")).not_to_have_count(0)
    problems = {"Generate": sideways(page)}
    page.get_by_role("tab", name="Score a sentence").click()
    expect(page.locator(".st-key-nt_sentence_chart .js-plotly-plot .main-svg").first).to_be_visible()
    expect(page.locator(".nt-link").first).to_be_visible()
    problems["Score a sentence"] = sideways(page)
    page.get_by_role("tab", name="Your own logits").click()
    page.get_by_role("button", name="Load this page's model").click()
    expect(page.locator(f"{OWN_CHART} .js-plotly-plot .main-svg").first).to_be_visible(timeout=15_000)
    page.wait_for_selector(IDLE)
    problems["Your own logits"] = sideways(page)
    assert problems == {"Generate": [], "Score a sentence": [], "Your own logits": []}
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert errors == []
    context.close()


# ---- the live path: the chart follows a dragged slider before any rerun ----------------------------------------------
LIVE_PROBE = """() => {
  window.__ntAnswers = [];
  window.__explorerLive.subscribe((a) => { if (a.ok && a.panel.page === 'next_token') window.__ntAnswers.push(a); });
  window.__ntRuns = 0;
  new MutationObserver(() => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (app && app.getAttribute('data-test-script-state') === 'running') window.__ntRuns += 1;
  }).observe(document.querySelector('[data-testid="stApp"]'), { attributes: true });
}"""


def test_dragging_temperature_redraws_the_chart_live_and_the_release_commits_it(page: Page, app_url: str) -> None:
    """While the pointer holds the thumb, the route's answers redraw the chart (no rerun: Streamlit's slider only
    sends its value on release); the release reruns the page, which writes the URL, and the chart stays the same."""
    open_next_token(page, app_url + "/next-token?nt_mode=greedy&nt_n=3&nt_prompt=the+old+dog")
    expect(page.locator(f"{CHART} .explorer-chart .main-svg").first).to_be_attached()
    page.wait_for_function("() => window.__explorerLive && window.__explorerLive.ready()")
    page.evaluate(LIVE_PROBE)
    before = page.locator(f"{CHART} .explorer-chart").get_attribute("aria-label") or ""
    assert "T = 1.0000," in before
    track = page.locator('.st-key-nt_t [data-testid="stSlider"] [data-orientation="horizontal"]').nth(1)
    box = track.bounding_box()
    assert box
    thumb = page.locator(".st-key-nt_t input[type=range]").locator("xpath=../..")
    start = thumb.bounding_box()
    assert start
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    for i in range(1, 6):  # towards T = 5, in steps, the button held
        page.mouse.move(start["x"] + i * (box["x"] + box["width"] - start["x"]) / 6, start["y"] + start["height"] / 2)
        page.wait_for_function("(n) => window.__ntAnswers.length >= n", arg=i)
    page.wait_for_function(  # the chart shows the latest answer (drawn in the next animation frame)
        """(sel) => {
          const last = window.__ntAnswers[window.__ntAnswers.length - 1].panel.slots.pipeline[0].alt;
          return document.querySelector(sel).getAttribute('aria-label') === last;
        }""",
        arg=f"{CHART} .explorer-chart",
    )
    held = page.locator(f"{CHART} .explorer-chart").get_attribute("aria-label") or ""
    assert held != before  # redrawn from a live answer
    assert page.evaluate("() => window.__ntRuns") == 0  # and no rerun while the button is held
    assert query(page)["nt_t"] == "1"
    page.mouse.up()
    page.wait_for_function("() => window.__ntRuns > 0")
    page.wait_for_selector(IDLE)
    t = float(query(page)["nt_t"])
    assert 1 < t <= 5
    settled = page.locator(f"{CHART} .explorer-chart").get_attribute("aria-label") or ""
    assert f"T = {four(t)}," in settled  # the committed value's chart
    z = ref().logits(["the", "old", "dog"])
    expect_pipeline(page, CHART, z, ref().vocab, t=t, k=0, p=1.0, min_p=0.0)


def test_a_half_typed_top_k_shows_live_and_leaving_it_empty_shows_the_committed_chart_again(
    page: Page, app_url: str
) -> None:
    """Typing into the top-k box redraws live; emptying it and leaving (Streamlit puts back the committed 0, and
    with nothing changed there is no rerun) must bring the chart back to the committed settings."""
    open_next_token(page, app_url + "/next-token?nt_mode=greedy&nt_n=3&nt_prompt=the+old+dog")
    expect(page.locator(f"{CHART} .explorer-chart .main-svg").first).to_be_attached()
    page.wait_for_function("() => window.__explorerLive && window.__explorerLive.ready()")
    box = page.get_by_role("spinbutton", name="Top-k (0 = off)")
    box.click()
    box.press("End")
    box.press("Backspace")
    box.type("3")  # not committed yet: no Enter
    expect(metric(page, "Words kept")).to_have_text("3 of 550")  # the live answer
    assert query(page)["nt_k"] == "0"
    box.press("Backspace")
    page.get_by_role("heading", name="Next token: softmax picks the next word").click()  # leave the box
    expect(box).to_have_value("0")
    expect(metric(page, "Words kept")).to_have_text("550 of 550")
    assert query(page)["nt_k"] == "0"
    z = ref().logits(["the", "old", "dog"])
    expect_pipeline(page, CHART, z, ref().vocab, t=1.0, k=0, p=1.0, min_p=0.0)
