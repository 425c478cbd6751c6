"""The Cross-entropy page in real Chromium: deep link, every tab, a control."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from harness.server import IDLE


def test_cross_entropy_page_by_deep_link_and_every_tab(page: Page, app_url: str) -> None:
    page.goto(app_url + "/cross-entropy?classes=cat,dog,rabbit&logits=2,1,0.1&target=dog&ce_eps=0")
    page.wait_for_selector(IDLE)
    expect(page.get_by_role("heading", name="Cross-entropy, up close")).to_be_visible()
    expect(page.locator('[data-testid="stAlert"]')).to_have_count(0)
    for name in ["Soft targets", "Information", "A batch", "In your framework", "Loss curves"]:
        page.get_by_role("tab", name=name).click()
        expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
    page.get_by_role("tab", name="In your framework").click()
    expect(page.get_by_text("F.cross_entropy(logits, target)").first).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_label_smoothing_from_the_keyboard(page: Page, app_url: str) -> None:
    page.goto(app_url + "/cross-entropy?ce_eps=0")
    page.wait_for_selector(IDLE)
    page.get_by_role("tab", name="Soft targets").click()
    page.get_by_role("slider", name="Label smoothing ε").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.location.search.includes('ce_eps=0.05')")
    expect(page.get_by_text("rabbit 0.0167").first).to_be_visible()  # ε/C = 0.05/3


def test_every_control_in_one_pass(page: Page, app_url: str) -> None:
    page.goto(app_url + "/cross-entropy")
    page.wait_for_selector(IDLE)
    page.get_by_role("slider", name="Focal loss γ").focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.location.search.includes('ce_gamma=2.5')")
    page.get_by_role("tab", name="Soft targets").click()
    page.get_by_text("Type the target distribution").click()
    box = page.get_by_role("spinbutton", name="y(cat)")
    box.fill("0.5")
    box.press("Enter")
    expect(page.get_by_text("not 1; using them rescaled").first).to_be_visible()
    page.get_by_role("tab", name="A batch").click()
    page.get_by_text("Class weights").click()
    expect(page.get_by_role("spinbutton", name="weight of dog")).to_be_visible()
    page.get_by_role("tab", name="In your framework").click()
    page.get_by_text("Use the label smoothing").click()
    expect(page.get_by_text("label_smoothing=0.1").first).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
