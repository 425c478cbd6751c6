"""Issue 6 in real Chromium: accessibility scans, presentation mode, share links, export, the quiz."""

from __future__ import annotations

import csv
import io
import math
import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from scipy.special import softmax

from core.quiz import question
from harness.axe import serious
from harness.server import IDLE
from harness.shots import PATHS

PAGES = PATHS


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector(IDLE)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1')


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_or_critical_violation_on_any_page(browser: Browser, app_url: str, scheme: Any) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 1000}, color_scheme=scheme)
    page = context.new_page()
    found: dict[str, list[str]] = {}
    for path in PAGES:
        _open(page, f"{app_url}/{path}")
        if path not in ("quiz", "class"):  # the Class page draws a chart once a class has answers
            page.locator(".js-plotly-plot").first.wait_for()
        found[path or "/"] = serious(page)
    _open(page, f"{app_url}/learning")
    page.get_by_role("tab", name="A tiny classifier").click()
    found["/learning (classifier)"] = serious(page)
    _open(page, f"{app_url}/?present=1")
    found["/?present=1"] = serious(page)
    context.close()
    assert found == {k: [] for k in found}


@pytest.mark.parametrize("path", PAGES)
def test_present_1_enlarges_the_text_at_least_1_3_times(page: Page, app_url: str, path: str) -> None:
    sizes = []
    for query in ("", "?present=1"):
        _open(page, f"{app_url}/{path}{query}")
        selectors = [
            "h1",
            '[data-testid="stMarkdownContainer"] p, [data-testid="stMetricValue"]',
            '[data-testid="stWidgetLabel"] p, [data-testid="stMain"] button p',
        ]
        page.wait_for_function(f"() => {selectors!r}.every(s => document.querySelector(s))")
        if query:  # the presentation stylesheet is its own element: wait until the page has it
            page.wait_for_function("() => parseFloat(getComputedStyle(document.documentElement).fontSize) > 20")
        sizes.append(
            page.evaluate(
                f"() => {selectors!r}.map(s => parseFloat(getComputedStyle(document.querySelector(s)).fontSize))"
            )
        )
    ratios = [after / before for before, after in zip(*sizes, strict=True)]
    assert min(ratios) >= 1.3, ratios


def _cross_entropy(page: Page) -> Locator:
    return page.locator('.lp-metric[data-key="ce"] .lp-value').first


def test_after_a_logit_changes_the_url_reproduces_the_view_in_a_fresh_browser(browser: Browser, app_url: str) -> None:
    first = browser.new_context(viewport={"width": 1600, "height": 1000})
    page = first.new_page()
    _open(page, f"{app_url}/?present=1")
    exact = page.get_by_role("spinbutton", name="Exact logit of rabbit")
    exact.fill("3.25")
    exact.press("Enter")
    page.wait_for_function("() => /logits=2(%2C|,)1(%2C|,)3.25/.test(window.location.search)")
    p = softmax([2.0, 1.0, 3.25])
    shown = f"{-math.log(p[1]):.4f} nats"
    expect(_cross_entropy(page)).to_have_text(shown)
    link = page.url
    first.close()
    second = browser.new_context(viewport={"width": 1600, "height": 1000})  # another machine: nothing shared
    again = second.new_page()
    _open(again, link)
    expect(_cross_entropy(again)).to_have_text(shown)
    assert again.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)") > 18 * 1.3
    second.close()


def test_copy_link_puts_the_current_address_on_the_clipboard(browser: Browser, app_url: str) -> None:
    context = browser.new_context(viewport={"width": 1600, "height": 1000})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    page = context.new_page()
    _open(page, f"{app_url}/simplex?logits=1,2,3")
    page.get_by_role("button", name="Copy link").click()
    expect(page.get_by_role("status").filter(has_text="Link copied")).to_be_visible()
    assert page.evaluate("() => navigator.clipboard.readText()") == page.url
    context.close()


def test_export_csv_holds_the_numbers_on_screen_after_a_change(page: Page, app_url: str) -> None:
    _open(page, app_url + "/")
    exact = page.get_by_role("spinbutton", name="Exact logit of cat")
    exact.fill("-1.5")
    exact.press("Enter")
    page.wait_for_function("() => /logits=-1.5/.test(window.location.search)")
    page.get_by_role("button", name="Export").click()
    with page.expect_download() as info:
        page.get_by_role("button", name="CSV (one row per class)").click()
    with open(info.value.path(), encoding="utf-8") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    assert [r["logit"] for r in rows] == ["-1.5", "1.0", "0.1"]
    assert float(rows[1]["probability"]) == pytest.approx(softmax([-1.5, 1.0, 0.1])[1], rel=1e-12)


def test_chart_numbers_are_one_click_away_and_charts_are_labelled(page: Page, app_url: str) -> None:
    _open(page, app_url + "/")
    figure = page.get_by_role("figure").first
    expect(figure).to_have_attribute("aria-label", re.compile("probabilities|gradient|loss"))
    summary = page.get_by_text("Show the numbers").first
    summary.focus()
    page.keyboard.press("Enter")  # from the keyboard
    table = page.locator(".explorer-numbers[open] table").first
    expect(table).to_be_visible()
    assert table.locator("tbody tr").count() >= 3


def test_the_quiz_end_to_end_and_the_same_questions_for_the_same_seed(browser: Browser, app_url: str) -> None:
    prompts = []
    for _ in range(2):  # two students, two browsers, one link
        context = browser.new_context(viewport={"width": 1600, "height": 1000})
        page = context.new_page()
        _open(page, f"{app_url}/quiz?qz_seed=2024")
        prompts.append([page.locator('[data-testid="stMain"] h3').first.inner_text()])
        q = question(2024, 0)
        if q.kind in ("p_true", "loss"):
            box = page.get_by_role("textbox", name="Your estimate")  # typed text, read by core.query
            box.fill(f"{float(q.truth):.3f}")  # type: ignore[arg-type]
            box.press("Enter")
        elif q.kind == "lowest_loss":
            page.get_by_text(f"Option {'ABC'[int(q.truth)]}").click()  # type: ignore[arg-type]
        else:
            for name, up in zip(q.scenario.classes, q.truth, strict=True):  # type: ignore[arg-type]
                choice = page.get_by_role("radiogroup", name=f"p({name})").get_by_role(
                    "radio", name="▲ up" if up else "▼ down"
                )
                choice.click()
                expect(choice).to_be_checked()
        page.wait_for_selector(IDLE)
        page.get_by_role("button", name="Check my answer").click()
        expect(page.get_by_text("Right!")).to_be_visible()
        score = page.locator('[data-testid="stMetric"]:has-text("Score") [data-testid="stMetricValue"]')
        expect(score).to_have_text("1 / 1")
        page.get_by_role("button", name="Next question").click()
        heading = page.locator('[data-testid="stMain"] h3').first
        expect(heading).not_to_have_text(prompts[-1][0])
        page.wait_for_function("() => window.location.search.includes('qz_n=1')")
        expect(
            page.locator('[data-testid="stMetric"]:has-text("Question") [data-testid="stMetricValue"]')
        ).to_have_text("2 of 8")
        prompts[-1].append(heading.inner_text())
        context.close()
    assert prompts[0] == prompts[1]
    assert prompts[0][0] != prompts[0][1]


def test_every_control_on_the_playground_shows_a_visible_keyboard_focus(page: Page, app_url: str) -> None:
    _open(page, app_url + "/")
    page.locator(".js-plotly-plot").first.wait_for()
    page.mouse.click(5, 500)
    seen: list[list[Any]] = []
    for _ in range(45):
        page.keyboard.press("Tab")
        seen.append(
            page.evaluate(
                """() => {
                  let e = document.activeElement;
                  while (e && e.shadowRoot && e.shadowRoot.activeElement) e = e.shadowRoot.activeElement;
                  const r = e.getBoundingClientRect(), cs = getComputedStyle(e);
                  const onScreen = r.width > 0 && r.height > 0 && r.right > 0 && r.left < innerWidth;
                  const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 1;
                  const ring = outline || cs.boxShadow !== 'none';
                  const name = (e.getAttribute('aria-label') || e.innerText || e.type || '').trim().slice(0, 40);
                  return [e.tagName, name, onScreen, ring];
                }"""
            )
        )
    controls = [s for s in seen if s[2] and s[0] not in ("BODY", "MAIN")]
    names = {s[1] for s in controls}
    assert {"Copy link", "Exact logit of cat", "Show the numbers", "Temperature T"} <= names
    assert any(s[0] == "A" and "Softmax" in s[1] for s in controls)  # the page links
    assert [s for s in controls if not s[3]] == []
