r"""Reading a vocabulary's logits that a person pastes or uploads ("bring your own logits").

:func:`read_logits` accepts, for token → logit:

- JSON: an object ``{"token": logit, ...}``, a list of ``[token, logit]`` pairs, or a list of
  ``{"token": ..., "logit": ...}`` (other keys ignored, with a note). A logit may also be a string
  such as ``"-inf"`` (JSON has no -inf; Python's ``json`` writes ``-Infinity``, also read);
- CSV (``,``), TSV (tab) or ``;``-separated text with two columns, token and logit, with or without a
  header row: the first row is a header when its second cell is not a number. Tokens may be quoted
  (a comma, a double quote, a line break) as the ``csv`` module writes them. The separator is the
  first of tab, ``;``, ``,`` that splits every row into two cells. Tokens are never stripped (``" the"``
  keeps its space). A decimal comma is refused (``1,5`` could be two cells): write ``1.5``.

Limits: at most :data:`MAX_ROWS` rows (GPT-2 has 50,257 tokens), at least 2 tokens, at most
:data:`MAX_BYTES` of UTF-8 text (8 MiB, about 84 bytes a row at 100,000 rows: 100,000 tokens of 40
characters with full-precision logits take 6.2 MB as CSV, 6.5 MB as a JSON object, 7.1 MB as JSON pairs;
GPT-2's vocabulary as a JSON object is about 2 MB), tokens of 1 to :data:`MAX_TOKEN_CHARS` characters.
Logits are finite or ``-inf`` (probability 0), never NaN or ``+inf``, and not all ``-inf``. Token rules: tokens are
data, shown as text and never as markup; tab, line feed and carriage return are allowed (decoded vocabularies
have whitespace tokens), as are BPE markers (``Ġ`` for a space, ``Ċ`` for a line break, ``▁``, ``##``),
which are printable characters anyway. Refused: any other control character (``U+0000``–``U+001F``,
``U+007F``–``U+009F``), bidirectional overrides and marks (they reorder the text shown around them) and
lone surrogates. Every refusal is a ``ValueError`` naming the row (CSV: the line it starts on, as a
spreadsheet numbers it) or the entry (JSON: counted from 1).
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.typing import NDArray

__all__ = ["MAX_BYTES", "MAX_ROWS", "MAX_TOKEN_CHARS", "TokenLogits", "example_snippet", "read_logits", "to_json"]

MAX_ROWS = 100_000
"""Most tokens read (GPT-2's vocabulary is 50,257; Llama 3's is 128,256 and needs trimming)."""
MAX_BYTES = 8 * 1024 * 1024
"""Largest input in UTF-8 bytes: 8 MiB, room for 100,000 rows of about 84 bytes each."""
MAX_TOKEN_CHARS = 1000
"""Longest token in characters (generous: vocabulary tokens are short; the limit keeps messages and pages sane)."""

MINUS = "\u2212"
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?", re.IGNORECASE | re.ASCII)
_MINUS_INF = re.compile(r"-(inf|infinity)", re.IGNORECASE)
_PLUS_INF = re.compile(r"\+?(inf|infinity)", re.IGNORECASE)
_NAN = re.compile(r"[+-]?nan", re.IGNORECASE)
_DECIMAL_COMMA = re.compile(r"[+-]?\d*,\d+")
_ALLOWED_CONTROLS = frozenset("\t\n\r")
_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_SEPARATORS = (("\t", "TSV (tab-separated)"), (";", "CSV separated by ';'"), (",", "CSV"))


@dataclass(frozen=True)
class TokenLogits:
    """Tokens in the order read, their logits (float64, finite or ``-inf``, read-only) and notes for the reader."""

    tokens: tuple[str, ...]
    logits: NDArray[np.float64]
    notes: tuple[str, ...] = ()


def show(token: str, limit: int = 40) -> str:
    """A token as quoted text for a message: escapes (``'\\n'``) instead of raw controls, cut at ``limit``."""
    text = repr(token[:limit])
    return text + "…" if len(token) > limit else text


def _check_token(token: str, where: str) -> None:
    if token == "":
        raise ValueError(f"{where}: the token is empty (a token needs at least one character)")
    if len(token) > MAX_TOKEN_CHARS:
        raise ValueError(f"{where}: the token {show(token)} has {len(token):,} characters: at most {MAX_TOKEN_CHARS:,}")
    for ch in token:
        code = ord(ch)
        if ch in _ALLOWED_CONTROLS:
            continue
        if code < 0x20 or 0x7F <= code <= 0x9F:
            kind = "a control character"
        elif ch in _BIDI:
            kind = "a text-direction control"
        elif 0xD800 <= code <= 0xDFFF:
            kind = "half of a surrogate pair (not a character)"
        else:
            continue
        raise ValueError(
            f"{where}: the token {show(token)} contains {kind}, U+{code:04X}; "
            "only tab, line feed and carriage return are allowed among invisible characters"
        )


def _parse_logit(text: str, where: str, *, csv_cell: bool) -> float:
    t = text.strip().replace(MINUS, "-")
    shown = show(text.strip(), 24)
    if t == "":
        raise ValueError(f"{where}: the logit is empty")
    if _MINUS_INF.fullmatch(t):
        return -math.inf
    if _PLUS_INF.fullmatch(t):
        raise ValueError(f"{where}: {shown} is +inf: a logit may be -inf (probability 0) but not +inf")
    if _NAN.fullmatch(t):
        raise ValueError(f"{where}: {shown} is NaN (not a number): every token needs a logit")
    if not _NUMBER.fullmatch(t):
        if _DECIMAL_COMMA.fullmatch(t):
            sep = "in CSV, where a comma separates cells" if csv_cell else "here"
            raise ValueError(f"{where}: {shown} is not a number: a decimal comma is not accepted {sep}; write a point")
        raise ValueError(f"{where}: {shown} is not a number")
    value = float(t)
    if math.isinf(value):
        raise ValueError(f"{where}: {shown} is too large for a logit (beyond 1.8e308)")
    return value


def _json_logit(value: Any, where: str) -> float:
    if isinstance(value, bool) or value is None or not isinstance(value, int | float | str):
        raise ValueError(f"{where}: {json.dumps(value)[:40]} is not a number")
    if isinstance(value, str):
        return _parse_logit(value, where, csv_cell=False)
    try:
        x = float(value)
    except OverflowError:
        raise ValueError(f"{where}: the logit is too large (beyond 1.8e308)") from None
    if math.isnan(x):
        raise ValueError(f"{where}: NaN (not a number) is not a logit: every token needs a number")
    if x == math.inf:
        raise ValueError(f"{where}: +inf is not a logit: -inf (probability 0) is allowed, +inf is not")
    return x


_JSON_SHAPE = 'JSON must be {"token": logit, ...}, a list of [token, logit] pairs or of {"token": .., "logit": ..}'


def _json_rows(data: Any, notes: list[str]) -> list[tuple[str, Any, str]]:
    """(token, raw logit, where) from parsed JSON; object pairs arrive as a list of pairs (duplicates kept)."""
    if isinstance(data, _Pairs):
        notes.append("Read JSON: an object of token: logit.")
        return [(k, v, f"entry {i}") for i, (k, v) in enumerate(data, 1)]
    if not isinstance(data, list):
        raise ValueError(f"{_JSON_SHAPE}; this is a single {type(data).__name__}")
    rows: list[tuple[str, Any, str]] = []
    extra: set[str] = set()
    for i, item in enumerate(data, 1):
        where = f"entry {i}"
        if isinstance(item, _Pairs):
            keys = dict(item)
            if "token" not in keys or "logit" not in keys:
                raise ValueError(f'{where}: an object needs the keys "token" and "logit"; it has {sorted(keys)[:5]}')
            token, logit = keys["token"], keys["logit"]
            extra.update(set(keys) - {"token", "logit"})
        elif isinstance(item, list):
            if len(item) != 2:
                raise ValueError(f"{where}: a pair needs 2 items, [token, logit]; this one has {len(item)}")
            token, logit = item
        else:
            raise ValueError(f'{where}: expected [token, logit] or {{"token": .., "logit": ..}}. {_JSON_SHAPE}')
        if not isinstance(token, str):
            raise ValueError(f"{where}: the token must be text in quotes, got {json.dumps(token)[:40]}")
        rows.append((token, logit, where))
    notes.append(
        "Read JSON: a list of " + ("objects." if data and isinstance(data[0], _Pairs) else "[token, logit] pairs.")
    )
    if extra:
        notes.append("Ignored the other keys: " + ", ".join(sorted(extra)[:5]) + ".")
    return rows


class _Pairs(list[tuple[str, Any]]):
    """A JSON object kept as its list of (key, value) pairs, so that a repeated key is seen, not dropped."""


def _csv_records(text: str, sep: str) -> list[tuple[int, list[str]]]:
    """(line the record starts on, cells) for every non-blank record."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep, quotechar='"', strict=True)
    records: list[tuple[int, list[str]]] = []
    start = 1
    try:
        for cells in reader:
            if cells and any(c.strip() for c in cells):
                records.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise csv.Error(f"line {reader.line_num}: {exc}") from None
    return records


def _is_number_like(cell: str) -> bool:
    t = cell.strip().replace(MINUS, "-")
    return any(p.fullmatch(t) for p in (_NUMBER, _MINUS_INF, _PLUS_INF, _NAN, _DECIMAL_COMMA))


class _NotTwoColumns(ValueError):
    """The first row is not two cells with any separator: the text is no token, logit table at all."""


def _csv_rows(text: str, notes: list[str]) -> list[tuple[str, Any, str]]:
    parsed: dict[str, list[tuple[int, list[str]]] | csv.Error] = {}
    for sep, _ in _SEPARATORS:
        if sep not in text and sep != ",":
            continue
        try:
            parsed[sep] = _csv_records(text, sep)
        except csv.Error as exc:
            parsed[sep] = exc
    chosen = next(
        (s for s in parsed if not isinstance(r := parsed[s], csv.Error) and r and all(len(c) == 2 for _, c in r)),
        None,
    )
    if chosen is None:  # no separator fits every row: report against the one the first row suggests
        chosen = next((s for s in parsed if not isinstance(r := parsed[s], csv.Error) and r and len(r[0][1]) == 2), ",")
    records = parsed[chosen]
    if not isinstance(records, csv.Error) and records and len(records[0][1]) != 2:
        n_cells = len(records[0][1])
        raise _NotTwoColumns(
            f"row {records[0][0]} has {n_cells} cell{'s' if n_cells != 1 else ''}, "
            "and each row needs 2 (a token, then its logit, separated by a comma or a tab)"
        )
    if isinstance(records, csv.Error):
        raise ValueError(
            f"not CSV: {records}; a token with a comma, a quote or a line break goes in double quotes, "
            'and a quote inside it is written twice: "a ""quoted"" token"'
        )
    notes.append(f"Read {dict(_SEPARATORS)[chosen]}.")
    if records and len(records[0][1]) >= 2 and not _is_number_like(records[0][1][1]):
        line, cells = records[0]
        notes.append(f"Skipped the header row (row {line}: {', '.join(show(c, 20) for c in cells[:2])}).")
        records = records[1:]
    rows: list[tuple[str, Any, str]] = []
    for line, cells in records:
        where = f"row {line}"
        if len(cells) != 2:
            hint = ""
            if (
                chosen == ","
                and len(cells) == 3
                and cells[1].strip().lstrip("+-" + MINUS).isdigit()
                and cells[2].strip().isdigit()
            ):
                hint = f" ({cells[1].strip()},{cells[2].strip()} looks like a decimal comma: write a point)"
            cells_text = f"{len(cells)} cell{'s' if len(cells) != 1 else ''}"
            raise ValueError(f"{where} has {cells_text}: each row needs 2, token and logit{hint}")
        rows.append((cells[0], cells[1], where))
    return rows


def _decode_json(text: str) -> Any:
    return json.loads(text, object_pairs_hook=_Pairs)


def read_logits(text: str, *, filename: str = "") -> TokenLogits:
    """Tokens and logits from JSON or CSV text (see the module docstring); ``ValueError`` says what is wrong.

    ``filename`` (an upload's name) decides the format when it ends in ``.json``, ``.csv`` or ``.tsv``;
    otherwise text starting with ``{`` or ``[`` is read as JSON, and as CSV if it is not JSON.

    >>> r = read_logits('{"Ġcat": 2.0, "Ġdog": 1.0, "Ġrabbit": "-inf"}')
    >>> r.tokens, r.logits.tolist()
    (('Ġcat', 'Ġdog', 'Ġrabbit'), [2.0, 1.0, -inf])
    """
    if len(text) > MAX_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_BYTES:
        raise ValueError(f"the input is larger than {MAX_BYTES // 2**20} MiB ({MAX_BYTES:,} bytes)")
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ValueError("the input is empty: paste or upload JSON or CSV of token → logit")
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    notes: list[str] = []
    rows: list[tuple[str, Any, str]]
    if suffix in ("csv", "tsv", "tab", "txt") or (suffix != "json" and text.lstrip()[0] not in "[{"):
        try:
            rows = _csv_rows(text, notes)
        except _NotTwoColumns as exc:
            raise ValueError(f"not JSON and not CSV of token, logit: {exc}") from None
    else:
        try:
            data = _decode_json(text)
        except RecursionError:
            raise ValueError("not JSON that can be read: it is nested too deeply") from None
        except json.JSONDecodeError as exc:
            json_problem = f"not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
            if suffix == "json":
                raise ValueError(json_problem) from None
            try:
                rows = _csv_rows(text, notes)
            except ValueError as csv_exc:
                raise ValueError(f"{json_problem} and not CSV: {csv_exc}") from None
            if len(rows) < 2:  # e.g. a cut-off JSON object, whose first line reads as a CSV header
                raise ValueError(f"{json_problem} and not CSV: not two rows of token, logit") from None
        else:
            rows = _json_rows(data, notes)
    if len(rows) > MAX_ROWS:
        raise ValueError(f"{len(rows):,} rows: at most {MAX_ROWS:,} are read (keep the most likely tokens)")
    if len(rows) < 2:
        raise ValueError(f"{len(rows)} token{'s' if len(rows) != 1 else ''}: at least 2 are needed")
    csv_cells = notes[0].startswith(("Read CSV", "Read TSV"))
    first_seen: dict[str, str] = {}
    values = np.empty(len(rows), dtype=np.float64)
    for i, (token, raw, where) in enumerate(rows):
        _check_token(token, where)
        if token in first_seen:
            unit, first, again = ("rows" if where.startswith("row") else "entries"), first_seen[token], where
            raise ValueError(
                f"token {show(token)} appears on {unit} {first.split()[1]} and {again.split()[1]}: each token once"
            )
        first_seen[token] = where
        values[i] = _parse_logit(raw, where, csv_cell=csv_cells) if isinstance(raw, str) else _json_logit(raw, where)
    if np.all(values == -np.inf):
        raise ValueError("every logit is -inf: at least one token needs a finite logit (else nothing has probability)")
    n_minus_inf = int(np.count_nonzero(values == -np.inf))
    notes.append(f"{len(rows):,} tokens.")
    if n_minus_inf:
        notes.append(f"{n_minus_inf:,} token{'s have' if n_minus_inf > 1 else ' has'} logit −inf: probability 0.")
    values.setflags(write=False)
    return TokenLogits(tokens=tuple(t for t, _, _ in rows), logits=values, notes=tuple(notes))


_SNIPPET = """\
# pip install torch transformers
import json

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

name = "gpt2"
tokenizer = AutoTokenizer.from_pretrained(name)
model = AutoModelForCausalLM.from_pretrained(name)

prompt = "The cat sat on the"
inputs = tokenizer(prompt, return_tensors="pt")
with torch.no_grad():
    logits = model(**inputs).logits[0, -1]  # the next token's logits, one per token

# Tokens as the vocabulary spells them ("Ġthe" is " the"): every one distinct,
# which tokenizer.decode() would not guarantee.
n = len(tokenizer)
tokens = tokenizer.convert_ids_to_tokens(list(range(n)))
with open("next_token_logits.json", "w", encoding="utf-8") as f:
    json.dump(dict(zip(tokens, logits[:n].tolist())), f, ensure_ascii=False)
"""


def to_json(tokens: Sequence[str], logits: npt.ArrayLike) -> str:
    """``{"token": logit, ...}`` as :func:`read_logits` reads it back exactly (``-inf`` as ``-Infinity``).

    >>> to_json(["cat", "dog"], [2.0, float("-inf")])
    '{"cat": 2.0, "dog": -Infinity}'
    """
    values = np.asarray(logits, dtype=np.float64)
    if values.ndim != 1 or values.size != len(tokens):
        raise ValueError(f"one logit per token: {values.shape} logits for {len(tokens)} tokens")
    if len(set(tokens)) != len(tokens):
        raise ValueError("each token once: the tokens have duplicates")
    if np.isnan(values).any() or (values == np.inf).any():
        raise ValueError("logits must be finite or -inf (what read_logits reads back), not NaN or +inf")
    return json.dumps(dict(zip(tokens, values.tolist(), strict=True)), ensure_ascii=False)


def example_snippet() -> str:
    """Python that writes GPT-2's next-token logits for a prompt as ``{"token": logit}`` JSON (shown, never run)."""
    return _SNIPPET
