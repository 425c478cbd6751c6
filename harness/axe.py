"""The accessibility scan of the e2e tests: axe-core (bundled with axe-playwright-python, no download) on a page.

:func:`serious` runs axe with the WCAG 2.1 A and AA tags (or only the named rules) and returns the serious and
critical violations as short strings, ``"color-contrast (serious): [['.x'], ['.y'], ['.z']]"`` (the first three
elements' selectors), so a test asserts ``serious(page) == []`` and a failure names what to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page

WCAG21_AA = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
"""axe's tags for WCAG 2.0 and 2.1, levels A and AA."""
SERIOUS = ("serious", "critical")
"""The impacts a test fails on (axe's "minor" and "moderate" are reported by axe only)."""


def options(rules: Sequence[str] | None = None) -> dict[str, Any]:
    """axe's run options: the WCAG 2.1 A/AA tags, or only ``rules`` (axe rule ids) when given."""
    only = {"type": "rule", "values": list(rules)} if rules else {"type": "tag", "values": list(WCAG21_AA)}
    return {"runOnly": only, "resultTypes": ["violations"]}


def serious(page: Page, rules: Sequence[str] | None = None) -> list[str]:
    """The page's serious and critical violations as it is now (``rules``: only these axe rules)."""
    response: dict[str, Any] = Axe().run(page, options=options(rules)).response
    return [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in response["violations"]
        if v["impact"] in SERIOUS
    ]
