"""`python -m analysis compare` on files and scenarios."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


def test_compare_builds_cli(default_build: Path, panel_point_build: Path) -> None:
    """Two builds the run has anyway: the defaults and DeepSeek's floor at a what-if grid point."""
    done = run_cli("compare", str(default_build / "results.json"), str(panel_point_build / "results.json"))
    assert done.returncode == 0, done.stderr
    assert "fleet_gpus" in done.stdout and "-79.6%" in done.stdout  # 60,000 → 12,224 GPUs
    assert max(len(line) for line in done.stdout.splitlines()) <= 100


def test_compare_bad_inputs(tmp_path: Path) -> None:
    a = _results(tmp_path, "a", 1.0)
    done = run_cli("compare", str(a), "no_such_scenario")
    assert done.returncode == 2 and "scenario 'no_such_scenario'" in done.stderr
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    done = run_cli("compare", str(a), str(bad))
    assert done.returncode == 2 and "bad.json: not valid JSON" in done.stderr
    assert run_cli("compare", str(a), str(tmp_path / "missing.json")).returncode == 2


def test_a_scenario_is_computed_in_process_then_compared(monkeypatch: pytest.MonkeyPatch) -> None:
    """`compare A SCENARIO` resolves the scenario and computes its results in-process (no book, no kernel); the
    computation itself is tested against notebook builds (tests/test_results_inprocess.py), so here it is stood in for."""
    from analysis.pipeline import compare as compare_module
    from analysis.pipeline import inprocess

    calls = []

    def fake_document(resolved, **_kwargs):  # noqa: ANN001, ANN202
        calls.append((resolved.scenario, resolved.values["fleet_a100"]))
        return {"fleet_gpus": {"value": 50_000.0}}

    monkeypatch.setattr(inprocess, "results_document", fake_document)
    name, results = compare_module.load("hoppers_only", echo=lambda _m: None)
    assert name == "hoppers_only" and results["fleet_gpus"]["value"] == 50_000
    name, _ = compare_module.load("default", echo=lambda _m: None)
    assert name == "default"
    assert calls == [("hoppers_only", 0.0), ("default", 10_000.0)]  # the scenario's own counts (no A100s), then the defaults


def _doc(**values: object) -> dict:
    return {k: {"value": v, "unit": "USD" if isinstance(v, float) else "text", "notebook": "fleet"} for k, v in values.items()} | {"_meta": {}}


def test_select_drops_text_twins_filters_keys_and_threshold() -> None:
    a = _doc(fleet_capex_usd=1.88e9, fleet_capex_text="$1.88B", fleet_opex_usd=7.0e8, claim_x_verdict="consistent")
    b = _doc(fleet_capex_usd=2.5e9, fleet_capex_text="$2.5B", fleet_opex_usd=7.07e8, claim_x_verdict="inconsistent")
    frame = compare.compare(a, b)
    shown = set(compare.select(frame, a, b)["key"])
    assert shown == {"fleet_capex_usd", "fleet_opex_usd", "claim_x_verdict"}  # the text twin of fleet_capex_usd left out
    assert set(compare.select(frame, a, b, everything=True)["key"]) == set(frame["key"])
    assert set(compare.select(frame, a, b, keys=["fleet_*"])["key"]) == {"fleet_capex_usd", "fleet_opex_usd"}
    assert set(compare.select(frame, a, b, threshold=0.05)["key"]) == {"fleet_capex_usd", "claim_x_verdict"}  # opex moved 1%


@pytest.mark.parametrize(("value", "shown"), [(60_000, "60K"), (12_224, "12.22K"), (2_224, "2224"), (1.686e9, "1.686B"),
                                             (2.5e5, "250K"), (1.39, "1.39")])
def test_compact_keeps_magnitudes(value: float, shown: str) -> None:
    assert compare.compact(value) == shown


def test_headline_texts_are_twins_of_their_numbers() -> None:
    a = _doc(headline_opex_per_year_usd=1.387e8, headline_opex_text="$139M", headline_opex_per_year_usd_p10=7.609e7,
             headline_opex_p10_text="$76.1M")
    b = _doc(headline_opex_per_year_usd=2.442e7, headline_opex_text="$24.4M", headline_opex_per_year_usd_p10=1.89e7,
             headline_opex_p10_text="$18.9M")
    shown = set(compare.select(compare.compare(a, b), a, b)["key"])
    assert shown == {"headline_opex_per_year_usd", "headline_opex_per_year_usd_p10"}  # names unlike, declared twins


def test_render_fits_100_columns() -> None:
    long_key = "claim_headline_1_6b_develop_verdict_share_text_and_more"
    a = _doc(**{long_key: 1.0, "fleet_capex_usd": 1.88e9, "v": "a very long verdict sentence " * 5})
    b = _doc(**{long_key: 2.0, "fleet_capex_usd": 2.5e9, "v": "another very long verdict sentence " * 5})
    text = compare.render(compare.compare(a, b), "deepseek_framing_long_label", "high_end")
    assert max(len(line) for line in text.splitlines()) <= 100
    assert long_key in text.split()  # keys are never cut
    assert "+33.0%" in text and "1.88B" in text


def test_compare_default_and_a_scenario_cli(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from tests.conftest import ROOT

    done = subprocess.run([sys.executable, "-m", "analysis", "compare", "default", "hoppers_only", "--keys", "fleet_gpus",
                           "--keys", "fleet_capex_usd"], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COST_BOOK_CACHE": str(tmp_path / "cache")})
    assert done.returncode == 0, done.stderr
    assert "fleet_gpus" in done.stdout and "-16.7%" in done.stdout  # 60,000 → 50,000 (no A100s)
    assert max(len(line) for line in done.stdout.splitlines()) <= 100
