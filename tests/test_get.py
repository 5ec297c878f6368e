"""`python -m analysis get KEY [--out DIR]`: one value with its unit, for scripts."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli


def _folder(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    out.mkdir()
    (out / "results.json").write_text(json.dumps({
        "v3_training_cost_usd": {"value": 5576000.0, "unit": "USD", "notebook": "intro", "depends_on": {}},
        "v3_mfu": {"value": 0.39123456789012345, "unit": "fraction", "notebook": "training_compute", "depends_on": {}},
        "fleet_capex_text": {"value": "$1.88B", "unit": "text", "notebook": "fleet", "depends_on": {}},
        "_meta": {"scenario": "default"},
    }))
    return out


def test_get_prints_value_and_unit(tmp_path: Path) -> None:
    out = _folder(tmp_path)
    done = run_cli("get", "v3_training_cost_usd", "--out", str(out))
    assert done.returncode == 0 and done.stdout == "5576000 USD\n"  # a whole number as one types it, not 5576000.0
    assert run_cli("get", "v3_mfu", "--out", str(out)).stdout == "0.39123456789012345 fraction\n"  # every digit
    assert run_cli("get", "fleet_capex_text", "--out", str(out)).stdout == "$1.88B\n"
    as_json = json.loads(run_cli("get", "v3_training_cost_usd", "--out", str(out), "--json").stdout)
    assert as_json == {"key": "v3_training_cost_usd", "value": 5576000.0, "unit": "USD"}


def test_get_refuses_unknown_keys_and_folders(tmp_path: Path) -> None:
    out = _folder(tmp_path)
    done = run_cli("get", "v3_training_cost", "--out", str(out))
    assert done.returncode == 2 and "did you mean v3_training_cost_usd" in done.stderr
    assert run_cli("get", "_meta", "--out", str(out)).returncode == 2
    done = run_cli("get", "x", "--out", str(tmp_path / "nothing"))
    assert done.returncode == 2 and "no results.json" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_a_file_that_cannot_be_written_is_named(tmp_path: Path) -> None:
    """An --out the system refuses is the reader's path, said as such (it read "unexpected FileNotFoundError … a bug")."""
    out = _folder(tmp_path)
    done = run_cli("compare", str(out / "results.json"), str(out / "results.json"), "--out", "/proc/no-such/x.csv")
    assert done.returncode != 0 and "Traceback" not in done.stderr and "a bug" not in done.stderr
    assert "/proc/no-such" in done.stderr and len(done.stderr.strip().splitlines()) == 1
