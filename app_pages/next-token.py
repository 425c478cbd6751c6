"""Next token: the same softmax choosing a language model's next word, and the loss of a sentence word by word."""

from ui import next_token_view as nt
from ui.frame import page

with page(
    "Next token: softmax picks the next word",
    "A language model is a classifier whose classes are its whole vocabulary. This one is small (550 words, "
    "trained on a made-up world of cats, dogs and rabbits): see how decoding turns its logits into the next word, "
    "and what loss each word of a sentence costs.",
    nt.PARAMS,
    toolbar=None,
) as sc:  # the shared example rides along in the URL, as on every page (the live route's messages carry it)
    nt.show(sc)
