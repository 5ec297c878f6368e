"""Build speed: the naive Jupyter Book build against ours, cold, unchanged and after one change.

Run: .venv/bin/python benchmarks/build_speed.py [--repeat 3]
Prints one table and the ratios from this run; (a) and (b) are repeated and their medians used,
because this 2-core machine is noisy. Variants:
  (a) baseline   `jupyter-book build --all` with execute_notebooks: force (executes serially itself)
  (b) cold       `python -m analysis build` into an empty folder (no cache; notebooks in parallel)
  (c) no change  the same command again (median of the repeats)
  (d) one change `-p serving_gpus=64` (then 65, 66: median of the repeats), a parameter only the architecture
                 chapter declares, into the folder just built
Peak memory is the largest resident set of any process the variant started.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable

# Runs a command and reports the peak RSS of its process tree's largest member (KiB on Linux).
MEASURE = (
    "import resource, subprocess, sys; "
    "done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
    "sys.stdout.write(done.stdout + done.stderr); "
    "print('@@rss', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.exit(done.returncode)"
)


def run(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    started = time.perf_counter()
    done = subprocess.run([PY, "-c", MEASURE, *command], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    rss = float(re.search(r"@@rss (\d+)", done.stdout).group(1)) / 1024
    return seconds, rss, done.stdout


def median(runs: list[tuple[float, float, str]]) -> tuple[float, float, str]:
    """The run with the median time (its memory and output with it)."""
    return sorted(runs, key=lambda r: r[0])[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of (a) and (b); the median is reported")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    env = {"PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}
    with tempfile.TemporaryDirectory(prefix="build-speed-") as tmp:
        naive = Path(tmp) / "naive"
        naive.mkdir()
        shutil.copytree(ROOT / "book", naive / "book")
        shutil.copy2(ROOT / "_toc.yml", naive / "_toc.yml")
        config = (ROOT / "_config.yml").read_text().replace("execute_notebooks: 'off'", "execute_notebooks: force")
        (naive / "_config.yml").write_text(config + "  timeout: 600\n")
        # The naive book needs the generated reference pages too (they are Markdown: nothing to execute).
        from analysis.chapters.reference import GENERATED, PageContext
        from analysis.pipeline.notebooks import generated_pages, toc_notebooks

        for page in generated_pages():  # "Every number" without results: its entries are the build's own work
            (naive / page).write_text(GENERATED[page.stem](PageContext(toc_notebooks(), {})).markdown)
        naive_runs = [run([str(Path(PY).with_name("jupyter-book")), "build", str(naive), "--all"], env) for _ in range(args.repeat)]
        rows = [("(a) baseline: jupyter-book build --all, execute: force", *median(naive_runs))]
        cold_runs = []
        for i in range(args.repeat):
            out = Path(tmp) / f"out{i}"
            cold_runs.append(run([PY, "-m", "analysis", "build", "--out", str(out)]))
        ours = ["-m", "analysis", "build", "--out", str(out)]
        rows.append(("(b) ours, cold", *median(cold_runs)))
        bare_runs = [run([PY, "-m", "analysis", "build", "--out", str(Path(tmp) / f"bare{i}")], {"COST_BOOK_DEPENDENCIES": "0"})
                     for i in range(args.repeat)]
        rows.append(("(e) ours, cold, without the dependency pass", *median(bare_runs)))
        rows.append(("(c) ours, nothing changed", *median([run([PY, *ours]) for _ in range(args.repeat)])))
        # One parameter changed, into the folder just built (its caches and Sphinx environment kept): a new value
        # each time, so every run re-executes the one notebook that declares it.
        one_runs = [run([PY, *ours, "-p", f"serving_gpus={64 + i}"]) for i in range(args.repeat)]
        seconds, rss, output = median(one_runs)
        rows.append(("(d) ours, -p serving_gpus=64, 65, 66 …", seconds, rss, output))
    executed = re.findall(r"^\s+(\S+\.ipynb): [\d.]+ s", output, flags=re.M)
    print(f"{'variant':<56}{'seconds':>9}{'peak RSS (MB)':>15}")
    for name, seconds, rss, _ in rows:
        print(f"{name:<56}{seconds:>9.1f}{rss:>15.0f}")
    baseline, cold, bare, unchanged, one = (r[1] for r in rows)
    print(f"cold / baseline:      {cold / baseline:.2f}  (target <= 0.50; medians of {args.repeat} runs each)")
    print(f"(a) runs: {', '.join(f'{r[0]:.1f}' for r in naive_runs)} s; (b) runs: {', '.join(f'{r[0]:.1f}' for r in cold_runs)} s")
    print(f"no change / cold:     {unchanged / cold:.2f}  (target <= 0.25)")
    print(f"dependency pass:      +{cold / bare - 1:.1%} of a cold build (target < 10%)")
    print(f"one change / cold:    {one / cold:.2f}  (target <= 0.25; (d) runs: {', '.join(f'{r[0]:.1f}' for r in one_runs)} s)")
    print(f"re-executed after -p serving_gpus=64: {', '.join(executed) or 'none'} (target: architecture.ipynb only)")
    print(f"cores: {os.cpu_count()}")


if __name__ == "__main__":
    main()
