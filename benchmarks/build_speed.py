"""Build speed: cold, unchanged, and what an analyst changes (one input of the what-if panel at a time).

Run: .venv/bin/python benchmarks/build_speed.py [--repeat 3] [--baseline]
Prints one table and the ratios from this run (timings on a shared 2-core machine are noisy: compare ratios
within one run). Variants:
  (a) baseline     `jupyter-book build --all` with execute_notebooks: force (only with --baseline)
  (b) cold         `python -m analysis build` into an empty folder (median of --repeat runs)
  (c) no change    the same command again
  (d) one input    for each input of the what-if panel (data/explore.csv), one rebuild into the folder just built
                   with that input alone moved to one of its grid values (the scenario control: its first
                   non-default scenario): HTML book, and results only (`--no-html`, in-process) apart; median and
                   maximum over the inputs
  (e) results only, cold  `--no-html` with an empty shared cache
  (f) HTML floor   for each one-input HTML rebuild, the least it could take as built: its own start (until the notebooks)
                   and Sphinx run as measured, and between them only the re-executed chapters' own work (values, the
                   charts they must draw, the dependency pass; benchmarks/chapter_work.py, one warm process, no kernel)
                   split evenly over the cores
Every results-only run is compared key by key with the HTML (notebook) build at the same inputs.
The shared cache (chapters, drawn charts) is a temporary folder (COST_BOOK_CACHE), emptied before each cold build, so
nothing from earlier runs is reused; the rebuilds find what the last cold build left there.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def run(command: list[str], env: dict[str, str]) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **env})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    return seconds, done.stdout


def build(out: Path, env: dict[str, str], *args: str) -> tuple[float, str]:
    return run([PY, "-m", "analysis", "build", "--out", str(out), *args], env)


def phased_build(out: Path, env: dict[str, str], *args: str) -> tuple[float, str, dict[str, float]]:
    """A build, with when its phases began as its lines arrived: notebooks ("executing"), Sphinx ("building HTML")."""
    command = [PY, "-m", "analysis", "build", "--out", str(out), *args]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                               env={**os.environ, **env, "PYTHONUNBUFFERED": "1"})
    lines, phases = [], {}
    assert process.stdout is not None
    for line in process.stdout:
        lines.append(line)
        for phase, opening in (("notebooks", "executing "), ("sphinx", "building HTML")):
            if line.startswith(opening):
                phases.setdefault(phase, time.perf_counter() - started)
    seconds = time.perf_counter() - started
    if process.wait() != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{''.join(lines)[-3000:]}")
    return seconds, "".join(lines), phases


def chapter_work(stems: list[str], env: dict[str, str], move: list[str]) -> float:
    """CPU seconds of the chapters' own work at these inputs (values, charts not in env's chart cache, dependency pass),
    in one warm process with no kernel (benchmarks/chapter_work.py)."""
    if not stems:
        return 0.0
    _, output = run([PY, str(ROOT / "benchmarks" / "chapter_work.py"), *stems, "--", *move], env)
    return float(json.loads(output.strip().splitlines()[-1])["cpu_seconds"])


def panel_moves() -> list[tuple[str, list[str]]]:
    """(label, build arguments) moving one panel input to a grid value away from the default."""
    sys.path.insert(0, str(ROOT))
    from analysis.chapters import explore

    moves = []
    for control in explore.controls():
        option = next(o for i, o in enumerate(control.options) if i != control.default)
        moves.append((option.cli, option.cli.split()))
    return moves


def differing(a: Path, b: Path) -> list[str]:
    ra, rb = json.loads(a.read_text()), json.loads(b.read_text())
    return sorted(k for k in set(ra) | set(rb) if ra.get(k) != rb.get(k))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="cold builds; the median is reported")
    parser.add_argument("--baseline", action="store_true", help="also time the naive jupyter-book build (slow)")
    args = parser.parse_args()
    rows: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="build-speed-") as tmp:
        env = {"COST_BOOK_CACHE": str(Path(tmp) / "cache"), "MPLBACKEND": "Agg"}
        if args.baseline:
            naive = Path(tmp) / "naive"
            naive.mkdir()
            shutil.copytree(ROOT / "book", naive / "book")
            shutil.copy2(ROOT / "_toc.yml", naive / "_toc.yml")
            config = (ROOT / "_config.yml").read_text().replace("execute_notebooks: 'off'", "execute_notebooks: force")
            (naive / "_config.yml").write_text(config + "  timeout: 600\n")
            sys.path.insert(0, str(ROOT))
            from analysis.chapters.reference import GENERATED, PageContext
            from analysis.pipeline.notebooks import generated_pages, toc_notebooks

            for page in generated_pages():
                (naive / page).write_text(GENERATED[page.stem](PageContext(toc_notebooks(), {})).markdown)
            naive_env = {**env, "PYTHONPATH": str(ROOT)}
            naive_runs = [run([str(Path(PY).with_name("jupyter-book")), "build", str(naive), "--all"], naive_env)[0]
                          for _ in range(args.repeat)]
            rows.append(("(a) baseline: jupyter-book build --all, execute: force", statistics.median(naive_runs)))
        # Each cold build starts from an empty shared cache (no chapter, no chart drawn before); the last one's cache is
        # the one the rebuilds below find, as an analyst's machine holds its last build's.
        cold_runs = []
        for i in range(args.repeat):
            shutil.rmtree(Path(tmp) / "cache", ignore_errors=True)
            cold_runs.append(build(Path(tmp) / f"out{i}", env)[0])
        cold = statistics.median(cold_runs)
        rows.append(("(b) cold (HTML)", cold))
        out = Path(tmp) / f"out{args.repeat - 1}"
        rows.append(("(c) nothing changed (HTML)", build(out, env)[0]))
        # Results only: a cache of its own, empty for its cold run, then what that run left (the HTML builds' cache holds
        # drawn charts, which a results-only build never reads, and no chapter entries).
        results_env = {**env, "COST_BOOK_CACHE": str(Path(tmp) / "cache-results")}
        results = Path(tmp) / "results"
        results_cold, _ = build(results, results_env, "--no-html")
        rows.append(("(e) results only, cold (empty shared cache)", results_cold))
        html_one, results_one, floors, mismatches = [], [], [], []
        cores = os.cpu_count() or 1
        print(f"{'one input moved':<44}{'HTML s':>8}{'ratio':>7}{'results s':>11}{'ratio':>7}{'floor':>7}  re-executed")
        for label, move in panel_moves():
            # The charts drawn before this rebuild, for measuring its chapters' own work after it (the rebuild adds its own).
            charts_before = Path(tmp) / "charts-before"
            shutil.rmtree(charts_before, ignore_errors=True)
            if (Path(tmp) / "cache" / "charts").is_dir():
                shutil.copytree(Path(tmp) / "cache" / "charts", charts_before)
            seconds, output, phases = phased_build(out, env, *move)
            executed = re.findall(r"^\s+(\S+)\.ipynb: [\d.]+ s", output, flags=re.M)
            html_one.append(seconds)
            # The least this rebuild could take: its own start and its Sphinx run as measured, and between them only the
            # chapters' own work split evenly over the cores (no kernel, no papermill, no glue, no waiting).
            work = chapter_work(executed, {**env, "COST_BOOK_CHART_CACHE": str(charts_before)}, move)
            start = phases.get("notebooks", 0.0)
            sphinx = seconds - phases.get("sphinx", seconds)
            floors.append(start + work / max(1, min(cores, len(executed))) + sphinx)
            r_seconds, _ = build(results, results_env, "--no-html", *move)
            results_one.append(r_seconds)
            bad = differing(out / "results.json", results / "results.json")
            if bad:
                mismatches.append(f"{label}: {', '.join(bad[:5])}")
            print(f"{label:<44}{seconds:>8.1f}{seconds / cold:>7.2f}{r_seconds:>11.2f}{r_seconds / cold:>7.2f}"
                  f"{floors[-1] / cold:>7.2f}  {len(executed)}: {' '.join(executed)}")
    print()
    print(f"{'variant':<56}{'seconds':>9}")
    for name, seconds in rows:
        print(f"{name:<56}{seconds:>9.1f}")
    print(f"(b) runs: {', '.join(f'{s:.1f}' for s in cold_runs)} s")
    print(f"no change / cold:                 {rows[-2][1] / cold:.2f}")
    print(f"results only, cold / cold:        {results_cold / cold:.2f}")
    print(f"one input, HTML / cold:           median {statistics.median(html_one) / cold:.2f}, max {max(html_one) / cold:.2f}"
          "  (goal: median <= 0.35)")
    print(f"one input, HTML floor / cold:     median {statistics.median(floors) / cold:.2f}, max {max(floors) / cold:.2f}"
          "  (start + chapters' own work / cores + Sphinx: no kernel, papermill or glue)")
    print(f"one input, results only / cold:   median {statistics.median(results_one) / cold:.2f}, max {max(results_one) / cold:.2f}"
          "  (goal: <= 0.10)")
    print(f"results only equals the notebook build on every key: {'yes' if not mismatches else 'NO: ' + '; '.join(mismatches)}")
    if args.baseline:
        print(f"cold / baseline:                  {cold / rows[0][1]:.2f}")
    print(f"cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
