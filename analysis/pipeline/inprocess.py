"""results.json without papermill or a kernel: the chapter functions the notebooks call, called in this process.

A notebook of the book is its generated parameters cell, `page = run(chapter, globals())` and `page.show(...)`
cells, so everything it glues is `chapter(parameters).values` and the dependencies `page.run` measures. This
module calls the same two functions with the same parameters and hands their values to the same collector
(analysis.pipeline.results) as glue records, so the file is the notebook build's, key for key (tests prove it on
the default build and on every shipped scenario). A notebook that does anything else is executed instead.

Each chapter's values are cached in a folder shared by every output folder (`cache_dir()`), keyed by the chapter,
the values of the parameters it declares and the inputs' digest (code, data, scenarios, requirements): a what-if
recomputes only the chapters that read the changed input, whichever `--out` it goes to.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from analysis.chapters import UNIT_SUFFIX
from analysis.errors import InputError
from analysis.inputs.params import Resolved, Value
from analysis.paths import ROOT
from analysis.pipeline import cache

Echo = Callable[[str], None]
CACHE_ENV = "COST_BOOK_CACHE"  # another folder for the shared cache (tests point it at a temporary one)
Entry = dict[str, Any]  # {"values": {name: [value, unit]}, "depends_on": {name: {param: elasticity}} | None}

# The only code cells a notebook may hold for its values to be computed in-process (besides its parameters cell).
_RUN_CELL = re.compile(r"from analysis\.chapters import (\w+)\nfrom analysis\.chapters\.page import run\n\npage = run\(\1, globals\(\)\)\s*")
_SHOW_CELL = re.compile(r"page\.show\(\"\w+\"\);?\s*")


def cache_dir() -> Path:
    """The cache shared between output folders: $COST_BOOK_CACHE, else $XDG_CACHE_HOME (~/.cache)/deepseek-cost-book."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "deepseek-cost-book"


def measuring() -> bool:
    """Whether dependencies are measured, as page.run decides (COST_BOOK_DEPENDENCIES=0 skips them)."""
    return os.environ.get("COST_BOOK_DEPENDENCIES", "1") != "0"


def chapter_of(notebook: Path) -> str | None:
    """The chapter a notebook runs, if it does nothing else (else None: it must be executed)."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    stem = None
    for cell in cells:
        if cell.get("cell_type") != "code" or "parameters" in cell.get("metadata", {}).get("tags", []):
            continue
        source = "".join(cell.get("source", []))
        run = _RUN_CELL.fullmatch(source)
        if run and stem is None:
            stem = run.group(1)
        elif not _SHOW_CELL.fullmatch(source):
            return None
    return stem if stem == notebook.stem else None


def unsupported(root: Path, toc: Sequence[Path]) -> list[Path]:
    """The notebooks whose values cannot be computed in-process (they do more than run their chapter)."""
    return [nb for nb in toc if chapter_of(root / nb) is None]


def _module(stem: str) -> Any:
    import importlib

    return importlib.import_module(f"analysis.chapters.{stem}")


def declared(stem: str) -> tuple[str, ...]:
    return tuple(_module(stem).PARAMETERS)


def chapter_key(stem: str, params: Mapping[str, Value], measure: bool) -> str:
    payload = json.dumps({"chapter": stem, "parameters": {k: params[k] for k in sorted(params)}, "measure": measure,
                          "inputs": cache.inputs_digest()}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:24]


def evaluate(stem: str, params: Mapping[str, Value], measure: bool) -> Entry:
    """What a notebook's `page = run(chapter, globals())` glues: the chapter's values and, when measured, their
    dependencies (the same call page.run makes). Charts are not drawn: they are not values."""
    from analysis.chapters import dependencies

    module = _module(stem)
    params = {name: params[name] for name in module.PARAMETERS}  # in declared order, as page.run passes them
    from analysis.chapters.page import call, values_only

    with dependencies.charts_not_drawn(), values_only():
        page = call(module, params)
    values = {name: [glued.value, glued.unit] for name, glued in page.values.items()}
    return {"values": values, "depends_on": dependencies.chapter_dependencies(stem, params) if measure else None}


def passes_made(stems: Sequence[str], values: Mapping[str, Value]) -> dict[str, tuple[dict[str, Value], Any]]:
    """The dependency passes already in the shared cache at these values (a results-only build made them), by chapter:
    (the parameters it was made at, its dependencies)."""
    made = {}
    for stem in stems:
        params, _, hit = _kept(stem, values, True)
        if hit is not None and hit.get("depends_on") is not None:
            made[stem] = (params, hit["depends_on"])
    return made


def _kept(stem: str, values: Mapping[str, Value], measure: bool) -> tuple[dict[str, Value], str, Entry | None]:
    """A chapter's parameters at these values, its key in the shared cache and the entry kept there (None if none)."""
    params = {name: values[name] for name in declared(stem)}
    key = chapter_key(stem, params, measure)
    return params, key, cache.read_json(_cache_file(stem, key))


def _evaluate_timed(job: tuple[str, dict[str, Value], bool]) -> tuple[str, Entry, float]:
    started = time.perf_counter()
    stem, params, measure = job
    return stem, evaluate(stem, params, measure), time.perf_counter() - started


def _cache_file(stem: str, key: str) -> Path:
    return cache_dir() / "chapters" / f"{stem}.{key}.json"


def chapters(stems: Sequence[str], values: Mapping[str, Value], *, measure: bool | None = None, jobs: int = 1,
             use_cache: bool = True, echo: Echo | None = None) -> dict[str, Entry]:
    """Every listed chapter's entry at these parameter values: from the shared cache, or computed."""
    measure = measuring() if measure is None else measure
    entries: dict[str, Entry] = {}
    missing: list[tuple[str, dict[str, Value], bool]] = []
    keys = {}
    for stem in stems:
        params, keys[stem], hit = _kept(stem, values, measure)
        if use_cache and hit is not None:
            entries[stem] = hit
        else:
            missing.append((stem, params, measure))
    started = time.perf_counter()
    computed = _run_all(missing, jobs)
    for stem, entry, seconds in computed:
        if echo and seconds is not None:
            echo(f"  {stem}: {seconds:.2f} s")
        entries[stem] = entry
        cache.write_json(_cache_file(stem, keys[stem]), entry)
    if echo and any(seconds is None for _, _, seconds in computed):  # one pass shared by the chapters: one time for all
        took = time.perf_counter() - started
        echo(f"  {len(computed)} chapter{'s' if len(computed) > 1 else ''} computed in {took:.2f} s (values, and the dependency "
             "pass shared between them)")
    if echo and len(missing) < len(stems):
        echo(f"  {len(stems) - len(missing)} of {len(stems)} chapters from the shared cache ({cache_dir()})")
    return {stem: entries[stem] for stem in stems}


def _run_all(jobs_list: list[tuple[str, dict[str, Value], bool]], jobs: int) -> list[tuple[str, Entry, float | None]]:
    """Each chapter's entry and the seconds it took (None: a pass shared between the chapters, timed as a whole)."""
    # Values in this process, one chapter after another (a what-if recomputes few, and each is fast). The dependency
    # pass, most of the time, is split by parameter between this process and forked ones (`jobs` cores at most):
    # moving one parameter for every chapter in one process keeps the Monte Carlo and ledger caches that the chapters
    # share. Forked after the imports and data are loaded, so a worker starts at once.
    measured = [(stem, params) for stem, params, measure in jobs_list if measure]
    workers = min(jobs, os.cpu_count() or 1, 2 if measured else 1)
    if workers <= 1 or not hasattr(os, "fork"):
        done = [_evaluate_timed(job) for job in jobs_list]
        _close_figures()
        return done
    entries: dict[str, Entry] = {}

    def values() -> dict[str, float]:  # in this process, while the forked worker starts its share of the pass
        took = {}
        for stem, params, _ in jobs_list:
            began = time.perf_counter()
            entries[stem] = evaluate(stem, params, False)
            took[f"{stem}/{VALUES_SECONDS}"] = time.perf_counter() - began
        return took

    depends = _dependencies_forked(measured, workers, values)
    for stem, _ in measured:
        entries[stem]["depends_on"] = depends[stem]
    _close_figures()
    return [(stem, entries[stem], None) for stem, _, _ in jobs_list]


def _dependencies_forked(measured: list[tuple[str, dict[str, Value]]], workers: int,
                         first: Callable[[], dict[str, float]]) -> dict[str, Any]:
    """Each chapter's dependency pass, its parameters dealt between this process and `workers - 1` forked ones by how
    long each took last time (`PASS_SECONDS`); this process runs `first` (the values, timed) once the workers are
    forked, and is dealt that much less."""
    import pickle

    from analysis.chapters import dependencies

    stems = [stem for stem, _ in measured]
    groups = _deal(stems, workers, _last_pass_seconds())
    # Each chapter's base run before forking: it and what the chapters share at these parameters (the cost model, the
    # Monte Carlo, the swings) are then computed once, not once in each process.
    bases = {stem: dependencies.base_run(stem, params) for stem, params in measured}
    children = []
    for group in groups[1:]:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker: its share of every chapter's pass, sent back whole, then gone without cleanup
            try:  # whatever happens (an error, a signal, a closed pipe), it never returns into the parent's code
                os.close(read)
                try:
                    payload = pickle.dumps(("ok", *_timed_pass(measured, group, bases)))
                except InputError as exc:  # the reader's inputs: raised in the parent as what it is
                    payload = pickle.dumps(("input", str(exc), {}))
                except BaseException as exc:  # reported to the parent, which raises it
                    payload = pickle.dumps(("error", f"{type(exc).__name__}: {exc}", {}))
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(payload)
            finally:
                os._exit(0)
        os.close(write)
        children.append((pid, read))
    try:
        seconds = first()
        mine, timed = _timed_pass(measured, groups[0], bases)
        parts = {stem: [part] for stem, part in mine.items()}
        seconds |= timed
        while children:
            pid, read = children[0]
            with os.fdopen(read, "rb") as pipe:
                received = pipe.read()
            os.waitpid(pid, 0)
            children.pop(0)
            status, result, timed = pickle.loads(received) if received else ("error", "a worker died", {})
            if status == "input":
                raise InputError(result)
            if status != "ok":
                raise RuntimeError(f"dependency pass: {result}")
            for stem, part in result.items():
                parts[stem].append(part)
            seconds |= timed
    except BaseException:  # this process failed or was interrupted: its workers go too
        for pid, read in children:
            _end(pid, read)
        raise
    _remember_pass_seconds(seconds)
    return {stem: dependencies.merged(stem, parts[stem]) for stem in stems}


def _end(pid: int, read: int) -> None:
    import signal

    for step in (lambda: os.kill(pid, signal.SIGKILL), lambda: os.close(read), lambda: os.waitpid(pid, 0)):
        try:
            step()
        except OSError:  # already gone, or already closed
            pass


def _timed_pass(measured: list[tuple[str, dict[str, Value]]], group: set[str],
                bases: Mapping[str, Mapping[str, Any]]) -> tuple[dict[str, Any], dict[str, float]]:
    """Every chapter's pass over the parameters in `group` (from its base run in `bases`), and how long each chapter's
    run with each one moved took."""
    from analysis.chapters import dependencies

    parts, seconds = {}, {}
    for stem, params in measured:
        took: dict[str, float] = {}
        parts[stem] = dependencies.chapter_dependencies(stem, params, group, took, bases[stem])
        seconds |= {f"{stem}/{name}": value for name, value in took.items()}
    return parts, seconds


PASS_SECONDS = "pass-seconds.json"  # in the shared cache: "chapter/parameter" seconds of the last passes
VALUES_SECONDS = "(values)"  # "chapter/(values)": its values, which this process computes besides its share


def _last_pass_seconds() -> dict[str, float]:
    return cache.read_seconds(cache_dir() / PASS_SECONDS)


def _remember_pass_seconds(seconds: dict[str, float]) -> None:
    cache.remember_seconds(cache_dir() / PASS_SECONDS, seconds, 4)


def _deal(stems: Sequence[str], workers: int, seconds: Mapping[str, float] | None = None) -> list[set[str]]:
    """The parameters the chapters `stems` move, dealt to the least loaded worker, the costliest first. A parameter
    costs what its runs took last time in those chapters (`seconds`, "chapter/parameter"), else one run per chapter that
    declares it at the average run's cost. The first worker (this process) starts loaded with the chapters' values,
    which it computes besides its share."""
    from analysis.chapters import dependencies

    seconds = seconds or {}
    runs = [(stem, name) for stem in stems for name in declared(stem) if name not in dependencies.NOT_MOVED]
    timed = [seconds[f"{stem}/{name}"] for stem, name in runs if f"{stem}/{name}" in seconds]
    per_run = sum(timed) / len(timed) if timed else 1.0
    cost: Counter[str] = Counter()
    for stem, name in runs:
        cost[name] += seconds.get(f"{stem}/{name}", per_run)
    groups: list[set[str]] = [set() for _ in range(workers)]
    load = [sum(seconds.get(f"{stem}/{VALUES_SECONDS}", 0.0) for stem in stems) if timed else 0.0] + [0.0] * (workers - 1)
    for name in sorted(cost, key=lambda n: (-cost[n], n)):
        least = min(range(workers), key=lambda w: (load[w], w))
        groups[least].add(name)
        load[least] += cost[name]
    return groups


def _close_figures() -> None:
    import sys

    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def records(entries: Mapping[str, Entry]) -> dict[str, dict[str, Any]]:
    """The entries as the glue records an executed notebook holds (analysis.pipeline.results.read_records)."""
    from analysis.chapters.page import DEPENDS_ON_RECORD

    out: dict[str, dict[str, Any]] = {}
    for stem, entry in entries.items():
        glued: dict[str, Any] = {}
        for name, (value, unit) in entry["values"].items():
            glued[name] = value
            glued[name + UNIT_SUFFIX] = unit
        glued[DEPENDS_ON_RECORD] = json.dumps(entry["depends_on"] or {}, sort_keys=True)
        out[stem] = glued
    return out


def generated_values(root: Path, toc: Sequence[Path]) -> dict[str, dict[str, Any]]:
    """The values of the generated pages that need no results (their counts), as build._write_generated_pages
    returns them; cached by the inputs and the book's notebooks (the pages read their parameters cells)."""
    from analysis.chapters.reference import GENERATED, NEEDS_RESULTS, PageContext
    from analysis.pipeline import notebooks

    books = cache.files_digest([root / nb for nb in toc] + [root / "_toc.yml"], root)
    key = hashlib.sha256(f"{cache.inputs_digest()}|{books}".encode()).hexdigest()[:24]
    path = cache_dir() / "generated" / f"{key}.json"
    hit = cache.read_json(path)
    if hit is not None:
        return hit
    values: dict[str, dict[str, Any]] = {}
    context = PageContext([root / nb for nb in toc])
    for page in notebooks.generated_pages(root):
        if page.stem in NEEDS_RESULTS:
            continue
        made = GENERATED[page.stem](context)
        values[page.stem] = {k: v for name, g in made.values.items() for k, v in ((name, g.value), (name + UNIT_SUFFIX, g.unit))}
    cache.write_json(path, values)
    return values


def results_document(resolved: Resolved, root: Path = ROOT, *, jobs: int = 1, use_cache: bool = True,
                     echo: Echo | None = None, measure: bool | None = None) -> dict[str, Any]:
    """results.json's content for these parameters, computed in-process (see the module's docstring)."""
    from analysis.pipeline import notebooks, results

    toc = notebooks.toc_notebooks(root)
    entries = chapters([nb.stem for nb in toc], resolved.values, measure=measure, jobs=jobs, use_cache=use_cache, echo=echo)
    glued = records(entries)
    collected = results.collect(glued, generated_values(root, toc))
    return results.document(collected, results.meta(resolved, results.versions()), results.depends_on(glued))


def values_at(resolved: Resolved, keys: Callable[[str], bool] | None = None, *, use_cache: bool = True,
              root: Path = ROOT) -> dict[str, tuple[Value, str]]:
    """Every value (and its unit) at these parameters, without dependencies (sweeps: one row per point)."""
    from analysis.pipeline import notebooks

    toc = notebooks.toc_notebooks(root)
    entries = chapters([nb.stem for nb in toc], resolved.values, measure=False, use_cache=use_cache)
    out: dict[str, tuple[Value, str]] = {}
    for entry in entries.values():
        for name, (value, unit) in entry["values"].items():
            if keys is None or keys(name):
                out.setdefault(name, (value, unit))
    return out
