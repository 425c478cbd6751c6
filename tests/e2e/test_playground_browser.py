"""The Playground in real Chromium: keyboard changes, exact entry, shared URLs."""

from __future__ import annotations

import math
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from harness.server import IDLE
from tests.numbers import read_number

# The Cross-entropy in the Playground's live panel (ui/live_panel.py), drawn on a rerun and during a drag.
CE = '.live-panel .lp-metric[data-key="ce"] .lp-value'


def loss_of(logits: list[float], target: int) -> float:
    """-log softmax(z)[target], from the definition."""
    m = max(logits)
    return -(logits[target] - m - math.log(sum(math.exp(z - m) for z in logits)))


def ce_of(logits: list[float], target: int) -> str:
    return f"{loss_of(logits, target):.4f} nats"


def shown_loss(page: Page) -> float:
    number, _unit = page.locator(CE).inner_text().rsplit(" ", 1)
    return read_number(number)


def open_page(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(CE)
    page.wait_for_selector(IDLE)
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def query(page: Page) -> dict[str, str]:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_keyboard_changes_the_cross_entropy(page: Page, app_url: str) -> None:
    open_page(page, app_url)
    expect(page.locator(CE)).to_have_text(ce_of([2.0, 1.0, 0.1], 1))
    cat = page.get_by_role("slider", name="Logit of cat")
    cat.focus()
    # Reading the value between presses lets presses land while reruns are in flight:
    # none may be lost, and the slider must keep the keyboard focus throughout.
    for step in range(1, 9):
        page.keyboard.press("ArrowRight")
        assert cat.input_value() == f"{2 + step / 10:g}"
    expect(page.locator(CE)).to_have_text(ce_of([2.8, 1.0, 0.1], 1))
    page.wait_for_selector(IDLE)
    expect(cat).to_be_focused()
    expect(page.get_by_role("spinbutton", name="Exact logit of cat")).to_have_value("2.8")
    page.wait_for_function("() => window.location.search.includes('2.8')")
    assert query(page)["logits"] == "2.8,1,0.1"
    dog = page.get_by_role("slider", name="Logit of dog ✓ true class")
    dog.focus()
    page.keyboard.press("End")  # to the slider's maximum, 10
    expect(page.locator(CE)).not_to_have_text(ce_of([2.8, 1.0, 0.1], 1))
    page.wait_for_selector(IDLE)
    assert math.isclose(shown_loss(page), loss_of([2.8, 10.0, 0.1], 1), rel_tol=1e-2)  # 5.03e-04, 3 digits shown


def test_exact_entry_accepts_any_finite_value(page: Page, app_url: str) -> None:
    open_page(page, app_url)
    field = page.get_by_role("spinbutton", name="Exact logit of rabbit")
    field.fill("1e4")
    field.press("Enter")
    expect(page.locator(CE)).to_have_text(ce_of([2.0, 1.0, 1e4], 1))  # 9999.0000 nats, finite
    expect(page.get_by_text("beyond the slider's range")).to_be_visible()


def test_shared_url_restores_its_state(page: Page, app_url: str) -> None:
    shared = "/?classes=cat,dog,rabbit&logits=-0.356675,-1.609438,-2.302585&target=dog"
    open_page(page, app_url + shared)
    expect(page.locator(CE)).to_have_text("1.6094 nats")
    expect(page.get_by_role("spinbutton", name="Exact logit of cat")).to_have_value("-0.356675")
    expect(page.locator('[data-testid="stAlert"]')).to_have_count(0)
    open_page(page, app_url + shared.replace("target=dog", "target=cat"))
    expect(page.locator(CE)).to_have_text("0.3567 nats")


def test_bad_url_warns_and_the_page_still_works(page: Page, app_url: str) -> None:
    open_page(page, app_url + "/?logits=1,nan,3&temperature=-2")
    alerts = page.locator('[data-testid="stAlert"]')
    expect(alerts).to_have_count(2)
    expect(alerts.first).to_contain_text("logits")
    expect(page.locator(CE)).to_have_text(ce_of([2.0, 1.0, 0.1], 1))
    page.get_by_role("button", name="Unsure (all equal)").click()
    expect(page.locator(CE)).to_have_text(f"{math.log(3):.4f} nats")
    expect(alerts).to_have_count(0)


def test_dragging_updates_the_loss_before_the_pointer_is_released(page: Page, app_url: str) -> None:
    open_page(page, app_url)
    cat = page.get_by_role("slider", name="Logit of cat")
    box = cat.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    start = box["x"] + box["width"] * 0.6  # the thumb of logit 2 on -10..10
    page.mouse.move(start, y)
    page.mouse.down()
    seen: list[str] = [page.locator(CE).inner_text()]
    for k in range(1, 6):  # drag right in five moves, the button held down throughout
        page.mouse.move(start + k * box["width"] * 0.06, y, steps=3)
        expect(page.locator(CE)).not_to_have_text(seen[-1])  # the loss moved while dragging
        seen.append(page.locator(CE).inner_text())
    page.mouse.up()
    losses = [read_number(s.rsplit(" ", 1)[0]) for s in seen]
    assert len(set(losses)) == len(losses)  # a new value after every move
    assert losses == sorted(losses)  # raising cat's logit takes probability from dog: the loss rises
    page.wait_for_selector(IDLE)
    final = float(cat.input_value())
    expect(page.locator(CE)).to_have_text(ce_of([final, 1.0, 0.1], 1))  # the last value was not lost
    expect(page.get_by_role("spinbutton", name="Exact logit of cat")).to_have_value(f"{final:g}")
