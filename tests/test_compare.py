"""`python -m analysis compare` on files and scenarios."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.pipeline import compare
from tests.conftest import ROOT, run_cli


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


# What an analyst reported of `compare` (one test per report): which column is which, text twins that escaped,
# verdicts cut to 10 characters, percentiles as ratios, lines that overflowed or wrapped.

def _cli_at_100_columns(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m analysis ARGS` in a terminal 100 columns wide (pytest sets COLUMNS=80 for what it starts)."""
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COLUMNS": "100"})


def test_two_results_files_sharing_a_long_prefix_are_told_apart(tmp_path: Path) -> None:
    """Both headers read `/tmp/revie…`: the sides are A and B, named in full (with their scenario) above the table."""
    paths = []
    deep = tmp_path / ("a-folder-name-long-enough-that-the-path-passes-the-line-width-" * 2)  # a path is never broken
    for name, scenario, value in (("review-out-r", "default", 100.0), ("review-out-s", "hoppers_only", 150.0)):
        (deep / name).mkdir(parents=True)
        path = deep / name / "results.json"
        source = {"name": scenario, "path": f"scenarios/{scenario}.yaml", "title": "Hoppers only"} if scenario != "default" else None
        path.write_text(json.dumps({"x_usd": {"value": value, "unit": "USD", "notebook": "n"},
                                    "_meta": {"scenario": scenario, "scenario_file": source, "overrides": {}}}))
        paths.append(path)
    done = _cli_at_100_columns("compare", *map(str, paths))
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    legend = " ".join(" ".join(lines[: lines.index("")]).split())
    assert legend == f"A {paths[0]}: default inputs B {paths[1]}: scenario hoppers_only (Hoppers only, scenarios/hoppers_only.yaml)"
    assert all(any(str(path) in line for line in lines) for path in paths)  # each path whole on a line
    head = next(line for line in lines if line.startswith("key "))
    assert head.split()[1:3] == ["A", "B"]


def test_the_legend_names_the_scenario_and_the_command_line_inputs() -> None:
    meta = {"scenario": "hoppers_only", "scenario_file": {"name": "hoppers_only", "path": "scenarios/hoppers_only.yaml",
                                                         "title": "Hoppers only"},
            "overrides": {"fleet_h20": {"value": 30000.0, "origin": "scenario:hoppers_only"},
                          "utilisation": {"value": 0.6, "origin": "command line"}}}
    assert compare.describe(meta) == "scenario hoppers_only (Hoppers only, scenarios/hoppers_only.yaml); -p utilisation=0.6"
    assert compare.describe({"scenario": "default", "scenario_file": None, "overrides": {}}) == "default inputs"
    assert compare.describe({}) == ""  # a results.json without _meta: its path alone
    long = "/tmp/" + "a-very-long-folder-name/" * 3 + "results.json"
    lines = compare.legend(long, "default", meta, None, width=100)
    assert max(len(line) for line in lines) <= 100 and lines[0].startswith(f"A  {long}:") and lines[-1] == "B  default"
    assert " ".join(" ".join(lines).split()) == f"A {long}: {compare.describe(meta)} B default"


def _entry(value: object, unit: str, notebook: str) -> dict:
    return {"value": value, "unit": unit, "notebook": notebook}


def test_texts_that_follow_a_changed_number_are_its_twins() -> None:
    """Names unlike, pages apart, ordinals: a text that shows a number in both builds is that number's twin; a verdict,
    a sentence, and a figure with no number beside it stay."""
    def doc(cost: float, text: str, pct: float, ordinal: str, verdict: str, alone: str, lookalike: str) -> dict:
        return {"fleet_cost_per_year_usd": _entry(cost, "USD per year", "fleet"),
                "fleet_year_cost_text": _entry(text, "text", "serving"),  # 0.6 alike by name, another page
                "fleet_capex_usd": _entry(cost * 3, "USD", "fleet"),
                "fleet_capex_usd_central_text": _entry(f"${cost * 3 / 1e9:.2f}B", "text", "uncertainty"),
                "claim_x_percentile": _entry(pct, "percentile of the book's samples", "claims"),
                "claim_x_percentile_text": _entry(ordinal, "text", "claims"),
                "claim_x_verdict": _entry(verdict, "text", "claims"),
                "fleet_capex_per_year_text": _entry(alone, "text", "serving"),  # no such number in results
                "claim_y_text": _entry(lookalike, "text", "claims"), "_meta": {}}

    a = doc(570.5e6, "$570.5M", 3.94, "4th", "within the book's range", "$431.5M", "$1.71B")
    b = doc(519.0e6, "$519M", 99.6, ">99th", "above the book's range", "$390.1M", "$9.99B")
    assert compare.twins_across(a, b) == {"fleet_year_cost_text": "fleet_cost_per_year_usd",
                                          "fleet_capex_usd_central_text": "fleet_capex_usd",
                                          "claim_x_percentile_text": "claim_x_percentile"}
    shown = set(compare.select(compare.compare(a, b), a, b)["key"])
    assert shown == {"fleet_cost_per_year_usd", "fleet_capex_usd", "claim_x_percentile", "claim_x_verdict",
                     "fleet_capex_per_year_text", "claim_y_text"}  # claim_y_text matched a number in A only


def test_texts_are_written_out_in_full() -> None:
    """A verdict cut to `within the…` cannot be read: each text gets its key, then `  A: …` and `  B: …` wrapped."""
    sentence = "On the estimate's counts, its prices check out: $1.6B is in the book's range for fleet capex ($1.57B–$1.96B)."
    a = _doc(claim_x_verdict="within the book's range", claim_x_verdict_text=sentence, fleet_capex_usd=1.0e9)
    b = _doc(claim_x_verdict="above the book's range", claim_x_verdict_text=sentence.replace("is in", "is above"),
             fleet_capex_usd=2.0e9)
    lines = compare.render(compare.select(compare.compare(a, b), a, b), "default", "hoppers_only").splitlines()
    verdict = lines.index("claim_x_verdict")
    assert lines[verdict + 1: verdict + 3] == ["  A: within the book's range", "  B: above the book's range"]
    at = lines.index("claim_x_verdict_text")
    a_text = " ".join(line.strip() for line in lines[at + 1: at + 3]).removeprefix("A: ")
    assert a_text == sentence and lines[at + 2].startswith("     ")  # wrapped under its text
    assert max(len(line) for line in lines) <= 100
    table = lines[: lines.index("text")]
    assert any(line.startswith("fleet_capex_usd ") for line in table) and not any("verdict" in line for line in table)


def test_percentiles_and_fractions_change_in_points() -> None:
    """14.03 → 54.73 on a percentile is +40.7 points, not +290.1%; a fraction is shown in % and moves in points."""
    pct = "percentile of the book's samples"
    a = {"p": _entry(14.03, pct, "claims"), "q": _entry(99.25, pct, "claims"), "share": _entry(0.25, "fraction of capex", "f"),
         "gpus": _entry(60_000, "GPUs", "f"), "_meta": {}}
    b = {"p": _entry(54.73, pct, "claims"), "q": _entry(99.75, pct, "claims"), "share": _entry(0.30, "fraction of capex", "f"),
         "gpus": _entry(50_000, "GPUs", "f"), "_meta": {}}
    frame = compare.compare(a, b)
    assert frame.set_index("key").loc["p", "pt_diff"] == pytest.approx(40.7) and frame.set_index("key").loc["share", "pt_diff"] == pytest.approx(5.0)
    text = compare.render(compare.select(frame, a, b), "a", "b")
    assert "+40.7 pt" in text and "+290.1%" not in text
    assert "25%" in text and "30%" in text and "+5.0 pt" in text and "-16.7%" in text
    assert set(compare.select(frame, a, b, threshold=0.05)["key"]) == {"p", "gpus"}  # q moved 0.5 points, share 5 points


@pytest.mark.parametrize(("a", "b", "change"), [(1.0, 297.52, "+29652%"), (3.0, 3.0e6, "+100M%"), (0.0, 5.0, "new≠0")])
def test_large_changes_fit_their_column(a: float, b: float, change: str) -> None:
    """`+29652.…` overflowed an 8-character column: a change drops decimals before it is ever cut."""
    text = compare.render(compare.compare({"k": _entry(a, "times", "n")}, {"k": _entry(b, "times", "n")}), "a", "b")
    row = next(line for line in text.splitlines() if line.startswith("k "))
    assert row.split()[3] == change and "…" not in row


@pytest.fixture(scope="module")
def real_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The defaults and two shipped scenarios, computed in-process (seconds) into a cache of their own."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("COST_BOOK_CACHE", str(tmp_path_factory.mktemp("compare-cache")))
        return {name: compare.load(name, echo=lambda _m: None)[1] for name in ("default", "hoppers_only", "deepseek_floor")}


@pytest.mark.parametrize("scenario", ["hoppers_only", "deepseek_floor"])
def test_real_comparisons_fit_100_columns_one_line_per_number(real_results: dict[str, dict], scenario: str) -> None:
    """Every line fits 100 columns; each number is one line whole (no key on a line of its own, no value or change cut)."""
    a, b = real_results["default"], real_results[scenario]
    shown = compare.select(compare.compare(a, b), a, b)
    lines = compare.render(shown, "default", scenario, meta_a=a["_meta"], meta_b=b["_meta"]).splitlines()
    assert max(len(line) for line in lines) <= 100
    table = lines[lines.index("") + 1: lines.index("text") - 1]  # legend, blank line, table, blank line, texts
    texts = [line for line in lines[lines.index("text") + 2:] if not line.startswith(" ")]
    rows = {row.split()[0]: row.split()[1:4] for row in table[2:]}
    assert len(rows) == len(table) - 2 and set(rows) | set(texts) == set(shown["key"]) and not set(rows) & set(texts)
    for key, (a_cell, b_cell, change) in rows.items():
        one_sided = None in (a.get(key, {}).get("value"), b.get(key, {}).get("value"))  # `—` on one side: "changed"
        assert "…" not in a_cell + b_cell + change and (change != "changed" or one_sided), key


def test_real_comparison_leaves_out_every_text_that_formats_a_changed_number(real_results: dict[str, dict]) -> None:
    """`compare default hoppers_only` showed ~29 changed texts, half of them numbers formatted (`fleet_capex_central_text`,
    `fleet_year_cost_text`, the percentiles as `4th`): those are left out; the verdicts and sentences stay."""
    a, b = real_results["default"], real_results["hoppers_only"]
    shown = set(compare.select(compare.compare(a, b), a, b)["key"])
    for twin in ("fleet_capex_central_text", "fleet_capex_usd_central_text", "fleet_year_cost_text", "fleet_year_cost_exact_text",
                 "fleet_tco_straight_line_text", "cumulative_spend_usd_central_text", "fleet_power_mw_central_text",
                 "capex_implied_price_text", "claim_capex_1_6b_servers_percentile_text", "claim_opex_944m_percentile_with_financing_text"):
        assert twin in a and a[twin]["value"] != b[twin]["value"] and twin not in shown, twin
    for text in ("claim_capex_1_6b_servers_verdict", "claim_opex_944m_verdict_with_financing", "claim_opex_944m_badge",
                 "claim_capex_1_6b_verdict_text"):
        assert text in shown, text
    numbers = [k for k, e in a.items() if k in b and isinstance(e.get("value"), float) and isinstance(b[k].get("value"), float)]
    for key in (k for k in shown if a[k]["unit"] == "text"):  # no text left that shows one number in both builds
        shown_a, shown_b = compare.shown_number(a[key]["value"]), compare.shown_number(b[key]["value"])
        assert not (shown_a and shown_b and any(abs(a[n]["value"] - shown_a[0]) <= shown_a[1] and abs(b[n]["value"] - shown_b[0]) <= shown_b[1]
                                                and shown_a[2] == a[n]["unit"].startswith("USD") for n in numbers)), key


def test_a_percentage_written_as_text_is_filtered_in_the_points_it_is_shown_in() -> None:
    """"52%" → "58%" reads +6.0 pt: --threshold 0.1 (10 points for percentages) leaves it out, as it would a fraction
    moving 6 points (it was filtered by its relative change, 11.5%, and passed)."""
    a = {"share_text": _entry("52%", "text", "s"), "_meta": {}}
    b = {"share_text": _entry("58%", "text", "s"), "_meta": {}}
    frame = compare.compare(a, b)
    assert "+6.0 pt" in compare.render(compare.select(frame, a, b), "a", "b")
    assert compare.select(frame, a, b, threshold=0.1).empty
    assert not compare.select(frame, a, b, threshold=0.05).empty
