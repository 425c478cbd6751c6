"""Every chart's text, as Chromium draws it: readable against what is behind it, and clear of other text.

The axe scan does not see inside a chart's SVG, so these tests read the charts themselves, on
every page and tab:

- **Contrast** (light and dark theme): for every text of every chart (title, tick and axis labels,
  legend, annotations, bar values, point labels) the colour it is drawn in (its SVG fill and
  fill-opacity, times its groups' opacity) against the colour behind it: the pixels under the
  text's box with every text of the chart hidden (an annotation's box, a band, a bar, the page),
  alpha-composited as the browser drew them. WCAG's ratio must reach 4.5, or 3 for large text
  (24 px and more, or bold from 18.66 px).
- **Collisions** (a 390 px phone and a projector, ``?present=1``): no two texts of one chart
  overlap (a gradient's value running into its class name, a marker label into the title, a
  contour label into a tick), and Plotly's toolbar never covers a chart's title.
"""

from __future__ import annotations

import io
import statistics
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Locator, Page

from harness.shots import CHARTS_DRAWN, DESKTOP, PAGES, QUERY, TABS, TIMEOUT_MS, select_tab, settle

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}

# Every visible text of a chart: its box (relative to the chart element), the colour it is drawn in, its size.
TEXTS = r"""(el) => {
  const box = el.getBoundingClientRect();
  const out = [];
  for (const t of el.querySelectorAll('svg text')) {
    const label = (t.textContent || '').trim();
    if (!label) continue;
    const s = getComputedStyle(t);
    if (s.visibility !== 'visible' || s.display === 'none') continue;
    const r = t.getBoundingClientRect();
    if (r.width < 1 || r.height < 1) continue;
    let alpha = parseFloat(s.fillOpacity);
    for (let n = t; n && n !== el; n = n.parentElement) {
      const ns = getComputedStyle(n);
      if (ns.display === 'none') { alpha = 0; break; }
      alpha *= parseFloat(ns.opacity);
    }
    if (!(alpha > 0)) continue;
    const m = s.fill.match(/[\d.]+/g);
    if (!m) continue;
    const [r0, g0, b0, a0] = m.map(Number);
    out.push({
      label, cls: t.getAttribute('class') || t.parentElement.getAttribute('class') || '',
      x: r.left - box.left, y: r.top - box.top, w: r.width, h: r.height,
      fill: [r0, g0, b0], alpha: alpha * (a0 === undefined ? 1 : a0),
      size: parseFloat(s.fontSize), weight: parseInt(s.fontWeight, 10) || 400,
      title: !!t.closest('.g-gtitle'),
    });
  }
  return out;
}"""
HIDE_TEXT = """(el, on) => {
  if (!document.getElementById('contrast-probe-style')) {
    const st = document.createElement('style');
    st.id = 'contrast-probe-style';
    st.textContent = '.contrast-probe text { visibility: hidden !important; }';
    document.head.appendChild(st);
  }
  el.classList.toggle('contrast-probe', on);
}"""
TOOLBAR_AND_TITLE = r"""(el) => {
  const bar = el.querySelector('.modebar-container');
  const title = el.querySelector('.g-gtitle text');
  const shown = (n) => {
    if (!n) return null;
    for (let p = n; p && p !== el; p = p.parentElement) if (getComputedStyle(p).display === 'none') return null;
    const r = n.getBoundingClientRect();
    return r.width > 0 && r.height > 0 ? [r.left, r.top, r.right, r.bottom] : null;
  };
  const buttons = bar ? [...bar.querySelectorAll('.modebar-btn')].map(shown).filter(Boolean) : [];
  return { buttons, title: shown(title), label: title ? title.textContent : '' };
}"""


# ---- WCAG 2.x ------------------------------------------------------------------------------------
def luminance(rgb: tuple[float, float, float]) -> float:
    def lin(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: tuple[float, float, float], b: tuple[float, float, float]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def over(fg: list[float], alpha: float, bg: tuple[float, float, float]) -> tuple[float, float, float]:
    """``fg`` at opacity ``alpha`` composited over ``bg``."""
    r, g, b = (alpha * f + (1 - alpha) * k for f, k in zip(fg, bg, strict=True))
    return (r, g, b)


def needed(text: dict[str, Any]) -> float:
    large = text["size"] >= 24 or (text["weight"] >= 700 and text["size"] >= 18.66)
    return 3.0 if large else 4.5


def test_wcag_ratio_by_hand() -> None:
    """The formula against WCAG's own reference points: black on white 21:1, #767676 on white 4.54:1."""
    assert contrast((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)
    assert over([255, 255, 255], 0.5, (0, 0, 0)) == (127.5, 127.5, 127.5)


# ---- walking every page and tab ------------------------------------------------------------------
def states(page: Page, base: str, extra: str = "") -> Iterator[str]:
    """Open each page of the app and select each of its tabs in turn; yields ``page › tab``."""
    for name, path in PAGES.items():
        page.goto(f"{base}/{path}?{QUERY}{extra}", wait_until="domcontentloaded", timeout=TIMEOUT_MS)
        settle(page)
        tabs = page.locator(TABS)
        count = tabs.count()
        if not count:
            yield name
            continue
        for i in range(count):
            select_tab(page, i)
            settle(page)
            yield f"{name} › {tabs.nth(i).inner_text().strip()}"


def charts(page: Page) -> list[Locator]:
    page.wait_for_function(CHARTS_DRAWN, timeout=TIMEOUT_MS, polling=100)
    found = page.locator(".explorer-chart")
    return [found.nth(i) for i in range(found.count()) if found.nth(i).is_visible()]


def background(image: Image.Image, scale: float, t: dict[str, Any]) -> tuple[float, float, float]:
    """The colour behind a text: the per-channel median of the pixels under its box (text hidden)."""
    x0, y0 = max(0, int(t["x"] * scale)), max(0, int(t["y"] * scale))
    x1, y1 = min(image.width, int((t["x"] + t["w"]) * scale) + 1), min(image.height, int((t["y"] + t["h"]) * scale) + 1)
    pixels = (
        list(image.crop((x0, y0, x1, y1)).get_flattened_data()) if x1 > x0 and y1 > y0 else [image.getpixel((x0, y0))]
    )
    return (
        statistics.median(p[0] for p in pixels),
        statistics.median(p[1] for p in pixels),
        statistics.median(p[2] for p in pixels),
    )


def low_contrast(chart: Locator) -> list[str]:
    chart.scroll_into_view_if_needed()
    texts: list[dict[str, Any]] = chart.evaluate(TEXTS)
    chart.evaluate(HIDE_TEXT, True)
    try:
        shot = Image.open(io.BytesIO(chart.screenshot(animations="disabled", caret="hide"))).convert("RGB")
    finally:
        chart.evaluate(HIDE_TEXT, False)
    width = chart.evaluate("(el) => el.getBoundingClientRect().width")
    scale = shot.width / width
    bad = []
    for t in texts:
        bg = background(shot, scale, t)
        ratio = contrast(over(t["fill"], t["alpha"], bg), bg)
        if ratio < needed(t):
            fg = tuple(round(c) for c in over(t["fill"], t["alpha"], bg))
            bad.append(
                f"{t['label']!r} ({t['cls']}): {ratio:.2f} < {needed(t)} ({fg} on {tuple(round(c) for c in bg)})"
            )
    return bad


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_every_chart_text_reaches_aa_contrast(browser: Browser, app_url: str, scheme: str) -> None:
    ctx = browser.new_context(**DESKTOP, color_scheme=scheme)  # type: ignore[arg-type]
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    failures: list[str] = []
    seen = 0
    try:
        for where in states(page, app_url):
            for i, chart in enumerate(charts(page)):
                seen += 1
                failures += [f"{where}, chart {i + 1}: {b}" for b in low_contrast(chart)]
    finally:
        ctx.close()
    assert seen >= 15  # every page's charts were read
    assert not failures, "\n".join(failures)


# ---- collisions ----------------------------------------------------------------------------------
def overlap(a: dict[str, Any], b: dict[str, Any], inset: float = 1.5) -> float:
    """The area two text boxes share, each shrunk by ``inset`` px (glyph boxes include line spacing)."""
    w = min(a["x"] + a["w"], b["x"] + b["w"]) - max(a["x"], b["x"]) - 2 * inset
    h = min(a["y"] + a["h"], b["y"] + b["h"]) - max(a["y"], b["y"]) - 2 * inset
    return max(w, 0.0) * max(h, 0.0)


def collisions(chart: Locator) -> list[str]:
    texts: list[dict[str, Any]] = chart.evaluate(TEXTS)
    bad = []
    for i, a in enumerate(texts):
        for b in texts[i + 1 :]:
            if overlap(a, b) > 4:
                bad.append(f"{a['label']!r} ({a['cls']}) runs into {b['label']!r} ({b['cls']})")
    tool = chart.evaluate(TOOLBAR_AND_TITLE)
    if tool["title"]:
        x0, y0, x1, y1 = tool["title"]
        for bx0, by0, bx1, by1 in tool["buttons"]:
            if bx0 < x1 and x0 < bx1 and by0 < y1 and y0 < by1:
                bad.append(f"the toolbar covers the title {tool['label']!r}")
                break
    return bad


@pytest.mark.parametrize("view", ["phone", "present"])
def test_no_chart_text_runs_into_another(browser: Browser, app_url: str, view: str) -> None:
    options, extra = (PHONE, "") if view == "phone" else (DESKTOP, "&present=1")
    ctx = browser.new_context(**options)  # type: ignore[arg-type]
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    failures: list[str] = []
    minus_signs = 0
    try:
        for where in states(page, app_url, extra):
            for i, chart in enumerate(charts(page)):
                chart.scroll_into_view_if_needed()
                failures += [f"{where}, chart {i + 1}: {b}" for b in collisions(chart)]
                minus_signs += sum(t["label"].startswith("−") for t in chart.evaluate(TEXTS))
    finally:
        ctx.close()
    assert minus_signs > 0  # the negative gradients were found and read
    assert not failures, "\n".join(failures)
