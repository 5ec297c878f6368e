"""The what-if panel's grid (analysis.chapters.explore): resolved as the command line resolves, looked up as
computed, stored over the controls each output varies with, small, and opening on the book's defaults.
The Chromium test in test_browser.py compares the built page with real builds."""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Mapping
from typing import Any

import pytest

from analysis.chapters import explore
from analysis.chapters import serving as serving_chapter
from analysis.chapters.inputs import cost_model
from analysis.inputs.params import registry, resolve
from analysis.model import reconcile


@pytest.fixture(scope="module")
def panel() -> dict[str, Any]:
    return explore.panel_data()


def _choices(panel: Mapping[str, Any]) -> list[dict[str, int]]:
    ranges = [range(len(c["options"])) for c in panel["controls"]]
    params = [c["param"] for c in panel["controls"]]
    return [dict(zip(params, index, strict=True)) for index in itertools.product(*ranges)]


def test_grid_points_resolve_as_the_command_line_does(panel: dict[str, Any]) -> None:
    controls = explore.controls()
    resolver = explore.Resolver(controls)
    for choice in random.Random(21).sample(_choices(panel), 40):
        scenario, assignments = resolver.assignments(choice)
        assert resolver.point(choice) == resolve(scenario, assignments).values


def test_every_lookup_is_the_computed_value(panel: dict[str, Any]) -> None:
    """At any grid point, the stored (reduced) value is what the chapters' functions give there, dropped axes included."""
    resolver = explore.Resolver(explore.controls())
    for choice in random.Random(7).sample(_choices(panel), 25):
        p = resolver.point(choice)
        book = cost_model({name: p[name] for name in reconcile.MODEL_PARAMS})
        f = {name: float(p[name]) for name in serving_chapter.FLEET_YEAR_PARAMS}
        expected = {
            "fleet_capex_usd": book["fleet_capex_usd"], "owned_gpu_hour_usd": book["owned_gpu_hour_usd"],
            "owned_gpu_useful_hour_usd": book["owned_gpu_useful_hour_usd"], "v3_training_cost_usd": book["run_rental_usd"],
            "total_development_cost_usd": book["total_development_cost_usd"],
            "fleet_share_unexplained": serving_chapter.fleet_year(f)[3].shares()["unexplained"],
        }
        outputs = {o["key"]: o for o in panel["outputs"]}
        for key, value in expected.items():
            assert explore.at(panel, outputs[key], choice) == value, (key, choice)


def test_outputs_are_stored_over_what_they_vary_with(panel: dict[str, Any]) -> None:
    axes = {o["key"]: set(o["axes"]) for o in panel["outputs"]}
    assert axes["fleet_capex_usd"] == {"scenario", "gpu_price_basis"}
    assert axes["v3_training_cost_usd"] == {"gpu_hour_usd"}  # DeepSeek's arithmetic: the rental price alone
    assert "utilisation" in axes["owned_gpu_useful_hour_usd"] and "utilisation" not in axes["owned_gpu_hour_usd"]
    assert "high_flyer_share" in axes["fleet_share_unexplained"]
    assert axes["claim_capex_1_6b_percentile"] == {"scenario", "gpu_price_basis"}
    assert "scenario" in axes["claim_capex_1_6b_verdict"] <= {"scenario", "gpu_price_basis"}  # a verdict may not move with all
    sizes = {c["param"]: len(c["options"]) for c in panel["controls"]}
    for o in panel["outputs"]:
        expected = 1
        for axis in o["axes"]:
            expected *= sizes[axis]
        assert len(o["values"]) == len(o["texts"]) == expected
    assert {o["key"] for o in panel["outputs"]} == {o.key for o in explore.OUTPUTS}


def test_the_panel_opens_on_the_book_defaults(panel: dict[str, Any]) -> None:
    params = registry()
    default = {c["param"]: c["default"] for c in panel["controls"]}
    for c in panel["controls"]:
        if c["param"] != explore.SCENARIO:
            assert params[c["param"]].coerce(c["options"][c["default"]]["value"], "test") == params[c["param"]].default
    book = cost_model({name: params[name].default for name in reconcile.MODEL_PARAMS})
    capex = next(o for o in panel["outputs"] if o["key"] == "fleet_capex_usd")
    assert explore.at(panel, capex, default) == book["fleet_capex_usd"]
    # The estimate as Luk reads it is the book's default fleet, so it is where the fleet control opens.
    fleet = next(c for c in panel["controls"] if c["param"] == explore.SCENARIO)
    assert fleet["options"][fleet["default"]]["value"] == "luk_correction"


def test_grids_come_from_the_ranges_and_rentals_they_cite(panel: dict[str, Any]) -> None:
    from analysis.inputs import data

    ranges = data.load_indexed("uncertainty.csv")
    options = {c["param"]: [float(o["value"]) for o in c["options"]] for c in panel["controls"]
               if c["param"] not in (explore.SCENARIO, "gpu_price_basis")}
    for param in ("cost_of_capital", "utilisation", "high_flyer_share"):
        assert min(options[param]) == ranges.loc[param, "low"] and max(options[param]) == ranges.loc[param, "high"], param
    assert {ranges.loc["research_multiplier", "low"], ranges.loc["research_multiplier", "high"]} <= set(options["research_multiplier"])
    rentals = set(data.load_table("rental_prices.csv")["usd_per_gpu_hour"])
    assert set(options["gpu_hour_usd"]) - rentals == {registry()["gpu_hour_usd"].default}


def test_page_is_small_offline_and_carries_the_markup_contract(panel: dict[str, Any]) -> None:
    markup = explore.panel_html(panel)
    assert len(markup.encode()) < 1_000_000
    assert not re.search(r"(src|href)=\"https?://", markup)  # nothing from the network
    assert set(re.findall(r'data-param="([a-z_0-9]+)"', markup)) == {c["param"] for c in panel["controls"]}
    assert set(re.findall(r'data-result="([a-z_0-9]+)"', markup)) == {o.key for o in explore.OUTPUTS}
    data_block = re.search(r'<script type="application/json" id="explore-data">(.*?)</script>', markup, re.S)
    assert data_block and json.loads(data_block.group(1)) == json.loads(json.dumps(panel))
    page = explore.page(panel)
    assert "{raw} html" in page and f"{explore.grid_size(panel):,}" in page
    assert "whatever parameters this copy of the book was built with" in page


@pytest.mark.parametrize(("old", "new", "message"), [
    ("0.016|0.03|0.0445|0.065|0.087", "0.016|0.03|0.065|0.087", "no value gives the book's default for cost_of_capital"),
    ("0.016|0.03|0.0445|0.065|0.087", "0.016|0.9|0.0445", "parameter cost_of_capital: 0.9 is outside its bounds"),
    ("utilisation,Utilisation", "utilization,Utilisation", "'utilization' is neither a parameter nor 'scenario'"),
    ("luk_correction|hoppers_only|deepseek_floor", "hoppers_only|deepseek_floor", "no value gives the book's default for scenario"),
    ("1|1.2|3.464|10", "3.464", "expected two or more different values"),
])
def test_bad_grid_is_refused_naming_the_row(tmp_path, monkeypatch, old: str, new: str, message: str) -> None:  # noqa: ANN001
    from analysis.errors import InputError
    from analysis.inputs import data

    text = (data.DATA_DIR / "explore.csv").read_text()
    assert old in text
    (tmp_path / "explore.csv").write_text(text.replace(old, new, 1))
    real = data.load_table
    monkeypatch.setattr(data, "load_table", lambda name, data_dir=data.DATA_DIR: real(name, tmp_path) if name == "explore.csv"
                        else real(name, data_dir))
    (tmp_path / "sources.csv").write_text((data.DATA_DIR / "sources.csv").read_text())
    with pytest.raises(InputError, match=re.escape(message)) as caught:
        explore.controls()
    assert "data/explore.csv:" in str(caught.value)


def test_the_inputs_left_out_of_the_capex_verdict_change_nothing() -> None:
    """explore.CAPEX_NEUTRAL spares the grid's claims group thousands of evaluations: it must be true that the ledger's
    capex record does not move with them (each moved to the end of its range in data/explore.csv)."""
    from analysis.chapters import claims as claims_chapter

    controls = explore.controls()
    resolver = explore.Resolver(controls)
    record = claims_chapter.judge(resolver.point({})).by_id()["capex_1_6b"]
    ends = {c.param: len(c.options) - 1 for c in controls if c.param in explore.CAPEX_NEUTRAL}
    assert set(ends) == explore.CAPEX_NEUTRAL
    moved = claims_chapter.judge(resolver.point(ends)).by_id()["capex_1_6b"]
    assert (moved.verdict, moved.percentile, moved.band) == (record.verdict, record.percentile, record.band)


def test_the_browser_tests_panel_point_lies_on_the_grid() -> None:
    """tests/test_browser_layout.py sets the panel to PANEL_POINT: each of its values must be an option (a value off the
    grid fails there only after the browser's timeout)."""
    from analysis.chapters import explore as explore_chapter
    from tests.conftest import PANEL_POINT

    options = {c.param: {o.value for o in c.options} for c in explore_chapter.controls()}
    pairs = dict(zip(PANEL_POINT[::2], PANEL_POINT[1::2], strict=True))
    assert pairs["--scenario"] in options["scenario"]
    for setting in [v for k, v in zip(PANEL_POINT[::2], PANEL_POINT[1::2], strict=True) if k == "-p"]:
        name, value = setting.split("=")
        assert value in options[name], f"{setting} is not one of the panel's options {sorted(options[name])}"
