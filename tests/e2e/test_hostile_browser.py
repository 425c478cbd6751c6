"""Untrusted text in real Chromium: script-injection payloads through the URL never run."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright.sync_api import Page, expect

from harness.server import IDLE
from harness.shots import PATHS

# Each payload is a valid class name (at most 24 characters, no comma) and sets window.__p if it runs.
PAYLOADS = [
    "<svg onload=__p=1>",
    "<img src onerror=__p=1>",
    "<script>__p=1</script>",
    '"><svg onload=__p=1>',
    "[x](javascript:__p=1)",
    "$\\href{javascript:1}{x}$",
]
PAGES = [p for p in PATHS if p != "class"]
"""Every page that shows the example (the Class page shows it once a class is started: tests/app covers it)."""


def _query(i: int) -> str:
    a, b = PAYLOADS[i % len(PAYLOADS)], PAYLOADS[(i + 1) % len(PAYLOADS)]
    return urlencode(
        {
            "classes": f"{a},{b},rabbit",
            "logits": "1,2,3",
            "target": b,
            "unit": "<svg onload=__p=1>",  # a bad value: shown in a warning, as text
            "<img src=x onerror=__p=1>": "1",  # an unknown parameter: named in a warning
            "sx_b": "<script>__p=1</script>",
            "qz_seed": "<svg onload=__p=1>",
            "nt_prompt": a,  # the Next-token page's own texts
            "nt_sentence": b,
        }
    )


@pytest.mark.parametrize("path", PAGES)
def test_payloads_in_the_url_are_shown_as_text_and_never_run(page: Page, app_url: str, path: str) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    for i in range(0, len(PAYLOADS), 2):
        page.goto(f"{app_url}/{path}?{_query(i)}")
        page.wait_for_selector(IDLE)
        page.wait_for_selector('[data-testid="stAlert"]')
        for chart in page.locator(".js-plotly-plot:visible").all()[:4]:
            chart.hover()  # hover labels carry class names too
        expect(page.locator('[data-testid="stException"]')).to_have_count(0)
        assert page.evaluate("() => window.__p") is None
        body = page.locator('[data-testid="stMain"]').inner_text()
        assert "<img src=x onerror=__p=1>" in body  # the unknown parameter's name, literally
        if path == "next-token":  # it shows its own texts, not the example's classes: the prompt is kept verbatim
            expect(page.get_by_role("textbox", name="Prompt")).to_have_value(PAYLOADS[i])
        elif path != "quiz":
            expect(page.get_by_text(PAYLOADS[i]).first).to_be_attached()  # a class name, as text (pad included)
        assert page.title() == "Softmax & Cross-Entropy Explorer" or page.title().endswith(
            "Softmax & Cross-Entropy Explorer"
        )
    assert dialogs == []
