"""The README's pictures of class mode: the projector after a reveal and a phone's result (issue 14).

Starts its own server (``harness.server``) on a SQLite file in a temporary folder, drives Debian's Chromium:
a teacher at 1440 x 900 with ``?present=1`` starts a class and asks "what is p(dog)?" about the usual
example, a phone (390 x 844, touch) joins by the join link and answers, simulated students
(:func:`simulate`: ``harness.class_clients`` devices on ``/api/class``) add their answers, the teacher shows
the spread and reveals.
Writes ``OUT/14-projector.png`` and ``OUT/14-phone.png`` (device scale 1, a few hundred KB at most). Usage::

    python -m harness.class_shots [OUT]        # OUT defaults to docs/screens
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect, sync_playwright

from harness.browser import LAUNCH_ARGS, find_chromium
from harness.class_clients import Student, until
from harness.server import IDLE, ROOT, run_async, serve

CODE = re.compile(r"^\s*[A-Z0-9]{6}\s*$")
"""A join code as the teacher's page shows it."""
EXAMPLE = "classes=cat,dog,rabbit&logits=2,1,0.1&target=dog"
"""The example every picture asks about (the Playground's usual one): p(dog) = 0.242."""
PROJECTOR: dict[str, Any] = {"viewport": {"width": 1440, "height": 900}, "device_scale_factor": 1}
PHONE: dict[str, Any] = {
    "viewport": {"width": 390, "height": 844},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 1,
}
ROOM_ANSWERS = (0.24, 0.2, 0.3, 0.33, 0.33, 0.27, 0.15, 0.5, 0.22, 0.1, 0.25)
"""What the simulated room answers to "what is p(dog)?" (0.242): most near it, a few of the usual slips
(a third each; a half; the logit's share 1/3.1)."""
WAIT = 30.0
"""Seconds before a reply that never comes fails (a hang guard)."""


def simulate(url: str, code: str, values: Sequence[Any], prefix: str = "Sim") -> list[str]:
    """Simulated students (:class:`harness.class_clients.Student`, one ``/api/class`` socket each, Origin = the
    server's) join room ``code`` on the server at ``url`` and answer its open question, one value each, all at
    once; returns what each was told it sent (``shown``)."""

    async def run() -> list[str]:
        students = [Student(i, url, code, nick=f"{prefix} {i + 1}") for i in range(len(values))]
        tasks = [asyncio.create_task(s.connect()) for s in students]
        try:
            await until(lambda: all(s.current for s in students) or any(s.errors for s in students), "a question", WAIT)
            refused = [f"{s.nick}: {s.errors[0]}" for s in students if s.errors]
            if refused:
                raise RuntimeError(f"simulated students could not join {code}: {refused}")
            qids = {s.current for s in students}
            answers = (s.answer(s.current, v) for s, v in zip(students, values, strict=True))
            await asyncio.wait_for(asyncio.gather(*answers), WAIT)
            missing = [f"{s.nick}: {s.errors}" for s in students if s.current not in s.shown]
            if missing or len(qids) != 1:
                raise RuntimeError(f"answers to {qids} refused: {missing}")
            return [s.shown[s.current] for s in students]
        finally:
            await asyncio.gather(*(s.stop() for s in students))
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    return run_async(run())


def start_class(teacher: Page, url: str) -> str:
    """Open the Class page as a teacher (presentation mode), start a class; returns its join code."""
    teacher.goto(f"{url}/class?{EXAMPLE}&present=1")
    teacher.wait_for_selector(IDLE)
    teacher.get_by_role("button", name="Start a class").click()
    code = teacher.locator(".cl-code")
    expect(code).to_have_text(CODE)
    return code.inner_text().strip()


def ask(teacher: Page, title: str) -> None:
    """Ask the question ``title`` (one of the page's "Ask about it" choices) about the example."""
    teacher.get_by_role("radiogroup", name="Ask about it").get_by_text(title, exact=True).click()
    teacher.wait_for_selector(IDLE)
    teacher.get_by_role("button", name="Next question").or_(teacher.get_by_role("button", name="Ask")).click()
    expect(teacher.get_by_role("button", name="Reveal")).to_be_visible()
    teacher.wait_for_selector(IDLE)


def chart_drawn(page: Page, text: str) -> None:
    """Wait until the spread chart is drawn (Plotly's SVG) and holds ``text`` (e.g. the truth's label)."""
    page.wait_for_function(
        "(t) => { const s = document.querySelector('.cp-spread:not([hidden]) .js-plotly-plot .main-svg');"
        " return !!s && s.closest('.cp-spread').textContent.includes(t); }",
        arg=text,
    )
    page.evaluate("() => document.fonts.ready")


def take(browser: Browser, url: str, out: Path) -> list[Path]:
    """Take the two pictures on the server at ``url`` (started with a class database) into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    teacher_context, phone_context = browser.new_context(**PROJECTOR), browser.new_context(**PHONE)
    teacher, phone = teacher_context.new_page(), phone_context.new_page()
    code = start_class(teacher, url)
    phone.goto(f"{url}/class?join={code}")
    phone.wait_for_selector(IDLE)
    phone.get_by_label("Nickname (optional)").fill("Ana")
    phone.get_by_role("button", name="Join", exact=True).tap()
    expect(phone.locator(".cs-wait")).to_be_visible()
    ask(teacher, "What is p(true class)?")
    teacher.get_by_text("Show answers as they arrive").click()
    teacher.wait_for_selector(IDLE)
    phone.get_by_label("Your estimate of p(dog)").fill("0,25")
    phone.get_by_role("button", name="Send answer").tap()
    expect(phone.locator(".cs-ack")).to_contain_text("Your answer: 0.25")
    simulate(url, code, ROOM_ANSWERS)
    n = len(ROOM_ANSWERS) + 1
    expect(teacher.locator(".cp-answered")).to_have_text(f"{n} of {n} answered")
    teacher.get_by_role("button", name="Reveal").click()
    teacher.wait_for_selector(IDLE)
    chart_drawn(teacher, "true:")
    expect(phone.locator(".cs-result")).to_be_visible()
    projector_png, phone_png = out / "14-projector.png", out / "14-phone.png"
    teacher.locator('[data-testid="stMain"]').evaluate("(main) => { main.scrollTop = 0; }")  # the top, as projected
    teacher.screenshot(path=str(projector_png), animations="disabled", caret="hide")
    phone.locator(".cs-result").evaluate("(e) => e.scrollIntoView({block: 'end', behavior: 'instant'})")
    phone.screenshot(path=str(phone_png), animations="disabled", caret="hide")
    teacher_context.close()
    phone_context.close()
    return [projector_png, phone_png]


def shoot(out: Path) -> list[Path]:
    """Start a server on a temporary class database and Chromium, take the two pictures into ``out``."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"EXPLORER_DATABASE_URL": f"sqlite:///{Path(tmp) / 'class.sqlite3'}"}
        with serve(env, log=Path(tmp) / "server.log") as (url, _proc), sync_playwright() as p:
            browser = p.chromium.launch(executable_path=find_chromium(), args=LAUNCH_ARGS)
            try:
                return take(browser, url, out)
            finally:
                browser.close()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", default=str(ROOT / "docs" / "screens"))
    args = ap.parse_args(argv)
    for path in shoot(Path(args.out)):
        print(f"{path}: {path.stat().st_size // 1024} KB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
