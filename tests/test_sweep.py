"""`python -m analysis sweep`: one row per combination of -p NAME=V1,V2,..., the chosen keys, in-process."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT


def sweep(*args: str, cache: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "analysis", "sweep", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=600, env={**os.environ, "COST_BOOK_CACHE": str(cache)})


def test_one_row_per_combination(tmp_path: Path) -> None:
    done = sweep("-p", "gpu_hour_usd=2,3", "-p", "utilisation=0.6,0.75,0.9", "--keys", "v3_training_cost_usd",
                 "--keys", "owned_gpu_useful_hour_usd", cache=tmp_path / "cache")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert len(rows) == 6
    # The swept inputs, then the keys in the order their patterns were asked for (not alphabetically).
    assert list(rows[0]) == ["gpu_hour_usd", "utilisation", "v3_training_cost_usd", "owned_gpu_useful_hour_usd"]
    assert done.stderr == "sweep: 6 rows; scenario default\n"  # standard output is the CSV alone
    by_point = {(float(r["gpu_hour_usd"]), float(r["utilisation"])): r for r in rows}
    # The run at DeepSeek's own accounting scales with the rental price and ignores utilisation.
    assert float(by_point[(2.0, 0.6)]["v3_training_cost_usd"]) == 5_576_000
    assert float(by_point[(3.0, 0.9)]["v3_training_cost_usd"]) == pytest.approx(5_576_000 * 1.5)
    # An owned useful hour gets dearer as utilisation falls, whatever the rental price.
    assert float(by_point[(2.0, 0.6)]["owned_gpu_useful_hour_usd"]) > float(by_point[(2.0, 0.9)]["owned_gpu_useful_hour_usd"])
    assert by_point[(2.0, 0.6)]["owned_gpu_useful_hour_usd"] == by_point[(3.0, 0.6)]["owned_gpu_useful_hour_usd"]


def test_sweep_equals_builds_at_its_points(tmp_path: Path) -> None:
    """A sweep's row is the results-only build at the same inputs (same chapter functions, same resolution)."""
    import json

    cache = tmp_path / "cache"
    out = tmp_path / "sweep.csv"
    done = sweep("--scenario", "hoppers_only", "-p", "cost_of_capital=0.07,0.15", "--keys", "fleet_*_usd", "--out", str(out), cache=cache)
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(out.open()))
    build = subprocess.run([sys.executable, "-m", "analysis", "build", "--no-html", "--out", str(tmp_path / "b"), "--scenario",
                            "hoppers_only", "-p", "cost_of_capital=0.15"], cwd=ROOT, capture_output=True, text=True,
                           timeout=600, env={**os.environ, "COST_BOOK_CACHE": str(cache)})
    assert build.returncode == 0, build.stderr
    results = json.loads((tmp_path / "b" / "results.json").read_text())
    row = next(r for r in rows if float(r["cost_of_capital"]) == 0.15)
    keys = [k for k in row if k != "cost_of_capital"]
    assert keys and all(k.startswith("fleet_") and k.endswith("_usd") for k in keys)
    for key in keys:
        assert float(row[key]) == results[key]["value"], key


@pytest.mark.parametrize(("args", "message"), [
    (["-p", "gpu_hour_usd=2,x", "--keys", "*"], "parameter gpu_hour_usd: expected a number"),
    (["-p", "gpu_hour_usd=2,,3", "--keys", "*"], "expected NAME=V1,V2,..."),
    (["-p", "gpu_hour_us=2,3", "--keys", "*"], "unknown parameter 'gpu_hour_us'"),
    (["-p", "gpu_hour_usd=2", "-p", "gpu_hour_usd=3", "--keys", "*"], "swept twice"),
    (["-p", "gpu_hour_usd=2,3", "--keys", "no_such_key*"], "no results.json key matches"),
    (["-p", "fleet_h20=1,2.5", "--keys", "*"], "parameter fleet_h20: expected a whole number"),
])
def test_bad_sweeps(tmp_path: Path, args: list[str], message: str) -> None:
    done = sweep(*args, cache=tmp_path / "cache")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


def test_a_list_of_values_in_a_build_points_to_sweep() -> None:
    from analysis.errors import InputError
    from analysis.inputs.params import resolve

    with pytest.raises(InputError, match="several values are a sweep: `python -m analysis sweep -p utilisation=0.6,0.7"):
        resolve(None, ["utilisation=0.6,0.7"])
