"""The Next-token page's charts: the decoding pipeline for one word, and a sentence's loss word by word.

Builders only lay out numbers computed by :mod:`core.next_token_views`: no softmax and no loss here.
Which stage removed a token is told by its bar's pattern and by words beside the bar, never by colour alone.
Labels are one text trace per chart at a fixed size (Plotly shrinks a bar's own text to fit the bar, to 5 to
8 px on a phone) and draws one trace far faster than one annotation per label.
"""

from __future__ import annotations

import math

from core.figures.style import (
    INK,
    Chart,
    FigureStyle,
    Spec,
    Table,
    axis,
    bars_height,
    base_layout,
    legend,
    plotly_text,
    short_names,
)
from core.next_token_views import SentenceScore, StepView, TokenRow
from core.text import fmt

__all__ = [
    "MAX_SENTENCE_LABELS",
    "PIPELINE_TITLE",
    "SENTENCE_TITLE",
    "STAGE_LABELS",
    "pipeline_chart",
    "sentence_chart",
    "visible_whitespace",
]

PIPELINE_TITLE = "Next word: p = softmax(z / T) and what each stage keeps"
SENTENCE_TITLE = "Cross-entropy of each word  −ln p(word)"
STAGE_LABELS = {"temperature": "÷ temperature", "top_k": "top-k", "top_p": "top-p", "min_p": "min-p"}
SCALED_NAME = "p = softmax(z / T)"
FINAL_NAME = "final p (kept, renormalised)"
TIED = "kept (tied with the k-th)"
MAX_SENTENCE_LABELS = 15
"""A sentence of more words than this has no number over its bars (the table and the word links carry them)."""
_PATTERN = {None: "", "top_k": "x", "top_p": "/", "min_p": "."}
# The pipeline chart's bars take the left part of the plot and the rows' labels a column on the right, so a label
# never runs into a bar or past the chart's edge, whatever the bars' lengths and the screen's width.
_BAR_SHARE = 0.45
_LABEL_GAP = 0.03


# ---- whitespace -----------------------------------------------------------------------------------------------
_LINE_BREAKS = ("\r\n", "\n", "\r", "\u2028", "\u2029")
_TAB, _NEWLINE, _SPACE = "⇥", "⏎", "␣"


def visible_whitespace(token: str) -> str:
    """``token`` with the whitespace a label would hide made visible: leading and trailing spaces as ``␣``, each
    tab as ``⇥``, each line break as ``⏎`` (spaces between words stay). Words without whitespace are unchanged.

    >>> [visible_whitespace(t) for t in (" the", "   ", "\\t", "new\\nline", "cat", "New York ", "\\r\\n")]
    ['␣the', '␣␣␣', '⇥', 'new⏎line', 'cat', 'New York␣', '⏎']
    """
    text = token.replace("\t", _TAB)
    for brk in _LINE_BREAKS:
        text = text.replace(brk, _NEWLINE)
    body = text.strip()
    if body == text:
        return text
    if not body:
        return _SPACE * len(text)
    start = text.index(body[0])
    end = len(text) - len(body) - start
    return _SPACE * start + body + _SPACE * end


def _shown(words: list[str]) -> list[str]:
    """Words as an axis shows them: whitespace visible, long ones shortened, markup-safe."""
    return [plotly_text(s) for s in short_names([visible_whitespace(w) for w in words])]


# ---- the decoding pipeline -----------------------------------------------------------------------------------------
def _stage_words(row: TokenRow) -> str:
    """What the filters did to ``row``, in words: "kept", "kept (tied with the k-th)", "removed by top-p" ..."""
    if row.removed_by is not None:
        return f"removed by {STAGE_LABELS[row.removed_by]}"
    return TIED if row.top_k_tie else "kept"


def _row_label(row: TokenRow, chosen: int | None) -> str:
    """A row's label, two short lines (a phone has room for little more beside the bars):
    "0.137 → 0.158 · chosen" then "kept"."""
    numbers = f"{fmt(row.scaled_prob, 3)} → {fmt(row.final_prob, 3)}"
    return numbers + (" · chosen" if row.index == chosen else "") + "<br>" + plotly_text(_stage_words(row))


def pipeline_chart(view: StepView, style: FigureStyle, chosen: int | None = None) -> Chart:
    """The top tokens, one row each: ``p = softmax(z / T)`` (pale bar, patterned by the stage that removed the
    token: what top-p and min-p act on) and the final renormalised probability (solid bar, 0 when removed). In a
    column right of the bars each row says both numbers, then what happened: "0.137 → 0.158" over "kept", "0.021
    → 0" over "removed by top-p", "kept (tied with the k-th)" for a token top-k kept only for its tie.

    ``chosen`` (a vocabulary index) is the word drawn at this step: its label is bold and its row says "chosen".
    The raw probability ``softmax(z)`` (T = 1) is in the hover, the alt text and "Show the numbers".
    """
    rows = view.rows
    words = [r.word for r in rows]
    visible = [visible_whitespace(w) for w in words]
    ticks = [f"<b>{s}</b>" if r.index == chosen else s for s, r in zip(_shown(words), rows, strict=True)]
    y = list(range(len(rows)))
    scaled = [r.scaled_prob for r in rows]
    final = [r.final_prob for r in rows]
    state = [_stage_words(r) + (" · chosen" if r.index == chosen else "") for r in rows]
    hover_words = [plotly_text(w) for w in visible]
    scaled_trace: Spec = {
        "type": "bar",
        "orientation": "h",
        "name": SCALED_NAME,
        "x": scaled,
        "y": y,
        "marker": {
            "color": "rgba(128,128,128,0.35)",
            "line": {"color": INK, "width": 1},
            "pattern": {"shape": [_PATTERN[r.removed_by] for r in rows], "fgcolor": INK, "solidity": 0.3},
        },
        "customdata": [[w, fmt(r.raw_prob), s] for w, r, s in zip(hover_words, rows, state, strict=True)],
        "hovertemplate": "p(%{customdata[0]}) = softmax(z / T) = %{x:.6f}<br>"
        "raw p = softmax(z) = %{customdata[1]}<br>%{customdata[2]}<extra></extra>",
    }
    final_trace: Spec = {
        "type": "bar",
        "orientation": "h",
        "name": FINAL_NAME,
        "x": final,
        "y": y,
        "marker": {"color": style.other},
        "customdata": hover_words,
        "hovertemplate": "final p(%{customdata}) = %{x:.6f}<extra></extra>",
    }
    top = max([*scaled, *final, 1e-9])
    # the labels: a column right of the bars (its own x axis), at the chart's text size
    labels: Spec = {
        "type": "scatter",
        "mode": "text",
        "xaxis": "x2",
        "x": [0] * len(rows),
        "y": y,
        "text": [_row_label(r, chosen) for r in rows],
        "textposition": "middle right",
        "textfont": {"color": INK, "size": style.font_size - 4},
        "cliponaxis": False,
        "showlegend": False,
        "hoverinfo": "skip",
    }
    masses = "; ".join(
        f"{STAGE_LABELS[s.name]}: {s.kept} of {view.vocab_size} tokens, mass {fmt(s.mass)}" for s in view.stages
    )
    label_size = style.font_size - 4
    layout = base_layout(
        style,
        "next_token_pipeline",
        PIPELINE_TITLE,
        # each row holds two lines of label text (and two bars)
        height=max(bars_height(style, len(rows)), 130 + round(2.9 * label_size) * len(rows)) + 40,
        barmode="group",
        showlegend=True,
        legend=legend(style),
        xaxis=axis(style, domain=[0, _BAR_SHARE], range=[0, min(1.05 * top, 1.0)], title={"text": "probability"}),
        xaxis2=axis(
            style, domain=[_BAR_SHARE + _LABEL_GAP, 1], range=[0, 1], anchor="y", visible=False, showgrid=False
        ),
        yaxis=axis(
            style, tickmode="array", tickvals=y, ticktext=ticks, autorange="reversed", automargin=True, showgrid=False
        ),
    )
    settings = (
        f"T = {fmt(view.temperature)}, top-k = {view.top_k or 'off'}, top-p = {fmt(view.top_p)}, "
        f"min-p = {fmt(view.min_p)}"
    )
    alt = (
        f"Bar chart of the {len(rows)} most probable next words ({settings}): for each, p = softmax(z / T) "
        "before the filters, then the final p after them. "
        + "; ".join(
            f"{w}: raw {fmt(r.raw_prob)}, after ÷ T {fmt(r.scaled_prob)} → final {fmt(r.final_prob)}, {st}"
            for w, r, st in zip(visible, rows, state, strict=True)
        )
        + f". Kept per stage: {masses}. Entropy {fmt(view.entropy)} nats, "
        f"effective choices e^H = {fmt(view.effective_choices)}."
    )
    tokens = Table(
        PIPELINE_TITLE,
        ("word", "logit", "raw p = softmax(z)", "p after ÷ T", "stage", "final p"),
        tuple(
            (w, fmt(r.logit), fmt(r.raw_prob), fmt(r.scaled_prob), st, fmt(r.final_prob))
            for w, r, st in zip(visible, rows, state, strict=True)
        ),
    )
    stages = Table(
        "Mass kept by each stage (under softmax(z / T))",
        ("stage", "tokens kept", "mass kept"),
        tuple((STAGE_LABELS[s.name], str(s.kept), fmt(s.mass)) for s in view.stages),
    )
    summary = Table(
        "The final distribution",
        ("entropy H (nats)", "effective choices e^H"),
        ((fmt(view.entropy), fmt(view.effective_choices)),),
    )
    return Chart({"data": [scaled_trace, final_trace, labels], "layout": layout}, alt, (tokens, stages, summary))


# ---- a sentence's loss ---------------------------------------------------------------------------------------------
_NARROWEST_PLOT = 280
"""px: the sentence chart's plotting width on a phone (390 px wide), the narrowest it is drawn at."""


def _plot_height(style: FigureStyle) -> float:
    """A low estimate of the sentence chart's plotting height in px: its height less the title, the word ticks
    (turned on a phone) and the legend."""
    return style.height - round(2.6 * style.font_size) - 8 - 6.5 * style.font_size


def _ce_text(ce: float) -> str:
    """A bar's number, short enough to sit over its bar on a phone: two decimals, and "≈ 0" for a loss that
    rounds to 0.00 (the table has every digit).

    >>> [_ce_text(c) for c in (14.6912, 0.7801, 0.0149, 0.0036, float("inf"))]
    ['14.69', '0.78', '0.01', '≈ 0', '∞']
    """
    if not math.isfinite(ce):
        return fmt(ce)
    return "≈ 0" if ce < 0.005 else f"{ce:.2f}"


def _ce_labels(ce: list[float], mean: float, style: FigureStyle) -> tuple[list[float], float]:
    """Where each bar's number goes (the middle of its text, in nats) and the y axis' top.

    A number sits just above its bar; above the mean line instead where it would cross it; and above the number
    before it where the two would touch at the narrowest width the chart is drawn at. The axis reaches over the
    highest. Label sizes in nats follow from the axis' own range, so it is found in a few rounds.
    """
    size = style.font_size - 4
    plot = _plot_height(style)
    slot = _NARROWEST_PLOT / max(len(ce), 1)  # px between two bars' centres
    half = [0.25 * size * len(_ce_text(c)) + 2 for c in ce]  # half a number's width in px (a digit is ~0.46 em)
    tall_px, pad_px = 1.3 * size, 3.0
    top = max([*ce, mean, 1e-9])
    y_max = top / (1 - (tall_px + 2 * pad_px) / plot)
    bottoms: list[float] = []
    for _ in range(8):
        tall, pad = tall_px * y_max / plot, pad_px * y_max / plot
        bottoms = []
        for j, c in enumerate(ce):
            y = c + pad
            while True:
                before = y
                if y - pad < mean < y + tall + pad:  # it would cross the mean line: just above it
                    y = mean + pad
                b = bottoms[-1] if bottoms else -math.inf  # the number before, if close enough to touch: go over it
                if slot < half[j] + half[j - 1] and b < y + tall and y < b + tall:
                    y = b + tall
                if y == before:
                    break
            bottoms.append(y)
        needed = max([top, *(b + tall for b in bottoms)]) + pad
        if needed <= y_max:
            break
        y_max = needed
    tall = tall_px * y_max / plot
    return [b + tall / 2 for b in bottoms], y_max


def sentence_chart(score: SentenceScore, style: FigureStyle) -> Chart:
    """One bar per word: its cross-entropy −ln p(word) in nats, with a dashed line at the mean.

    Each bar has its number above it at a fixed size (up to :data:`MAX_SENTENCE_LABELS` words), moved above the
    mean line where it would cross it; the line's value is in the legend.
    """
    words = [w.word for w in score.words]
    visible = [visible_whitespace(w) for w in words]
    ce = [w.ce for w in score.words]
    x = list(range(len(words)))
    trace: Spec = {
        "type": "bar",
        "name": "−ln p(word)",
        "x": x,
        "y": ce,
        "marker": {"color": style.other},
        "customdata": [[plotly_text(v), fmt(w.prob)] for v, w in zip(visible, score.words, strict=True)],
        "hovertemplate": "%{customdata[0]}: p = %{customdata[1]}, CE = %{y:.4f} nats<extra></extra>",
    }
    mean_line: Spec = {  # a trace, so that its label sits in the legend and never on a bar's number
        "type": "scatter",
        "mode": "lines",
        "name": f"mean {fmt(score.mean)} nats",
        "x": [-0.5, len(words) - 0.5],
        "y": [score.mean, score.mean],
        "line": {"color": style.curve, "width": 2, "dash": "dash"},
        "hoverinfo": "skip",
    }
    data = [trace, mean_line]
    if len(words) <= MAX_SENTENCE_LABELS:
        at, y_max = _ce_labels(ce, score.mean, style)
        data.append(
            {
                "type": "scatter",
                "mode": "text",
                "x": x,
                "y": at,
                "text": [_ce_text(c) for c in ce],
                "textposition": "middle center",
                "textfont": {"color": INK, "size": style.font_size - 4},
                "cliponaxis": False,
                "showlegend": False,
                "hoverinfo": "skip",
            }
        )
    else:
        y_max = 1.08 * max([*ce, score.mean, 1e-9])
    layout = base_layout(
        style,
        "next_token_sentence",
        SENTENCE_TITLE,
        xaxis=axis(style, tickmode="array", tickvals=x, ticktext=_shown(words), showgrid=False),
        yaxis=axis(style, range=[0, y_max], title={"text": "nats"}),
        showlegend=True,
        legend=legend(style),
    )
    alt = (
        f"Bar chart of the cross-entropy of each of {len(words)} words. "
        + "; ".join(f"{v}: p = {fmt(w.prob)}, CE = {fmt(w.ce)}" for v, w in zip(visible, score.words, strict=True))
        + f". Total {fmt(score.total)} nats, mean {fmt(score.mean)} nats (dashed line), "
        f"perplexity e^mean = {fmt(score.perplexity)}."
    )
    per_word = Table(
        SENTENCE_TITLE,
        ("#", "word", "p(word)", "CE (nats)"),
        tuple((str(w.position + 1), v, fmt(w.prob), fmt(w.ce)) for v, w in zip(visible, score.words, strict=True)),
    )
    totals = Table(
        "The sentence",
        ("total CE (nats)", "mean CE (nats)", "perplexity e^mean"),
        ((fmt(score.total), fmt(score.mean), fmt(score.perplexity)),),
    )
    return Chart({"data": data, "layout": layout}, alt, (per_word, totals))
