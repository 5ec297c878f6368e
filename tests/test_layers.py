"""The layers of analysis/ import downwards only (../shared/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from analysis.paths import ROOT

PACKAGE = ROOT / "analysis"
# What each layer may import from the package (besides itself). Base modules: errors, paths, formatting.
BASE = {"analysis.errors", "analysis.paths", "analysis.formatting"}
ALLOWED = {
    "model": {"analysis.errors"},  # pure: no paths, no loader, no registry types, no charts or pipeline
    "inputs": BASE,  # reads files, builds no model objects
    "charts": BASE,
    "chapters": BASE | {"analysis.model", "analysis.inputs", "analysis.charts"},
    "pipeline": BASE | {"analysis.inputs", "analysis.chapters"},
}


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name == "analysis" or name.startswith("analysis.")}


def modules(layer: str) -> list[Path]:
    return sorted((PACKAGE / layer).glob("*.py"))


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_layer_imports_point_down(layer: str) -> None:
    own = f"analysis.{layer}"
    bad = []
    for module in modules(layer):
        for name in imports(module):
            if name.startswith(own) or name in ("analysis",):
                continue
            if not any(name == ok or name.startswith(ok + ".") for ok in ALLOWED[layer]):
                bad.append(f"{module.relative_to(ROOT)} imports {name}")
    assert not bad, "\n".join(bad)


def test_model_code_does_no_io_or_plotting() -> None:
    banned = ("open(", "read_csv", "read_text", "write_text", "matplotlib", "papermill", "print(", "json.load")
    for module in modules("model"):
        text = module.read_text(encoding="utf-8")
        for word in banned:
            assert word not in text, f"{module.relative_to(ROOT)} uses {word}"


def test_every_layer_is_a_folder() -> None:
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert flat == ["__init__.py", "__main__.py", "cli.py", "errors.py", "formatting.py", "paths.py"], flat
