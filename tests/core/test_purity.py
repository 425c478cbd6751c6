"""core/ is pure: it never imports Streamlit (pages and ui/ do that)."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_streamlit_or_ui() -> None:
    files = sorted(CORE.glob("**/*.py"))
    assert len(files) >= 5
    offenders = {f.name: imported_modules(f) & {"streamlit", "ui", "pages"} for f in files}
    assert {k: v for k, v in offenders.items() if v} == {}
