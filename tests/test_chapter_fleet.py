"""The fleet chapter against hand calculations from its input figures (parameters.csv, gpus.csv, fleets.csv).

Default inputs used below: fleet 10,000 A100 + 10,000 H800 + 10,000 H100 + 30,000 H20; prices $15,000,
$33,800, $31,250, $12,000; server overhead 1.08; interconnect 19% of the cluster; TDP 400/700/700/400 W;
V3 run 2,664,000 + 119,000 + 5,000 GPU-hours on 2,048 GPUs at $2 per GPU-hour.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import nbformat
import pytest

from analysis.chapters import fleet as chapter_fleet
from analysis.chapters.page import Page
from analysis.inputs.params import registry
from analysis.model import costs

NOTEBOOK = Path(__file__).resolve().parent.parent / "book" / "fleet.ipynb"
MULT = 1.08 / (1 - 0.19)  # dollars of cluster per dollar of GPUs
SPEND = 10_000 * 15_000 + 10_000 * 33_800 + 10_000 * 31_250 + 30_000 * 12_000  # $1,160.5M
V3_HOURS = 2_664_000 + 119_000 + 5_000


def defaults() -> dict:
    params = registry()
    return {name: params[name].default for name in chapter_fleet.PARAMETERS}


def page_for(**overrides: float) -> Page:
    return chapter_fleet.chapter({**defaults(), **overrides})


@pytest.fixture(scope="module")
def page() -> Iterator[Page]:
    yield page_for()
    plt.close("all")


def test_fleet_counts(page: Page) -> None:
    assert page["fleet_gpus"] == 10_000 + 10_000 + 10_000 + 30_000
    assert page["fleet_hopper_gpus"] == 10_000 + 10_000 + 30_000
    assert page["reported_a100"] == 10_000 and page["reported_h800"] == 10_000 and page["reported_h100"] == 10_000
    assert page["reported_hopper"] == 50_000
    assert page["critical_hopper"] == 10_000 + 10_000 + 20_000  # the critical reading has 20,000 H20
    # 10k A100 × 312 + 20k H800/H100 × 989 + 30k H20 × 148 TFLOP/s = 27.34 EFLOP/s; TDP 400/700/400 W.
    assert page["fleet_peak_eflops_bf16"] == pytest.approx((10_000 * 312 + 20_000 * 989 + 30_000 * 148) / 1e6, rel=1e-12)
    assert page["fleet_gpu_power_mw"] == pytest.approx((10_000 * 400 + 20_000 * 700 + 30_000 * 400) / 1e6, rel=1e-12)


def test_gpu_catalogue_figures(page: Page) -> None:
    assert page["h800_nvlink_gb_s"] == 400 and page["h100_nvlink_gb_s"] == 900
    assert page["h20_bf16_share_of_h100"] == pytest.approx(148 / 989, rel=1e-12)
    assert page["h20_hbm_gb"] == 96 and page["h100_hbm_gb"] == 80
    frame, _formats = page.tables["gpus"]
    assert list(frame["GPU"]) == ["A100 SXM 80GB", "H100 SXM", "H800 SXM", "H20"]


def test_capex(page: Page) -> None:
    assert page["fleet_gpu_spend_usd"] == pytest.approx(SPEND, rel=1e-12)
    assert page["cluster_multiplier"] == pytest.approx(MULT, rel=1e-12)
    assert page["fleet_capex_usd"] == pytest.approx(SPEND * MULT, rel=1e-12)  # $1,547.3M
    assert page["fleet_capex_text"] == "$1.55B"
    assert page["fleet_gpu_spend_text"] == "$1.16B"
    # Critical reading: 10,000 fewer H20, ($1,160.5M − $120M) × 1.08 / 0.81 = $1,387.3M.
    assert page["critical_capex_text"] == "$1.39B"
    assert page["published_capex_text"] == "$1.6B" and page["luk_capex_text"] == "$1.3B"
    assert page["server_overhead"] == 1.08 and page["interconnect_share"] == 0.19


def test_capex_backsolve(page: Page) -> None:
    assert page["capex_implied_price_per_gpu_usd"] == pytest.approx(1.6e9 / 60_000, rel=1e-12)
    assert page["capex_implied_gpu_price_usd"] == pytest.approx(1.6e9 / 60_000 / MULT, rel=1e-12)  # $20,000
    assert page["capex_implied_price_text"] == "$26.7K"
    assert page["fleet_mean_all_in_price_usd"] == pytest.approx(SPEND * MULT / 60_000, rel=1e-12)
    frame, _ = page.tables["capex_backsolve"]
    assert list(frame["GPUs"]) == [60_000, 60_000, 50_000]  # book, as reported, critical
    assert list(frame["Bare GPU price for it"]) == pytest.approx([1.6e9 / n / MULT for n in (60_000, 60_000, 50_000)], rel=1e-12)


def test_readings_table(page: Page) -> None:
    frame, _ = page.tables["fleet_readings"]
    assert list(frame["Reading"]) == ["This book's parameters", "The estimate as reported", "The critical reading"]
    assert list(frame["Capex"]) == pytest.approx([SPEND * MULT, SPEND * MULT, (SPEND - 120_000_000) * MULT], rel=1e-12)
    assert list(frame["Hopper GPUs"]) == [50_000, 50_000, 40_000]


def test_capex_by_gpu_splits_capex() -> None:
    counts = {"a100": 10_000.0, "h800": 10_000.0, "h100": 10_000.0, "h20": 30_000.0}
    prices = {"a100": 15_000.0, "h800": 33_800.0, "h100": 31_250.0, "h20": 12_000.0}
    split = costs.capex_by_gpu(counts, prices, 1.08, 0.19)
    assert split == {g: counts[g] * prices[g] * costs.cluster_multiplier(1.08, 0.19) for g in counts}
    assert sum(split.values()) == pytest.approx(costs.capex_usd(counts, prices, 1.08, 0.19), rel=1e-12)
    assert split["h20"] == pytest.approx(30_000 * 12_000 * MULT, rel=1e-12)


def test_opex(page: Page) -> None:
    power = (10_000 * 400 + 10_000 * 700 + 10_000 * 700 + 30_000 * 400) / 1e3 * 0.75 * 1.25 * 8760 * 0.08  # 30 MW of TDP
    hosting = 60_000 * 2_000
    maintenance = SPEND * MULT * 0.05
    staff = 200 * 300_000
    per_year = power + hosting + maintenance + staff
    assert page["fleet_opex_per_year_usd"] == pytest.approx(per_year, rel=1e-12)
    assert page["fleet_opex_usd"] == pytest.approx(4 * per_year, rel=1e-12)
    assert page["horizon_years"] == 4
    assert page["opex_implied_horizon_years"] == pytest.approx(944e6 / per_year, rel=1e-12)
    assert page["opex_implied_per_gpu_year_usd"] == pytest.approx(944e6 / 4 / 60_000, rel=1e-12)
    assert page["fleet_opex_per_gpu_year_usd"] == pytest.approx(per_year / 60_000, rel=1e-12)
    assert page["published_opex_text"] == "$944M"
    frame, _ = page.tables["opex_parts"]
    assert list(frame["Per year"]) == pytest.approx([power, hosting, maintenance, staff], rel=1e-12)
    assert list(frame["Over the horizon"]) == pytest.approx([4 * power, 4 * hosting, 4 * maintenance, 4 * staff], rel=1e-12)


def test_ownership_and_share_of_fleet(page: Page) -> None:
    all_in = 33_800 * MULT
    yearly = all_in / 4 + 0.7 * 0.75 * 1.25 * 8760 * 0.08 + 2_000 + all_in * 0.05
    assert page["owned_gpu_hour_usd"] == pytest.approx(yearly / (8760 * 0.8), rel=1e-12)
    assert page["gpu_hour_usd"] == 2.0 and page["depreciation_years"] == 4 and page["utilisation"] == 0.8
    assert page["h800_market_rental_usd"] == 3.42
    assert page["training_gpus"] == 2048
    assert page["v3_run_share_of_fleet"] == pytest.approx(2048 / 60_000, rel=1e-12)
    assert page["v3_run_share_of_fleet_year"] == pytest.approx(V3_HOURS / (60_000 * 8760), rel=1e-12)
    assert page["v3_run_fleet_days"] == pytest.approx(V3_HOURS / (60_000 * 8760) * 365, rel=1e-12)


def test_fewer_h20_moves_the_fleet() -> None:
    page = page_for(fleet_h20=5_000)
    plt.close("all")
    assert page["fleet_gpus"] == 35_000 and page["fleet_hopper_gpus"] == 25_000
    spend = SPEND - 25_000 * 12_000
    assert page["fleet_gpu_spend_usd"] == pytest.approx(spend, rel=1e-12)
    assert page["fleet_capex_usd"] == pytest.approx(spend * MULT, rel=1e-12)
    assert page["v3_run_share_of_fleet"] == pytest.approx(2048 / 35_000, rel=1e-12)
    assert page["capex_implied_price_per_gpu_usd"] == pytest.approx(1.6e9 / 35_000, rel=1e-12)
    # The published readings do not move with the book's parameters.
    assert page["reported_hopper"] == 50_000 and page["critical_hopper"] == 40_000


def test_dearer_h800_moves_capex_and_ownership() -> None:
    page = page_for(price_h800_usd=40_000)
    plt.close("all")
    spend = SPEND + 10_000 * (40_000 - 33_800)
    assert page["fleet_gpu_spend_usd"] == pytest.approx(spend, rel=1e-12)
    assert page["fleet_capex_usd"] == pytest.approx(spend * MULT, rel=1e-12)
    all_in = 40_000 * MULT
    yearly = all_in / 4 + 0.7 * 0.75 * 1.25 * 8760 * 0.08 + 2_000 + all_in * 0.05
    assert page["owned_gpu_hour_usd"] == pytest.approx(yearly / (8760 * 0.8), rel=1e-12)


def test_every_glue_name_of_the_prose_is_produced(page: Page) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    texts = set(re.findall(r"\{glue:text\}`([^`:]+)", prose))
    figures = set(re.findall(r"\{glue:figure\}\s+(\S+)", prose))
    assert texts and figures
    assert texts <= set(page.values), texts - set(page.values)
    assert figures <= set(page.figures), figures - set(page.figures)
    shows = set(re.findall(r'page\.show\("([^"]+)"\)', "\n".join(c.source for c in nb.cells if c.cell_type == "code")))
    assert shows == set(page.tables) | set(page.html)
