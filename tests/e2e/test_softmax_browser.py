"""The Softmax page in real Chromium: deep link, every tab, a control, the shared example."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from harness.server import IDLE


def test_softmax_page_by_deep_link_and_every_tab(page: Page, app_url: str) -> None:
    page.goto(app_url + "/softmax?classes=cat,dog,rabbit&logits=2,1,0.1&target=dog&sm_big=712")
    page.wait_for_selector(IDLE)
    expect(page.get_by_role("heading", name="Softmax, up close")).to_be_visible()
    expect(page.locator('[data-testid="stAlert"]')).to_have_count(0)
    expect(page.locator(".js-plotly-plot").first).to_be_visible()
    for name in ["Shift and scale", "Stability", "Two classes", "Jacobian", "Temperature"]:
        page.get_by_role("tab", name=name).click()
        expect(page.get_by_role("tab", name=name)).to_have_attribute("aria-selected", "true")
    page.get_by_role("tab", name="Stability").click()
    expect(page.locator("table.stability td.broke").first).to_have_text("NaN")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def test_temperature_control_from_the_keyboard(page: Page, app_url: str) -> None:
    page.goto(app_url + "/softmax")
    page.wait_for_selector(IDLE)
    entropy = page.locator('[data-testid="stMetric"]:has-text("Entropy of p") [data-testid="stMetricValue"]')
    before = entropy.inner_text()
    page.get_by_role("slider", name="Temperature T").focus()
    page.keyboard.press("ArrowRight")
    expect(entropy).not_to_have_text(before)  # hotter: flatter, more entropy
    page.wait_for_selector(IDLE)
    assert "temperature=1.05" in page.url  # the example's T, shared by every page


def test_switching_pages_keeps_the_example(page: Page, app_url: str) -> None:
    page.goto(app_url + "/?classes=ant,bee&logits=3,-2&target=bee")
    page.wait_for_selector(IDLE)
    page.get_by_role("button", name="Open sidebar").or_(
        page.locator('[data-testid="stExpandSidebarButton"]')
    ).first.click()
    page.get_by_role("link", name="Softmax").click()
    page.wait_for_selector(IDLE)
    expect(page.get_by_role("heading", name="Softmax, up close")).to_be_visible()
    expect(page.get_by_role("spinbutton", name="Exact logit of ant")).to_have_value("3")
    page.wait_for_function("() => window.location.search.includes('classes=ant')")


def test_every_control_in_one_pass(page: Page, app_url: str) -> None:
    page.goto(app_url + "/softmax")
    page.wait_for_selector(IDLE)
    page.get_by_role("tab", name="Shift and scale").click()
    for name, param in (("Add c to every logit", "sm_shift=5.5"), ("Multiply every logit by k", "sm_scale=2.1")):
        page.get_by_role("slider", name=name).focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => window.location.search.includes('{param}')")
    page.get_by_role("tab", name="Stability").click()
    big = page.get_by_role("spinbutton", name="Largest logit")
    big.fill("12")
    big.press("Enter")
    page.wait_for_function("() => window.location.search.includes('sm_big=12')")
    expect(page.locator("table.stability td.broke").first).to_have_text("NaN")  # float16 overflows past 11.09
    page.get_by_role("tab", name="Two classes").click()
    page.get_by_label("Class 2").locator("..").click()
    page.get_by_role("option", name="rabbit").click()
    expect(page.get_by_text("σ(1.9000)").first).to_be_visible()  # cat 2 vs rabbit 0.1
    page.get_by_label("Class 1").locator("..").click()
    page.get_by_role("option", name="dog").click()
    expect(page.get_by_text("σ(0.9000)").first).to_be_visible()  # dog 1 vs rabbit 0.1
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
