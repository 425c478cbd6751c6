"""Nothing is fetched from the internet: every page and tab loads from the app's own server.

A school network may have no way out. The browser records every request of the
context (pages, workers, service workers), every websocket and every worker it
opens, and every asset the document points at (the favicon included, which a
headless browser need not fetch); all must name the app's own loopback host.
Requests to any other host are aborted by a route, so a miss fails fast instead
of waiting on a network that is not there.
"""

from __future__ import annotations

from urllib.parse import urlparse

from playwright.sync_api import Browser, BrowserContext, Page, Route, WebSocketRoute, expect

from harness.server import IDLE
from harness.shots import PATHS

PAGES = PATHS
NO_HOST = ("data", "blob", "about")
"""Schemes that never reach a network (inline data, the page's own objects)."""

ASSETS = """() => [
  ...[...document.querySelectorAll('link[href]')].map(e => e.href),
  ...[...document.querySelectorAll('script[src], img[src], iframe[src], source[src], video[src], audio[src]')]
      .map(e => e.src),
  ...[...document.querySelectorAll('image')].map(e => e.href && e.href.baseVal).filter(Boolean),
]"""
"""Every URL the document points at for an asset (the favicon link included)."""


def _outside(url: str, host: str) -> bool:
    parts = urlparse(url)
    return parts.scheme not in NO_HOST and parts.hostname != host


def _record(context: BrowserContext, page: Page, host: str, seen: list[str]) -> None:
    """Record every request, websocket and worker; abort whatever is not for ``host``."""
    context.on("request", lambda r: seen.append(r.url))
    context.on("serviceworker", lambda w: seen.append(w.url))
    page.on("websocket", lambda ws: seen.append(ws.url))
    page.on("worker", lambda w: seen.append(w.url))

    def block(route: Route) -> None:
        route.abort("blockedbyclient")

    def block_socket(ws: WebSocketRoute) -> None:
        ws.close()

    context.route(lambda url: _outside(url, host), block)
    context.route_web_socket(lambda url: _outside(url, host), block_socket)


def _visit_every_tab(page: Page) -> None:
    tabs = page.get_by_role("tab")
    for i in range(tabs.count()):
        tabs.nth(i).click()
        expect(tabs.nth(i)).to_have_attribute("aria-selected", "true")
        page.wait_for_selector(IDLE)


def test_no_request_leaves_the_machine_on_any_page_or_tab(browser: Browser, app_url: str) -> None:
    host = urlparse(app_url).hostname
    assert host == "127.0.0.1"
    context = browser.new_context(viewport={"width": 1440, "height": 900}, service_workers="allow")
    page = context.new_page()
    seen: list[str] = []
    _record(context, page, host, seen)
    try:
        for path in PAGES:
            page.goto(f"{app_url}/{path}")
            page.wait_for_selector(IDLE)
            expect(page.locator('[data-testid="stMainBlockContainer"] h1').first).to_be_visible()
            _visit_every_tab(page)
            page.wait_for_load_state("networkidle")
            seen += page.evaluate(ASSETS)
    finally:
        context.close()
    assert seen, "no request was recorded"
    outside = sorted({url for url in seen if _outside(url, host)})
    assert not outside, f"fetched from outside the app: {outside}"
    assert any(urlparse(u).scheme == "ws" for u in seen), "the app's own websocket was not seen"
