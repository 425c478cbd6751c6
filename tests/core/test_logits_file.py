"""core.logits_file: every format read, every refusal explained, limits at the edge, round trips, properties.

Inputs are written here with the standard library's own ``json`` and ``csv`` writers (the way a person's
export script would), never with core.logits_file.
"""

from __future__ import annotations

import ast
import csv
import io
import json
import math
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.logits_file import MAX_BYTES, MAX_ROWS, TokenLogits, example_snippet, read_logits, to_json


def write_json_object(pairs: list[tuple[str, float]]) -> str:
    return json.dumps(dict(pairs), ensure_ascii=False)


def write_json_pairs(pairs: list[tuple[str, float]]) -> str:
    return json.dumps([[t, x] for t, x in pairs])


def write_json_records(pairs: list[tuple[str, float]]) -> str:
    return json.dumps([{"token": t, "logit": x} for t, x in pairs], ensure_ascii=False, indent=1)


def write_csv(pairs: list[tuple[str, float]], *, header: bool = True, delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)  # "\r\n" line ends, so that a token's "\r" is quoted
    if header:
        writer.writerow(["token", "logit"])
    writer.writerows([t, repr(x)] for t, x in pairs)
    return out.getvalue()


WRITERS = [write_json_object, write_json_pairs, write_json_records, write_csv]
BPE = [("Ġthe", 3.25), ("\n", -1.5), ("Ċ", 0.0), ("▁cat", 2.0), ("##ing", -0.125), ("猫", 1.0), ("😀", -7.0)]
QUOTY = [(",", 1.0), ('"', 2.0), ('","', 3.0), ("a,b", 4.0), (" the", 5.0), ("'", 6.0), ("\t", 7.0), ("x\r\ny", 8.0)]


def refused(text: str, pattern: str, **kwargs: str) -> str:
    with pytest.raises(ValueError, match=pattern) as info:
        read_logits(text, **kwargs)
    return str(info.value)


# ---- formats accepted --------------------------------------------------------------------------


@pytest.mark.parametrize("write", WRITERS)
@pytest.mark.parametrize("pairs", [BPE, QUOTY], ids=["bpe", "quotes"])
def test_every_format_reads_back_tokens_and_logits_in_order(write: object, pairs: list[tuple[str, float]]) -> None:
    assert callable(write)
    got = read_logits(write(pairs))
    assert got.tokens == tuple(t for t, _ in pairs)
    assert got.logits.dtype == np.float64
    np.testing.assert_array_equal(got.logits, [x for _, x in pairs])


def test_csv_without_header_tsv_and_semicolons() -> None:
    pairs = [("Ġcat", 2.0), ("Ġdog", 1.0), ("Ġrabbit", 0.1)]
    for text in (write_csv(pairs, header=False), write_csv(pairs, delimiter="\t"), write_csv(pairs, delimiter=";")):
        got = read_logits(text)
        assert got.tokens == ("Ġcat", "Ġdog", "Ġrabbit")
        np.testing.assert_array_equal(got.logits, [2.0, 1.0, 0.1])
    assert any("header" in n for n in read_logits(write_csv(pairs)).notes)
    assert not any("header" in n for n in read_logits(write_csv(pairs, header=False)).notes)
    assert any("TSV" in n for n in read_logits(write_csv(pairs, delimiter="\t")).notes)


def test_separator_tokens_in_a_comma_csv_do_not_change_the_separator() -> None:
    assert read_logits("token,logit\n;,1\n\t,2\na;b,3\n").tokens == (";", "\t", "a;b")
    assert read_logits(";,1\nthe,2\n").tokens == (";", "the")
    assert read_logits("a,b;1\nc;2\n").tokens == ("a,b", "c")  # ;-separated: a comma token needs no quotes


def test_escaped_newline_tokens_in_json_and_csv() -> None:
    text = '{"\\n": 1.5, "\\n\\n": 0.5, "Ġ\\"": -2}'  # JSON escapes, as json.dump writes them
    got = read_logits(text)
    assert got.tokens == ("\n", "\n\n", 'Ġ"')
    got = read_logits('"\n",1\n"a\nb",2\nc,3\n')  # a quoted line break inside a CSV token
    assert got.tokens == ("\n", "a\nb", "c")


def test_tokens_keep_their_spaces_and_cells_their_numbers_are_trimmed() -> None:
    got = read_logits(" the, 1.5\nthe ,\t-2\n")
    assert got.tokens == (" the", "the ")
    np.testing.assert_array_equal(got.logits, [1.5, -2.0])


def test_minus_inf_spellings_and_the_true_minus_sign() -> None:
    got = read_logits("a,-inf\nb,−Infinity\nc,−2.5\nd,1e-3\n")
    np.testing.assert_array_equal(got.logits, [-math.inf, -math.inf, -2.5, 0.001])
    assert any("2 tokens have logit −inf" in n for n in got.notes)
    got = read_logits(json.dumps({"a": -math.inf, "b": 0, "c": "-inf"}))  # json writes -Infinity
    np.testing.assert_array_equal(got.logits, [-math.inf, 0.0, -math.inf])


def test_filename_decides_the_format() -> None:
    assert read_logits("[x,1\ny,2\n", filename="logits.csv").tokens == ("[x", "y")
    assert read_logits("[x,1\ny,2\n").tokens == ("[x", "y")  # not JSON: read as CSV
    refused("[x,1\ny,2\n", r"^not JSON \(line 1, column 2", filename="logits.JSON")


def test_byte_order_mark_and_extra_json_keys() -> None:
    assert read_logits("\ufefftoken,logit\na,1\nb,2\n").tokens == ("a", "b")
    got = read_logits(json.dumps([{"token": "a", "logit": 1, "id": 0}, {"token": "b", "logit": 2, "id": 1}]))
    assert got.tokens == ("a", "b")
    assert "Ignored the other keys: id." in got.notes


def test_result_is_frozen_and_read_only() -> None:
    got = read_logits("a,1\nb,2\n")
    assert isinstance(got, TokenLogits)
    with pytest.raises(ValueError, match="read-only"):
        got.logits[0] = 5.0
    with pytest.raises(AttributeError):
        got.tokens = ()  # type: ignore[misc]


# ---- refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   \n\t\n", "\ufeff"])
def test_empty_input(text: str) -> None:
    refused(text, "^the input is empty")


@pytest.mark.parametrize("text", ["hello", "just some words\nand more", "a,b,c\nd,e,f"])
def test_neither_json_nor_csv(text: str) -> None:
    refused(text, r"^not JSON and not CSV of token, logit: row 1 has [13] cells?")


def test_broken_json_that_is_not_csv_either() -> None:
    msg = refused('{"a": 1, "b": 2', r"^not JSON \(line 1, column 16")
    assert "and not CSV: not two rows of token, logit" in msg
    msg = refused('{"a": 1, "b": 2, "c": 3', r"^not JSON \(line 1, column 24")
    assert "and not CSV: row 1 has 3 cells" in msg


def test_json_of_the_wrong_shape() -> None:
    refused("42", "^JSON must be", filename="logits.json")
    refused('"text"', "^JSON must be", filename="logits.json")
    refused("42", "^not JSON and not CSV of token, logit: row 1 has 1 cell")
    refused("[1, 2]", r"^entry 1: expected \[token, logit\]")
    refused('[["a", 1, 2], ["b", 2]]', r"^entry 1: a pair needs 2 items")
    refused('[{"token": "a"}, {"token": "b", "logit": 1}]', r'^entry 1: an object needs the keys "token" and "logit"')
    refused('[["a", 1], [7, 2]]', "^entry 2: the token must be text in quotes, got 7")
    refused("[" * 200_000, "nested too deeply")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("token,logit\nthe,1\na,2\nthe,3\n", "token 'the' appears on rows 2 and 4: each token once"),
        ('{"the": 1, "a": 2, "the": 3}', "token 'the' appears on entries 1 and 3"),
        ('[["Ġthe", 1], ["Ġthe", 2]]', "token 'Ġthe' appears on entries 1 and 2"),
        ('"\n",1\n"\n",2\n', r"token '\\n' appears on rows 1 and 3"),  # a quoted line break: rows count lines
    ],
)
def test_duplicate_tokens_name_both_places(text: str, message: str) -> None:
    refused(text, message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,1\nb,nan\n", "^row 2: 'nan' is NaN"),
        ("a,1\nb,NaN\n", "^row 2: 'NaN' is NaN"),
        ('{"a": NaN, "b": 1}', "^entry 1: NaN"),
        ('{"a": "nan", "b": 1}', "^entry 1: 'nan' is NaN"),
        ("a,inf\nb,1\n", r"^row 1: 'inf' is \+inf: a logit may be -inf"),
        ("a,1\nb,+Infinity\n", r"^row 2: '\+Infinity' is \+inf"),
        ('{"a": Infinity, "b": 1}', r"^entry 1: \+inf is not a logit"),
        ("a,1\nb,1e999\n", "^row 2: '1e999' is too large"),
        ('{"a": 1e999, "b": 1}', r"^entry 1: \+inf"),  # json reads 1e999 as inf
        ('{"a": 1' + "0" * 400 + ', "b": 1}', "^entry 1: the logit is too large"),
    ],
)
def test_nan_and_plus_inf_are_refused(text: str, message: str) -> None:
    refused(text, message)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a,1\nb,2\nc,3\nd,4\ne,abc\n", "^row 5: 'abc' is not a number$"),
        ("token,logit\na,1\nb,\n", "^row 3: the logit is empty"),
        ("a,1\nb,0x10\n", "^row 2: '0x10' is not a number"),
        ("a,1\nb,1_000\n", "^row 2: '1_000' is not a number"),
        ('{"a": null, "b": 1}', "^entry 1: null is not a number"),
        ('{"a": true, "b": 1}', "^entry 1: true is not a number"),
        ('{"a": [1], "b": 1}', r"^entry 1: \[1\] is not a number"),
        ('{"a": "one", "b": 1}', "^entry 1: 'one' is not a number"),
    ],
)
def test_non_numbers_name_the_row(text: str, message: str) -> None:
    refused(text, message)


def test_a_decimal_comma_is_refused_and_said_so() -> None:
    msg = refused("a;1,5\nb;2\n", "^row 1: '1,5' is not a number: a decimal comma is not accepted in CSV")
    assert "write a point" in msg
    refused('a,"1,5"\nb,2\n', "^row 1: '1,5' is not a number: a decimal comma is not accepted in CSV")
    refused("a,1\nb,2,5\n", r"^row 2 has 3 cells: .*2,5 looks like a decimal comma: write a point")
    refused('{"a": "1,5", "b": 2}', "^entry 1: '1,5' is not a number: a decimal comma is not accepted here")


def test_rows_with_the_wrong_number_of_cells() -> None:
    refused("a,1\nb,2\nc\n", "^row 3 has 1 cell: each row needs 2, token and logit$")
    refused("a,1\nb,2,x\n", "^row 2 has 3 cells: each row needs 2, token and logit$")
    refused('a,1\n"b,2\n', "^not CSV: line 2: unexpected end of data; a token with a comma")  # never closed


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "the token is empty"),
        ("a\x00b", "contains a control character, U\\+0000"),
        ("\x1b[31mred", "contains a control character, U\\+001B"),
        ("del\x7f", "contains a control character, U\\+007F"),
        ("\x85", "contains a control character, U\\+0085"),
        ("abc\u202edcba", "contains a text-direction control, U\\+202E"),
        ("\u2066x", "contains a text-direction control, U\\+2066"),
        ("\ud800", "half of a surrogate pair"),
        ("x" * 1001, "has 1,001 characters: at most 1,000"),
    ],
)
def test_bad_tokens_are_refused_in_json(token: str, message: str) -> None:
    refused(json.dumps([["ok", 1.0], [token, 2.0]]), "^entry 2: " + ("the token " if token else "") + ".*" + message)


def test_bad_tokens_are_refused_in_csv_and_allowed_ones_pass() -> None:
    refused(",1\nb,2\n", "^row 1: the token is empty")
    refused("a\x07,1\nb,2\n", r"^row 1: the token 'a\\x07' contains a control character, U\+0007")
    ok = ["\t", "\n", "\r\n", "Ġ", "Ċ", "ĉ", "▁", "##", "\u200d", "<|endoftext|>", "<b>bold</b>", "\ufffd"]
    assert read_logits(json.dumps([[t, float(i)] for i, t in enumerate(ok)])).tokens == tuple(ok)


def test_at_least_two_tokens_and_not_every_one_minus_inf() -> None:
    refused("token,logit\n", "^0 tokens: at least 2 are needed")
    refused("a,1\n", "^1 token: at least 2 are needed")
    refused("{}", "^0 tokens")
    refused('{"a": 1}', "^1 token")
    refused("a,-inf\nb,-inf\n", "^every logit is -inf: at least one token needs a finite logit")
    assert read_logits("a,-inf\nb,0\n").logits[0] == -math.inf


# ---- limits ------------------------------------------------------------------------------------


def vocabulary(n: int) -> list[tuple[str, float]]:
    rng = np.random.default_rng(n)
    return [(f"Ġtok{i}", float(x)) for i, x in enumerate(rng.normal(0, 3, n))]


@pytest.mark.parametrize("write", [write_json_object, write_csv], ids=["json", "csv"])
def test_max_rows_accepted_and_one_more_refused(write: object) -> None:
    assert callable(write)
    vocab = vocabulary(MAX_ROWS + 1)
    got = read_logits(write(vocab[:MAX_ROWS]))
    assert len(got.tokens) == MAX_ROWS == got.logits.shape[0]
    assert got.tokens[-1] == vocab[MAX_ROWS - 1][0]
    refused(write(vocab), "^100,001 rows: at most 100,000")


def test_max_rows_of_long_tokens_fit_in_max_bytes() -> None:
    # 100,000 rows of 40-character tokens with full-precision logits, as compact JSON and as CSV, fit in MAX_BYTES
    rng = np.random.default_rng(0)
    vocab = [(f"Ġ{i:06d}" + "x" * 33, float(x)) for i, x in enumerate(rng.normal(0, 3, MAX_ROWS))]
    for text in (write_json_object(vocab), write_json_pairs(vocab), write_csv(vocab)):
        assert len(text.encode()) <= MAX_BYTES
        assert len(read_logits(text).tokens) == MAX_ROWS


def test_too_many_bytes_are_refused_before_parsing() -> None:
    # the size alone, in the units it is counted in (not the row limit: a file this big may hold few rows)
    refused("a" * (MAX_BYTES + 1), r"^the input is larger than 8 MiB \(8,388,608 bytes\)$")
    refused("é" * (MAX_BYTES // 2 + 1), r"^the input is larger than 8 MiB \(8,388,608 bytes\)$")  # UTF-8 bytes
    assert MAX_BYTES == 8 * 2**20 == 8_388_608


# ---- round trips and properties ----------------------------------------------------------------

tokens = st.text(
    st.characters(
        blacklist_categories=("Cc", "Cs"),
        blacklist_characters="\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    )
    | st.sampled_from("\t\n\r,;\"'Ġ▁"),
    min_size=1,
    max_size=12,
)
logits = st.floats(allow_nan=False, allow_infinity=False) | st.just(-math.inf)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(tokens, logits), min_size=2, max_size=30, unique_by=lambda p: p[0]), st.sampled_from(WRITERS))
def test_a_random_vocabulary_round_trips(pairs: list[tuple[str, float]], write: object) -> None:
    assert callable(write)
    if all(x == -math.inf for _, x in pairs):
        pairs = [(pairs[0][0], 0.0), *pairs[1:]]
    got = read_logits(write(pairs))
    assert got.tokens == tuple(t for t, _ in pairs)
    np.testing.assert_array_equal(got.logits, [x for _, x in pairs])


def test_a_random_vocabulary_round_trips_at_gpt2_size() -> None:
    rng = np.random.default_rng(50257)
    alphabet = list("abcdefghijklmnopqrstuvwxyzĠĊ▁猫😀,;\"' \t\n")
    vocab = {"".join(rng.choice(alphabet, rng.integers(1, 12))): float(x) for x in rng.normal(0, 4, 60_000)}
    pairs = list(vocab.items())[:50_257]
    for write in WRITERS:
        got = read_logits(write(pairs))
        assert got.tokens == tuple(t for t, _ in pairs)
        np.testing.assert_array_equal(got.logits, [x for _, x in pairs])


def outcome(text: str) -> TokenLogits | str:
    try:
        return read_logits(text)
    except ValueError as exc:
        return str(exc)


def check_accepted(got: TokenLogits) -> None:
    assert got.logits.dtype == np.float64
    assert got.logits.shape == (len(got.tokens),)
    assert len(got.tokens) >= 2
    assert np.all(np.isfinite(got.logits) | (got.logits == -np.inf))
    assert np.any(np.isfinite(got.logits))
    assert len(set(got.tokens)) == len(got.tokens)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(st.text(max_size=6), st.floats() | st.text(max_size=6)), max_size=8), st.sampled_from(WRITERS)
)
def test_anything_written_is_refused_clearly_or_read_finite_or_minus_inf(
    pairs: list[tuple[str, float | str]], write: object
) -> None:
    assert callable(write)
    got = outcome(str(write(pairs)))  # logits that are strings too: json writes them quoted, csv as they are
    if isinstance(got, TokenLogits):
        check_accepted(got)
        if write in (write_json_pairs, write_json_records):  # no header row, no duplicate keys merged
            assert len(got.tokens) == len(pairs)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from('ab\u0120,;\t\n\r"[]{}:-.0123456789einfaIN \x00\u202e'), max_size=40))
def test_any_text_is_refused_with_value_error_or_read(text: str) -> None:
    got = outcome(text)
    if isinstance(got, str):
        assert re.match(r"[a-z0-9'\"JT]", got)  # a sentence, starting with what is wrong
    else:
        check_accepted(got)


# ---- the snippet -------------------------------------------------------------------------------


def test_the_snippet_is_python_that_writes_the_object_format() -> None:
    code = example_snippet()
    tree = ast.parse(code)
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import | ast.ImportFrom) for a in n.names}
    assert {"json", "torch", "AutoModelForCausalLM", "AutoTokenizer"} <= imported
    for part in ('"gpt2"', "logits[0, -1]", "convert_ids_to_tokens", "json.dump(dict(zip(tokens,"):
        assert part in code
    # what its last line writes, for a tiny fake vocabulary, is read back
    tokens_, values = ["Ġthe", "Ġcat", "\n"], [1.5, -0.25, -math.inf]
    assert read_logits(json.dumps(dict(zip(tokens_, values, strict=True)), ensure_ascii=False)).tokens == tuple(tokens_)


def test_to_json_reads_back_exactly() -> None:
    tokens = ["Ġcat", '"quoted"', "back\\slash", "tab\there", "naïve", "-inf one"]
    logits = [2.5, -1e-300, 1.7976931348623157e308, 0.1 + 0.2, -7.0, float("-inf")]
    back = read_logits(to_json(tokens, logits))
    assert back.tokens == tuple(tokens)
    assert back.logits.tolist() == logits
    with pytest.raises(ValueError, match="one logit per token"):
        to_json(["a", "b"], [1.0])
    with pytest.raises(ValueError, match="each token once"):
        to_json(["a", "a"], [1.0, 2.0])
    for bad in (float("nan"), float("inf")):
        with pytest.raises(ValueError, match="finite or -inf"):
            to_json(["a", "b"], [1.0, bad])
