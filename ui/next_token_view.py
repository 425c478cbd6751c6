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
from typing import Any
from urllib.parse import urlencode

import streamlit as st

from core import logits_file
from core.figures.next_token import sentence_chart
from core.next_token_views import (
    EVERYTHING_ELSE,
    SentenceScore,
    next_logits,
    playground_query,
    read_prompt,
)
from core.panels.next_token import (
    MAX_PROMPT,
    MAX_WORDS,
    PAGE,
    RANGES,
    next_token_panel,
    own_logits_panel,
    scored_sentence,
    settings_key,
    shipped_model,
)
from core.panels.parts import Panel
from core.query import snap_to_step
from core.scenario import Scenario
from core.text import fmt
from ui import live_panel, present
from ui.chart import chart
from ui.escape import html_escape, md_escape
from ui.frame import PageParams
from ui.present import style
from ui.session import Key

_HERE = Path(__file__).parent
MAX_TEXT = MAX_PROMPT
"""Longest prompt or sentence read (in characters)."""

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
    {  # every range from core (RANGES), which checks the live route's messages by the same numbers
        key.name: (RANGES[name], key.default)
        for name, key in (("t", T), ("k", K), ("p", P), ("min_p", MIN_P), ("seed", SEED), ("n", N), ("step", STEP))
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


# ---- the decoding settings ---------------------------------------------------------------------------------------
def controls() -> None:
    """Temperature, top-k, top-p and min-p: every tab's pipeline uses them (the Score tab scores at T = 1)."""
    t, k, p, mp = st.columns(4)
    with t:
        st.slider(
            "Temperature T",
            *RANGES["t"],
            step=0.05,
            key=T.name,
            help="Every logit is divided by T before softmax: below 1 sharpens, above 1 flattens.",
        )
    with k:
        st.number_input(
            "Top-k (0 = off)",
            min_value=int(RANGES["k"][0]),
            max_value=int(RANGES["k"][1]),
            step=1,
            key=K.name,
            help="Keep the k most probable words (words tied with the k-th stay too).",
        )
    with p:
        st.slider(
            "Top-p (1 = off)",
            *RANGES["p"],
            step=0.01,
            key=P.name,
            help="Keep the fewest most probable words whose probabilities add up to at least p (nucleus).",
        )
    with mp:
        st.slider(
            "Min-p (0 = off)",
            *RANGES["min_p"],
            step=0.01,
            key=MIN_P.name,
            help="Drop every word less probable than min-p × the most probable word's probability.",
        )
    st.caption(
        "In this order, as Hugging Face transformers applies them: ÷ T, top-k, top-p, min-p, then softmax over "
        "what is left. The most probable word is never removed. One difference: when equal logits straddle "
        "the top-p cut, the first in vocabulary order is kept (transformers leaves that order undefined)."
    )


_live = st.components.v2.component(
    "softmax_explorer.next_token_live",
    html="<span hidden></span>",
    js=(_HERE / "live_client.js").read_text(encoding="utf-8")
    + (_HERE / "next_token_live.js").read_text(encoding="utf-8"),
)


def _live_watch(sc: Scenario, extra: dict[str, Any], key: str) -> None:
    """Sends the decoding settings over the live route while they change (``next_token_live.js``)."""
    _live(
        key="nt_live",
        data={
            "context": live_panel.context(PAGE, sc) | {"logits": list(sc.logits)},
            "extra": extra,
            "key": key,
            "kMax": RANGES["k"][1],
        },
    )


# ---- generate ---------------------------------------------------------------------------------------------------
def _prompt_notes(notes: tuple[str, ...]) -> None:
    for note in notes:
        st.info(md_escape(note), icon=":material/info:")


def generate_tab(sc: Scenario) -> None:
    m = shipped_model()
    prompt_box, mode, seed, n = st.columns([4, 2, 1, 1])
    with prompt_box:
        st.text_input(
            "Prompt",
            max_chars=MAX_TEXT,
            key=PROMPT.name,
            help="Lower case; words the model does not know become <unk>.",
        )
    _prompt_notes(read_prompt(PROMPT.get(), m.vocabulary).notes)
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
            min_value=int(RANGES["seed"][0]),
            max_value=int(RANGES["seed"][1]),
            step=1,
            key=SEED.name,
            disabled=greedy,
            help="The same seed and settings draw the same words (the seed is in the address).",
        )
    with n:
        st.number_input("Words", min_value=1, max_value=MAX_WORDS, step=1, key=N.name)
    # the text and its step's numbers beside the chart: a projector shows the word and its pipeline together
    left, right = st.columns([2, 3], gap="large")
    with left:
        shown, key = _text_and_step(sc, greedy)
    with right:
        live_panel.show(shown, "pipeline", key)


def _text_and_step(sc: Scenario, greedy: bool) -> tuple[Panel, str]:
    """The generated text, the step slider and the step's numbers; the live panel and its settings key."""
    extra = {
        "t": float(T.get()),
        "k": int(K.get()),
        "p": float(P.get()),
        "min_p": float(MIN_P.get()),
        "prompt": PROMPT.get(),
        "greedy": greedy,
        "seed": int(SEED.get()),
        "n": int(N.get()),
        "step": int(STEP.get()),
    }
    shown = next_token_panel(sc, extra, style())
    if STEP.get() > shown["state"]["steps"]:  # fewer words than before (a shorter run, or the text ended)
        STEP.set(shown["state"]["steps"])
    key = settings_key(extra["t"], extra["k"], extra["p"], extra["min_p"])
    live_panel.show(shown, "text", key)
    if shown["state"]["steps"] > 1:
        st.slider(
            "Word shown (scrub back to any step)",
            1,
            shown["state"]["steps"],
            key=STEP.name,
            help="Which generated word's step the chart draws: the distribution it was chosen from.",
        )
    live_panel.show(shown, "facts", key)
    _live_watch(sc, extra, key)
    return shown, key


# ---- score a sentence -------------------------------------------------------------------------------------------
def _word_links(score: SentenceScore) -> str:
    links = []
    for i, w in enumerate(score.words):
        href = html_escape("./?" + urlencode({**playground_query(score, i), **present.url_value()}))
        links.append(
            f'<a class="nt-link" href="{href}" target="_blank" rel="noopener" '
            'title="Open this step in the Playground (a new tab: this page stays as it is)">'
            f"{html_escape(w.word)}<small>CE {html_escape(fmt(w.ce, 3))}</small></a>"
        )
    return f'<nav class="nt-links" aria-label="Open a word in the Playground">{"".join(links)}</nav>'


def score_tab() -> None:
    m = shipped_model()
    st.text_input("Sentence", max_chars=MAX_TEXT, key=SENTENCE.name)
    try:
        score = scored_sentence(SENTENCE.get())
    except ValueError as err:
        st.info(md_escape(str(err).capitalize()) + ".", icon=":material/edit:")
        return
    _prompt_notes(score.notes)
    n = len(score.words)
    if (T.get(), K.get(), P.get(), MIN_P.get()) != (T.default, K.default, P.default, MIN_P.default):
        st.info(
            "The decoding settings above do not change this tab: a sentence is scored at T = 1 with no filters, "
            "the loss the model was trained on.",
            icon=":material/info:",
        )
    st.caption(
        "Teacher forcing: each word is predicted from the true words before it (at T = 1, no filters: the loss "
        "the model was trained on). The sentence ends with </s>, which the model must predict too."
    )
    total, mean, ppl = st.columns(3)
    total.metric("Total cross-entropy", f"{fmt(score.total)} nats")
    mean.metric("Mean per word", f"{fmt(score.mean)} nats")
    ppl.metric(
        "Perplexity e^mean",
        fmt(score.perplexity),
        help=f"As unsure as a fair choice between this many words. Guessing evenly among all {len(m.vocabulary)} "
        "words would give exactly that many: more means the model was confidently wrong somewhere.",
    )
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
_KEPT = " The logits shown are still the last good ones."


def _take(text: str, source: str) -> None:
    try:
        OWN.set(logits_file.read_logits(text, filename=source))
        OWN_SOURCE.set(source or "pasted text")
        OWN_ERROR.set("")
    except ValueError as err:
        OWN_ERROR.set(f"{source or 'The pasted text'}: {err}.{_KEPT if OWN.get() is not None else ''}")


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
        OWN_ERROR.set(f"{name}: not UTF-8 text (byte {err.start + 1:,}).{_KEPT if OWN.get() is not None else ''}")
        return
    _take(text, name)


def _example() -> None:
    """The shipped model's next-word logits after the prompt, as JSON (what the snippet writes for GPT-2)."""
    m = shipped_model()
    text = logits_file.to_json(m.vocabulary, next_logits(m, read_prompt(PROMPT.get(), m.vocabulary).ids))
    PASTE.set(text)
    _take(text, "")
    OWN_SOURCE.set(f"this page's model after “{PROMPT.get()}”")


def own_tab() -> None:
    st.markdown(
        f'Any model\'s next-token logits, as JSON (`{{"token": logit, …}}`) or CSV (token, logit): up to '
        f"{logits_file.MAX_ROWS:,} rows, {logits_file.MAX_BYTES // 2**20} MiB ({logits_file.MAX_BYTES / 1e6:.1f} MB). "
        "GPT-2 has 50,257 tokens."
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
    seed = int(SEED.get())
    try:
        own_panel = own_logits_panel(
            own.tokens, own.logits, t=T.get(), k=int(K.get()), p=P.get(), min_p=MIN_P.get(), seed=seed, style=style()
        )
    except ValueError as err:  # core refuses what it cannot compute: say so, keep the page
        st.error(md_escape(f"These logits cannot be decoded at these settings: {err}."), icon=":material/error:")
        return
    best, drawn = own_panel["state"]["greedy"], own_panel["state"]["sampled"]
    st.markdown(
        f"Greedy picks **{md_escape(repr(best))}**; sampled with seed {seed}: **{md_escape(repr(drawn))}** "
        "(tokens are quoted: a leading space is part of one)."
    )
    live_panel.show(own_panel, "own")


CSS = """<style>
.nt-text { font-size: 1.25rem; line-height: 2.6; margin: 0.3rem 0; overflow-wrap: anywhere; }
.nt-prompt { font-weight: 600; }
.nt-word, .nt-link { display: inline-flex; flex-direction: column; align-items: center; line-height: 1.2;
  padding: 0.1rem 0.35rem; margin: 0 0.1rem; border-radius: 0.3rem; border: 1px solid rgba(128,128,128,0.35); }
.nt-word small, .nt-link small { font-size: 0.7em; opacity: 0.85; font-variant-numeric: tabular-nums; }
.nt-word[aria-current] { border: 2px solid currentColor; font-weight: 700; }
.st-key-nt_panel_facts .lp-metric, .st-key-nt_panel_own .lp-metric { flex: 1 1 8rem; }  /* two a row on a phone */
.st-key-nt_panel_facts .lp-value, .st-key-nt_panel_own .lp-value { font-size: 1.5rem; }  /* "550 of 550" on a line
.nt-formulas { font-size: 1.1rem; line-height: 1.8; margin: 0.4rem 0 0.8rem; font-variant-numeric: tabular-nums; }
.nt-links { display: flex; flex-wrap: wrap; gap: 0.4rem; margin: 0.2rem 0 0.6rem; }
.nt-link { min-height: 44px; min-width: 44px; justify-content: center; text-decoration: none; font-size: 1.1rem; }
.nt-link:focus-visible { outline: 3px solid #0072B2; outline-offset: 2px; }
</style>"""


def show(sc: Scenario) -> None:
    """The page's body under its title: the settings, then the three tabs."""
    for key in (*TEXTS, MODE):
        key.setdefault()  # before their widgets, which would start empty
    st.html(CSS)
    controls()
    gen, score, own = st.tabs(["Generate", "Score a sentence", "Your own logits"])
    with gen:
        generate_tab(sc)
    with score:
        score_tab()
    with own:
        own_tab()
