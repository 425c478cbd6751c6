"""The Learning and Simplex pages in real Chromium: deep links, animations that run and stop, no errors."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from scipy.special import softmax

from harness.browser import page_errors
from harness.server import IDLE


def _metric(page: Page, label: str) -> object:
    return page.locator(f'[data-testid="stMetric"]:has-text("{label}") [data-testid="stMetricValue"]').first


def test_gradient_steps_play_by_deep_link_and_stop_by_themselves(page: Page, app_url: str) -> None:
    errors = page_errors(page)
    page.goto(app_url + "/learning?logits=3,-3,0&target=dog&lg_step=96")
    page.wait_for_selector(IDLE)
    expect(page.get_by_role("heading", name="Learning: watch cross-entropy teach")).to_be_visible()
    step = _metric(page, "Step")
    expect(step).to_have_text("96 of 100")  # type: ignore[arg-type]
    seen: set[str] = set()
    page.expose_function("seen", lambda text: seen.add(text))
    page.evaluate(
        """() => new MutationObserver(() => {
            const m = [...document.querySelectorAll('[data-testid="stMetric"]')]
              .find(e => e.innerText.startsWith('Step'));
            if (m) window.seen(m.querySelector('[data-testid="stMetricValue"]').innerText);
        }).observe(document.body, {subtree: true, childList: true, characterData: true})"""
    )
    page.get_by_role("button", name="Play").first.click()
    expect(step).to_have_text("100 of 100", timeout=20_000)  # type: ignore[arg-type]
    expect(page.get_by_role("button", name="Play").first).to_be_visible()  # stopped by itself
    page.wait_for_selector(IDLE)
    assert {"97 of 100", "98 of 100", "99 of 100"} <= seen  # frame by frame, not one jump
    page.wait_for_function("() => window.location.search.includes('lg_step=100')")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert not errors


def test_classifier_plays_and_its_chart_updates(page: Page, app_url: str) -> None:
    errors = page_errors(page)
    page.goto(app_url + "/learning?lg_epochs=40&lg_epoch=36")
    page.wait_for_selector(IDLE)
    page.get_by_role("tab", name="A tiny classifier").click()
    expect(page.locator(".js-plotly-plot .heatmaplayer, .js-plotly-plot .hm").first).to_be_attached()
    epoch = _metric(page, "Epoch")
    expect(epoch).to_have_text("36 of 40")  # type: ignore[arg-type]
    page.get_by_role("button", name="Play").first.click()
    expect(epoch).to_have_text("40 of 40", timeout=20_000)  # type: ignore[arg-type]
    expect(page.get_by_role("button", name="Play").first).to_be_visible()
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert not errors


def test_simplex_by_deep_link_draws_the_triangle_contours_and_both_paths(page: Page, app_url: str) -> None:
    errors = page_errors(page)
    page.goto(app_url + "/simplex?classes=cat,dog,rabbit,fox&logits=2,1,0.1,0.5&target=dog")
    page.wait_for_selector(IDLE)
    expect(page.get_by_role("heading", name="The probability simplex")).to_be_visible()
    expect(page.locator('.live-panel[data-slot="facts"] [role="note"]:has-text("1 more class (")')).to_be_visible()
    page.wait_for_selector(".js-plotly-plot .ternary")
    traces = page.evaluate(
        "() => document.querySelector('.js-plotly-plot .ternary').closest('.js-plotly-plot').data"
        ".map(t => [t.type, t.name || '', t.fill || '', t.a.length])"
    )
    assert all(t[0] == "scatterternary" for t in traces)
    assert sum(t[2] == "toself" for t in traces) == 8  # loss bands
    assert any(t[1].startswith("as T goes") and t[3] == 121 for t in traces)
    assert any("gradient steps" in t[1] and t[3] == 31 for t in traces)
    now_a = (
        "() => document.querySelector('.js-plotly-plot .ternary').closest('.js-plotly-plot').data"
        ".find(t => t.name === 'now').a[0]"
    )
    assert page.evaluate(now_a) == pytest.approx(float(softmax([1.0, 2.0, 0.5])[0]), abs=1e-6)
    page.get_by_role("spinbutton", name="Exact logit of dog").fill("3")
    page.get_by_role("spinbutton", name="Exact logit of dog").press("Enter")
    page.wait_for_function(
        "() => window.location.search.includes('logits=2%2C3%2C0.1%2C0.5')"
        " || window.location.search.includes('logits=2,3,0.1,0.5')"
    )
    page.wait_for_function(f"() => Math.abs(({now_a})() - {float(softmax([3.0, 2.0, 0.5])[0])}) < 1e-6")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)
    assert not errors
