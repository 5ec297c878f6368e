"""Notebooks are thin and agree with the registry; committed ones carry clean outputs."""

from __future__ import annotations

import re

import nbformat
import pytest

from analysis import notebooks
from analysis.params import registry
from analysis.paths import ROOT

TOC = notebooks.toc_notebooks()
# Pages that read no parameter: reference pages, and the scenario page (it evaluates every scenario file).
PARAMETER_FREE = {"scenarios", "reference_parameters", "reference_sources", "glossary", "downloads"}


def test_toc_lists_notebooks() -> None:
    assert TOC and TOC[0].stem == "intro"


@pytest.mark.parametrize("nb", TOC, ids=str)
def test_parameters_cell_matches_registry(nb) -> None:
    params = registry()
    declared = notebooks.declared_parameters(ROOT / nb)
    if nb.stem in PARAMETER_FREE:
        assert not declared
        return
    cell = next(c for c in nbformat.read(str(ROOT / nb), as_version=4).cells if c.cell_type == "code")
    assigned = re.findall(r"^(\w+)\s*[:=]", cell.source, flags=re.M)
    assert assigned == list(declared), f"{nb}: papermill could not parse every parameter line"
    for name, info in declared.items():
        assert name in params, f"{nb}: {name} is not in data/parameters.csv"
        default = params[name].default
        assert eval(info["default"]) == default, f"{nb}: {name} default {info['default']} != registry {default}"  # noqa: S307
        assert info["inferred_type_name"] not in ("None", ""), f"{nb}: {name} has no type annotation"
        assert info["help"], f"{nb}: {name} has no help comment"


@pytest.mark.parametrize("nb", TOC, ids=str)
def test_committed_notebook_is_executed_and_normalised(nb) -> None:
    content = nbformat.read(str(ROOT / nb), as_version=4)
    assert "papermill" not in content.metadata
    code = [c for c in content.cells if c.cell_type == "code"]
    if nb.stem not in PARAMETER_FREE:
        assert "parameters" in code[0].metadata.get("tags", []), "first code cell must be tagged parameters"
    for cell in code:
        assert not ({"papermill", "execution"} & set(cell.metadata)), f"{nb}: volatile metadata left in a cell"
        assert cell.execution_count is not None, f"{nb}: a code cell was not executed (run `make refresh`)"
        assert "injected-parameters" not in cell.metadata.get("tags", [])
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", f"{nb}: committed with an error output"
