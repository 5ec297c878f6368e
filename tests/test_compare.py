"""`python -m analysis compare` on files and scenarios."""

from __future__ import annotations

import json
from pathlib import Path

from analysis.pipeline import compare
from tests.conftest import run_cli


def _results(tmp: Path, name: str, value: float) -> Path:
    path = tmp / f"{name}.json"
    path.write_text(json.dumps({"x_usd": {"value": value, "unit": "USD", "notebook": "n"},
                                "label": {"value": "a", "unit": "text", "notebook": "n"}, "_meta": {}}))
    return path


def test_compare_numbers() -> None:
    frame = compare.compare({"k": {"value": 2.0, "unit": "USD"}}, {"k": {"value": 3.0, "unit": "USD"}}).set_index("key")
    assert frame.loc["k", "abs_diff"] == 1.0 and frame.loc["k", "rel_diff"] == 0.5 and frame.loc["k", "unit"] == "USD"


def test_compare_files_cli(tmp_path: Path) -> None:
    a, b = _results(tmp_path, "a", 100.0), _results(tmp_path, "b", 150.0)
    out = tmp_path / "diff.csv"
    done = run_cli("compare", str(a), str(b), "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "x_usd" in done.stdout and "+50.0%" in done.stdout and "label" not in done.stdout
    assert "x_usd" in out.read_text()


def test_compare_scenarios_cli(default_build: Path) -> None:
    done = run_cli("compare", str(default_build / "results.json"), "hoppers_only")
    assert done.returncode == 0, done.stderr
    assert "fleet_gpus" in done.stdout and "-16.7%" in done.stdout  # 60,000 → 50,000 GPUs


def test_compare_bad_inputs(tmp_path: Path) -> None:
    a = _results(tmp_path, "a", 1.0)
    done = run_cli("compare", str(a), "no_such_scenario")
    assert done.returncode == 2 and "scenario 'no_such_scenario'" in done.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    done = run_cli("compare", str(a), str(bad))
    assert done.returncode == 2 and "bad.json: not valid JSON" in done.stderr
    assert run_cli("compare", str(a), str(tmp_path / "missing.json")).returncode == 2
