"""Typed and clicked input in real Chromium: one click, one reading, never a silent misreading.

- Learning › "Use step k's logits": one click puts step k's logits in the pad, the
  readout and the URL, with no second click.
- The logit pad's exact box: a decimal comma ("1,5") reads as 1.5 and says so, never
  as 15 (what a browser's number box makes of it); a comma that could be a thousands
  separator, and anything that is not one finite number, keeps the last good value and
  says why.
"""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest
from playwright.sync_api import Locator, Page, expect
from scipy.special import softmax

from harness.server import IDLE

CE = '.live-panel .lp-metric[data-key="ce"] .lp-value'
"""The example's cross-entropy (the Playground's panel, the deep-dive pages' readout)."""
WAIT_MS = 15_000
"""How long a click's rerun may take to show on this shared, slow machine (a bound, not a measure)."""


def query(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def url_logits(page: Page) -> list[float]:
    return [float(v) for v in query(page)["logits"].split(",")]


def ce_text(logits: list[float], target: int, temperature: float = 1.0) -> str:
    """The cross-entropy as the page writes it (4 decimals, nats), from scipy."""
    return f"{-math.log(softmax(np.array(logits) / temperature)[target]):.4f} nats"


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(CE)
    page.wait_for_selector(IDLE)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


# ---- Learning: "Use step k's logits" ----------------------------------------------------------
def steps_by_hand(z: list[float], target: int, lr: float, k: int) -> list[float]:
    """k steps of gradient descent on cross-entropy at T = 1: z ← z − lr (softmax(z) − y)."""
    logits, y = np.array(z, dtype=float), np.eye(len(z))[target]
    for _ in range(k):
        logits = logits - lr * (softmax(logits) - y)
    return [float(v) for v in logits]


def exact_box(page: Page, name: str) -> Locator:
    return page.get_by_role("spinbutton", name=f"Exact logit of {name}")


@pytest.mark.parametrize("k", [10, 57])
def test_one_click_on_use_step_k_sets_url_pad_and_readout(page: Page, app_url: str, k: int) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_page(page, app_url + f"/learning?logits=3,-3,0&target=dog&lg_lr=1&lg_step={k}")
    step = page.locator('[data-testid="stMetric"]:has-text("Step") [data-testid="stMetricValue"]').first
    expect(step).to_have_text(f"{k} of 100")
    want = steps_by_hand([3.0, -3.0, 0.0], 1, 1.0, k)

    page.get_by_role("button", name=f"Use step {k}'s logits").click()  # once

    page.wait_for_function("() => new URLSearchParams(location.search).get('logits') !== '3,-3,0'", timeout=WAIT_MS)
    np.testing.assert_allclose(url_logits(page), want, rtol=1e-12, atol=1e-12)
    assert query(page)["lg_step"] == "0"
    for name, z in zip(("cat", "dog", "rabbit"), want, strict=True):
        expect(exact_box(page, name)).to_have_value(f"{float(f'{z:.6g}'):g}", timeout=WAIT_MS)
    expect(page.locator(CE)).to_have_text(ce_text(want, 1))
    expect(step).to_have_text("0 of 100")
    page.wait_for_selector(IDLE)
    np.testing.assert_allclose(url_logits(page), want, rtol=1e-12, atol=1e-12)  # and it stays
    assert not errors


def test_scrubbing_the_step_puts_it_in_the_url(page: Page, app_url: str) -> None:
    open_page(page, app_url + "/learning?lg_step=3")
    step = page.get_by_role("slider", name="Step").first
    step.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => new URLSearchParams(location.search).get('lg_step') === '5'", timeout=WAIT_MS)
    expect(page.locator('[data-testid="stMetric"]:has-text("Step") [data-testid="stMetricValue"]').first).to_have_text(
        "5 of 100"
    )


# ---- the exact box: what typed text reads as ------------------------------------------------
def type_into(box: Locator, text: str) -> None:
    """Type ``text`` key by key into the box (as a person does) and press Enter."""
    box.click()
    box.press("ControlOrMeta+a")
    box.press("Backspace")
    box.press_sequentially(text)
    box.press("Enter")


def note_of(page: Page, name: str) -> Locator:
    """The note under the row of class ``name`` in the logit pad."""
    return page.locator(".row", has=exact_box(page, name)).locator(".note")


@pytest.mark.parametrize(
    ("typed", "value", "said"),
    [
        ("1,5", 1.5, "Read “1,5” as 1.5"),
        ("-2,5", -2.5, "Read “-2,5” as −2.5"),
        ("0,125", 0.125, "Read “0,125” as 0.125"),
        ("−0.75", -0.75, ""),  # a true minus, as the page writes it (copied from a table)
        ("2.5e-1", 0.25, ""),
    ],
)
def test_a_decimal_comma_reads_as_a_point_and_says_so(
    page: Page, app_url: str, typed: str, value: float, said: str
) -> None:
    open_page(page, app_url)
    type_into(exact_box(page, "cat"), typed)
    logits = [value, 1.0, 0.1]
    expect(page.locator(CE)).to_have_text(ce_text(logits, 1), timeout=WAIT_MS)
    page.wait_for_function(
        "(v) => new URLSearchParams(location.search).get('logits') === v",
        arg=f"{value!r},1,0.1",
        timeout=WAIT_MS,
    )
    note = note_of(page, "cat")
    if said:
        expect(note).to_contain_text(said)
    else:
        expect(note).to_have_text("")
    exact_box(page, "dog").focus()  # leave the box: it shows the value read
    expect(exact_box(page, "cat")).to_have_value(f"{value:g}")


@pytest.mark.parametrize(
    ("typed", "why"),
    [
        ("1,000", "could be 1.000 or 1000"),
        ("12,345", "could be 12.345 or 12345"),
        ("1.000,5", "is not one number: decimals take a point"),
        ("abc", "“abc” is not a number"),
        ("2..5", "is not a number"),
        ("0x10", "is not a number"),
        ("1e999", "too large"),
        ("", "empty"),
    ],
)
def test_anything_else_keeps_the_last_good_value_and_says_why(page: Page, app_url: str, typed: str, why: str) -> None:
    open_page(page, app_url)
    before = page.locator(CE).inner_text()
    box = exact_box(page, "cat")
    type_into(box, typed)
    note = note_of(page, "cat")
    expect(note).to_contain_text(why)
    expect(note).to_contain_text("kept 2.")
    expect(note).to_be_visible()
    expect(box).to_have_attribute("aria-invalid", "true")
    exact_box(page, "dog").focus()
    expect(box).to_have_value("2")  # the last good value is back in the box
    expect(note).to_contain_text("kept 2.")  # and the reason stays in sight
    page.wait_for_selector(IDLE)
    assert page.locator(CE).inner_text() == before
    assert query(page).get("logits", "2,1,0.1") == "2,1,0.1"
    type_into(box, "3")  # the next good value clears the note and is committed
    expect(note).to_have_text("")
    page.wait_for_function("() => new URLSearchParams(location.search).get('logits') === '3,1,0.1'", timeout=WAIT_MS)
    expect(page.locator(CE)).to_have_text(ce_text([3.0, 1.0, 0.1], 1))


def test_arrow_keys_step_the_exact_box_by_one(page: Page, app_url: str) -> None:
    open_page(page, app_url)
    box = exact_box(page, "rabbit")
    box.focus()
    box.press("ArrowUp")
    page.wait_for_function("() => new URLSearchParams(location.search).get('logits') === '2,1,1.1'", timeout=WAIT_MS)
    box.press("ArrowDown")
    box.press("ArrowDown")
    page.wait_for_function("() => new URLSearchParams(location.search).get('logits') === '2,1,-0.9'", timeout=WAIT_MS)
    expect(page.locator(CE)).to_have_text(ce_text([2.0, 1.0, -0.9], 1))
