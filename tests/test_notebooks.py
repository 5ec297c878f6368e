"""Notebooks are thin, their parameters cells are generated from the registry, outputs are clean."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import papermill
import pytest

from analysis.inputs.params import registry
from analysis.paths import ROOT
from analysis.pipeline import notebooks

TOC = notebooks.toc_notebooks()
MAX_CODE_LINES = 15  # outside the parameters cell (issue 11)


def test_toc_lists_notebooks_and_generated_pages() -> None:
    assert TOC and TOC[0].stem == "intro"
    generated = {p.stem for p in notebooks.generated_pages()}
    assert generated == {"reference_parameters", "reference_sources", "glossary", "downloads", "every_number", "explore"}
    assert not generated & {nb.stem for nb in TOC}


@pytest.mark.parametrize("nb", TOC, ids=str)
def test_parameters_cell_is_exactly_what_refresh_generates(nb) -> None:
    module = notebooks.chapter_module(nb)
    cell = next(c for c in nbformat.read(str(ROOT / nb), as_version=4).cells if "parameters" in c.metadata.get("tags", []))
    assert cell.source == notebooks.parameters_source(tuple(module.PARAMETERS), registry()), (
        f"{nb}: parameters cell differs from the registry; run `python -m analysis refresh {nb.stem}`")
    # papermill sees every parameter with a type and a help text.
    inspected = papermill.inspect_notebook(str(ROOT / nb))
    assert list(inspected) == list(module.PARAMETERS)
    for name, info in inspected.items():
        assert info["inferred_type_name"] not in ("None", ""), f"{nb}: {name} has no type"
        assert info["help"], f"{nb}: {name} has no help"


def test_generated_cell_carries_registry_default_type_help_and_unit() -> None:
    source = notebooks.parameters_source(("gpu_hour_usd", "training_gpus", "peak_flops_basis"), registry())
    lines = source.splitlines()
    reg = registry()
    assert lines[0].startswith(f"gpu_hour_usd: float = {float(reg['gpu_hour_usd'].default)!r}  # ")
    assert lines[0].endswith(f"({reg['gpu_hour_usd'].unit})")
    assert lines[1].startswith(f"training_gpus: int = {reg['training_gpus'].default!r}")
    assert lines[2].startswith(f"peak_flops_basis: str = {reg['peak_flops_basis'].default!r}")


@pytest.mark.parametrize("nb", TOC, ids=str)
def test_notebook_is_thin(nb) -> None:
    cells = nbformat.read(str(ROOT / nb), as_version=4).cells
    code = [c for c in cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])]
    lines = [ln for c in code for ln in c.source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    assert len(lines) <= MAX_CODE_LINES, f"{nb}: {len(lines)} code lines outside the parameters cell"
    joined = "\n".join(lines)
    for logic in ("def ", "for ", "while ", "lambda", "class "):
        assert logic not in joined, f"{nb}: logic ({logic.strip()}) belongs in analysis/chapters/{nb.stem}.py"
    assert f"run({nb.stem}, globals())" in joined


@pytest.mark.parametrize("nb", TOC, ids=str)
def test_committed_notebook_is_executed_and_normalised(nb) -> None:
    content = nbformat.read(str(ROOT / nb), as_version=4)
    assert "papermill" not in content.metadata
    code = [c for c in content.cells if c.cell_type == "code"]
    assert "parameters" in code[0].metadata.get("tags", []), "first code cell must be tagged parameters"
    for cell in code:
        assert not ({"papermill", "execution"} & set(cell.metadata)), f"{nb}: volatile metadata left in a cell"
        assert cell.execution_count is not None, f"{nb}: a code cell was not executed (run `make refresh`)"
        assert "injected-parameters" not in cell.metadata.get("tags", [])
        for output in cell.get("outputs", []):
            assert output.get("output_type") != "error", f"{nb}: committed with an error output"


def test_cross_page_glue_references_name_values_of_that_page() -> None:
    """{glue:text}`other.ipynb::name` (one value shown on two pages, computed once) must exist on the other page."""
    from analysis.inputs.params import registry as reg

    defaults = {n: p.default for n, p in reg().items()}
    found = 0
    for nb in TOC:
        prose = "\n".join(c.source for c in nbformat.read(str(ROOT / nb), as_version=4).cells if c.cell_type == "markdown")
        for other, name in re.findall(r"\{glue:text\}`([\w]+)\.ipynb::([\w]+)", prose):
            module = notebooks.chapter_module(Path(f"{other}.ipynb"))
            page = module.chapter({n: defaults[n] for n in module.PARAMETERS})
            assert name in page.values, f"{nb}: {other}.ipynb::{name} is not a value of {other}"
            found += 1
    assert found >= 1


def test_declared_parameters_kept_by_content_are_papermills(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A build reads each notebook's declared parameters from the shared cache once inspected: what papermill
    inspects, in order; a notebook whose content changed is inspected again."""
    from analysis.pipeline.inprocess import CACHE_ENV

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))
    notebook = tmp_path / "fleet.ipynb"
    notebook.write_bytes((ROOT / "book" / "fleet.ipynb").read_bytes())
    expected = {name: dict(info) for name, info in papermill.inspect_notebook(str(notebook)).items()}
    assert notebooks.declared_parameters(notebook) == expected
    assert len(list((tmp_path / "cache" / "parameters").glob("*.json"))) == 1
    served = notebooks.declared_parameters(notebook)
    assert served == expected and list(served) == list(expected)
    changed = nbformat.read(str(notebook), as_version=4)
    cell = next(c for c in changed.cells if "parameters" in c.metadata.get("tags", []))
    cell.source = cell.source.split("\n", 1)[1]  # its first parameter removed
    nbformat.write(changed, str(notebook))
    assert list(notebooks.declared_parameters(notebook)) == list(expected)[1:]
