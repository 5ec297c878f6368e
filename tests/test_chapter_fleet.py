"""The fleet chapter against hand calculations from its input figures (parameters.csv, gpus.csv, fleets.csv).

Default inputs used below: fleet 10,000 A100 + 10,000 H800 + 10,000 H100 + 30,000 H20; prices $13,750,
$33,800, $31,250, $12,000; other server parts $10,000 per Fire-Flyer node and $87,600 per 8-GPU Hopper
server; network 19% of the cluster; TDP 250/700/700/400 W with server factors 1.25/1.82/1.82/1.8; capital
at 10% over 5 years; V3 run 2,664,000 + 119,000 + 5,000 GPU-hours on 2,048 GPUs at $2 per GPU-hour.
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
from analysis.formatting import usd
from analysis.inputs.params import registry
from analysis.model import costs
from tests.conftest import glue_text_names

NOTEBOOK = Path(__file__).resolve().parent.parent / "book" / "fleet.ipynb"
COUNTS = {"a100": 10_000, "h800": 10_000, "h100": 10_000, "h20": 30_000}
PRICES = {"a100": 13_750, "h800": 33_800, "h100": 31_250, "h20": 12_000}
NON_GPU = {"a100": 10_000, "h800": 87_600, "h100": 87_600, "h20": 87_600}
SPEND = sum(COUNTS[g] * PRICES[g] for g in COUNTS)  # $1,148M
SERVERS = sum(COUNTS[g] * (PRICES[g] + NON_GPU[g] / 8) for g in COUNTS)
CAPEX = SERVERS / 0.81
V3_HOURS = 2_664_000 + 119_000 + 5_000
H800_EQUIVALENTS = 10_000 * 312 / 989 + 20_000 + 30_000 * 148 / 989
ANNUITY = 0.10 / (1 - 1.10 ** -5)


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
    assert page["reported_gpus"] == 60_000 and page["reported_hopper"] == 50_000
    assert page["critical_hopper"] == 50_000  # Luk: the 60,000 include the A100s; the Hoppers are 50,000
    assert page["fleet_h800_equivalent_gpus"] == pytest.approx(H800_EQUIVALENTS)
    assert page["fleet_peak_eflops_bf16"] == pytest.approx((10_000 * 312 + 20_000 * 989 + 30_000 * 148) / 1e6, rel=1e-12)
    assert page["fleet_gpu_power_mw"] == pytest.approx((10_000 * 250 + 20_000 * 700 + 30_000 * 400) / 1e6, rel=1e-12)
    server_kw = 10_000 * 0.25 * 1.25 + 20_000 * 0.7 * 1.82 + 30_000 * 0.4 * 1.8
    assert page["fleet_power_mw"] == pytest.approx(server_kw * 0.75 * 1.25 / 1e3, rel=1e-12)


def test_gpu_catalogue_figures(page: Page) -> None:
    assert page["h800_nvlink_gb_s"] == 400 and page["h100_nvlink_gb_s"] == 900
    assert page["h20_bf16_share_of_h100"] == pytest.approx(148 / 989, rel=1e-12)
    assert page["h20_hbm_gb"] == 96 and page["h100_hbm_gb"] == 80
    assert page["a100_tdp_w"] == 250  # Fire-Flyer 2's PCIe A100 40GB, not the 400 W SXM part
    frame, _formats = page.tables["gpus"]
    assert list(frame["GPU"]) == ["A100 PCIe 40GB", "H100 SXM", "H800 SXM", "H20"]


def test_capex(page: Page) -> None:
    assert page["fleet_gpu_spend_usd"] == pytest.approx(SPEND, rel=1e-12)
    assert page["fleet_capex_usd"] == pytest.approx(CAPEX, rel=1e-12)
    assert page["server_overhead"] == pytest.approx(SERVERS / SPEND, rel=1e-12)
    assert page["cluster_multiplier"] == pytest.approx(CAPEX / SPEND, rel=1e-12)
    assert page["fleet_capex_text"] == usd(CAPEX, 2)
    assert page["published_capex_text"] == "$1.6B" and page["luk_capex_text"] == "$1.3B"
    assert page["luk_capex_all_text"] == "$1.6B" and page["luk_capex_hoppers_text"] == "$1.4B"
    assert page["critical_capex_text"] == page["fleet_capex_text"]  # the book's fleet is the table read correctly
    assert page["interconnect_share"] == 0.19
    # Same-date listings (Epoch's price table): DGX H800 $44,750 per GPU over $33,800; DGX H100 $46,875 over $31,250.
    assert page["dgx_h800_server_over_gpu"] == pytest.approx(44_750 / 33_800)
    assert page["dgx_h100_server_over_gpu"] == pytest.approx(1.5)
    # A fixed server cost weighs more on a cheap GPU.
    assert page["h800_server_over_gpu"] == pytest.approx(1 + 87_600 / 8 / 33_800)
    assert page["h20_server_over_gpu"] == pytest.approx(1 + 87_600 / 8 / 12_000)


def test_server_default_is_the_same_date_dgx_h800_pair() -> None:
    """$87,600 = a DGX H800's $358,000 (Feb 2025) less 8 H800s at $33,800 (the same month)."""
    from analysis.inputs import data

    per_server = 8 * (data.published("dgx_h800_price_per_gpu_usd") - data.published("h800_sxm_price_usd"))
    assert registry()["server_non_gpu_usd"].default == pytest.approx(per_server)


def test_capex_backsolve(page: Page) -> None:
    assert page["capex_implied_price_per_gpu_usd"] == pytest.approx(1.6e9 / 60_000, rel=1e-12)
    non_gpu_per_gpu = (SERVERS - SPEND) / 60_000
    assert page["capex_implied_gpu_price_usd"] == pytest.approx(1.6e9 / 60_000 * 0.81 - non_gpu_per_gpu, rel=1e-9)
    assert page["capex_implied_price_text"] == "$26.7K"
    assert page["fleet_mean_all_in_price_usd"] == pytest.approx(CAPEX / 60_000, rel=1e-12)
    frame, _ = page.tables["capex_backsolve"]
    assert list(frame["GPUs"]) == [60_000, 60_000, 50_000]  # book, all 60,000, Hoppers only


def test_readings_table(page: Page) -> None:
    frame, _ = page.tables["fleet_readings"]
    assert list(frame["Reading"]) == ["This book's parameters", "All 60,000 GPUs (the table, read correctly)", "Hoppers only"]
    a100_share = 10_000 * (13_750 + 10_000 / 8) / 0.81
    assert list(frame["Capex"]) == pytest.approx([CAPEX, CAPEX, CAPEX - a100_share], rel=1e-12)
    assert list(frame["Hopper GPUs"]) == [50_000, 50_000, 50_000]


def test_capex_by_gpu_splits_capex() -> None:
    split = costs.capex_by_gpu(COUNTS, PRICES, NON_GPU, 0.19)
    assert split["h20"] == pytest.approx(30_000 * (12_000 + 87_600 / 8) / 0.81, rel=1e-12)
    assert sum(split.values()) == pytest.approx(costs.capex_usd(COUNTS, PRICES, NON_GPU, 0.19), rel=1e-12)


def test_opex_and_tco(page: Page) -> None:
    power = page["fleet_power_mw"] * 1e3 * 8760 * 0.08
    # Hosting is priced per kW of server power: an H800's $2,000, scaled for the others (A100 PCIe 250 W × 1.25,
    # H20 400 W × 1.8, against the H800's 700 W × 1.82).
    h800_kw = 0.7 * 1.82
    hosting = 2_000 * (10_000 * 0.25 * 1.25 / h800_kw + 20_000 + 30_000 * 0.4 * 1.8 / h800_kw)
    maintenance = CAPEX * 0.05
    staff = 170 * 300_000
    per_year = power + hosting + maintenance + staff
    assert page["fleet_opex_per_year_usd"] == pytest.approx(per_year, rel=1e-12)
    assert page["fleet_opex_usd"] == pytest.approx(4 * per_year, rel=1e-12)
    assert page["horizon_years"] == 4 and page["semianalysis_tco_years"] == 4
    assert page["opex_implied_horizon_years"] == pytest.approx(944e6 / per_year, rel=1e-12)
    assert page["published_opex_text"] == "$944M" and page["published_opex_per_year_text"] == "$236M"
    # Luk's reading of the TCO line: capex over four years plus a year of operation.
    assert page["fleet_tco_per_year_usd"] == pytest.approx(CAPEX / 4 + per_year, rel=1e-12)
    assert page["luk_tco_all_text"] == "$640M" and page["luk_tco_hoppers_text"] == "$545M"
    frame, _ = page.tables["opex_parts"]
    assert list(frame["Per year"]) == pytest.approx([power, hosting, maintenance, staff], rel=1e-12)


def test_ownership_and_share_of_fleet(page: Page) -> None:
    all_in = (33_800 + 87_600 / 8) / 0.81
    power = 0.7 * 1.82 * 0.75 * 1.25 * 8760 * 0.08
    yearly = all_in * ANNUITY + power + 2_000 + all_in * 0.05
    assert page["owned_gpu_hour_usd"] == pytest.approx(yearly / (8760 * 0.75), rel=1e-9)
    assert page["gpu_hour_usd"] == 2.0 and page["depreciation_years"] == 5 and page["utilisation"] == 0.75
    assert page["cost_of_capital"] == 0.10
    assert page["h800_market_rental_usd"] == 3.42
    assert page["assumed_vs_owned"] == "below" and page["assumed_vs_market"] == "below"
    assert page["v3_run_share_of_fleet"] == pytest.approx(2048 / 60_000, rel=1e-12)
    assert page["v3_run_share_of_fleet_year"] == pytest.approx(V3_HOURS / (H800_EQUIVALENTS * 8760), rel=1e-12)
    assert page["v3_run_share_of_fleet_year_by_count"] == pytest.approx(V3_HOURS / (60_000 * 8760), rel=1e-12)


def test_fewer_h20_moves_the_fleet() -> None:
    page = page_for(fleet_h20=5_000)
    plt.close("all")
    assert page["fleet_gpus"] == 35_000 and page["fleet_hopper_gpus"] == 25_000
    assert page["fleet_gpu_spend_usd"] == pytest.approx(SPEND - 25_000 * 12_000, rel=1e-12)
    assert page["fleet_capex_usd"] == pytest.approx(CAPEX - 25_000 * (12_000 + 87_600 / 8) / 0.81, rel=1e-12)
    assert page["v3_run_share_of_fleet"] == pytest.approx(2048 / 35_000, rel=1e-12)
    # The published readings do not move with the book's parameters.
    assert page["reported_hopper"] == 50_000 and page["critical_hopper"] == 50_000


def test_dearer_h800_and_capital_move_ownership() -> None:
    page = page_for(price_h800_usd=40_000, cost_of_capital=0.0)
    plt.close("all")
    assert page["fleet_capex_usd"] == pytest.approx(CAPEX + 10_000 * 6_200 / 0.81, rel=1e-12)
    all_in = (40_000 + 87_600 / 8) / 0.81
    yearly = all_in / 5 + 0.7 * 1.82 * 0.75 * 1.25 * 8760 * 0.08 + 2_000 + all_in * 0.05
    assert page["owned_gpu_hour_usd"] == pytest.approx(yearly / (8760 * 0.75), rel=1e-9)


def test_every_glue_name_of_the_prose_is_produced(page: Page) -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    prose = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    texts = glue_text_names(prose)
    figures = set(re.findall(r"\{glue:figure\}\s+(\S+)", prose))
    assert texts and figures
    assert texts <= set(page.values), texts - set(page.values)
    assert figures <= set(page.figures), figures - set(page.figures)
    shows = set(re.findall(r'page\.show\("([^"]+)"\)', "\n".join(c.source for c in nb.cells if c.cell_type == "code")))
    assert shows == set(page.tables) | set(page.html)
