"""core.corpus: the seeded cat/dog/rabbit corpus, its tokenizer, split and vocabulary."""

from __future__ import annotations

import re

import pytest

from core.corpus import (
    FOOD,
    SPECIALS,
    UNK,
    build_vocabulary,
    encode,
    generate,
    split,
    tokenize,
)

SEED = 15  # the shipped model's seed (core.lm.TrainConfig.seed)
N_SENTENCES = 6000  # scripts/train_lm.py's corpus size


@pytest.fixture(scope="module")
def shipped_split() -> tuple[list[str], list[str]]:
    return split(generate(N_SENTENCES, seed=SEED), held_out=0.1, seed=SEED)


def test_the_generator_is_deterministic_for_a_seed_and_changes_with_it() -> None:
    a = generate(300, seed=SEED)
    assert a == generate(300, seed=SEED)
    assert a != generate(300, seed=SEED + 1)
    assert len(a) == 300
    assert all(s.endswith((".", "?")) for s in a)


def test_the_shipped_vocabulary_is_500_to_2000_words_with_the_special_tokens_first(
    shipped_split: tuple[list[str], list[str]],
) -> None:
    train, held_out = shipped_split
    assert (len(train), len(held_out)) == (5400, 600)
    vocabulary = build_vocabulary(train)
    assert 500 <= len(vocabulary) <= 2000
    assert vocabulary[:3] == ("<s>", "</s>", "<unk>") == SPECIALS
    assert len(set(vocabulary)) == len(vocabulary)
    assert {"cat", "dog", "rabbit", "purrs", "barks", "hops", "."} <= set(vocabulary)


def test_the_split_is_by_sentence_deterministic_and_disjoint() -> None:
    sentences = [f"sentence {i} ." for i in range(100)]
    train, held_out = split(sentences, held_out=0.1, seed=3)
    assert (train, held_out) == split(sentences, held_out=0.1, seed=3)
    assert len(held_out) == 10
    assert sorted(train + held_out) == sorted(sentences)
    assert not set(train) & set(held_out)
    with pytest.raises(ValueError, match="held_out"):
        split(sentences, held_out=1.0, seed=0)


def test_tokenize_lowers_and_splits_words_and_punctuation() -> None:
    assert tokenize("The Cat sat.") == ["the", "cat", "sat", "."]
    assert tokenize("  Mia, didn't   PURR?!") == ["mia", ",", "didn't", "purr", "?", "!"]
    assert tokenize("") == []
    assert tokenize("<unk> and </s>") == ["<unk>", "and", "</s>"]
    # every generated sentence is already in token form: tokens joined by single spaces
    for s in generate(200, seed=1):
        assert " ".join(tokenize(s)) == s


def test_unknown_words_become_unk() -> None:
    vocabulary = ("<s>", "</s>", "<unk>", "the", "cat", ".")
    assert encode(tokenize("The zebra cat."), vocabulary) == [3, 2, 4, 5]
    assert encode([], vocabulary) == []
    with pytest.raises(ValueError, match="<unk>"):
        encode(["the"], ["the"])
    assert vocabulary.index(UNK) == 2


def test_rare_words_stay_out_of_the_vocabulary() -> None:
    assert build_vocabulary(["a b a", "c"], min_count=2) == (*SPECIALS, "a")
    assert build_vocabulary(["b a a", "c"], min_count=1) == (*SPECIALS, "a", "b", "c")


def test_pronouns_agree_with_the_name_several_words_back() -> None:
    found = [re.match(r"(\w+) found (his|her) .* and (he|she) ", s) for s in generate(3000, seed=SEED)]
    matches = [m for m in found if m]
    assert len(matches) > 50
    gender: dict[str, str] = {}
    for m in matches:
        name, his, he = m.groups()
        assert (his, he) in {("his", "he"), ("her", "she")}
        assert gender.setdefault(name, he) == he, f"{name} changed gender"


def test_each_species_eats_its_own_food() -> None:
    eats = {"cat": "laps up", "dog": "gobbles", "rabbit": "nibbles"}
    checked = 0
    for s in generate(3000, seed=SEED):
        for species, verb in eats.items():
            m = re.search(rf"\b{species} {verb} some (.+?) (in|on|under|by|near|behind|at) ", s)
            if m:
                assert m.group(1) in FOOD[species], s
                checked += 1
    assert checked > 20


@pytest.mark.parametrize("bad", [0, -1, 1.5, True])
def test_bad_sentence_counts_raise(bad: object) -> None:
    with pytest.raises(ValueError, match="n_sentences"):
        generate(bad, seed=0)  # type: ignore[arg-type]
