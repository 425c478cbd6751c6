"""The Next-token page's live area: the generated text and the pipeline of the step shown.

One function, two callers (as for every panel): the page on a rerun, and the live route while a decoding setting
(temperature, top-k, top-p, min-p) is being changed, so the chart follows a slider without a rerun. The settings
and the run come in ``extra``, checked here (the live route passes a browser's message on untouched):

``{"t": 1.0, "k": 0, "p": 1.0, "min_p": 0.0, "prompt": "when the cat is", "greedy": false, "seed": 1, "n": 10,
"step": 1}``

Slots: ``text`` (the prompt and each generated word with its probability, the shown word marked, and a line on
that step), ``facts`` (words kept, probability kept, H, e^H) and ``pipeline`` (the pipeline chart). ``state`` holds the
number of words generated and the step shown (a step past the end shows the last).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from core.figures.next_token import pipeline_chart
from core.figures.style import PRESENT_STYLE, FigureStyle
from core.lm import NeuralLM, load
from core.next_token import greedy, sample
from core.next_token_views import (
    GeneratedStep,
    SentenceScore,
    StepView,
    generate,
    logits_view,
    read_prompt,
    score_sentence,
)
from core.panels.parts import Panel, Part, bounded, chart, esc, html_block, metric, metrics, panel
from core.scenario import Scenario
from core.text import fmt

__all__ = [
    "MAX_PROMPT",
    "MAX_WORDS",
    "MODEL_PATH",
    "PAGE",
    "RANGES",
    "Settings",
    "next_token_panel",
    "own_logits_panel",
    "scored_sentence",
    "settings_key",
    "shipped_model",
    "stage_metrics",
]

PAGE = "next_token"
MODEL_PATH = Path(__file__).resolve().parents[2] / "assets" / "lm" / "next_token.npz"
MAX_PROMPT = 200
"""Longest prompt (characters)."""
MAX_WORDS = 30
"""Most words the page generates in one run."""
PRESENT_ROWS = 10
"""Rows of the pipeline chart on a projector (larger type): it fits beside the text on one screen."""
SETTINGS = frozenset({"t", "k", "p", "min_p", "prompt", "greedy", "seed", "n", "step"})


@cache
def shipped_model() -> NeuralLM:
    """The model that ships with the project, read once per process (0.9 MB)."""
    return load(MODEL_PATH)


@dataclass(frozen=True)
class Settings:
    """The page's decoding settings and its run (see the module docstring)."""

    t: float = 1.0
    k: int = 0
    p: float = 1.0
    min_p: float = 0.0
    prompt: str = ""
    greedy: bool = False
    seed: int = 1
    n: int = 10
    step: int = 1


RANGES: dict[str, tuple[int | float, int | float]] = {
    "t": (0.05, 5.0),
    "k": (0, 100_000),
    "p": (0.01, 1.0),
    "min_p": (0.0, 1.0),
    "seed": (0, 999_999),
    "n": (1, MAX_WORDS),
    "step": (1, MAX_WORDS),
}
"""Every setting's range: the page's URL and widgets, and the checks here, all read it."""
WHOLE = frozenset({"k", "seed", "n", "step"})


def _setting(extra: Mapping[str, Any], name: str) -> float:
    low, high = RANGES[name]
    value = bounded(extra.get(name), name, low, high)
    if name in WHOLE and value != int(value):
        raise ValueError(f"{name} must be a whole number, got {fmt(value)}")
    return value


def read_settings(extra: Mapping[str, Any]) -> Settings:
    """``extra`` as :class:`Settings`; ``ValueError`` names the first bad or missing field."""
    unknown = set(extra) - SETTINGS
    if unknown:
        raise ValueError(f"unknown settings {sorted(unknown)[:5]}")
    prompt, greedy = extra.get("prompt"), extra.get("greedy")
    if not isinstance(prompt, str) or len(prompt) > MAX_PROMPT:
        raise ValueError(f"prompt must be text of at most {MAX_PROMPT} characters")
    if not prompt.isprintable() and any(not ch.isprintable() and not ch.isspace() for ch in prompt):
        raise ValueError("prompt must be printable text (no control characters or lone surrogates)")
    if not isinstance(greedy, bool):
        raise ValueError("greedy must be true or false")
    return Settings(
        t=_setting(extra, "t"),
        k=int(_setting(extra, "k")),
        p=_setting(extra, "p"),
        min_p=_setting(extra, "min_p"),
        prompt=prompt,
        greedy=greedy,
        seed=int(_setting(extra, "seed")),
        n=int(_setting(extra, "n")),
        step=int(_setting(extra, "step")),
    )


def settings_key(t: float, k: int, p: float, min_p: float) -> str:
    """The four decoding settings as the browser writes them (``ui/next_token_live.js``): ``"1|0|0.9|0"``.

    Each rounded to 6 decimals and written as JavaScript's ``String(number)`` does (the shortest text that reads
    back, no ``.0``), so that a slider's 1.0500000000000003 and 1.05 are one key.
    """

    def js(x: float) -> str:
        r = round(float(x), 6)
        return str(int(r)) if r.is_integer() else repr(r)

    return "|".join(js(v) for v in (t, k, p, min_p))


def stage_metrics(view: StepView) -> Part:
    """Words kept, probability kept, H and e^H of one step (the page's own logits use it too)."""
    return metrics(
        metric("kept", "Words kept", f"{view.kept_count:,} of {view.vocab_size:,}"),
        metric(
            "mass",
            "Probability kept",
            fmt(view.stages[-1].mass),
            help="Mass of the kept words under softmax(z / T), before renormalising them to add up to 1.",
        ),
        metric("entropy", "Entropy H", f"{fmt(view.entropy)} nats", help="Of the final distribution: −Σ p ln p."),
        metric(
            "choices",
            "Effective choices e^H",
            fmt(view.effective_choices),
            help="As uncertain as a fair choice between this many words.",
        ),
    )


@lru_cache(maxsize=64)
def scored_sentence(text: str) -> SentenceScore:
    """:func:`core.next_token_views.score_sentence` by the shipped model, kept per text: the Score tab's numbers do
    not depend on the decoding settings, so a settings change does not score the sentence again."""
    return score_sentence(shipped_model(), text)


def own_logits_panel(
    tokens: tuple[str, ...], logits: Any, *, t: float, k: int, p: float, min_p: float, seed: int, style: FigureStyle
) -> Panel:
    """Your own logits through the same pipeline: slot ``own`` (the numbers and the chart), and in ``state`` the
    token greedy decoding picks and the one the seed draws. ``ValueError`` for what cannot be decoded."""
    view = logits_view(logits, tokens, temperature=t, top_k=k, top_p=p, min_p=min_p)
    return panel(
        PAGE,
        {"own": [stage_metrics(view), chart("nt_own", pipeline_chart(view, style))]},
        {"greedy": tokens[int(greedy(view.probs))], "sampled": tokens[int(sample(view.probs, seed))]},
    )


def _text(prompt: tuple[str, ...], steps: tuple[GeneratedStep, ...], shown: int) -> str:
    """The prompt, then each generated word with its probability; the word whose step is shown is marked."""
    parts = [f'<span class="nt-prompt">{esc(" ".join(prompt) or "<s>")}</span>']
    for i, s in enumerate(steps, start=1):
        mark = ' aria-current="step"' if i == shown else ""
        parts.append(f'<span class="nt-word"{mark}>{esc(s.word)}<small>{esc(fmt(s.prob, 3))}</small></span>')
    return f'<p class="nt-text" aria-label="Generated text, each word with its probability">{" ".join(parts)}</p>'


def next_token_panel(sc: Scenario, extra: Mapping[str, Any], style: FigureStyle) -> Panel:
    """The generated run for ``extra``'s settings and the pipeline of its shown step (the example is not used).

    Deterministic in its settings: the last :data:`CACHED` panels are kept, so a class dragging one slider
    over the same positions (or a page rerun after its live answer) costs a lookup. Callers get a copy.
    """
    del sc  # the page decodes a language model, not the example
    return copy.deepcopy(_panel(read_settings(extra), style))


CACHED = 256


@lru_cache(maxsize=CACHED)
def _panel(s: Settings, style: FigureStyle) -> Panel:
    model = shipped_model()
    prompt = read_prompt(s.prompt, model.vocabulary)
    steps = generate(
        model, prompt.ids, s.n, seed=s.seed, greedy=s.greedy, temperature=s.t, top_k=s.k, top_p=s.p, min_p=s.min_p
    )
    step = min(s.step, len(steps))
    shown = steps[step - 1]
    how = "the most probable," if s.greedy else "drawn:"
    note = (
        f'<p class="nt-step"><b>Word {step}</b>, after “{esc(" ".join(shown.view.context))}” (the model sees the '
        f"last {model.context} words): {how} <b>{esc(shown.word)}</b>, p = {esc(fmt(shown.prob))}.</p>"
    )
    if len(steps) < s.n:  # generate() stops at the end of a sentence
        note += (
            f'<p class="nt-step">The model ended its sentence (&lt;/s&gt;, “end of sentence”) after {len(steps)} of '
            f"the {s.n} words asked for.</p>"
        )
    view = shown.view if style != PRESENT_STYLE else replace(shown.view, rows=shown.view.rows[:PRESENT_ROWS])
    return panel(
        PAGE,
        {
            "text": [html_block("nt_text", _text(prompt.tokens, steps, step) + note)],
            "facts": [stage_metrics(shown.view)],
            "pipeline": [chart("nt_pipeline", pipeline_chart(view, style, shown.index))],
        },
        {"steps": len(steps), "step": step},
    )
