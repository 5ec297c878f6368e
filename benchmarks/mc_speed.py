"""Monte Carlo speed: the vectorised cost model against a plain per-sample Python loop.

Run: .venv/bin/python benchmarks/mc_speed.py [--samples 1000000] [--loop-samples 5000]
Both are timed in this one run on the same inputs; the ratio is what matters.
Pin to one core for the issue's target: taskset -c 0 .venv/bin/python benchmarks/mc_speed.py
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analysis.chapters import inputs  # noqa: E402
from analysis.inputs import data  # noqa: E402
from analysis.inputs.params import registry  # noqa: E402
from analysis.model import reconcile  # noqa: E402
from analysis.model import uncertainty as unc  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--samples", type=int, default=1_000_000)
    parser.add_argument("--loop-samples", type=int, default=5_000)
    args = parser.parse_args()
    reg = registry()
    values = {k: p.default for k, p in reg.items()}
    gpus, r1 = inputs.gpu_catalogue(), data.run_gpu_hours("DeepSeek-R1")
    dists = inputs.distributions(reg)

    started = time.perf_counter()
    unc.monte_carlo(values, dists, gpus, r1, args.samples, seed=1, keys=unc.HEADLINES)
    vector_total = time.perf_counter() - started
    draws = unc.sample(dists, args.samples, seed=1)
    started = time.perf_counter()
    reconcile.evaluate({**values, **draws}, gpus, r1)
    vector_model = time.perf_counter() - started  # one unchunked call, for reference

    loop_draws = unc.sample(dists, args.loop_samples, seed=1)
    started = time.perf_counter()
    for i in range(args.loop_samples):
        reconcile.evaluate({**values, **{k: float(v[i]) for k, v in loop_draws.items()}}, gpus, r1)
    loop = time.perf_counter() - started

    loop_rate = args.loop_samples / loop
    print(f"{'variant':<34}{'samples':>12}{'seconds':>10}{'samples/s':>14}")
    print(f"{'monte_carlo (chunked, as the book)':<34}{args.samples:>12,}{vector_total:>10.3f}{args.samples / vector_total:>14,.0f}")
    print(f"{'model only, one 1M-array call':<34}{args.samples:>12,}{vector_model:>10.3f}{args.samples / vector_model:>14,.0f}")
    print(f"{'per-sample Python loop':<34}{args.loop_samples:>12,}{loop:>10.3f}{loop_rate:>14,.0f}")
    print(f"speed-up (sampling + model vs loop): {args.samples / vector_total / loop_rate:,.0f}x")
    print(f"speed-up (model only vs loop):       {args.samples / vector_model / loop_rate:,.0f}x")


if __name__ == "__main__":
    main()
