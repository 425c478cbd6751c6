r"""The corpus of the shipped language model: the cat/dog/rabbit world, written by a seeded grammar.

:func:`generate` writes ``n`` sentences from templates over a small world: named pets (each name is a
cat, a dog or a rabbit, and a he or a she, fixed by the seed), their owners, places, times of day,
adjectives, colours, food and toys. The grammar keeps the world consistent, so context helps a model:

- **species**: cats purr and meow, dogs bark and fetch, rabbits hop and nibble; each eats its own food
  (``the rabbit nibbles a carrot``, never ``the rabbit nibbles a bone``);
- **names**: ``mia`` is always the same species and gender, so ``mia purrs`` or ``mia barks`` depends
  on who mia is;
- **pronouns** agree with the name several words back (``mia found her ball and she ...``);
- **longer dependencies**: ``the dog that chased the cat barked loudly``, ``when the rabbit is hungry ,
  it ...``, plural subjects with plural verbs (``three cats sleep``).

:func:`tokenize` (lower case, words and punctuation) is the one tokenizer of the model, its training
and the page. :func:`split` divides the sentences into a training and a held-out part by sentence,
from the seed; :func:`build_vocabulary` keeps the training words seen at least twice, after the three
special tokens ``<s>`` (start, also the left padding of a context), ``</s>`` (end) and ``<unk>``.
Everything is deterministic for a given seed (NumPy's ``default_rng``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

__all__ = [
    "BOS",
    "EOS",
    "SPECIALS",
    "UNK",
    "build_vocabulary",
    "encode",
    "generate",
    "split",
    "tokenize",
]

BOS, EOS, UNK = "<s>", "</s>", "<unk>"
SPECIALS = (BOS, EOS, UNK)
_TOKEN = re.compile(r"<unk>|<s>|</s>|[a-z0-9]+(?:'[a-z]+)?|[^\sa-z0-9]")


def tokenize(text: str) -> list[str]:
    """Split text into the model's tokens: lower case words (``don't`` is one) and single punctuation marks.

    >>> tokenize("Mia, the CAT, didn't purr!")
    ['mia', ',', 'the', 'cat', ',', "didn't", 'purr', '!']
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {text!r}")
    return _TOKEN.findall(text.lower())


def encode(tokens: Iterable[str], vocabulary: Sequence[str]) -> list[int]:
    """Token indices in ``vocabulary``; a word it does not hold becomes ``<unk>``.

    >>> encode(["the", "zebra"], ["<s>", "</s>", "<unk>", "the"])
    [3, 2]
    """
    index = {w: i for i, w in enumerate(vocabulary)}
    if UNK not in index:
        raise ValueError("vocabulary must hold '<unk>'")
    unk = index[UNK]
    return [index.get(t, unk) for t in tokens]


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# ---- the world --------------------------------------------------------------------------------------
SPECIES = ("cat", "dog", "rabbit")
PLURAL = {"cat": "cats", "dog": "dogs", "rabbit": "rabbits"}
YOUNG = {"cat": "kitten", "dog": "puppy", "rabbit": "bunny"}
SOUND = {"cat": ("meowed", "purred", "hissed"), "dog": ("barked", "growled", "howled"),
         "rabbit": ("thumped", "squeaked", "sniffed")}  # fmt: skip
HABIT = {  # present tense, third person singular / plural
    "cat": [("purrs", "purr"), ("climbs the fence", "climb the fence"), ("chases mice", "chase mice"),
            ("scratches the sofa", "scratch the sofa"), ("licks its paws", "lick their paws"),
            ("pounces on a feather", "pounce on a feather"), ("naps in the sun", "nap in the sun"),
            ("watches the birds", "watch the birds"), ("meows at the door", "meow at the door")],
    "dog": [("barks", "bark"), ("wags its tail", "wag their tails"), ("fetches the stick", "fetch the stick"),
            ("digs a hole", "dig a hole"), ("chews a shoe", "chew a shoe"), ("guards the house", "guard the house"),
            ("sniffs the grass", "sniff the grass"), ("chases the ball", "chase the ball"),
            ("howls at the moon", "howl at the moon")],
    "rabbit": [("hops", "hop"), ("nibbles the grass", "nibble the grass"), ("twitches its nose", "twitch their noses"),
               ("digs a burrow", "dig a burrow"), ("thumps its foot", "thump their feet"),
               ("hides under the hedge", "hide under the hedge"), ("washes its ears", "wash their ears"),
               ("jumps over the log", "jump over the log"), ("sniffs the clover", "sniff the clover")],
}  # fmt: skip
FOOD = {
    "cat": ["fish", "tuna", "salmon", "sardines", "chicken", "milk", "cream", "cat food", "prawns", "cheese",
            "mackerel", "liver", "turkey", "ham", "kibble", "shrimp"],
    "dog": ["bones", "biscuits", "meat", "sausages", "beef", "dog food", "lamb", "steak", "bacon", "pork",
            "treats", "rice", "eggs", "meatballs", "venison", "gravy"],
    "rabbit": ["carrots", "lettuce", "clover", "hay", "cabbage", "dandelions", "parsley", "kale", "apples",
               "celery", "spinach", "radishes", "broccoli", "basil", "mint", "pellets"],
}  # fmt: skip

EATS = {"cat": "laps up", "dog": "gobbles", "rabbit": "nibbles"}
NAMES = _words(
    "mia luna bella milo oliver leo max charlie lucy daisy coco rosie ruby ollie teddy jack bailey buddy molly "
    "lola poppy toby oscar simba nala tigger smokey shadow misty ginger pepper pumpkin biscuit cookie oreo "
    "thumper clover hazel willow bramble nibbles flopsy mopsy cottontail snowball fluffy whiskers socks boots "
    "patch rex duke bruno rocky buster bear zeus ziggy finn archie alfie henry winston murphy maple honey "
    "peanut butterscotch caramel mocha truffle pudding muffin waffles noodle pickles olive sage juniper "
    "pippin bluebell primrose violet iris jasper felix salem onyx tiger sooty marmalade mittens button "
    "dotty freckles sprout acorn chestnut nutmeg cinnamon ginny percy rupert hugo otis gus rufus baxter "
    "benji scout ranger ace sasha kira roxy zara bonnie dixie nellie tilly millie evie"
)
OWNERS = ("the girl", "the boy", "grandma", "grandpa", "the farmer", "the teacher", "the baker", "the vet",
          "the neighbour", "mum", "dad", "the children", "my sister", "my brother", "aunt rose", "uncle tom",
          "emma", "noah", "sophie", "liam", "ava", "lucas", "isla", "ethan")  # fmt: skip
PLACES = ("in the garden", "in the kitchen", "under the table", "on the sofa", "by the window", "in the barn",
          "near the pond", "in the meadow", "behind the shed", "on the porch", "in the field", "by the river",
          "under the bed", "on the rug", "in the hallway", "near the gate", "in the orchard", "on the hill",
          "in the woods", "by the fire", "in the attic", "on the stairs", "in the basket", "by the fence",
          "in the park", "at the farm", "in the yard", "under the tree", "on the path", "in the greenhouse",
          "by the wall", "near the stream", "in the hutch", "on the bench", "in the cellar", "by the door")  # fmt: skip
TIMES = ("in the morning", "at noon", "in the afternoon", "in the evening", "at night", "at dawn", "at dusk",
         "every day", "on monday", "on tuesday", "on wednesday", "on thursday", "on friday", "on saturday",
         "on sunday", "after breakfast", "after lunch", "before dinner", "in the spring", "in the summer",
         "in the autumn", "in the winter", "on rainy days", "when it snows", "yesterday", "today",
         "last week", "once a week", "all day long", "before bedtime")  # fmt: skip
ADJECTIVES = _words(
    "small big little old young fat thin lazy sleepy playful curious clever brave shy grumpy happy "
    "friendly naughty gentle quiet noisy fluffy scruffy hungry tired proud silly cheeky calm wild "
    "tiny huge fast slow soft smart bold timid jolly cosy"
)
COLOURS = _words("black white grey brown ginger golden spotted striped tabby cream silver sandy")
STATES = _words("hungry tired happy sad sleepy bored cold warm scared excited thirsty lonely cross restless content")
TOYS = ("ball", "rope", "feather", "mouse toy", "ribbon", "box", "stick", "frisbee", "squeaky toy", "bell",
        "ball of yarn", "paper bag", "cardboard tube", "slipper", "sock", "tennis ball", "blanket", "cushion",
        "pine cone", "leaf")  # fmt: skip
ADVERBS = _words("loudly softly happily quietly slowly quickly angrily sadly proudly sleepily gently suddenly")
NUMBERS = _words("two three four five six seven eight nine ten eleven twelve")
OTHER_ACTS = ("chased", "followed", "watched", "ignored", "licked", "sniffed", "found", "visited", "scared",
              "greeted", "woke", "pushed")  # fmt: skip
WEATHER = ("the sun was shining", "it was raining", "it was windy", "snow was falling", "the sky was grey",
           "it was very hot", "it was foggy", "the wind was cold")  # fmt: skip
FEELINGS = ("loves", "likes", "hates", "enjoys", "prefers")


class _Writer:
    """Picks words with a NumPy generator; one method per sentence template."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)
        names = list(NAMES)
        species, genders = self.rng.integers(0, 3, len(names)), self.rng.integers(0, 2, len(names))
        self.species = {n: SPECIES[int(i)] for n, i in zip(names, species, strict=True)}
        self.gender = {n: ("he", "she")[int(i)] for n, i in zip(names, genders, strict=True)}

    def pick(self, options: Sequence[str]) -> str:
        return options[int(self.rng.integers(len(options)))]

    def pet(self) -> tuple[str, str, str, str]:
        """A name, its species, subject pronoun and possessive."""
        name = self.pick(NAMES)
        he = self.gender[name]
        return name, self.species[name], he, "his" if he == "he" else "her"

    def habit(self, species: str, plural: bool = False) -> str:
        return HABIT[species][int(self.rng.integers(len(HABIT[species])))][int(plural)]

    def noun(self, species: str) -> str:
        return YOUNG[species] if self.rng.random() < 0.25 else species

    def sentence(self) -> str:
        templates = (
            *(self.t_habit, self.t_eat, self.t_toy, self.t_relative, self.t_when, self.t_plural),
            *(self.t_owner, self.t_weather, self.t_question, self.t_prefer, self.t_two, self.t_describe),
        )
        return templates[int(self.rng.integers(len(templates)))]()

    # ---- templates ------------------------------------------------------------------------------------
    def t_habit(self) -> str:
        name, sp, _, _ = self.pet()
        tail = self.pick([self.pick(PLACES), self.pick(TIMES), f"{self.pick(PLACES)} {self.pick(TIMES)}"])
        return f"{name} the {sp} {self.habit(sp)} {tail} ."

    def t_eat(self) -> str:
        if self.rng.random() < 0.5:
            name, sp, he, his = self.pet()
            hungry = self.pick(["hungry", "starving", "peckish"])
            return f"{name} is {hungry} , so {he} {EATS[sp]} {his} {self.pick(FOOD[sp])} ."
        sp = self.pick(SPECIES)
        adjective, noun = self.pick(ADJECTIVES), self.noun(sp)
        return f"the {adjective} {noun} {EATS[sp]} some {self.pick(FOOD[sp])} {self.pick(PLACES)} ."

    def t_toy(self) -> str:
        name, sp, he, his = self.pet()
        toy = self.pick(TOYS)
        end = self.pick([f"{he} played with it {self.pick(TIMES)}", f"{he} carried it {self.pick(PLACES)}",
                         f"{he} {self.habit(sp)} next to it", f"{he} would not share it"])  # fmt: skip
        return f"{name} found {his} {toy} {self.pick(PLACES)} and {end} ."

    def t_relative(self) -> str:
        sp, other = self.rng.permutation(SPECIES)[:2]
        return f"the {sp} that {self.pick(OTHER_ACTS)} the {other} {self.pick(SOUND[str(sp)])} {self.pick(ADVERBS)} ."

    def t_when(self) -> str:
        sp = self.pick(SPECIES)
        state = self.pick(STATES)
        return f"when the {self.noun(sp)} is {state} , it {self.habit(sp)} {self.pick(PLACES)} ."

    def t_plural(self) -> str:
        sp = self.pick(SPECIES)
        number, colour = self.pick(NUMBERS), self.pick(COLOURS)
        return f"{number} {colour} {PLURAL[sp]} {self.habit(sp, plural=True)} {self.pick(TIMES)} ."

    def t_owner(self) -> str:
        name, sp, he, _ = self.pet()
        owner = self.pick(OWNERS)
        act = self.pick(["feeds", "walks", "brushes", "cuddles", "calls", "visits", "bathes", "photographs"])
        end = self.pick([f"and {he} {self.habit(sp)}", f"because {he} is {self.pick(STATES)}",
                         f"and gives {'him' if he == 'he' else 'her'} some {self.pick(FOOD[sp])}",
                         f"and {he} {self.pick(SOUND[sp])}"])  # fmt: skip
        return f"{owner} {act} {name} the {self.pick(ADJECTIVES)} {sp} {self.pick(TIMES)} {end} ."

    def t_weather(self) -> str:
        sp = self.pick(SPECIES)
        time, weather, colour = self.pick(TIMES), self.pick(WEATHER), self.pick(COLOURS)
        return f"{time} , {weather} , and the {colour} {sp} {self.habit(sp)} {self.pick(PLACES)} ."

    def t_question(self) -> str:
        sp = self.pick(SPECIES)
        if self.rng.random() < 0.5:
            food = self.pick(FOOD[sp])
            return f"does the {sp} like {food} ? yes , the {sp} {self.pick(FEELINGS[:2])} {food} ."
        other = self.pick([s for s in SPECIES if s != sp])
        food = self.pick(FOOD[other])
        return f"does the {sp} like {food} ? no , the {sp} {self.pick(['hates', 'ignores'])} {food} ."

    def t_prefer(self) -> str:
        name, sp, he, _ = self.pet()
        a, b = self.rng.choice(len(FOOD[sp]), size=2, replace=False)
        return f"{name} {self.pick(FEELINGS)} {FOOD[sp][int(a)]} , but {he} also eats {FOOD[sp][int(b)]} ."

    def t_two(self) -> str:
        (a, sa, _, _), (b, sb, _, _) = self.pet(), self.pet()
        if a == b:
            return f"{a} the {sa} {self.pick(SOUND[sa])} {self.pick(ADVERBS)} {self.pick(TIMES)} ."
        return f"{a} and {b} play {self.pick(PLACES)} , then the {sa} and the {sb} sleep {self.pick(PLACES)} ."

    def t_describe(self) -> str:
        name, sp, _, his = self.pet()
        return (f"{name} is a {self.pick(ADJECTIVES)} {self.pick(COLOURS)} {sp} , and {his} favourite toy "
                f"is the {self.pick(TOYS)} .")  # fmt: skip


def generate(n_sentences: int, *, seed: int) -> list[str]:
    """``n_sentences`` sentences of the cat/dog/rabbit world, one string each, the same for the same seed.

    >>> generate(2, seed=0) == generate(2, seed=0), len(generate(3, seed=1))
    (True, 3)
    """
    if isinstance(n_sentences, bool) or not isinstance(n_sentences, int) or not 1 <= n_sentences <= 1_000_000:
        raise ValueError(f"n_sentences must be an integer from 1 to 1000000, got {n_sentences!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise ValueError(f"seed must be an integer >= 0, got {seed!r}")
    writer = _Writer(seed)
    return [writer.sentence() for _ in range(n_sentences)]


def split(sentences: Sequence[str], *, held_out: float, seed: int) -> tuple[list[str], list[str]]:
    """Shuffle the sentences with the seed and hold out a fraction of them: ``(train, held_out)``.

    >>> train, test = split([str(i) for i in range(10)], held_out=0.2, seed=0)
    >>> len(train), len(test), sorted(train + test) == sorted(str(i) for i in range(10))
    (8, 2, True)
    """
    if not 0.0 < held_out < 1.0:
        raise ValueError(f"held_out must be a fraction in (0, 1), got {held_out!r}")
    order = np.random.default_rng(seed).permutation(len(sentences))
    n_test = max(1, round(held_out * len(sentences)))
    return [sentences[int(i)] for i in order[n_test:]], [sentences[int(i)] for i in order[:n_test]]


def build_vocabulary(sentences: Iterable[str], *, min_count: int = 2) -> tuple[str, ...]:
    """The special tokens, then every token seen at least ``min_count`` times, most frequent first.

    Ties in frequency are in alphabetical order, so the vocabulary depends only on the sentences.

    >>> build_vocabulary(["the cat .", "the dog ."])
    ('<s>', '</s>', '<unk>', '.', 'the')
    """
    counts = Counter(t for s in sentences for t in tokenize(s) if t not in SPECIALS)
    kept = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    return (*SPECIALS, *kept)
