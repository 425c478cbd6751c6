"""Class mode's rules, pure: join codes and nicknames, the questions a room is asked, the answers a student
sends, grading, the room's summary and its CSV.

A question is stored as a small JSON-able *spec* (:func:`spec_about`, :func:`spec_quiz`) and rebuilt by
:func:`build`, deterministically, by every process that needs it: the truth is always computed here (by
:mod:`core.quiz`), never stored or sent by a browser. A student's answer is read by :func:`read_answer`
before it is stored; everything a phone or the projector shows is text written here
(:func:`question_view`, :func:`result_view`, :func:`show_answer`), so the browser only draws it.
"""

from __future__ import annotations

import csv
import io
import math
import secrets
import statistics
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from core.figures.classroom import spread_chart
from core.query import format_number
from core.quiz import LOSS_TOLERANCE, P_TOLERANCE, Question, about, grade, logit_text, question
from core.scenario import Scenario
from core.text import fmt, temperature_rule

__all__ = [
    "ABOUT_KINDS",
    "ABOUT_TITLES",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "CSV_HEADER",
    "LOSS_MAX",
    "MAX_NICKNAME",
    "answer_row",
    "build",
    "check_code",
    "check_nickname",
    "csv_text",
    "loss_max",
    "new_code",
    "question_view",
    "read_answer",
    "result_view",
    "show_answer",
    "spec_about",
    "spec_quiz",
    "spread_chart",
    "summary",
]

# ---- join codes -----------------------------------------------------------------------------------------------

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""The characters of a join code: upper-case letters and digits without the look-alikes 0/O and 1/I/L.

The pairs 5/S, 2/Z and 8/B stay: in upper case, in the projector's sans-serif type and at the size a code is
shown, they read apart, and keeping them gives 31 characters, 31⁶ ≈ 887 million codes (a guesser allowed 10
tries a minute finds one room of a thousand open ones in about 170 years' worth of minutes on average)."""
CODE_LENGTH = 6
CODE_EXAMPLE = "K7M2QX"
_CODE_DROPPED = {"0": "O", "O": "0", "1": "I", "I": "1", "L": "1"}


def new_code() -> str:
    """A random join code (:data:`CODE_LENGTH` characters of :data:`CODE_ALPHABET`, from ``secrets``)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def check_code(text: str) -> str:
    """``text`` as a join code: upper case, spaces and dashes dropped (``"k7m-2qx"`` → ``"K7M2QX"``), or
    ``ValueError`` with a message for the person who typed it."""
    if not isinstance(text, str):
        raise ValueError(f"Type the class code, {CODE_LENGTH} letters and digits like {CODE_EXAMPLE}.")
    code = "".join(ch for ch in text.upper() if not ch.isspace() and ch not in "-‐‑–—")
    if not code:
        raise ValueError(f"Type the class code, {CODE_LENGTH} letters and digits like {CODE_EXAMPLE}.")
    for ch in code:
        if ch not in CODE_ALPHABET:
            if ch in _CODE_DROPPED:
                raise ValueError(
                    f"Class codes never use {ch}: codes have no 0, O, 1, I or L. Check the code on the screen."
                )
            raise ValueError(f"A class code has only letters and digits, like {CODE_EXAMPLE}.")
    if len(code) != CODE_LENGTH:
        raise ValueError(f"A class code has {CODE_LENGTH} characters, like {CODE_EXAMPLE}; this one has {len(code)}.")
    return code


# ---- nicknames --------------------------------------------------------------------------------------------------

MAX_NICKNAME = 24
_ZWJ = "\u200d"


def check_nickname(text: str) -> str:
    """``text`` as a nickname: NFC-normalised and stripped, at most :data:`MAX_NICKNAME` characters, no control,
    format or line-separator characters (a zero-width joiner inside an emoji is allowed), and at least one
    visible character. ``""`` is allowed (anonymous). ``ValueError`` says what is wrong, for the student.

    A nickname is data: every page shows it as text, never as markup.
    """
    if not isinstance(text, str):
        raise ValueError("A nickname is text.")
    name = unicodedata.normalize("NFC", text).strip()
    if not name:
        return ""
    if len(name) > MAX_NICKNAME:
        raise ValueError(f"A nickname has at most {MAX_NICKNAME} characters; this one has {len(name)}.")
    for ch in name:
        cat = unicodedata.category(ch)
        if (cat.startswith("C") and ch != _ZWJ) or cat in ("Zl", "Zp"):
            raise ValueError("A nickname cannot contain control or invisible characters.")
        if cat.startswith("Z") and ch != " ":
            raise ValueError("A nickname can use plain spaces only.")
    if not any(unicodedata.category(ch)[0] in "LNSP" for ch in name):
        raise ValueError("A nickname needs at least one letter, digit or symbol.")
    return name


# ---- questions --------------------------------------------------------------------------------------------------

ABOUT_KINDS: tuple[str, ...] = ("p_true", "loss", "step", "lowest_loss")
"""Questions about the example on screen (the Playground's scenario)."""
ABOUT_TITLES = {
    "p_true": "What is p(true class)?",
    "loss": "What is the loss?",
    "step": "Which class gains after one gradient step?",
    "lowest_loss": "Which logits have the lowest loss?",
}
"""A short title of each question about the example, for the teacher's buttons."""


def spec_about(sc: Scenario, kind: str) -> dict[str, Any]:
    """The stored form of a question of ``kind`` about the example ``sc``."""
    if kind not in ABOUT_KINDS:
        raise ValueError(f"kind must be one of {', '.join(ABOUT_KINDS)}, got {kind!r}")
    return {"source": "example", "kind": kind, "query": sc.to_query()}


def spec_quiz(seed: int, n: int) -> dict[str, Any]:
    """The stored form of question ``n`` of the quiz with ``seed`` (checked by :func:`core.quiz.question`)."""
    question(seed, n)
    return {"source": "quiz", "seed": seed, "n": n}


def build(spec: Mapping[str, Any]) -> Question:
    """The question a spec describes, deterministically; ``ValueError`` for a bad spec."""
    if not isinstance(spec, Mapping):
        raise ValueError(f"a question spec is a mapping, got {type(spec).__name__}")
    source = spec.get("source")
    if source == "quiz":
        seed, n = spec.get("seed"), spec.get("n")
        if not isinstance(seed, int) or not isinstance(n, int):
            raise ValueError(f"a quiz question needs integer seed and n, got {seed!r} and {n!r}")
        return question(seed, n)
    if source == "example":
        kind, query = spec.get("kind"), spec.get("query")
        if kind not in ABOUT_KINDS:
            raise ValueError(f"kind must be one of {', '.join(ABOUT_KINDS)}, got {kind!r}")
        if not isinstance(query, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in query.items()
        ):
            raise ValueError("an example question needs its query as a mapping of text to text")
        sc, problems = Scenario.from_query(query)
        if problems:
            raise ValueError("the example is not valid: " + " ".join(problems))
        return about(sc, str(kind))
    raise ValueError(f"a question's source is 'example' or 'quiz', got {source!r}")


LOSS_MAX = 100.0
"""The largest loss estimate taken (nats), unless the truth is larger: see :func:`loss_max`."""
CHOICES = "ABC"


def loss_max(q: Question) -> float:
    """The largest loss estimate taken for ``q``: :data:`LOSS_MAX`, or twice the truth rounded up when an
    extreme example's loss is larger (so the right answer can always be typed)."""
    return max(LOSS_MAX, float(math.ceil(2 * float(q.truth))))  # type: ignore[arg-type]


def _number(raw: object) -> float | None:
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    try:
        value = float(raw)
    except OverflowError:  # an integer too big for a float (JSON allows any length)
        return None
    return value if math.isfinite(value) else None


def read_answer(q: Question, raw: object) -> float | int | list[bool]:
    """What a student sent (JSON-decoded) as the value to store, or ``ValueError`` with a message for them.

    ``p_true``: a finite number in [0, 1]; ``loss``: a finite number in [0, :func:`loss_max`];
    ``lowest_loss``: the option's index 0, 1 or 2; ``step``: one ``true`` (up) or ``false`` (down) per class.
    ``true``/``false`` are not numbers, and text is not read here: the student's page parses what was typed
    (a decimal comma included) and sends a number.
    """
    if q.kind in ("p_true", "loss"):
        top = 1.0 if q.kind == "p_true" else loss_max(q)
        what = "a probability between 0 and 1" if q.kind == "p_true" else f"a loss between 0 and {fmt(top, 0)}"
        value = _number(raw)
        if value is None or not 0.0 <= value <= top:
            raise ValueError(f"Type {what}.")
        return value
    if q.kind == "lowest_loss":
        pick = _number(raw)
        if pick is None or pick != int(pick) or not 0 <= pick < len(q.scenarios):
            raise ValueError("Pick one of the options.")
        return int(pick)
    n = q.scenario.n_classes
    if not isinstance(raw, list | tuple) or len(raw) != n or not all(isinstance(u, bool) for u in raw):
        raise ValueError(f"Choose up or down for each of the {n} classes.")
    return [bool(u) for u in raw]


def _plain(value: float) -> str:
    """A typed number as typed: ``0.35``, ``2``; beyond 4 decimals, :func:`core.text.fmt`'s way."""
    text = format_number(value)
    if "e" in text or len(text.partition(".")[2]) > 4:
        return fmt(value, 4)
    return text.replace("-", "−")


def show_answer(q: Question, value: Any) -> str:
    """A stored answer as people read it: ``"0.35"``, ``"1.2 nats"``, ``"option B"``, ``"cat ↑, dog ↓, rabbit ↓"``."""
    v = read_answer(q, value)
    if q.kind == "p_true":
        return _plain(float(v))  # type: ignore[arg-type]
    if q.kind == "loss":
        return f"{_plain(float(v))} nats"  # type: ignore[arg-type]
    if q.kind == "lowest_loss":
        return f"option {CHOICES[int(v)]}"  # type: ignore[arg-type]
    return ", ".join(f"{c} {'↑' if u else '↓'}" for c, u in zip(q.scenario.classes, v, strict=True))  # type: ignore[arg-type]


def _table(sc: Scenario, caption: str) -> dict[str, Any]:
    return {
        "caption": caption,
        "header": ["class", "logit"],
        "rows": [
            {
                "name": c,
                "logit": logit_text(z),
                "true": i == sc.target,
                "mark": "✓ true class" if i == sc.target else "",
            }
            for i, (c, z) in enumerate(zip(sc.classes, sc.logits, strict=True))
        ],
    }


def tolerance_text(q: Question) -> str | None:
    """How close an estimate must be to count as right, in words; None for choices."""
    if q.kind == "p_true":
        return f"Within ±{format_number(P_TOLERANCE)} counts as right."
    if q.kind == "loss":
        return f"Within ±{format_number(LOSS_TOLERANCE)} nats or ±20 %, whichever is wider, counts as right."
    return None


def question_view(q: Question) -> dict[str, Any]:
    """What a phone shows, all of it text written here (the page computes nothing):

    ``{"kind", "prompt", "tables": [{"caption", "header", "rows": [{"name", "logit", "true", "mark"}]}],
    "notes": [temperature rule, ...], "input": ...}`` where ``input`` is
    ``{"type": "number", "min", "max", "step", "unit", "label", "placeholder", "hint"}``,
    ``{"type": "choice", "label", "options": ["Option A", ...]}`` or
    ``{"type": "updown", "label", "classes": [...], "up": "▲ up", "down": "▼ down"}``.
    Class names are data: show them as text.
    """
    sc = q.scenario
    if q.kind == "lowest_loss":
        tables = [_table(o, f"Option {CHOICES[i]}") for i, o in enumerate(q.scenarios)]
    else:
        tables = [_table(sc, "")]
    notes = [temperature_rule(t) for t in sorted({o.temperature for o in q.scenarios})]
    inp: dict[str, Any]
    if q.kind == "p_true":
        inp = {
            "type": "number",
            "min": 0.0,
            "max": 1.0,
            "step": 0.01,
            "unit": "",
            "label": f"Your estimate of p({sc.target_name})",
            "placeholder": "a number from 0 to 1",
            "hint": tolerance_text(q),
        }
    elif q.kind == "loss":
        inp = {
            "type": "number",
            "min": 0.0,
            "max": loss_max(q),
            "step": 0.01,
            "unit": "nats",
            "label": "Your estimate of the loss, in nats",
            "placeholder": "e.g. 0.7",
            "hint": tolerance_text(q),
        }
    elif q.kind == "lowest_loss":
        inp = {"type": "choice", "label": "Your pick", "options": [f"Option {c}" for c in CHOICES[: len(q.scenarios)]]}
    else:
        inp = {
            "type": "updown",
            "label": "Which way does each probability move?",
            "classes": list(sc.classes),
            "up": "▲ up",
            "down": "▼ down",
        }
    return {"kind": q.kind, "prompt": q.prompt, "tables": tables, "notes": notes, "input": inp}


def playground_query(q: Question) -> str:
    """The question's example as a Playground query string, url-encoded, starting with ``?``."""
    return "?" + urlencode(q.scenario.to_query())


def result_view(q: Question, value: Any | None) -> dict[str, Any]:
    """What a student sees after the reveal: ``{"correct": bool | None (no answer), "verdict", "answer",
    "truth", "error", "explanation", "playground"}``, all text but ``correct``."""
    truth = grade(q, _truth_answer(q))
    view: dict[str, Any] = {
        "correct": None,
        "verdict": "No answer.",
        "answer": None,
        "truth": truth.truth,
        "error": None,
        "explanation": truth.explanation,
        "playground": playground_query(q),
    }
    if value is not None:
        v = read_answer(q, value)
        g = grade(q, v)
        view.update(
            correct=g.correct,
            verdict="Right!" if g.correct else "Not quite.",
            answer=show_answer(q, v),
            error=g.error,
        )
    return view


def _truth_answer(q: Question) -> float | int | list[bool]:
    return list(q.truth) if isinstance(q.truth, tuple) else q.truth


def summary(q: Question, values: Sequence[Any]) -> dict[str, Any]:
    """The round's numbers for one question: ``{"answered", "right", "share_right" (0..1, None when nobody
    answered), "median_error" (median |answer − truth| for estimates, None for choices or no answers), "text"}``.
    """
    graded = [(read_answer(q, v), grade(q, read_answer(q, v)).correct) for v in values]
    answered = len(graded)
    right = sum(ok for _, ok in graded)
    share = right / answered if answered else None
    median: float | None = None
    if q.kind in ("p_true", "loss") and graded:
        median = float(statistics.median(abs(float(v) - float(q.truth)) for v, _ in graded))  # type: ignore[arg-type]
    if share is None:
        text = "No answers."
    else:
        text = f"{right} of {answered} right ({round(100 * share)} %)"
        if median is not None:
            text += f"; median error {fmt(median, 3)}{' nats' if q.kind == 'loss' else ''}"
        text += "."
    return {"answered": answered, "right": right, "share_right": share, "median_error": median, "text": text}


# ---- CSV --------------------------------------------------------------------------------------------------------

CSV_HEADER = ("nickname", "question", "answer", "truth", "time")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float


def _cell(value: Cell) -> str | int | float:
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return value if math.isfinite(value) else fmt(float(value))
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def csv_text(rows: Sequence[Sequence[Cell]]) -> str:
    """The room's answers as CSV (RFC 4180: commas, CRLF, quotes where needed) under :data:`CSV_HEADER`.

    A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'`` so a
    spreadsheet shows it instead of running it as a formula (OWASP's guard). Numbers given as ``int`` or
    ``float`` are written as numbers, unguarded: a negative number is data, never a formula.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in rows:
        if len(row) != len(CSV_HEADER):
            raise ValueError(f"a CSV row has {len(CSV_HEADER)} cells, got {len(row)}")
        writer.writerow([_cell(c) for c in row])
    return out.getvalue()


def answer_row(
    nickname: str, question_n: int, q: Question, value: Any, answered: float
) -> tuple[str, str, str, str, str]:
    """One CSV row: the nickname, "Q3: <prompt>", the answer and the truth as shown, the time (ISO 8601, UTC).

    ``question_n`` counts from 1, as :class:`classroom.rooms.Asked` numbers a room's questions."""
    when = datetime.fromtimestamp(answered, tz=UTC).isoformat(timespec="seconds")
    truth = grade(q, _truth_answer(q)).truth
    return (nickname, f"Q{question_n}: {q.prompt}", show_answer(q, value), truth, when)
