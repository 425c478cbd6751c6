"""core/ is pure: it never imports Streamlit, ui/ or the page scripts (app_pages/ and ui/ do that)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORE = ROOT / "core"
PAGES = ROOT / "app_pages"
"""The page scripts' folder (not pages/: Streamlit would treat that as legacy navigation)."""


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_the_page_folder_is_app_pages() -> None:
    assert len(list(PAGES.glob("*.py"))) >= 6
    assert not (ROOT / "pages").exists()


def test_core_never_imports_streamlit_ui_or_the_pages() -> None:
    files = sorted(CORE.glob("**/*.py"))
    assert len(files) >= 5
    forbidden = {"streamlit", "ui", PAGES.name}
    offenders = {str(f.relative_to(ROOT)): imported_modules(f) & forbidden for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}
