"""The probability simplex: p as a point in a triangle, loss contours, the temperature and gradient paths."""

from ui import controls, simplex
from ui import scenario as state
from ui.deep_dive import begin

sc = begin(
    "The probability simplex",
    "Probabilities over three classes are three numbers that sum to 1: a point in a triangle. "
    "Move the logits and watch the point; pick the true class and watch the loss contours turn.",
    simplex.PARAMS,
    toolbar=controls.settings,
)
simplex.body(sc)
state.sync_url(sc, simplex.PARAMS.url_values())
