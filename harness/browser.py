"""Find (or, with --ensure, install) the Chromium the browser tests, benchmarks and screenshots drive.

Order: $CHROMIUM, Debian's /usr/bin/chromium, a chromium on PATH, then
Playwright's own download. `--ensure` installs Debian's package when running as
root with apt-get, and falls back to `playwright install chromium` only on
machines without apt (never here: that would download a browser).
`python -m harness.browser --ensure` (``make browser``) also makes sure nginx (and PostgreSQL) is
there for the deploy test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from harness import postgres

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def page_errors(page: Any) -> list[str]:
    """The page's uncaught JavaScript errors from now on (a list that fills as they happen)."""
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def find_chromium() -> str | None:
    """Path of a system Chromium, or None (then Playwright's own browser is used)."""
    candidates = [os.environ.get("CHROMIUM", ""), "/usr/bin/chromium", shutil.which("chromium") or ""]
    for path in candidates:
        if path and Path(path).is_file() and os.access(path, os.X_OK):
            return path
    return None


def _playwright_has_browser() -> bool:
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            return Path(p.chromium.executable_path).is_file()
    except Exception:
        return False


def ensure() -> str:
    found = find_chromium()
    if found:
        return found
    if _playwright_has_browser():
        return "playwright's chromium"
    if shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium", "fonts-dejavu-core"], check=True, env=env)
        found = find_chromium()
        if found:
            return found
    subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=True)
    return "playwright's chromium"


def ensure_nginx() -> str:
    """nginx for the deploy test (deploy/serve.sh): Debian's package, installed when missing and root."""
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)
    if found:
        return found
    if shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "nginx"], check=True, env=env)
        return shutil.which("nginx") or "/usr/sbin/nginx"
    raise SystemExit("nginx is missing: install it (Debian: apt-get install nginx) for the deploy test")


def ensure_postgres() -> str:
    """PostgreSQL for class mode's storage tests (harness/postgres.py): Debian's package, installed when missing
    and root (it also makes the ``postgres`` user the test cluster runs as). Without root the tests say why."""
    reason = postgres.unavailable_reason()
    if reason and shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env)
        reason = postgres.unavailable_reason()
    return reason or str(postgres.bin_dir())


if __name__ == "__main__":
    if "--ensure" in sys.argv:
        print(f"browser tests use: {ensure()}")
        print(f"deploy test uses: {ensure_nginx()}")
        print(f"class-mode storage tests use: {ensure_postgres()}")
    else:
        print(find_chromium() or "no system chromium")
