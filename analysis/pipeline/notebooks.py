"""Notebook plumbing: the TOC, declared parameters, papermill execution, normalising.

Only this module and analysis.pipeline.build touch papermill or nbformat.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis.errors import BuildError, InputError
from analysis.paths import ROOT
from analysis.pipeline import kernel

KERNEL = kernel.KERNEL
# Cell ids must not change between runs, or committed notebooks show a diff.
INJECTED_CELL_ID = "injected-parameters"
VOLATILE_CELL_METADATA = ("papermill", "execution")


def toc_entries(root: Path = ROOT) -> list[Path]:
    """Every page listed in _toc.yml, in reading order (relative to root, without suffix)."""
    toc_path = root / "_toc.yml"
    try:
        toc = yaml.safe_load(toc_path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise InputError(f"_toc.yml: cannot read ({exc})") from None
    entries: list[str] = [toc["root"]]

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "file" in node:
                entries.append(node["file"])
            for key in ("chapters", "sections", "parts"):
                for child in node.get(key, []) or []:
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk(toc)
    return [Path(entry).with_suffix("") for entry in entries]


def toc_notebooks(root: Path = ROOT) -> list[Path]:
    """The notebooks listed in _toc.yml, in reading order (relative to root)."""
    from analysis.chapters.reference import GENERATED

    paths = []
    for entry in toc_entries(root):
        if (root / entry.with_suffix(".ipynb")).exists():
            paths.append(entry.with_suffix(".ipynb"))
        elif not (root / entry.with_suffix(".md")).exists() and entry.name not in GENERATED:
            raise InputError(f"_toc.yml: entry {str(entry)!r} has no notebook or page")
    return paths


def generated_pages(root: Path = ROOT) -> list[Path]:
    """The _toc.yml pages that the build writes as Markdown (analysis.chapters.reference)."""
    from analysis.chapters.reference import GENERATED

    return [e.with_suffix(".md") for e in toc_entries(root)
            if e.name in GENERATED and not (root / e.with_suffix(".ipynb")).exists()]


def declared_parameters(notebook: Path) -> dict[str, dict[str, Any]]:
    """Parameters of a notebook's `parameters` cell, by papermill's own inspection; kept in the shared cache by the
    notebook's content (inspecting reads the whole notebook, outputs included, and loads papermill: a third of a
    second of every build, in the parent process, which executes no notebook itself)."""
    import hashlib
    from importlib.metadata import version

    from analysis.pipeline import cache
    from analysis.pipeline.inprocess import cache_dir

    key = hashlib.sha256(version("papermill").encode() + b"\0" + notebook.read_bytes()).hexdigest()[:32]
    kept = cache_dir() / "parameters" / f"{key}.json"
    found = cache.read_json(kept)
    if isinstance(found, dict):
        return found
    import papermill  # loaded only where notebooks are executed or inspected (a results-only build never does)

    inspected = {name: dict(info) for name, info in papermill.inspect_notebook(str(notebook)).items()}
    cache.write_json(kept, inspected)
    return inspected


@dataclass(frozen=True)
class Execution:
    notebook: Path
    seconds: float
    error: str | None = None

    def line(self) -> str:
        """The build's one line for this notebook."""
        return f"  {self.notebook.name}: {self.seconds:.1f} s{' FAILED' if self.error else ''}"


# The kernel each executing process reuses (analysis.pipeline.kernel); re-exported for the build and the CLI.
warm_kernel, warm_kernel_in_background, shutdown_kernel = kernel.warm_kernel, kernel.warm_kernel_in_background, kernel.shutdown_kernel


def execute(source: Path, target: Path, parameters: dict[str, Any], position: int = 0) -> Execution:
    """Run one notebook with papermill; never raises for a failing cell (see .error)."""
    run = _execute_once(source, target, parameters, position)
    if run.error and ("Kernel died" in run.error or "DeadKernel" in run.error):
        # A kernel that fails to start or dies is the machine's hiccup, not the notebook's: once more, on a new one.
        shutdown_kernel()
        run = _execute_once(source, target, parameters, position)
    return run


def _execute_once(source: Path, target: Path, parameters: dict[str, Any], position: int) -> Execution:
    import papermill

    started = time.perf_counter()
    kernel.environment()
    try:
        manager = warm_kernel()
        kernel.reset(manager)  # a clean namespace and no open figures; imported modules stay warm
        papermill.execute_notebook(
            str(source), str(target), parameters=parameters, kernel_name=KERNEL, cwd=str(source.parent), km=manager,
            engine_name=_engine(), kc=kernel.client(manager),
            # One write at the end, not one per cell: a chapter's notebook holds hundreds of glued outputs, and
            # re-encoding and re-validating it after every cell took longer than running it. A failure still
            # writes the notebook (papermill saves on error), which is what OUT/failed/ keeps.
            request_save_on_cell_execute=False,
            # Bars only on a terminal; in a log the build prints one plain line per notebook instead.
            progress_bar={"desc": source.stem, "position": position, "leave": True} if sys.stderr.isatty() else False,
            start_timeout=120, execution_timeout=600,
        )
    except papermill.PapermillExecutionError as exc:
        cell = _code_cell_number(target, exc.cell_index)
        message = f"{source.name}: cell {cell} raised {exc.ename}: {exc.evalue}"
        return Execution(source, time.perf_counter() - started, message)
    except Exception as exc:  # kernel died, timeout, unreadable notebook
        return Execution(source, time.perf_counter() - started, f"{source.name}: {type(exc).__name__}: {exc}")
    normalise(target)
    return Execution(source, time.perf_counter() - started)


ENGINE = "cost-book"


def _engine() -> str:
    """papermill's nbclient engine on the kernel's kept client (analysis.pipeline.kernel.client), registered once:
    nbclient, given no client, opens one per notebook and waits 0.2 s for IOPub to fall silent before the first cell."""
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines
    from papermill.log import logger
    from papermill.utils import merge_kwargs, remove_args

    class KeptClientEngine(NBClientEngine):  # type: ignore[misc]
        @classmethod
        def execute_managed_notebook(cls, nb_man: Any, kernel_name: str, log_output: bool = False, stdout_file: Any = None,
                                     stderr_file: Any = None, start_timeout: int = 60, execution_timeout: Any = None,
                                     **kwargs: Any) -> Any:
            # As NBClientEngine.execute_managed_notebook (papermill 2.7), with the client set before nbclient would
            # start one (it starts one only when it has none, and closes only one it started).
            kept = kwargs.pop("kc")
            kwargs = remove_args(["input_path"], **kwargs)
            final = merge_kwargs(remove_args(["timeout", "startup_timeout"], **kwargs),
                                 timeout=execution_timeout if execution_timeout else kwargs.get("timeout"),
                                 startup_timeout=start_timeout, kernel_name=kernel_name, log=logger, log_output=log_output,
                                 stdout_file=stdout_file, stderr_file=stderr_file)
            notebook_client = PapermillNotebookClient(nb_man, **final)
            notebook_client.kc = kept
            return notebook_client.execute()

    if ENGINE not in papermill_engines._engines:
        papermill_engines.register(ENGINE, KeptClientEngine)
    return ENGINE


def _code_cell_number(path: Path, cell_index: int) -> str:
    """The failing cell as a reader counts it: 'N (code cell M)'."""
    import nbformat

    try:
        nb = nbformat.read(str(path), as_version=4)
        # papermill adds error-banner cells after the fact; count cells as executed.
        cells = [c for c in nb.cells if "papermill-error-cell-tag" not in c.metadata.get("tags", [])]
        code_cells = [i for i, c in enumerate(cells) if c.cell_type == "code"]
        return f"{cell_index + 1} (code cell {code_cells.index(cell_index) + 1})"
    except Exception:
        return str(cell_index + 1)


def normalise(path: Path) -> None:
    """Strip run-to-run noise so executing twice with the same inputs changes nothing."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    nb.metadata.pop("papermill", None)
    for cell in nb.cells:
        for key in VOLATILE_CELL_METADATA:
            cell.metadata.pop(key, None)
        tags = cell.metadata.get("tags", [])
        if "injected-parameters" in tags:
            cell.id = INJECTED_CELL_ID
            if "remove-cell" not in tags:
                cell.metadata["tags"] = [*tags, "remove-cell"]
    nbformat.write(nb, str(path))


def raise_failures(executions: list[Execution], kept: dict[Path, Path]) -> None:
    failures = [e for e in executions if e.error]
    if failures:
        lines = []
        for failure in failures:
            where = kept.get(failure.notebook)
            lines.append(failure.error + (f"\n  executed notebook kept at {where}" if where else ""))
        raise BuildError("notebook execution failed:\n" + "\n".join(lines))


def chapter_module(notebook: Path) -> Any:
    """The chapter module behind a notebook (analysis/chapters/<stem>.py)."""
    import importlib

    return importlib.import_module(f"analysis.chapters.{notebook.stem}")


def parameters_source(names: tuple[str, ...], registry: dict[str, Any]) -> str:
    """The parameters cell of a chapter, generated from the registry (one home per default).

    Typed and commented so that `papermill --help-notebook` lists type, help and unit.
    """
    kinds = {"float": "float", "int": "int", "choice": "str"}
    lines = []
    for name in names:
        p = registry[name]
        default = float(p.default) if p.type == "float" else p.default
        unit = f" ({p.unit})" if p.unit else ""
        # papermill cannot parse a line whose comment holds "=": say it in words.
        help_text = " ".join(str(p.help).split()).replace(" = ", " is ").replace("=", ":")
        lines.append(f"{name}: {kinds[p.type]} = {default!r}  # {help_text}{unit}")
    return "\n".join(lines) if lines else "# This page reads no parameters."


def write_parameters_cell(notebook: Path, registry: dict[str, Any]) -> bool:
    """Rewrite a notebook's parameters cell from its chapter's PARAMETERS; True if it changed."""
    import nbformat

    nb = nbformat.read(str(notebook), as_version=4)
    source = parameters_source(tuple(chapter_module(notebook).PARAMETERS), registry)
    cell = next((c for c in nb.cells if "parameters" in c.metadata.get("tags", [])), None)
    if cell is None:
        raise BuildError(f"{notebook.name}: no cell tagged 'parameters'")
    if cell.source == source:
        return False
    cell.source = source
    nbformat.write(nb, str(notebook))
    return True


def check_parameters(notebooks: list[Path], registry_defaults: dict[str, Any], root: Path = ROOT) -> dict[Path, dict[str, Any]]:
    """Each notebook's declared parameters; all must exist in the registry."""
    declared = {}
    for nb in notebooks:
        names = declared_parameters(root / nb)
        unknown = sorted(set(names) - set(registry_defaults))
        if unknown:
            raise InputError(f"{nb}: parameters cell declares {', '.join(unknown)}, not in data/parameters.csv")
        declared[nb] = names
    return declared
