"""The probability simplex: p as a point in a triangle, loss contours, the temperature and gradient paths."""

from ui import simplex_view as simplex
from ui.frame import page

with page(
    "The probability simplex",
    "Probabilities over three classes are three numbers that sum to 1: a point in a triangle. "
    "Move the logits and watch the point; pick the true class and watch the loss contours turn.",
    simplex.PARAMS,
) as sc:
    simplex.body(sc)
