"""The work a rebuild cannot skip, measured without kernels: each named chapter's values, the charts it must draw
(those not in the shared chart cache) and its dependency pass, one chapter after another in this one warm process.

Run by benchmarks/build_speed.py (the floor of an HTML rebuild); by hand:
  .venv/bin/python benchmarks/chapter_work.py STEM [STEM ...] -- [--scenario NAME] [-p NAME=VALUE ...]
Prints one JSON line: {"cpu_seconds": ..., "seconds": ..., "charts_drawn": ...}. The chart cache is the one
COST_BOOK_CHART_CACHE names (the state before the rebuild whose work this measures).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")
for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):  # as the build runs (analysis/__main__.py)
    os.environ.setdefault(_name, "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    argv = sys.argv[1:]
    split = argv.index("--") if "--" in argv else len(argv)
    stems, rest = argv[:split], argv[split + 1:]
    parser = argparse.ArgumentParser()
    parser.add_argument("--scenario")
    parser.add_argument("-p", action="append", default=[])
    args = parser.parse_args(rest)

    import matplotlib.pyplot  # noqa: F401  (imports are not the rebuild's work: a kernel has them warm)

    from analysis.chapters import dependencies
    from analysis.chapters.page import _render
    from analysis.charts import drawn
    from analysis.inputs.params import resolve

    resolved = resolve(args.scenario, args.p)
    modules = [importlib.import_module(f"analysis.chapters.{stem}") for stem in stems]
    started, cpu, charts = time.perf_counter(), time.process_time(), 0
    for stem, module in zip(stems, modules, strict=True):
        params = {name: resolved.values[name] for name in module.PARAMETERS}
        page = module.chapter(params)
        for figure in page.figures.values():
            if not isinstance(figure, drawn.Drawn):
                _render(figure)
                charts += 1
        dependencies.chapter_dependencies(stem, params)
    print(json.dumps({"cpu_seconds": time.process_time() - cpu, "seconds": time.perf_counter() - started,
                      "charts_drawn": charts}))


if __name__ == "__main__":
    main()
