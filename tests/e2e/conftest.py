"""Browser tests: the real app in a subprocess, driven by Playwright in headless Chromium."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from harness.browser import LAUNCH_ARGS, find_chromium
from harness.server import serve, start_app


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app, with class mode's database in a temporary SQLite file (never the repository's data/ folder)."""
    db = tmp_path_factory.mktemp("class-db") / "classroom.sqlite3"
    with start_app(env={"EXPLORER_DATABASE_URL": f"sqlite:///{db}"}) as url:
        yield url


CLASS_WAIT_MS = 20_000
"""Class-mode browser tests drive several pages at once on a loaded 2-core machine: their expectations wait up to
20 s (a hang guard, not a speed check)."""


@pytest.fixture(scope="module")
def class_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A server of its own for a class-mode test module, on a SQLite file of its own."""
    tmp = tmp_path_factory.mktemp("class")
    with serve({"EXPLORER_DATABASE_URL": f"sqlite:///{tmp / 'class.sqlite3'}"}, log=tmp / "server.log") as (url, _):
        yield url


@pytest.fixture
def patient_expect() -> Iterator[None]:
    """Playwright's ``expect`` waits :data:`CLASS_WAIT_MS` in the test that asks for it, then its default again."""
    expect.set_options(timeout=CLASS_WAIT_MS)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Use the system Chromium (Debian's) when there is one; never download a browser here."""
    args = {**browser_type_launch_args, "args": LAUNCH_ARGS}
    chromium = find_chromium()
    if chromium:
        args["executable_path"] = chromium
    return args


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, "viewport": {"width": 1600, "height": 1000}}
