"""Issue 13, numbers that are true, on the pages themselves (AppTest) and through the live route.

cat = 1e4, dog = 1 (true): p(dog) = e^−9999 ≈ 3.1 × 10⁻⁴³⁴³, never "0"; the Information tab names its target
and says how its loss relates to the one under the logits; five classes on the Simplex give the true
probabilities; the Softmax page's entropy is in the chosen unit and never a false 0. Expected values from
exact decimals and scipy, never from the code under test.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal, localcontext

import pytest
import scipy.special as sp

from routes.live import answer
from tests.app.pad import pad_data
from tests.app.support import html_text, open_page, panel_metric, panel_part, panel_slots
from tests.app.test_cross_entropy_page import open_ce

EXTREME = {"classes": "cat,dog,rabbit", "logits": "10000,1,0", "target": "dog", "temperature": "1"}
SUPER = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def tiny(value: Decimal) -> str:
    """A positive decimal far below float64's range, as "≈ m.m × 10ⁿ"."""
    with localcontext() as ctx:
        ctx.prec = 40
        exponent = value.adjusted()
        mantissa = value.scaleb(-exponent).quantize(Decimal("0.1"))
    return f"≈ {mantissa} × 10{str(exponent).translate(SUPER)}"


def e(x: int) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 40
        return Decimal(x).exp()


P_DOG = tiny(e(-9999))  # log p(dog) = −9999 − ln(1 + e^−9999 + e^−10000) = −9999 to 40 digits


def test_the_extreme_playground_says_the_same_tiny_p_everywhere() -> None:
    at = open_page("app_pages/playground.py", EXTREME)
    assert P_DOG == "≈ 3.1 × 10⁻⁴³⁴³"
    assert panel_metric(at, "p_true")["value"] == P_DOG
    formulas = html_text(panel_part(at, "pg_formulas")["html"])
    assert "−ln 0" not in formulas
    assert P_DOG in formulas
    assert "9999.0000 nats" in formulas
    steps = html_text(panel_part(at, "pg_steps")["html"])
    assert steps.count(P_DOG) == 2  # exp(shifted) and p of dog
    assert tiny(e(-10000)) in steps  # and rabbit's
    curve = panel_part(at, "pg_loss_curve")
    assert P_DOG in html_text(curve["spec"]["layout"]["annotations"][0]["text"])
    assert curve["tables"][1]["rows"][0][0] == P_DOG
    assert not at.exception


@pytest.mark.parametrize(
    ("page", "slot_key"),
    [("app_pages/playground.py", "pg_formulas"), ("app_pages/softmax.py", "readout_probs")],
)
def test_a_drag_to_the_extreme_is_answered_with_the_same_text(page: str, slot_key: str) -> None:
    at = open_page(page, EXTREME)
    data = pad_data(at)
    reply = json.loads(answer(json.dumps({**data["live"], "seq": 1, "logits": data["logits"]})))
    assert reply["panel"]["slots"] == panel_slots(at)
    assert P_DOG in html_text(panel_part(at, slot_key)["html"])


def test_the_readout_on_a_tabbed_page_gives_the_tiny_p() -> None:
    at = open_ce(EXTREME)
    cells = re.findall(r"</th><td[^>]*>(.*?)</td>", panel_part(at, "readout_probs")["html"])
    assert cells == ["1.0000", P_DOG, tiny(e(-10000))]


# ---- the Information tab ------------------------------------------------------------------------------------------
def test_information_names_its_target_and_the_one_hot_loss_under_the_logits() -> None:
    at = open_ce({"ce_eps": "0.1"})
    text = " ".join(html_text(h.value) for h in at.html)
    log_p = sp.log_softmax([2.0, 1.0, 0.1])
    one_hot = -log_p[1]
    smoothed = -sum((0.9 * (i == 1) + 0.1 / 3) * lp for i, lp in enumerate(log_p))
    info = next(t for t in (html_text(h.value) for h in at.html) if "KL(ỹ ‖ p) =" in t)
    assert f"H(ỹ, p) = {smoothed:.4f} nats" in info
    assert f"{one_hot:.4f} nats" in info  # the one-hot loss, as under the logits
    assert "H(y) = 0" in info  # said of the one-hot target y, never of ỹ
    assert "H(ỹ) = 0 " not in text
    assert panel_metric(at, "ce")["value"] == f"{one_hot:.4f} nats"


def test_information_with_a_one_hot_target_says_y() -> None:
    at = open_ce({"ce_eps": "0"})
    info = next(t for t in (html_text(h.value) for h in at.html) if "KL(y ‖ p) =" in t)
    assert "ỹ" not in info
    assert f"H(y, p) = {-sp.log_softmax([2.0, 1.0, 0.1])[1]:.4f} nats" in info


# ---- the Simplex with five classes ----------------------------------------------------------------------------------
def test_five_classes_on_the_simplex_show_the_true_probabilities() -> None:
    z = [2.0, 1.0, 0.1, 0.5, -1.0]
    at = open_page("app_pages/simplex.py", {"classes": "a,b,c,d,e", "logits": "2,1,0.1,0.5,-1", "target": "a"})
    p = sp.softmax(z)
    shown = [0, 1, 3]  # the true class, then the two most probable others
    items = [html_text(li) for li in re.findall(r"<li>(.*?)</li>", panel_part(at, "sx_probs")["html"])]
    for item, i in zip(items, shown, strict=True):
        rescaled = p[i] / p[shown].sum()
        assert item == f"p({'abcde'[i]}) = {p[i]:.4f} ({rescaled:.4f} on the triangle)"
    assert f"{p[1]:.4f}" != f"{p[1] / p[shown].sum():.4f}"  # the two numbers differ: which is which is said


# ---- the Softmax page's entropy -------------------------------------------------------------------------------------
def entropy_of_the_extreme() -> Decimal:
    """H of softmax(1e4, 1, 0) in nats. With a = e^−9999 + e^−10000 and S = 1 + a: p(dog) = e^−9999 / S,
    p(rabbit) = e^−10000 / S, p(cat) = 1 / S, and ln S = a − a²/2 + … . To a relative 1e−4000 (1/S = 1, ln S = a):
    H = 9999 e^−9999 + 10000 e^−10000 + a (cat's term is p(cat) ln S = a: it counts)."""
    with localcontext() as ctx:
        ctx.prec = 60
        a, b = e(-9999), e(-10000)
        return 9999 * a + 10000 * b + (a + b)


def entropy_metric(at) -> str:  # type: ignore[no-untyped-def]
    return next(m.value for m in at.metric if m.label == "Entropy of p")


@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_the_entropy_is_in_the_chosen_unit(unit: str) -> None:
    at = open_page("app_pages/softmax.py", {"unit": unit})
    p = sp.softmax([2.0, 1.0, 0.1])
    h = float(sp.entr(p).sum()) / (math.log(2) if unit == "bits" else 1.0)
    assert entropy_metric(at) == f"{h:.4f} {unit}"
    other = "bits" if unit == "nats" else "nats"
    next(b for b in at.get("button_group") if b.key == "unit").set_value(other).run()
    h2 = float(sp.entr(p).sum()) / (math.log(2) if other == "bits" else 1.0)
    assert entropy_metric(at) == f"{h2:.4f} {other}"


@pytest.mark.parametrize("unit", ["nats", "bits"])
def test_an_entropy_that_underflows_is_not_shown_as_zero(unit: str) -> None:
    at = open_page("app_pages/softmax.py", {**EXTREME, "unit": unit})
    with localcontext() as ctx:
        ctx.prec = 60
        h = entropy_of_the_extreme()
        if unit == "bits":
            h = h / Decimal(2).ln()
    assert entropy_metric(at) == f"{tiny(h)} {unit}"


# ---- the largest finite logits never give a traceback ----------------------------------------------------------------
@pytest.mark.parametrize("page", ["app_pages/softmax.py", "app_pages/simplex.py"])
def test_logits_at_the_edge_of_float64_draw_the_page(page: str) -> None:
    """1e308 − (−1e308) overflows: the Shift and scale tab (k·z) and the Simplex's gradient steps shift by the max
    first, so the page draws instead of failing."""
    at = open_page(page, {"logits": "1e308,-1e308,0", "temperature": "0.05"})
    assert not at.exception


def test_logits_at_the_edge_of_float64_draw_the_cross_entropy_page() -> None:
    """Every tab works on (z − max z) / T, so z / T = ±inf never reaches log-softmax (the naive NumPy row still
    shows what the naive code does with it)."""
    at = open_ce({"logits": "1e308,-1e308,0", "temperature": "0.05"})
    assert not at.exception
