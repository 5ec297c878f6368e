"""The build pipeline: validate → execute (papermill) → collect → jupyter-book → publish.

Nothing is published until everything succeeded: work happens in a staging folder
inside --out and lands by rename, so the previous book and results.json survive
any failure or interruption.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis.errors import BuildError, InputError
from analysis.inputs import data
from analysis.inputs.params import Param, Resolved, registry
from analysis.paths import DATA_DIR, MODELS_DIR, ROOT, pythonpath_with_root
from analysis.pipeline import cache, notebooks, notice, results, sphinx_env
from analysis.pipeline.browser import print_to_pdf
from analysis.pipeline.workers import Workers, last_seconds, longest_first, remember_seconds

BOOK_FILES = ("_config.yml", "_toc.yml")
Echo = Callable[[str], None]


@dataclass(frozen=True)
class BuildReport:
    out: Path
    index_html: Path | None
    results_json: Path
    seconds: dict[str, float]
    pdf: Path | None = None


def validate_inputs() -> dict[str, Param]:
    """Every input file, checked before any notebook runs (bad input fails in a second, not a minute).

    Returns the parameter registry it validated."""
    from analysis.chapters import explore, inputs

    data.validate_all()
    params = registry()
    inputs.validate_uncertainty(params)
    inputs.validate_model_configs()
    explore.controls()  # the what-if panel's grid: each value a valid -p, each grid holding the default
    return params


def validate_once(out: Path | None) -> None:
    """validate_inputs(), unless these exact inputs (code, data, scenarios: one digest) passed before, into this
    folder or any other (the mark is kept in the shared cache, analysis.pipeline.inprocess.cache_dir)."""
    from analysis.pipeline.inprocess import cache_dir

    name = f"validated.{cache.inputs_digest()}"
    shared = cache_dir() / name
    if shared.is_file() or (out is not None and (out / ".cache" / name).is_file()):
        return
    validate_inputs()
    try:
        shared.parent.mkdir(parents=True, exist_ok=True)
        shared.write_text("ok")
    except OSError:  # a read-only cache only costs the next build a second check
        pass


def check_out(out: Path) -> Path:
    out = Path(out).expanduser()
    if not out.parent.resolve().is_dir():
        raise InputError(f"--out {out}: parent folder {out.parent} does not exist")
    if out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder")
    return out.resolve()


@contextmanager
def build_lock(out: Path, echo: Echo) -> Iterator[None]:
    """One build at a time per output folder; others wait their turn."""
    out.mkdir(exist_ok=True)
    with (out / ".build.lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            echo(f"waiting: another build is writing into {out}")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _stage_sources(staging: Path, root: Path, versions: dict[str, str] | None = None) -> Path:
    src = staging / "src"
    src.mkdir(parents=True)
    for name in BOOK_FILES:
        shutil.copy2(root / name, src / name)
    if versions:
        # The landing page's "How to cite" names this build's version and date.
        import yaml

        config = yaml.safe_load((src / "_config.yml").read_text(encoding="utf-8"))
        config.setdefault("parse", {}).setdefault("myst_substitutions", {}).update(
            {"book_version": versions["git"], "book_date": versions.get("date", "undated")})
        (src / "_config.yml").write_text(yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8")
    shutil.copytree(root / "book", src / "book", ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    return src


def _notebook_parameters(resolved: Resolved, declared: dict[str, Any]) -> dict[str, Any]:
    """Only what the notebook declares and the user changed, so its injected cell is short."""
    changed = resolved.overrides()
    return {name: changed[name] for name in declared if name in changed}


def execute_all(
    jobs_list: list[tuple[Path, Path, dict[str, Any]]], jobs: int, echo: Echo, started: Workers | None = None,
) -> list[notebooks.Execution]:
    """Execute notebooks, `jobs` at a time (each worker process reusing its kernel), longest first; on the workers
    `started` early when given (analysis.pipeline.workers)."""
    from analysis.pipeline.inprocess import cache_dir

    jobs_list = longest_first(jobs_list, last_seconds(cache_dir()))
    executions: list[notebooks.Execution] = []
    if started is None and (jobs <= 1 or len(jobs_list) <= 1):
        try:
            for source, target, params in jobs_list:
                run = notebooks.execute(source, target, params, position=0)
                echo(run.line())
                executions.append(run)
        finally:
            notebooks.shutdown_kernel()  # this process's kernel: a sequential run leaves none behind
    else:
        pool = started or Workers(min(jobs, len(jobs_list)))
        try:
            executions = pool.run(jobs_list, echo)
        finally:
            # Workers started early are left to stop their kernels while the build goes on (its `finally` waits for
            # them); others are waited for here.
            pool.close(wait=started is None)
    remember_seconds(cache_dir(), executions)
    return executions


def _write_generated_pages(src: Path, toc: list[Path], root: Path, document: dict[str, Any] | None = None,
                           panel: dict[str, Any] | None = None, resolved: Resolved | None = None) -> dict[str, dict[str, Any]]:
    """Write the generated pages (no kernel needed) into the staged book; return their values.

    Without `document`, the pages that need results.json are left for a second call. The what-if panel's page is
    written only with its grid (`panel`): a build without HTML has no use for it."""
    from analysis.chapters.reference import GENERATED, NEEDS_RESULTS, PageContext

    values: dict[str, dict[str, Any]] = {}
    context = PageContext([root / nb for nb in toc], document, panel, resolved)
    for page in notebooks.generated_pages(root):
        if (page.stem in NEEDS_RESULTS) != (document is not None) or (page.stem == PANEL_PAGE and panel is None):
            continue
        made = GENERATED[page.stem](context)
        (src / page).write_text(made.markdown, encoding="utf-8")
        values[page.stem] = {k: v for name, g in made.values.items() for k, v in ((name, g.value), (name + results.UNIT_SUFFIX, g.unit))}
    return values


PANEL_PAGE = "explore"


def _panel(out: Path, root: Path) -> dict[str, Any] | None:
    """The what-if panel's grid when the book has the page, cached under OUT/.cache by the inputs' digest."""
    if PANEL_PAGE not in {p.stem for p in notebooks.generated_pages(root)}:
        return None
    from analysis.chapters import explore

    return cache.cached_json(out, "explore", cache.inputs_digest(), explore.panel_data)


def _preload_sphinx(out: Path) -> None:
    """Import, while the notebooks run, the modules that the last in-process Sphinx run into this folder imported
    (its theme, parsers, extensions and their dependencies: about half a second of a rebuild otherwise)."""
    import importlib

    listed = sphinx_env.folder(out) / MODULES_FILE
    for module in listed.read_text().split() if listed.is_file() else ():
        try:
            importlib.import_module(module)
        except Exception:  # gone or renamed since: Sphinx imports what it needs itself
            pass


MODULES_FILE = "modules"  # in the kept Sphinx folder: what the last Sphinx run imported


def _jupyter_book(src: Path, staging: Path, builder: str = "html", everything: bool = True, in_process: Path | None = None) -> Path:
    # -W: warnings fail the build; -n: nitpicky references; --keep-going: report them all;
    # --all (everything): read every page again. Without it Sphinx re-reads only pages whose files changed, which
    # is safe only in the kept environment of analysis.pipeline.sphinx_env (it marks the pages that quote others).
    arguments = ["build", str(src), "--path-output", str(staging), "--builder", builder, "-W", "-n", "--keep-going",
                 *(["--all"] if everything else [])]
    code, output = _run_in_process(arguments, src, in_process) if in_process else _run_command(arguments, src)
    if code != 0:
        log = staging / f"jupyter-book-{builder}.log"
        log.write_text(output, encoding="utf-8")
        warnings = [ln for ln in output.splitlines() if "WARNING" in ln or "ERROR" in ln]
        raise BuildError(f"jupyter-book build ({builder}) failed:\n" + "\n".join(warnings[:30] or [output[-2000:]]))
    return staging / "_build" / builder


def _run_command(arguments: list[str], src: Path) -> tuple[int, str]:
    """`jupyter-book ARGS` as its own process (Sphinx loads analysis.pipeline.sphinx_offline from the repository)."""
    env = {**os.environ, "PYTHONPATH": pythonpath_with_root()}
    command = [str(Path(sys.executable).with_name("jupyter-book")), *arguments]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=src, env=env)
    try:
        output, _ = process.communicate()
    except BaseException:
        process.kill()  # interrupted: do not leave Sphinx writing into a staging folder being removed
        process.wait()
        raise
    return process.returncode, output


def _run_in_process(arguments: list[str], src: Path, kept: Path) -> tuple[int, str]:
    """The same command in this process, its modules already loaded (a rebuild saves the second or so that a new
    Python spends importing Sphinx and its extensions; `kept/modules` lists them for the next build's preload).
    Its output is captured as the command's would be."""
    import contextlib
    import io

    from jupyter_book.cli.main import main as jupyter_book

    before = set(sys.modules)
    captured, cwd = io.StringIO(), os.getcwd()
    code = 0
    try:
        os.chdir(src)
        with contextlib.redirect_stdout(captured), contextlib.redirect_stderr(captured):
            jupyter_book.main(args=arguments, prog_name="jupyter-book", standalone_mode=False)
    except SystemExit as exc:
        if isinstance(exc.code, KeyboardInterrupt):  # jupyter-book exits with the Ctrl-C that stopped Sphinx
            raise KeyboardInterrupt from None
        code = exc.code if isinstance(exc.code, int) else 1
    except Exception as exc:  # jupyter-book raises when Sphinx itself failed
        captured.write(f"\n{type(exc).__name__}: {exc}\n")
        code = 1
    finally:
        os.chdir(cwd)
        loaded = sorted(set(sys.modules) - before)
        if loaded:
            (kept / MODULES_FILE).write_text("\n".join(loaded))
    return code, captured.getvalue()


def _html(src: Path, staging: Path, out: Path, echo: Echo) -> Path:
    """The HTML book, built in the Sphinx environment kept for `out` (only changed pages are read again) and
    copied into staging, from where it is published by rename. A failed or interrupted run drops the kept
    environment, so the next build starts from a clean one."""
    kept = sphinx_env.prepare(out, cache.code_digest())
    changed = sphinx_env.sync(src, kept / "src")
    touched = sphinx_env.touch_dependents(kept / "src", changed)
    echo(f"  {len(changed) + len(touched)} source files changed since the last build into this folder")
    sphinx_env.running(kept, True)
    html = _jupyter_book(kept / "src", kept, everything=False, in_process=kept)
    sphinx_env.running(kept, False)
    # A copy, not links: Sphinx rewrites its files in place, and the published book must not change under a reader.
    shutil.copytree(html, staging / "html")
    return staging / "html"


def publish(
    staged_html: Path | None, results_doc: dict[str, Any], out: Path, staged_pdf: Path | None = None,
    staged_notebooks: Path | None = None, results_text: str | None = None,
) -> None:
    """Swap the new book in by rename; write results.json (and the PDF) atomically."""
    (out / ".book-key").unlink(missing_ok=True)  # until this publish completes, nothing is "up to date"
    if staged_pdf is not None:
        os.replace(staged_pdf, out / "book.pdf")
    if staged_notebooks is not None:
        _swap_folder(staged_notebooks, out / "notebooks")
    if staged_html is not None:
        _swap_folder(staged_html, out / "html")
    results.write_json(out / "results.json", results_doc, results_text)


def _swap_folder(new: Path, target: Path) -> None:
    """Replace a published folder by two renames (the old one is kept until the new one is in)."""
    old = target.parent / f".{target.name}-old-{uuid.uuid4().hex[:8]}"
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


def recover(out: Path) -> None:
    """Remove what an interrupted build left behind (never the published book)."""
    for leftover in sorted(out.glob(".staging-*")) + sorted(out.glob(".*-old-*")):
        name = leftover.name[1:].split("-old-")[0]
        if "-old-" in leftover.name and not (out / name).exists():
            os.rename(leftover, out / name)  # interrupted between the two renames: put the old one back
            continue
        shutil.rmtree(leftover, ignore_errors=True)


def build(
    resolved: Resolved, out: Path, *, html: bool = True, jobs: int = 1, echo: Echo = print, root: Path = ROOT,
    pdf: bool = False, use_cache: bool = True,
) -> BuildReport:
    """Build the book whose _config.yml, _toc.yml and book/ are under `root`."""
    out = check_out(out)
    params = registry()
    toc = notebooks.toc_notebooks(root)
    defaults = {name: p.default for name, p in params.items()}
    declared = notebooks.check_parameters(toc, defaults, root)
    seconds: dict[str, float] = {}
    # Every input is validated before any kernel starts: bad input never waits on a kernel (issue 25).
    validate_once(out)
    _share_with_kernels(out, use_cache)
    # Each notebook's key covers its source, its declared parameters' values and all shared inputs.
    keys = {nb: cache.notebook_key(root / nb, {n: resolved.values[n] for n in declared[nb]}) for nb in toc}
    # A rebuild that re-executes a notebook or two in this process spends most of its time starting a kernel:
    # start it now, while the book is staged.
    uncached = [nb for nb in toc if not (use_cache and cache.NotebookCache(out).path(root / nb, keys[nb]).is_file())]
    workers: Workers | None = None
    if uncached and (jobs <= 1 or len(uncached) == 1) and (out / ".book-key").is_file():
        notebooks.warm_kernel_in_background()
    versions = results.versions()
    key = cache.book_key([keys[nb] for nb in toc], root, {"html": html, "pdf": pdf, "git": versions["git"]})
    with build_lock(out, echo):
        recover(out)
        if use_cache and _up_to_date(out, key, html, pdf):
            notebooks.shutdown_kernel()
            echo(f"up to date: nothing changed since the last build into {out}")
            return _report(out, html, pdf, seconds)
        staging = out / f".staging-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            if len(uncached) > 1 and jobs > 1:
                workers = Workers(min(jobs, len(uncached)))  # each starts its kernel now, while the book is staged
            src = _stage_sources(staging, root, versions)
            generated = _write_generated_pages(src, toc, root, resolved=resolved)
            store = cache.NotebookCache(out)
            plan = []
            for nb in toc:
                if use_cache and store.fetch(root / nb, keys[nb], src / nb):
                    echo(f"  {nb.name}: cached")
                else:
                    plan.append((src / nb, src / nb, _notebook_parameters(resolved, declared[nb])))
            supplied = _write_passes_made(out, [source for source, _, _ in plan], resolved) if use_cache else 0
            echo(f"executing {len(plan)} of {len(toc)} notebooks ({resolved.summary()}; {jobs} at a time)")
            if supplied:
                echo(f"  dependencies of {supplied} of them as a results-only build at these inputs measured them")
            started = time.perf_counter()
            # The what-if panel's grid, computed (or fetched) while the notebooks run: it depends on the inputs
            # and the code only, never on this build's parameters.
            with ThreadPoolExecutor(max_workers=2) as side:
                panel_grid = side.submit(_panel, out, root) if html else None
                preloaded = side.submit(_preload_sphinx, out) if html else None
                executions = execute_all(plan, jobs, echo, workers if plan else None)
                panel = panel_grid.result() if panel_grid else None
                if preloaded:
                    preloaded.result()
            seconds["execute"] = time.perf_counter() - started
            notebooks.raise_failures(executions, _keep_failures(executions, out))
            by_path = {src / nb: nb for nb in toc}
            for run in executions:
                store.store(root / by_path[run.notebook], keys[by_path[run.notebook]], run.notebook)
            records = results.read_records({nb.stem: src / nb for nb in toc})
            collected = results.collect(records, generated)
            document = results.document(collected, results.meta(resolved, versions), results.depends_on(records))
            _write_generated_pages(src, toc, root, document, panel, resolved)
            staged_notebooks = staging / "notebooks"
            staged_notebooks.mkdir()
            for nb in toc:
                shutil.copy2(src / nb, staged_notebooks / nb.name)
            staged_html = staged_pdf = None
            if html:
                echo("building HTML with jupyter-book (strict)")
                started = time.perf_counter()
                staged_html = _html(src, staging, out, echo)
                notice.mark_pages(staged_html, resolved)
                seconds["jupyter_book"] = time.perf_counter() - started
                _copy_downloads(staged_html / "downloads", document, [src / nb for nb in toc])
                if pdf:
                    echo("printing the single-page book to PDF with headless Chromium")
                    started = time.perf_counter()
                    single = _jupyter_book(src, staging, "singlehtml")
                    # Sphinx writes the one page under the root's folder (book/intro.html) but its
                    # links relative to the output root: print a copy placed at the root.
                    page = single / "print.html"
                    shutil.copy2(single / toc[0].with_suffix(".html"), page)
                    staged_pdf = staging / "book.pdf"
                    print_to_pdf(page, staged_pdf)
                    seconds["pdf"] = time.perf_counter() - started
            publish(staged_html, document, out, staged_pdf, staged_notebooks)
            (out / ".book-key").write_text(key)
        except BaseException:
            if workers is not None:
                workers.stop()  # failed or interrupted: the workers go now, their kernels with them
            raise
        finally:
            notebooks.shutdown_kernel()  # a kernel started early and not used (or left by a failure)
            if workers is not None:
                workers.close()  # stopped by now, or started early and not needed (or left by a failure)
            shutil.rmtree(staging, ignore_errors=True)
    return _report(out, html, pdf, seconds)


def _passes_folder(out: Path) -> Path:
    return out / ".cache" / "dependencies"


def _write_passes_made(out: Path, notebooks_to_run: list[Path], resolved: Resolved) -> int:
    """The passes the shared cache holds at these inputs for the notebooks about to run, where their kernels read them
    (the folder is this build's alone: emptied first, under the folder's lock). Only for notebooks that run their
    chapter and nothing else, as a results-only build computes them. How many were found."""
    from analysis.pipeline import inprocess

    folder = _passes_folder(out)
    shutil.rmtree(folder, ignore_errors=True)
    if not inprocess.measuring():
        return 0
    made = inprocess.passes_made([nb.stem for nb in notebooks_to_run if inprocess.chapter_of(nb)], resolved.values)
    for stem, (params, depends_on) in made.items():
        cache.write_json(folder / f"{stem}.json", {"parameters": params, "depends_on": depends_on})
    return len(made)


def _share_with_kernels(out: Path, use_cache: bool) -> None:
    """What kernels (started after this) take instead of computing it again: drawn charts from the shared cache
    (analysis.charts.drawn), and the dependency passes this build finds made, from OUT/.cache/dependencies
    (analysis.chapters.dependencies.supplied)."""
    from analysis.chapters.dependencies import SUPPLIED_ENV
    from analysis.paths import CHART_CACHE_ENV
    from analysis.pipeline import inprocess

    shared = {CHART_CACHE_ENV: str(inprocess.cache_dir() / "charts"), SUPPLIED_ENV: str(_passes_folder(out))}
    for name, folder in shared.items():
        if use_cache:
            os.environ[name] = folder
        else:
            os.environ.pop(name, None)


def results_only(
    resolved: Resolved, out: Path, *, jobs: int = 1, echo: Echo = print, root: Path = ROOT, use_cache: bool = True,
) -> BuildReport:
    """results.json alone, computed in-process from the chapter functions (analysis.pipeline.inprocess): no
    papermill, no kernel, no staging of the book. Published as a build publishes it (atomically, under the
    folder's lock); a book in OUT/html from an earlier build is left as it was."""
    from analysis.pipeline import inprocess

    out = check_out(out)
    toc = notebooks.toc_notebooks(root)
    validate_once(out)
    others = inprocess.unsupported(root, toc)
    if others:
        echo(f"results only: {', '.join(map(str, others))} does more than run its chapter; executing the notebooks")
        return build(resolved, out, html=False, jobs=jobs, echo=echo, root=root, use_cache=use_cache)
    seconds: dict[str, float] = {}
    with build_lock(out, echo):
        recover(out)
        echo(f"computing results in-process ({resolved.summary()})")
        started = time.perf_counter()
        document = inprocess.results_document(resolved, root, jobs=jobs, use_cache=use_cache, echo=echo)
        seconds["compute"] = time.perf_counter() - started
        text = results.dumps(document)
        key = "results-only:" + cache.text_digest(text)
        if use_cache and (out / ".book-key").is_file() and (out / ".book-key").read_text() == key and (out / "results.json").is_file():
            echo(f"up to date: nothing changed since the last build into {out}")
        else:
            publish(None, document, out, results_text=text)
            (out / ".book-key").write_text(key)
            if _book_differs(out, text):  # said, so that nobody reads the old book as these numbers
                echo(f"note: the book in {out / 'html'} is an earlier build's and was left as it was: results.json now "
                     "holds these inputs' numbers, the book does not (build without --no-html to bring it up to date)")
    return _report(out, False, False, seconds)


def _book_differs(out: Path, results_text: str) -> bool:
    """A book in OUT/html whose own results.json (its Downloads copy) is not this one."""
    import json

    copy = out / "html" / "downloads" / "results.json"
    if not (out / "html" / "index.html").is_file():
        return False
    def numbers(doc: dict[str, Any]) -> dict[str, Any]:  # the build's versions (commit, date) move no number
        return {**doc, "_meta": {k: v for k, v in doc.get("_meta", {}).items() if k != "versions"}}

    try:
        return numbers(json.loads(copy.read_text(encoding="utf-8"))) != numbers(json.loads(results_text))
    except (OSError, ValueError, AttributeError):  # no copy, or unreadable: say it
        return True


def _up_to_date(out: Path, key: str, html: bool, pdf: bool) -> bool:
    """The last build into `out` had exactly these inputs and its outputs are all there."""
    marker = out / ".book-key"
    needed = [out / "results.json"] + ([out / "html" / "index.html"] if html else []) + ([out / "book.pdf"] if pdf else [])
    return marker.is_file() and marker.read_text() == key and all(p.exists() for p in needed)


def _report(out: Path, html: bool, pdf: bool, seconds: dict[str, float]) -> BuildReport:
    return BuildReport(
        out=out, index_html=out / "html" / "index.html" if html else None, results_json=out / "results.json",
        seconds=seconds, pdf=out / "book.pdf" if (html and pdf) else None,
    )


def _copy_downloads(target: Path, document: dict[str, Any], executed: list[Path]) -> None:
    """What the Downloads page links to: results, executed notebooks, every input file."""
    (target / "data" / "models").mkdir(parents=True)
    results.write_json(target / "results.json", document)
    for notebook in executed:
        shutil.copy2(notebook, target / notebook.name)
    for table in sorted(DATA_DIR.glob("*.csv")):
        shutil.copy2(table, target / "data" / table.name)
    for config in sorted(MODELS_DIR.glob("*.json")):
        shutil.copy2(config, target / "data" / "models" / config.name)


def _keep_failures(executions: list[notebooks.Execution], out: Path) -> dict[Path, Path]:
    """Copy failed executed notebooks out of staging, where the user can open them."""
    kept = {}
    for run in executions:
        if run.error:
            failed_dir = out / "failed"
            failed_dir.mkdir(exist_ok=True)
            target = failed_dir / run.notebook.name
            if run.notebook.exists():
                shutil.copy2(run.notebook, target)
                kept[run.notebook] = target
    return kept


def refresh(names: list[str] | tuple[str, ...] = (), jobs: int = 1, echo: Echo = print, root: Path = ROOT) -> None:
    """Regenerate each notebook's parameters cell from the registry, execute it with defaults and
    write it back in place. Failures are handled as in a build: nothing is overwritten, and the
    executed notebook is kept under _build/failed/."""
    from analysis.paths import DEFAULT_OUT

    params = validate_inputs()
    toc = notebooks.toc_notebooks(root)
    if names:
        unknown = sorted(set(names) - {nb.stem for nb in toc})
        if unknown:
            raise InputError(f"refresh: no notebook named {', '.join(unknown)} in _toc.yml; known: {', '.join(nb.stem for nb in toc)}")
        toc = [nb for nb in toc if nb.stem in names]
    with tempfile.TemporaryDirectory(prefix="refresh-") as tmp:
        plan = []
        for nb in toc:
            staged = Path(tmp) / nb.name
            shutil.copy2(root / nb, staged)
            if notebooks.write_parameters_cell(staged, params):
                echo(f"  {nb}: parameters cell regenerated from data/parameters.csv")
            plan.append((staged, staged, {}))
        executions = execute_all(plan, jobs, echo)
        DEFAULT_OUT.mkdir(exist_ok=True)
        notebooks.raise_failures(executions, _keep_failures(executions, DEFAULT_OUT))
        for nb in toc:
            shutil.copy2(Path(tmp) / nb.name, root / nb)
