"""The Next-token page: the decoding settings, and its three tabs (generate, score a sentence, your own logits).

Numbers from :mod:`core.next_token_views`, charts from :mod:`core.figures.next_token`, files read by
:mod:`core.logits_file`. Page parameters (in the URL beside the shared scenario; each widget key is the
parameter's name):

``nt_t``         temperature, 0.05 to 5 (default 1)
``nt_k``         top-k, 0 (off) to 100,000 (default 0)
``nt_p``         top-p, 0.01 to 1 (default 1: off)
``nt_minp``      min-p, 0 (off) to 1 (default 0)
``nt_mode``      ``sample`` or ``greedy`` (default sample)
``nt_seed``      the sampling seed, 0 to 999,999 (default 1)
``nt_n``         words to generate, 1 to 30 (default 10)
``nt_step``      the generated word whose distribution is shown, 1 to 30 (default 1)
``nt_prompt``    the prompt (at most 200 characters)
``nt_sentence``  the sentence scored (at most 200 characters)

Your own logits are not in the URL (up to 100,000 rows): they stay in the session.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from core import logits_file
from core.figures.next_token import pipeline_chart, sentence_chart
from core.lm import NeuralLM, load
from core.next_token import greedy as greedy_choice
from core.next_token import sample
from core.next_token_views import (
    EVERYTHING_ELSE,
    SentenceScore,
    StepView,
    generate,
    logits_view,
    next_logits,
    playground_query,
    read_prompt,
    score_sentence,
)
from core.query import snap_to_step
from core.text import fmt
from ui import present
from ui.chart import chart
from ui.escape import html_escape, md_escape
from ui.frame import PageParams
from ui.present import style
from ui.session import Key

MODEL_PATH = Path(__file__).resolve().parent.parent / "assets" / "lm" / "next_token.npz"
MAX_TEXT = 200
"""Longest prompt or sentence read (in characters)."""
MAX_WORDS = 30

T: Key[float] = Key("nt_t", 1.0)
K: Key[int] = Key("nt_k", 0)
P: Key[float] = Key("nt_p", 1.0)
MIN_P: Key[float] = Key("nt_minp", 0.0)
SEED: Key[int] = Key("nt_seed", 1)
N: Key[int] = Key("nt_n", 10)
STEP: Key[int] = Key("nt_step", 1)
MODE: Key[str] = Key("nt_mode", "Sampled")
PROMPT: Key[str] = Key("nt_prompt", "when the cat is")
SENTENCE: Key[str] = Key("nt_sentence", "the old dog gobbles some eggs in the greenhouse .")
PASTE: Key[str] = Key("nt_paste", "")
UPLOAD = "nt_upload"
READ = "nt_read"
EXAMPLE = "nt_example"
OWN: Key[logits_file.TokenLogits | None] = Key("nt_own", None)
"""The last good logits a person gave (kept when a later paste or upload is refused)."""
OWN_SOURCE: Key[str] = Key("nt_own_source", "")
OWN_ERROR: Key[str] = Key("nt_own_error", "")
MODES = {"Sampled": "sample", "Greedy": "greedy"}
TEXTS = (PROMPT, SENTENCE)


def _whole(v: float) -> int:
    return round(v)


def _read_texts(query: dict[str, list[str]]) -> list[str]:
    problems = []
    for key in TEXTS:
        values = query.get(key.name)
        if not values:
            continue
        text = values[-1]
        if len(text) > MAX_TEXT:
            problems.append(f"'{key.name}' is longer than {MAX_TEXT} characters: cut to the first {MAX_TEXT}.")
            text = text[:MAX_TEXT]
        clean = "".join(ch if ch.isprintable() else " " for ch in text)
        if clean != text:
            problems.append(f"'{key.name}': control or invisible characters replaced by spaces.")
        key.set(clean)
    modes = query.get(MODE.name)
    if modes:
        chosen = next((label for label, v in MODES.items() if v == modes[-1].strip().lower()), None)
        if chosen is None:
            problems.append(f"'{MODE.name}' must be sample or greedy, got {modes[-1][:20]!r}: sampling.")
        MODE.set(chosen or MODE.default)
    return problems


def _write_texts() -> dict[str, str]:
    return {
        MODE.name: MODES.get(MODE.setdefault(), "sample"),
        PROMPT.name: PROMPT.setdefault(),
        SENTENCE.name: SENTENCE.setdefault(),
    }


PARAMS = PageParams(
    {
        T.name: ((0.05, 5.0), T.default),
        K.name: ((0, 100_000), K.default),
        P.name: ((0.01, 1.0), P.default),
        MIN_P.name: ((0.0, 1.0), MIN_P.default),
        SEED.name: ((0, 999_999), SEED.default),
        N.name: ((1, MAX_WORDS), N.default),
        STEP.name: ((1, MAX_WORDS), STEP.default),
    },
    snap={
        T.name: snap_to_step(0.05),
        P.name: snap_to_step(0.01),
        MIN_P.name: snap_to_step(0.01),
        K.name: _whole,
        SEED.name: _whole,
        N.name: _whole,
        STEP.name: _whole,
    },
    extra_names=frozenset(k.name for k in (*TEXTS, MODE)),
    read_extra=_read_texts,
    write_extra=_write_texts,
)


@st.cache_resource(show_spinner=False)
def model() -> NeuralLM:
    """The shipped model, read once per server process (0.9 MB)."""
    return load(MODEL_PATH)


def settings() -> dict[str, float | int]:
    return {"temperature": T.get(), "top_k": int(K.get()), "top_p": P.get(), "min_p": MIN_P.get()}


# ---- the decoding settings ---------------------------------------------------------------------------------------
def controls() -> None:
    """Temperature, top-k, top-p and min-p: every tab's pipeline uses them (the Score tab scores at T = 1)."""
    t, k, p, mp = st.columns(4)
    with t:
        st.slider(
            "Temperature T",
            0.05,
            5.0,
            step=0.05,
            key=T.name,
            help="Every logit is divided by T before softmax: below 1 sharpens, above 1 flattens.",
        )
    with k:
        st.number_input(
            "Top-k (0 = off)",
            min_value=0,
            max_value=100_000,
            step=1,
            key=K.name,
            help="Keep the k most probable words (words tied with the k-th stay too).",
        )
    with p:
        st.slider(
            "Top-p (1 = off)",
            0.01,
            1.0,
            step=0.01,
            key=P.name,
            help="Keep the fewest most probable words whose probabilities add up to at least p (nucleus).",
        )
    with mp:
        st.slider(
            "Min-p (0 = off)",
            0.0,
            1.0,
            step=0.01,
            key=MIN_P.name,
            help="Drop every word less probable than min-p × the most probable word's probability.",
        )
    st.caption(
        "In this order, as Hugging Face transformers applies them: ÷ T, top-k, top-p, min-p, then softmax over "
        "what is left. The most probable word is never removed. One difference: when equal logits straddle "
        "the top-p cut, the first in vocabulary order is kept (transformers leaves that order undefined)."
    )


def _stage_metrics(view: StepView, key: str) -> None:
    kept, mass, h, eh = st.container(key=key).columns(4)
    kept.metric("Words kept", f"{view.kept_count:,} of {view.vocab_size:,}")
    mass.metric(
        "Probability kept",
        fmt(view.stages[-1].mass),
        help="Mass of the kept words under softmax(z / T), before renormalising them to add up to 1.",
    )
    h.metric("Entropy H", f"{fmt(view.entropy)} nats", help="Of the final distribution: −Σ p ln p.")
    eh.metric(
        "Effective choices e^H",
        fmt(view.effective_choices),
        help="As uncertain as a fair choice between this many words.",
    )


def _chart_with_metrics(view: StepView, key: str, chosen: int | None = None) -> None:
    _stage_metrics(view, f"{key}_facts")
    chart(pipeline_chart(view, style(), chosen), key)


# ---- generate ---------------------------------------------------------------------------------------------------
def _prompt_notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        st.info(md_escape(note), icon=":material/info:")


def _text_html(prompt: tuple[str, ...], words: list[tuple[str, float]], shown: int) -> str:
    """The prompt, then each generated word with its probability; the word whose step is shown is marked."""
    parts = [f'<span class="nt-prompt">{html_escape(" ".join(prompt) or "<s>")}</span>']
    for i, (word, p) in enumerate(words, start=1):
        mark = ' aria-current="step"' if i == shown else ""
        parts.append(f'<span class="nt-word"{mark}>{html_escape(word)}<small>{html_escape(fmt(p, 3))}</small></span>')
    return f'<p class="nt-text" aria-label="Generated text, each word with its probability">{" ".join(parts)}</p>'


def generate_tab() -> None:
    m = model()
    st.text_input(
        "Prompt", max_chars=MAX_TEXT, key=PROMPT.name, help="Lower case; words the model does not know become <unk>."
    )
    prompt = read_prompt(PROMPT.get(), m.vocabulary)
    _prompt_notes(prompt.notes)
    mode, seed, n = st.columns([2, 1, 1])
    with mode:
        st.radio(
            "Choose each word",
            list(MODES),
            horizontal=True,
            key=MODE.name,
            help="Sampled: drawn at random from the final probabilities. Greedy: always the most probable.",
        )
    greedy = MODE.get() == "Greedy"
    with seed:
        st.number_input(
            "Seed",
            min_value=0,
            max_value=999_999,
            step=1,
            key=SEED.name,
            disabled=greedy,
            help="The same seed and settings draw the same words (the seed is in the address).",
        )
    with n:
        st.number_input("Words", min_value=1, max_value=MAX_WORDS, step=1, key=N.name)
    steps = generate(m, prompt.ids, int(N.get()), seed=int(SEED.get()), greedy=greedy, **settings())  # type: ignore[arg-type]
    if STEP.get() > len(steps):  # fewer words than before (a shorter run, or the text ended): show the last
        STEP.set(len(steps))
    st.html(_text_html(prompt.tokens, [(s.word, s.prob) for s in steps], STEP.get()))
    if len(steps) > 1:
        st.slider("Show the step that chose word", 1, len(steps), key=STEP.name)
    shown = steps[STEP.get() - 1]
    st.markdown(
        f"**Word {STEP.get()}**, after “{md_escape(' '.join(shown.view.context))}” (the model sees the last "
        f"{m.context} words): {'the most probable,' if greedy else 'drawn:'} **{md_escape(shown.word)}**, "
        f"p = {fmt(shown.prob)}."
    )
    _chart_with_metrics(shown.view, "nt_pipeline_chart", shown.index)


# ---- score a sentence -------------------------------------------------------------------------------------------
def _word_links(score: SentenceScore) -> str:
    links = []
    for i, w in enumerate(score.words):
        href = html_escape("./?" + urlencode({**playground_query(score, i), **present.url_value()}))
        links.append(
            f'<a class="nt-link" href="{href}" target="_self" title="Open this step in the Playground">'
            f"{html_escape(w.word)}<small>CE {html_escape(fmt(w.ce, 3))}</small></a>"
        )
    return f'<nav class="nt-links" aria-label="Open a word in the Playground">{"".join(links)}</nav>'


def score_tab() -> None:
    m = model()
    st.text_input("Sentence", max_chars=MAX_TEXT, key=SENTENCE.name)
    try:
        score = score_sentence(m, SENTENCE.get())
    except ValueError as err:
        st.info(md_escape(str(err).capitalize()) + ".", icon=":material/edit:")
        return
    _prompt_notes(score.notes)
    n = len(score.words)
    st.caption(
        "Teacher forcing: each word is predicted from the true words before it (at T = 1, no filters: the loss "
        "the model was trained on). The sentence ends with </s>, which the model must predict too."
    )
    total, mean, ppl = st.columns(3)
    total.metric("Total cross-entropy", f"{fmt(score.total)} nats")
    mean.metric("Mean per word", f"{fmt(score.mean)} nats")
    ppl.metric("Perplexity e^mean", fmt(score.perplexity), help="As unsure as a fair choice between this many words.")
    chart(sentence_chart(score, style()), "nt_sentence_chart")
    st.html(
        '<p class="nt-formulas" aria-label="The formulas with this sentence\'s numbers">'
        "CE<sub>t</sub> = −ln p(w<sub>t</sub> | w<sub>&lt;t</sub>)<br>"
        f"total = Σ<sub>t=1…{n}</sub> CE<sub>t</sub> = {fmt(score.total)} nats<br>"
        f"mean = {fmt(score.total)} / {n} = {fmt(score.mean)} nats<br>"
        f"perplexity = e<sup>mean</sup> = e<sup>{fmt(score.mean)}</sup> = {fmt(score.perplexity)}</p>"
    )
    st.markdown("**Open a word in the Playground**: the same step as a classifier you can drag.")
    st.html(_word_links(score))
    st.caption(
        f"The Playground gets the 8 most likely words, the true word if it is not among them, and “{EVERYTHING_ELSE}”,"
        " whose logit is the log-sum-exp of all the other words' logits: so p(true word) and the loss are the"
        " same there as here. Logits are shifted so that the largest is 0 (softmax does not change)."
    )


# ---- your own logits --------------------------------------------------------------------------------------------
def _take(text: str, source: str) -> None:
    try:
        OWN.set(logits_file.read_logits(text, filename=source))
        OWN_SOURCE.set(source or "pasted text")
        OWN_ERROR.set("")
    except ValueError as err:
        OWN_ERROR.set(f"{source or 'The pasted text'}: {err}. The logits shown are still the last good ones.")


def _read_paste() -> None:
    _take(PASTE.get(), "")


def _read_upload() -> None:
    f = st.session_state.get(UPLOAD)
    if f is None:
        return
    name = str(f.name)[:80]
    try:
        text = f.getvalue().decode("utf-8")
    except UnicodeDecodeError as err:
        OWN_ERROR.set(
            f"{name}: not UTF-8 text (byte {err.start + 1:,}). The logits shown are still the last good ones."
        )
        return
    _take(text, name)


def _example() -> None:
    """The shipped model's next-word logits after the prompt, as JSON (what the snippet writes for GPT-2)."""
    m = model()
    text = logits_file.to_json(m.vocabulary, next_logits(m, read_prompt(PROMPT.get(), m.vocabulary).ids))
    PASTE.set(text)
    _take(text, "")
    OWN_SOURCE.set(f"this page's model after “{PROMPT.get()}”")


def own_tab() -> None:
    st.markdown(
        f'Any model\'s next-token logits, as JSON (`{{"token": logit, …}}`) or CSV (token, logit): up to '
        f"{logits_file.MAX_ROWS:,} rows, {logits_file.MAX_BYTES // 2**20} MB. GPT-2 has 50,257 tokens."
    )
    paste, upload = st.columns(2)
    with paste:
        st.text_area(
            "Paste JSON or CSV", key=PASTE.name, height=140, max_chars=logits_file.MAX_BYTES, on_change=_read_paste
        )
        b1, b2 = st.columns(2)
        b1.button("Read pasted logits", key=READ, on_click=_read_paste, width="stretch")
        b2.button(
            "Load this page's model",
            key=EXAMPLE,
            on_click=_example,
            width="stretch",
            help="The shipped model's logits for the Generate tab's prompt, as JSON.",
        )
    with upload:
        st.file_uploader("Or upload a file", type=["json", "csv", "tsv", "txt"], key=UPLOAD, on_change=_read_upload)
    with st.expander("How to export logits from a transformers model"):
        st.code(logits_file.example_snippet(), language="python")
    if OWN_ERROR.get():
        st.error(md_escape(OWN_ERROR.get()), icon=":material/error:")
    own = OWN.get()
    if own is None:
        st.info("No logits yet: paste or upload some, or load this page's model.", icon=":material/upload:")
        return
    st.caption(md_escape(f"From {OWN_SOURCE.get()}. " + " ".join(own.notes)))
    view = logits_view(own.logits, own.tokens, **settings())  # type: ignore[arg-type]
    best = own.tokens[int(greedy_choice(view.probs))]
    drawn = own.tokens[int(sample(view.probs, int(SEED.get())))]
    st.markdown(
        f"Greedy picks **{md_escape(repr(best))}**; sampled with seed {int(SEED.get())}: **{md_escape(repr(drawn))}** "
        "(tokens are quoted: a leading space is part of one)."
    )
    _chart_with_metrics(view, "nt_own_chart")


FACTS = ", ".join(f".st-key-{key}_facts" for key in ("nt_pipeline_chart", "nt_own_chart"))
CSS = """<style>
.nt-text { font-size: 1.25rem; line-height: 2.6; margin: 0.3rem 0; overflow-wrap: anywhere; }
.nt-prompt { font-weight: 600; }
.nt-word, .nt-link { display: inline-flex; flex-direction: column; align-items: center; line-height: 1.2;
  padding: 0.1rem 0.35rem; margin: 0 0.1rem; border-radius: 0.3rem; border: 1px solid rgba(128,128,128,0.35); }
.nt-word small, .nt-link small { font-size: 0.7em; opacity: 0.85; font-variant-numeric: tabular-nums; }
.nt-word[aria-current] { border: 2px solid currentColor; font-weight: 700; }
@media (max-width: 640px) {  /* the four numbers two by two, not one per screenful */
  :is(FACTS) [data-testid="stHorizontalBlock"] { flex-wrap: wrap !important; gap: 0.5rem 1rem !important; }
  :is(FACTS) [data-testid="stColumn"] {
    flex: 1 1 calc(50% - 1rem) !important; min-width: calc(50% - 1rem) !important; }
  :is(FACTS) [data-testid="stMetricValue"] { font-size: 1.6rem; }
}
.nt-formulas { font-size: 1.1rem; line-height: 1.8; margin: 0.4rem 0 0.8rem; font-variant-numeric: tabular-nums; }
.nt-links { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.2rem 0 0.6rem; }
.nt-link { min-height: 44px; min-width: 44px; justify-content: center; text-decoration: none; font-size: 1.1rem; }
.nt-link:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
</style>""".replace("FACTS", FACTS)


def show() -> None:
    """The page's body under its title: the settings, then the three tabs."""
    for key in (*TEXTS, MODE):
        key.setdefault()  # before their widgets, which would start empty
    st.html(CSS)
    controls()
    gen, score, own = st.tabs(["Generate", "Score a sentence", "Your own logits"])
    with gen:
        generate_tab()
    with score:
        score_tab()
    with own:
        own_tab()
