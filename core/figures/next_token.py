"""The Next-token page's charts: the decoding pipeline for one word, and a sentence's loss word by word.

Builders only lay out numbers computed by :mod:`core.next_token_views`: no softmax and no loss here.
Which stage removed a token is told by its bar's pattern and by words on the bar, never by colour alone.
"""

from __future__ import annotations

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
from core.next_token_views import SentenceScore, StepView
from core.text import fmt

__all__ = ["PIPELINE_TITLE", "SENTENCE_TITLE", "STAGE_LABELS", "pipeline_chart", "sentence_chart"]

PIPELINE_TITLE = "Next word: raw probability and what each stage keeps"
SENTENCE_TITLE = "Cross-entropy of each word  −ln p(word)"
STAGE_LABELS = {"temperature": "÷ temperature", "top_k": "top-k", "top_p": "top-p", "min_p": "min-p"}
_PATTERN = {None: "", "top_k": "x", "top_p": "/", "min_p": "."}


def _removed(by: str | None) -> str:
    return "kept" if by is None else f"removed by {STAGE_LABELS[by]}"


def pipeline_chart(view: StepView, style: FigureStyle, chosen: int | None = None) -> Chart:
    """The top tokens, one row each: the raw probability (pale bar, patterned by the stage that removed the
    token) and the final renormalised probability (solid bar, 0 when removed), each row labelled in words.

    ``chosen`` (a vocabulary index) is the word drawn at this step: its label is bold and its row says "chosen".
    """
    rows = view.rows
    words = [r.word for r in rows]
    ticks = [
        f"<b>{plotly_text(s)}</b>" if r.index == chosen else plotly_text(s)
        for s, r in zip(short_names(words), rows, strict=True)
    ]
    y = list(range(len(rows)))
    raw = [r.raw_prob for r in rows]
    final = [r.final_prob for r in rows]
    state = [_removed(r.removed_by) + (" · chosen" if r.index == chosen else "") for r in rows]
    raw_trace: Spec = {
        "type": "bar",
        "orientation": "h",
        "name": "raw p = softmax(z)",
        "x": raw,
        "y": y,
        "marker": {
            "color": "rgba(128,128,128,0.35)",
            "line": {"color": INK, "width": 1},
            "pattern": {"shape": [_PATTERN[r.removed_by] for r in rows], "fgcolor": INK, "solidity": 0.3},
        },
        "customdata": [[plotly_text(w), s] for w, s in zip(words, state, strict=True)],
        "hovertemplate": "raw p(%{customdata[0]}) = %{x:.6f}<br>%{customdata[1]}<extra></extra>",
    }
    final_trace: Spec = {
        "type": "bar",
        "orientation": "h",
        "name": "final p (after the filters, renormalised)",
        "x": final,
        "y": y,
        "marker": {"color": style.other},
        "customdata": [plotly_text(w) for w in words],
        "hovertemplate": "final p(%{customdata}) = %{x:.6f}<extra></extra>",
    }
    top = max([*raw, *final, 1e-9])
    # each row's words as an annotation beside its longer bar, at the chart's text size (a bar's own outside text
    # is shrunk to fit half a row)
    labels: list[Spec] = [
        {
            "x": max(r, f),
            "y": i,
            "xanchor": "left",
            "xshift": 4,
            "showarrow": False,
            "text": f"{fmt(f)} · {s}",
            "font": {"color": INK, "size": style.font_size - 4},
        }
        for i, (r, f, s) in enumerate(zip(raw, final, state, strict=True))
    ]
    masses = "; ".join(
        f"{STAGE_LABELS[s.name]}: {s.kept} of {view.vocab_size} tokens, mass {fmt(s.mass)}" for s in view.stages
    )
    layout = base_layout(
        style,
        "next_token_pipeline",
        PIPELINE_TITLE,
        height=bars_height(style, len(rows)) + 40,
        barmode="group",
        showlegend=True,
        legend=legend(style),
        annotations=labels,
        xaxis=axis(style, range=[0, 1.6 * top], title={"text": "probability"}),
        yaxis=axis(
            style, tickmode="array", tickvals=y, ticktext=ticks, autorange="reversed", automargin=True, showgrid=False
        ),
    )
    settings = (
        f"T = {fmt(view.temperature)}, top-k = {view.top_k or 'off'}, top-p = {fmt(view.top_p)}, "
        f"min-p = {fmt(view.min_p)}"
    )
    alt = (
        f"Bar chart of the {len(rows)} most probable next words ({settings}). "
        + "; ".join(
            f"{r.word}: raw {fmt(r.raw_prob)}, {st}, final {fmt(r.final_prob)}"
            for r, st in zip(rows, state, strict=True)
        )
        + f". Kept per stage: {masses}. Entropy {fmt(view.entropy)} nats, "
        f"effective choices e^H = {fmt(view.effective_choices)}."
    )
    tokens = Table(
        PIPELINE_TITLE,
        ("word", "logit", "raw p", "p after ÷ T", "stage", "final p"),
        tuple(
            (r.word, fmt(r.logit), fmt(r.raw_prob), fmt(r.scaled_prob), st, fmt(r.final_prob))
            for r, st in zip(rows, state, strict=True)
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
    return Chart({"data": [raw_trace, final_trace], "layout": layout}, alt, (tokens, stages, summary))


def sentence_chart(score: SentenceScore, style: FigureStyle) -> Chart:
    """One bar per word: its cross-entropy −ln p(word) in nats, with a dashed line at the mean."""
    words = [w.word for w in score.words]
    ce = [w.ce for w in score.words]
    x = list(range(len(words)))
    ticks = [plotly_text(s) for s in short_names(words)]
    trace: Spec = {
        "type": "bar",
        "name": "−ln p(word)",
        "x": x,
        "y": ce,
        "marker": {"color": style.other},
        "text": [fmt(c) for c in ce],
        "textposition": "outside",
        "cliponaxis": False,
        "customdata": [[plotly_text(w.word), fmt(w.prob)] for w in score.words],
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
    top = max([*ce, score.mean, 1e-9])
    layout = base_layout(
        style,
        "next_token_sentence",
        SENTENCE_TITLE,
        xaxis=axis(style, tickmode="array", tickvals=x, ticktext=ticks, showgrid=False),
        yaxis=axis(style, range=[0, 1.2 * top], title={"text": "nats"}),
        showlegend=True,
        legend=legend(style),
    )
    alt = (
        f"Bar chart of the cross-entropy of each of {len(words)} words. "
        + "; ".join(f"{w.word}: p = {fmt(w.prob)}, CE = {fmt(w.ce)}" for w in score.words)
        + f". Total {fmt(score.total)} nats, mean {fmt(score.mean)} nats (dashed line), "
        f"perplexity e^mean = {fmt(score.perplexity)}."
    )
    per_word = Table(
        SENTENCE_TITLE,
        ("#", "word", "p(word)", "CE (nats)"),
        tuple((str(w.position + 1), w.word, fmt(w.prob), fmt(w.ce)) for w in score.words),
    )
    totals = Table(
        "The sentence",
        ("total CE (nats)", "mean CE (nats)", "perplexity e^mean"),
        ((fmt(score.total), fmt(score.mean), fmt(score.perplexity)),),
    )
    return Chart({"data": [trace, mean_line], "layout": layout}, alt, (per_word, totals))
