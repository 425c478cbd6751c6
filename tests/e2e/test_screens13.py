"""Issue 13, every screen: a 390 px phone, a 1440 x 900 projector (``?present=1``), the dark theme, many classes.

- Phone: no page and no tab scrolls sideways (the document, ``stMain``, and no element's right edge past
  the viewport unless it sits in a region that scrolls sideways inside its own box, which the keyboard
  can reach); with any logit slider in mid-screen, the Cross-entropy and the probabilities are on screen,
  not covered, and the slider itself is not covered either.
- Projector: each page's main chart starts above the fold and at least half of it is on screen without
  scrolling; the logit sliders are at least 200 px wide; no label ends in "…".
- Dark: the true class's slider track is not a bright bar (pixels of the rendered control, read back).
- Many classes: all ten classes of the true-class picker are on screen, phone and desktop.
- Contrast: axe's colour-contrast and scrollable-region rules on every tab, phone, both themes.

Chart text (inside the SVG) is left to tests/e2e/test_chart_contrast.py and tests/core/test_charts13.py.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from core.quiz import ROUND
from harness.axe import serious
from harness.server import IDLE
from harness.shots import CHARTS_DRAWN, PATHS, select_tab

QUERY = "classes=cat,dog,rabbit&logits=2,1,0.1&target=dog&temperature=2"
SIX = "classes=cat,dog,rabbit,fox,owl,bee&logits=2,1,0.1,-1,0.5,1.5&target=dog&temperature=1"
"""Six classes: six logit rows between the first logit and what they move."""
TEN = ",".join(f"class{i}" for i in range(10))
PAGES = PATHS
LOGIT_PAGES = [p for p in PAGES if p not in ("quiz", "class", "next-token")]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
PROJECTOR = {"viewport": {"width": 1440, "height": 900}}
FOLD = 900
TABS = '[data-testid="stMain"] [role="tab"]'

CE = {
    "": '.live-panel .lp-metric[data-key="ce"] .lp-value',
    "simplex": '.live-panel .lp-metric[data-key="sx_loss"] .lp-value',
}
"""The live panel's cross-entropy metric (the Simplex page's is the loss of the point on the triangle)."""
PROBS = {
    "": '.live-panel .lp-metric[data-key="p_true"]',
    "simplex": '.live-panel .lp-html[data-key="sx_probs"]',
}
"""The probabilities a drag moves: the Playground's p(true class), the Simplex page's list, the readout's bars."""
READOUT_PROBS = ".live-panel table.readout"
MAIN_CHART = {
    "": '.lp-chart[data-key="pg_probs"]',
    "softmax": ".st-key-sm_temperature_chart",
    "cross-entropy": ".st-key-ce_loss_curves",
    "learning": ".st-key-lg_probs",
    "simplex": '.lp-chart[data-key="sx_simplex"]',
}

# Every element, the logit pad's shadow DOM included; an element is "out" when its right edge passes the
# viewport and no ancestor scrolls sideways (a region that does must be reachable by the keyboard).
SIDEWAYS = r"""() => {
  const vw = document.documentElement.clientWidth;
  const main = document.querySelector('[data-testid="stMain"]');
  const problems = [];
  const doc = document.documentElement;
  if (doc.scrollWidth > vw) problems.push(`document scrollWidth ${doc.scrollWidth} > ${vw}`);
  if (main.scrollWidth > main.clientWidth) problems.push(`stMain scrollWidth ${main.scrollWidth} > ${vw}`);
  const describe = (el) => `${el.tagName.toLowerCase()}[${(el.dataset && el.dataset.testid) || ''}]`
    + `.${String(el.getAttribute('class') || '').split(' ')[0]} "${(el.textContent || '').trim().slice(0, 40)}"`;
  const parentOf = (el) => el.parentElement || (el.parentNode && el.parentNode.host) || null;
  const scroller = (el) => {
    for (let p = parentOf(el); p && p !== main; p = parentOf(p)) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll') return p;
    }
    return null;
  };
  const hidden = (el) => {  // visually hidden (Streamlit's slider inputs sit in a 1 px clipped box)
    for (let p = el; p && p !== main; p = parentOf(p)) {
      const cs = getComputedStyle(p);
      if (cs.clipPath !== 'none' || cs.clip.startsWith('rect')) return true;
    }
    return false;
  };
  const focusable = (el) => el.tabIndex >= 0 || el.querySelector('a[href], button, input, textarea, [tabindex]');
  const walk = (root) => {
    for (const el of root.querySelectorAll('*')) {
      if (el.shadowRoot) walk(el.shadowRoot);
      if (el.closest('svg')) continue;
      const r = el.getBoundingClientRect();
      if (!r.width || !r.height || r.right <= vw + 0.5) continue;
      const cs = getComputedStyle(el);
      if (cs.visibility === 'hidden' || cs.display === 'contents' || hidden(el)) continue;
      const box = scroller(el);
      if (!box) problems.push(`${describe(el)} ends at ${Math.round(r.right)} px`);
      else if (!focusable(box)) problems.push(`${describe(box)} scrolls sideways but the keyboard cannot reach it`);
    }
  };
  walk(main);
  return [...new Set(problems)];
}"""

# Where a box is, and whether a point inside it is really it (not something drawn over it).
VISIBLE_BOX = r"""(el) => {
  const r = el.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + Math.min(r.height / 2, 12);
  let hit = document.elementFromPoint(x, y);
  while (hit && hit.shadowRoot) {
    const inner = hit.shadowRoot.elementFromPoint(x, y);
    if (!inner || inner === hit) break;
    hit = inner;
  }
  const contains = (a, b) => { for (let n = b; n; n = n.parentNode || n.host) if (n === a) return true; return false; };
  const onTop = !!hit && (contains(el, hit) || contains(hit, el));
  return {top: r.top, bottom: r.bottom, left: r.left, right: r.right, onTop};
}"""


def _open(page: Page, url: str) -> None:
    page.goto(url)
    page.wait_for_selector('[data-testid="stMainBlockContainer"] h1')
    page.wait_for_selector(IDLE)
    page.wait_for_function(CHARTS_DRAWN, polling=100)
    page.evaluate("() => document.fonts.ready")
    if "present=1" in url:  # the presentation stylesheet is its own element: wait until the page has it
        page.wait_for_function("() => parseFloat(getComputedStyle(document.documentElement).fontSize) > 20")
    expect(page.locator('[data-testid="stException"]')).to_have_count(0)


def _tabs(page: Page) -> Iterator[str]:
    """Select each tab of the page in turn (the page itself once if it has none); yields its name."""
    tabs = page.locator(TABS)
    count = tabs.count()
    if not count:
        yield "(no tabs)"
        return
    for i in range(count):
        select_tab(page, i)
        page.wait_for_selector(IDLE)
        page.wait_for_function(CHARTS_DRAWN, polling=100)
        yield tabs.nth(i).inner_text()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(**PHONE)
    yield context.new_page()
    context.close()


@pytest.fixture
def projector(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(**PROJECTOR)
    yield context.new_page()
    context.close()


# ---- phone ------------------------------------------------------------------------------------------------
def _sideways(page: Page) -> list[str]:
    """What sticks out once the layout has settled (a chart drawn in a hidden tab is resized when it shows)."""
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(f"() => ({SIDEWAYS})().length === 0", timeout=5_000, polling=250)
    problems: list[str] = page.evaluate(SIDEWAYS)
    return problems


def _ce_and_probs(page: Page, path: str) -> list[tuple[str, Any]]:
    ce = page.locator(CE.get(path, CE[""])).first
    probs = page.locator(PROBS.get(path, READOUT_PROBS)).first
    return [("Cross-entropy", ce.evaluate(VISIBLE_BOX)), ("probabilities", probs.evaluate(VISIBLE_BOX))]


@pytest.mark.parametrize("path", LOGIT_PAGES)
def test_the_cross_entropy_stays_in_view_while_a_logit_is_dragged_on_a_phone(
    phone: Page, app_url: str, path: str
) -> None:
    query = SIX  # six logit rows: the tallest column of the usual examples, each row brought to mid-screen
    _open(phone, f"{app_url}/{path}?{query}")
    height = PHONE["viewport"]["height"]
    sliders = phone.get_by_role("slider", name="Logit of")
    expect(sliders).to_have_count(query.split("&")[0].count(",") + 1)  # the pad draws its rows after the run
    seen = {}
    for k in range(sliders.count()):
        slider = sliders.nth(k)
        slider.evaluate("(e) => e.scrollIntoView({block: 'center', behavior: 'instant'})")
        middle = slider.evaluate(VISIBLE_BOX)
        assert abs((middle["top"] + middle["bottom"]) / 2 - height / 2) < 60, "the slider is in mid-screen"
        assert middle["onTop"], f"logit {k}: the slider being dragged is covered"
        for name, box in _ce_and_probs(phone, path):
            seen[(k, name)] = box["top"] >= 0 and box["bottom"] <= height and box["onTop"]
    assert seen == {key: True for key in seen}


def test_the_readout_does_not_cover_the_page_once_the_logits_are_scrolled_away(phone: Page, app_url: str) -> None:
    """Kept in view while the logits are: once they are gone (reading a tab), it goes with them."""
    _open(phone, f"{app_url}/softmax?{QUERY}")
    expect(phone.get_by_role("slider", name="Logit of")).to_have_count(3)
    phone.locator('[data-testid="stMain"]').evaluate("(main) => { main.scrollTop = main.scrollHeight; }")
    box = phone.locator(CE[""]).first.evaluate(VISIBLE_BOX)
    assert box["bottom"] <= 0 or box["top"] >= PHONE["viewport"]["height"]


# ---- projector ------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", LOGIT_PAGES)
def test_a_projected_page_shows_its_main_chart_without_scrolling(projector: Page, app_url: str, path: str) -> None:
    _open(projector, f"{app_url}/{path}?{QUERY}&present=1")
    box = projector.locator(MAIN_CHART[path]).first.evaluate(VISIBLE_BOX)
    assert box["top"] + (box["bottom"] - box["top"]) / 2 <= FOLD, box  # at least its upper half is on screen
    sliders = projector.get_by_role("slider", name="Logit of")
    expect(sliders).to_have_count(3)
    widths = [sliders.nth(k).evaluate("(e) => e.getBoundingClientRect().width") for k in range(sliders.count())]
    assert widths
    assert min(widths) >= 200, widths


def test_a_projected_quiz_question_and_its_answer_fit_above_the_fold(projector: Page, app_url: str) -> None:
    bottoms = {}
    for n in range(ROUND):
        _open(projector, f"{app_url}/quiz?{QUERY}&qz_seed=4242&qz_n={n}&present=1")
        check = projector.get_by_role("button", name="Check my answer")
        bottoms[n] = check.evaluate("(e) => e.getBoundingClientRect().bottom")
    assert max(bottoms.values()) <= FOLD, bottoms


CUT = r"""() => [...document.querySelectorAll('[data-testid="stMain"] *')]
  .filter(e => e.offsetWidth && getComputedStyle(e).textOverflow === 'ellipsis' && e.scrollWidth > e.clientWidth + 1)
  .map(e => e.textContent.trim().slice(0, 40))"""


@pytest.mark.parametrize("path", PAGES)
def test_no_label_is_cut_short_on_a_projector(projector: Page, app_url: str, path: str) -> None:
    _open(projector, f"{app_url}/{path}?{QUERY}&present=1")
    found = {tab: projector.evaluate(CUT) for tab in _tabs(projector)}
    assert found == {tab: [] for tab in found}


# ---- dark theme ---------------------------------------------------------------------------------------------------
def _luminance(rgb: tuple[int, ...]) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def lin(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_true_class_slider_reads_in_both_themes(browser: Browser, app_url: str, scheme: Any) -> None:
    """The true class's slider: orange thumb and fill, a track that is neither a bright bar on dark nor lost."""
    context = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme=scheme)
    page = context.new_page()
    _open(page, f"{app_url}/?{QUERY}")
    true_slider = page.get_by_role("slider", name="Logit of dog ✓ true class")
    image = Image.open(io.BytesIO(true_slider.screenshot())).convert("RGB")
    corner = Image.open(io.BytesIO(page.screenshot(clip={"x": 2, "y": 300, "width": 4, "height": 4})))
    background = _luminance(corner.convert("RGB").getpixel((1, 1)))
    context.close()
    pixels = [image.getpixel((x, y)) for x in range(image.width) for y in range(image.height)]
    lum = [_luminance(p) for p in pixels]
    # orange: red well above blue (Okabe-Ito orange #E69F00, its darker text shade #B36B00)
    orange = sum(1 for r, _, b in pixels if r > 150 and r - b > 120)
    assert orange >= 0.03 * len(pixels), "the true class's slider keeps its orange"
    if scheme == "dark":
        bright = sum(1 for v in lum if v > 0.6)
        assert bright <= 0.02 * len(pixels), f"{bright} of {len(pixels)} pixels are a bright bar on the dark page"
    # the track differs from the page: some pixels that are neither the page nor the orange
    assert any(abs(v - background) > 0.02 for v in lum)


# ---- many classes -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("view", ["phone", "desktop"])
def test_ten_classes_are_all_visible_in_the_true_class_picker(browser: Browser, app_url: str, view: str) -> None:
    context = browser.new_context(**(PHONE if view == "phone" else PROJECTOR))
    page = context.new_page()
    _open(page, f"{app_url}/?classes={TEN}&logits={','.join(['0'] * 10)}&target=class9")
    picker = page.locator(".st-key-target")
    picker.scroll_into_view_if_needed()
    width = page.evaluate("() => document.documentElement.clientWidth")
    options = picker.get_by_role("radio")
    shown = {}
    for k in range(options.count()):
        box = options.nth(k).evaluate(VISIBLE_BOX)
        shown[options.nth(k).inner_text()] = box["left"] >= 0 and box["right"] <= width + 0.5 and box["onTop"]
    context.close()
    assert shown == {f"class{i}": True for i in range(10)}


# ---- contrast -----------------------------------------------------------------------------------------------------
AXE_RULES = ("color-contrast", "scrollable-region-focusable")


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", PAGES)
def test_every_tab_fits_a_phone_and_keeps_aa_contrast_in_both_themes(
    browser: Browser, app_url: str, path: str, scheme: Any
) -> None:
    """At 390 px nothing sticks out sideways (outside a region that scrolls in its own box), and axe finds no
    serious or critical contrast or unreachable-scroll problem, on every tab, light and dark."""
    context = browser.new_context(**PHONE, color_scheme=scheme)
    page = context.new_page()
    _open(page, f"{app_url}/{path}?{QUERY}&sm_big=712")  # Softmax › Stability at its widest (NaN cells)
    found = {}
    for tab in _tabs(page):
        found[tab] = _sideways(page) + serious(page, AXE_RULES)
    context.close()
    assert found == {tab: [] for tab in found}


def test_the_worked_table_shows_every_column_on_a_projector(projector: Page, app_url: str) -> None:
    """The Playground's step table at 1440 × 900 in present mode: its last column, the loss −ln p, is not
    hidden behind its box's scroll (a user test found it cut at "0.68")."""
    _open(projector, f"{app_url}/?{QUERY}&present=1")
    box = projector.locator(".scroll-x:has(table.steps)").first
    expect(box).to_be_visible()
    widths = box.evaluate("(e) => [e.scrollWidth, e.clientWidth]")
    assert widths[0] <= widths[1] + 1, widths
