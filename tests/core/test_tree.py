"""The shape of the tree: small modules, one-way layers, one place that writes the URL, no maths in ui/.

These read the source (the AST, never by importing it), like the purity test.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 500
"""A module past ~500 lines is usually several ideas (DESIGN.md, "A module holds one idea")."""
URL_WRITER = "ui/frame.py"
"""The one module that writes the URL (ui.frame.write_url)."""
NUMPY_IN_UI: dict[str, str] = {}
"""ui/ modules allowed to import numpy, each with the reason. Empty: a page's numbers come from core."""


def python_files(*folders: str) -> list[Path]:
    return sorted(p for folder in folders for p in (ROOT / folder).glob("**/*.py"))


def rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def imported_modules(path: Path) -> set[str]:
    """Every absolute module an import in ``path`` names, with its parents ("a.b.c" gives a, a.b, a.b.c)."""
    names: set[str] = set()
    for node in ast.walk(tree(path)):
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        else:
            continue
        for module in modules:
            parts = module.split(".")
            names.update(".".join(parts[: i + 1]) for i in range(len(parts)))
    return names


def imports_of(folders: tuple[str, ...], forbidden: set[str]) -> dict[str, set[str]]:
    found = {rel(p): {m for m in imported_modules(p) if m.split(".")[0] in forbidden} for p in python_files(*folders)}
    return {k: v for k, v in found.items() if v}


def test_no_module_in_core_or_ui_is_over_500_lines() -> None:
    files = python_files("core", "ui", "routes")
    assert len(files) >= 10
    lengths = {rel(p): len(p.read_text(encoding="utf-8").splitlines()) for p in files}
    assert {k: n for k, n in lengths.items() if n > MAX_LINES} == {}


@pytest.mark.parametrize(
    ("folders", "forbidden"),
    [
        (("bench", "docs", "harness"), {"tests"}),  # what they share with the tests lives in harness/
        (("tests/core",), {"ui", "app_pages", "streamlit"}),  # core's tests test core
        (("app_pages", "ui", "core"), {"tests", "bench", "harness", "docs"}),  # the app never imports its tooling
        # the live route answers from core alone: no Streamlit session, no ui module, no tooling
        (("routes",), {"ui", "app_pages", "streamlit", "tests", "bench", "harness", "docs"}),
    ],
    ids=["bench-docs-harness-not-tests", "tests-core-not-ui", "app-not-tooling", "routes-core-only"],
)
def test_layers_import_one_way(folders: tuple[str, ...], forbidden: set[str]) -> None:
    assert python_files(*folders)
    assert imports_of(folders, forbidden) == {}


def test_app_py_imports_no_tooling() -> None:
    names = {m.split(".")[0] for m in imported_modules(ROOT / "app.py")}
    assert names & {"tests", "bench", "harness", "docs"} == set()


MUTATORS = {"from_dict", "clear", "update", "pop", "setdefault", "popitem", "__setitem__", "__delitem__"}


def url_writes(module: ast.Module) -> list[str]:
    """Each place that changes ``st.query_params`` (or gives it a second name), as "line: what"."""

    def is_query_params(node: ast.AST) -> bool:
        return isinstance(node, ast.Attribute) and node.attr == "query_params"

    found: list[tuple[int, str]] = []
    for node in ast.walk(module):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and is_query_params(node.func.value):
            if node.func.attr in MUTATORS:
                found.append((node.lineno, f"query_params.{node.func.attr}()"))
        elif isinstance(node, ast.Subscript) and is_query_params(node.value) and isinstance(node.ctx, ast.Store):
            found.append((node.lineno, "query_params[...] ="))
        elif isinstance(node, ast.Subscript) and is_query_params(node.value) and isinstance(node.ctx, ast.Del):
            found.append((node.lineno, "del query_params[...]"))
        elif isinstance(node, ast.Attribute) and is_query_params(node) and isinstance(node.ctx, ast.Store | ast.Del):
            found.append((node.lineno, "query_params assigned"))
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.NamedExpr) and is_query_params(node.value):
            found.append((node.lineno, "query_params aliased (a write through the alias would escape this check)"))
    return [f"{line}: {what}" for line, what in sorted(found)]


def test_the_url_is_written_from_one_place() -> None:
    files = [ROOT / "app.py", *python_files("app_pages", "ui")]
    writes = {rel(p): url_writes(tree(p)) for p in files}
    assert {k: v for k, v in writes.items() if v and k != URL_WRITER} == {}
    assert any("from_dict" in w for w in writes[URL_WRITER])  # the check sees the real writer


def test_the_url_check_sees_every_kind_of_write() -> None:
    source = """
import streamlit as st
st.query_params.from_dict({})
st.query_params["a"] = "1"
del st.query_params["a"]
st.query_params.clear()
qp = st.query_params
st.query_params = {}
st.query_params.get_all("a")
x = {k: st.query_params[k] for k in st.query_params}
"""
    found = url_writes(ast.parse(source))
    assert [int(w.split(":")[0]) for w in found] == [3, 4, 5, 6, 7, 8]


def test_no_script_in_ui_rewrites_the_address() -> None:
    scripts = sorted((ROOT / "ui").glob("**/*.js"))
    assert scripts
    pattern = re.compile(r"history\s*\.\s*(?:replaceState|pushState)|location\s*\.\s*(?:search|href|hash)\s*=(?!=)")
    texts = {rel(p): p.read_text(encoding="utf-8") for p in scripts}
    assert {k: pattern.findall(t) for k, t in texts.items() if pattern.search(t)} == {}


def test_ui_does_no_maths_it_does_not_import_numpy() -> None:
    """A page's numbers come from one core function per page or tab; ui/ only shows them.

    The check is on imports: without numpy a ui module cannot do array arithmetic on
    page data. :data:`NUMPY_IN_UI` lists the exceptions with their reasons.
    """
    found = imports_of(("ui", "app_pages"), {"numpy", "scipy"})
    assert {k for k in found if k not in NUMPY_IN_UI} == set(), found
    stale = set(NUMPY_IN_UI) - set(found)
    assert stale == set(), f"no longer imports numpy: drop from NUMPY_IN_UI: {stale}"


WRITERS = {"write_text", "write_bytes", "mkdir", "makedirs", "touch", "copyfile", "copy2", "copytree"}


def test_the_app_never_writes_into_its_tree() -> None:
    """No file writes in the app's modules (plotly.min.js is served from the installed package, not copied)."""
    found: dict[str, list[str]] = {}
    for path in [ROOT / "app.py", *python_files("app_pages", "ui", "core")]:
        for node in ast.walk(tree(path)):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            modes = [*node.args[1:2], *(k.value for k in node.keywords if k.arg == "mode")]
            writing = any(isinstance(m, ast.Constant) and set(str(m.value)) & set("wax+") for m in modes)
            if name in WRITERS or (name == "open" and writing):
                found.setdefault(rel(path), []).append(f"{node.lineno}: {name}")
    assert found == {}
