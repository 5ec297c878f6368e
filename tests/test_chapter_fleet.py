"""The fleet chapter against hand calculations from its input figures (parameters.csv, gpus.csv, fleets.csv).

Default inputs used below: fleet 10,000 A100 + 10,000 H800 + 10,000 H100 + 30,000 H20 (the estimate's counts, the
medians of their ranges); prices as paid $13,750, $26,006, $30,000, $12,500 (the medians of their quotes, net of VAT)
and at 2025 listings $17,420, $33,800, $31,250, $14,826; other server parts $10,000 per Fire-Flyer node and $53,700 per
HGX server (H800, H100 and H20 alike); network $470 per A100 and $4,390 per Hopper GPU; storage at 0.018 nodes per GPU,
each a two-CPU server priced as a CPU node ($32,010 of parts) with 245.76 TB at $109.5, drawing 500 W, and 50 CPU
nodes at $32,010; TDP 250/700/700/400 W with
server factors 1.25/1.82/1.82/1.8; PUE 1.304; power at $0.088/kWh; rack rental $1,021 per H800-year; capital at 4.45% over
4.5 years; maintenance 3.11% of capex; 36 cluster staff at $175,000; V3 run 2,664,000 + 119,000 + 5,000 GPU-hours on 2,048
GPUs at $2 per GPU-hour.
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
GPUS = sum(COUNTS.values())
PRICES = {"a100": 13_750, "h800": 26_006, "h100": 30_000, "h20": 13_000}
REPLACEMENT = {"a100": 17_420, "h800": 33_800, "h100": 31_250, "h20": 14_826}
NON_GPU = {"a100": 10_000, "h800": 53_700, "h100": 53_700, "h20": 53_700}
NETWORK = {"a100": 470, "h800": 4_390, "h100": 4_390, "h20": 4_390}
SPEND = sum(COUNTS[g] * PRICES[g] for g in COUNTS)
SERVERS = sum(COUNTS[g] * (PRICES[g] + NON_GPU[g] / 8) for g in COUNTS)


def support(gpus: float) -> float:
    """Storage at Fire-Flyer's ratio of storage nodes to GPUs, and the 50 CPU nodes."""
    return gpus * 0.018 * (32_010 + 245.76 * 109.5) + 50 * 32_010


def support_kw(gpus: float) -> float:
    return (gpus * 0.018 + 50) * 0.5


CAPEX = SERVERS + sum(COUNTS[g] * NETWORK[g] for g in COUNTS) + support(sum(COUNTS.values()))
V3_HOURS = 2_664_000 + 119_000 + 5_000
H800_EQUIVALENTS = 10_000 * 312 / 989 + 20_000 + 30_000 * 148 / 989
ANNUITY = 0.0445 / (1 - 1.0445 ** -4.5)
MAINTENANCE = 0.0311
OPS_STAFF = 36 * 175_000
POWER_USD_PER_KWH = 0.088
PUE = 1.304  # the median of 1.1 / 1.25 / 1.6 (data/uncertainty.csv)
HOSTING = 1_021  # the geometric middle of a Chinese hall's cost and a US colocation rate, for an H800 server's 1.274 kW


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
    assert page["fleet_gpus"] == GPUS
    assert page["fleet_hopper_gpus"] == GPUS - 10_000
    assert page["reported_a100"] == 10_000 and page["reported_h800"] == 10_000 and page["reported_h100"] == 10_000
    assert page["reported_gpus"] == 60_000 and page["reported_hopper"] == 50_000
    assert page["critical_hopper"] == 50_000  # Luk: the 60,000 include the A100s; the Hoppers are 50,000
    assert page["fleet_h800_equivalent_gpus"] == pytest.approx(H800_EQUIVALENTS)
    assert page["fleet_peak_eflops_bf16"] == pytest.approx((10_000 * 312 + 20_000 * 989 + 30_000 * 148) / 1e6, rel=1e-12)
    assert page["fleet_gpu_power_mw"] == pytest.approx((10_000 * 250 + 20_000 * 700 + 30_000 * 400) / 1e6, rel=1e-12)
    server_kw = 10_000 * 0.25 * 1.25 + 20_000 * 0.7 * 1.82 + 30_000 * 0.4 * 1.8
    assert page["fleet_power_mw"] == pytest.approx(server_kw * 0.75 * PUE / 1e3, rel=1e-12)


def test_deepseek_floor(page: Page) -> None:
    """Fire-Flyer 2's 10,000 A100s (SC24) and 278 peak serving nodes × 8 H800s (day-6 overview)."""
    assert page["fleet_floor_a100"] == 10_000 and page["fleet_floor_h800"] == 278 * 8
    assert page["fleet_floor_gpus"] == 10_000 + 2_224
    floor = 10_000 * (13_750 + 10_000 / 8 + 470) + 2_224 * (26_006 + 53_700 / 8 + 4_390) + support(12_224)
    assert page["fleet_floor_capex_usd"] == pytest.approx(floor, rel=1e-12)


def test_floor_scenario_is_the_floor() -> None:
    from analysis.inputs.params import load_scenario

    scenario = load_scenario("deepseek_floor").parameters
    floor = chapter_fleet.floor_counts()
    assert {g: float(scenario[f"fleet_{g}"]) for g in floor} == floor
    # The ranges reach down to it: the floor is every count's P0.
    from analysis.inputs import data

    ranges = data.load_indexed("uncertainty.csv")
    assert all(ranges.loc[f"fleet_{g}", "low"] <= floor[g] for g in ("h800", "h100", "h20"))
    assert ranges.loc["fleet_h800", "low"] == floor["h800"]


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
    assert page["fleet_capex_as_paid_usd"] == page["fleet_capex_usd"]
    replacement = sum(COUNTS[g] * (REPLACEMENT[g] + NON_GPU[g] / 8 + NETWORK[g]) for g in COUNTS) + support(GPUS)
    assert page["fleet_capex_replacement_usd"] == pytest.approx(replacement, rel=1e-12)
    assert page["fleet_book_value_2025_usd"] < page["fleet_capex_as_paid_usd"]
    assert page["server_overhead"] == pytest.approx(SERVERS / SPEND, rel=1e-12)
    assert page["cluster_multiplier"] == pytest.approx(CAPEX / SPEND, rel=1e-12)
    assert page["interconnect_share"] == pytest.approx((CAPEX - SERVERS - support(GPUS)) / CAPEX, rel=1e-12)
    assert page["fleet_capex_text"] == usd(CAPEX, 2)
    assert page["published_capex_text"] == "$1.6B" and page["luk_capex_text"] == "$1.3B"
    assert page["luk_capex_all_text"] == "$1.6B" and page["luk_capex_hoppers_text"] == "$1.4B"
    # Same-date listings (Epoch's price table): DGX H800 $44,750 per GPU over $33,800; DGX H100 $46,875 over $31,250.
    assert page["dgx_h800_server_over_gpu"] == pytest.approx(44_750 / 33_800)
    assert page["dgx_h100_server_over_gpu"] == pytest.approx(1.5)
    # A fixed server cost weighs more on a cheap GPU.
    assert page["h800_server_over_gpu"] == pytest.approx(1 + 53_700 / 8 / 26_006)
    assert page["h20_server_over_gpu"] == pytest.approx(1 + 53_700 / 8 / 13_000)
    frame, _ = page.tables["capex_bases"]
    assert list(frame["This book"]) == pytest.approx(
        [CAPEX, replacement, page["fleet_book_value_2025_usd"]], rel=1e-12)


def test_server_range_runs_from_bill_of_materials_to_list() -> None:
    """The HGX server's other parts: median of a log-normal from the DGX's parts at cost ($32,010, SemiAnalysis's
    BOM as summed by Epoch AI) to OEM and list prices less their GPUs (~$90,000)."""
    from analysis.inputs import data

    ranges = data.load_indexed("uncertainty.csv")
    assert ranges.loc["server_non_gpu_usd", "low"] == data.published("dgx_non_gpu_bom_usd") == 32_010
    dgx_h800_less_gpus = 8 * (data.published("dgx_h800_price_per_gpu_usd") - data.published("h800_sxm_price_usd"))
    assert ranges.loc["server_non_gpu_usd", "high"] == pytest.approx(dgx_h800_less_gpus, rel=0.05)
    assert registry()["server_non_gpu_usd"].default == pytest.approx((32_010 * 90_000) ** 0.5, rel=0.001)


def test_as_paid_ranges_cover_their_evidence() -> None:
    """Each GPU type's as-paid range reaches every as-paid quote of its purchase period (net of VAT, servers less their
    other parts); a quote outside it is not an as-paid quote (after the window, a ceiling or a 2025 listing)."""
    from analysis.chapters import evidence
    from analysis.inputs import data

    ranges = data.load_indexed("uncertainty.csv")
    quotes = evidence.as_paid_quotes(registry()["vat_rate"].default, registry()["server_non_gpu_usd"].default)
    for gpu in ("h800", "h100", "h20"):
        mine = quotes.loc[quotes["gpu"] == gpu, "bare_usd"]
        assert ranges.loc[f"price_{gpu}_usd", "low"] <= mine.min() + 1 and mine.max() <= ranges.loc[f"price_{gpu}_usd", "high"] + 1, gpu


def test_capex_backsolve(page: Page) -> None:
    assert page["capex_implied_price_per_gpu_usd"] == pytest.approx(1.6e9 / GPUS, rel=1e-12)
    other_per_gpu = (CAPEX - SPEND) / GPUS
    assert page["capex_implied_gpu_price_usd"] == pytest.approx(1.6e9 / GPUS - other_per_gpu, rel=1e-9)
    assert page["fleet_mean_all_in_price_usd"] == pytest.approx(CAPEX / GPUS, rel=1e-12)
    frame, _ = page.tables["capex_backsolve"]
    assert list(frame["GPUs"]) == [60_000, 50_000, 12_224]  # the book's (the estimate's 60,000), Hoppers only, DeepSeek's floor


def test_a_reading_equal_to_the_build_is_shown_once(page: Page) -> None:
    """At the defaults the book's fleet is the 60,000 reading: one row, marked as this build's (issue 20)."""
    frame, _ = page.tables["fleet_readings"]
    assert list(frame["Reading"]) == ["All 60,000 GPUs (the table, read correctly) (this build)", "Hoppers only",
                                      "DeepSeek's own disclosures (the floor)"]
    assert list(frame["Hopper GPUs"]) == [50_000, 50_000, 2_224]
    assert frame["Capex"].iloc[0] == pytest.approx(CAPEX, rel=1e-12)
    assert frame["GPUs"].is_unique


def test_a_build_off_every_reading_gets_its_own_row() -> None:
    page = page_for(fleet_h20=20_000)
    plt.close("all")
    frame, _ = page.tables["fleet_readings"]
    assert list(frame["Reading"])[0] == "This book's fleet (medians)" and list(frame["GPUs"])[:2] == [50_000, 60_000]


def test_capex_by_gpu_splits_capex() -> None:
    split = costs.capex_by_gpu(COUNTS, PRICES, NON_GPU, NETWORK)
    assert split["h20"] == pytest.approx(30_000 * (13_000 + 53_700 / 8 + 4_390), rel=1e-12)
    assert sum(split.values()) == pytest.approx(costs.capex_usd(COUNTS, PRICES, NON_GPU, NETWORK), rel=1e-12)


def test_opex_power_names_its_computed_split(page: Page) -> None:
    """The power line is the GPU servers' facility power at the power price plus the storage and CPU nodes', and its
    label names both parts (the MW shown is the GPU servers')."""
    gpu_servers = page["fleet_power_mw"] * 1e3 * 8760 * POWER_USD_PER_KWH
    nodes = support_kw(GPUS) * PUE * 8760 * POWER_USD_PER_KWH
    assert page["fleet_opex_power_gpu_servers_per_year_usd"] == pytest.approx(gpu_servers, rel=1e-12)
    assert page["fleet_opex_power_storage_cpu_per_year_usd"] == pytest.approx(nodes, rel=1e-9)
    frame, _ = page.tables["opex_parts"]
    power = frame.set_index("Component").loc["Power"]
    assert power["Per year"] == pytest.approx(gpu_servers + nodes, rel=1e-12)
    assert power["Inputs"].startswith(f"GPU servers {usd(gpu_servers, 2)}") and "storage and CPU nodes" in power["Inputs"]

def test_opex_and_tco(page: Page) -> None:
    power = (page["fleet_power_mw"] * 1e3 + support_kw(GPUS) * PUE) * 8760 * POWER_USD_PER_KWH
    # Rack rental is priced per kW of server power: an H800's $1,021, scaled for the others (A100 PCIe 250 W × 1.25,
    # H20 400 W × 1.8, storage and CPU nodes at 500 W, against the H800's 700 W × 1.82).
    h800_kw = 0.7 * 1.82
    hosting = HOSTING * (10_000 * 0.25 * 1.25 / h800_kw + 20_000 + 30_000 * 0.4 * 1.8 / h800_kw + support_kw(GPUS) / h800_kw)
    maintenance = CAPEX * MAINTENANCE
    per_year = power + hosting + maintenance + OPS_STAFF
    assert page["fleet_opex_per_year_usd"] == pytest.approx(per_year, rel=1e-12)
    assert page["fleet_opex_usd"] == pytest.approx(4 * per_year, rel=1e-12)
    assert page["horizon_years"] == 4 and page["semianalysis_tco_years"] == 4
    assert page["opex_implied_horizon_years"] == pytest.approx(944e6 / per_year, rel=1e-12)
    assert page["published_opex_text"] == "$944M" and page["published_opex_per_year_text"] == "$236M"
    assert page["fleet_opex_maintenance_over_power"] == pytest.approx(maintenance / power, rel=1e-12)
    # Luk's reading of the TCO line: capex over four years plus a year of operation.
    assert page["fleet_tco_per_year_usd"] == pytest.approx(CAPEX / 4 + per_year, rel=1e-12)
    # On the ownership basis: the capex repaid as an annuity at the cost of capital over 4.5 years, plus the opex.
    assert page["fleet_cost_per_year_usd"] == pytest.approx(CAPEX * ANNUITY + per_year, rel=1e-12)
    assert page["luk_tco_all_text"] == "$640M" and page["luk_tco_hoppers_text"] == "$545M"
    frame, _ = page.tables["opex_parts"]
    assert list(frame["Per year"]) == pytest.approx([power, hosting, maintenance, OPS_STAFF], rel=1e-12)
    like, _ = page.tables["opex_like_for_like"]
    assert list(like["Published"]) == ["$944M", "$640M", "$545M"]


def test_ownership_per_hour_held_and_useful(page: Page) -> None:
    all_in = 26_006 + 53_700 / 8 + 4_390
    power = 0.7 * 1.82 * 0.75 * PUE * 8760 * POWER_USD_PER_KWH
    yearly = all_in * ANNUITY + power + HOSTING + all_in * MAINTENANCE + OPS_STAFF / GPUS
    assert page["owned_gpu_hour_usd"] == pytest.approx(yearly / 8760, rel=1e-9)
    assert page["owned_gpu_useful_hour_usd"] == pytest.approx(yearly / (8760 * 0.75), rel=1e-9)
    assert page.values["owned_gpu_hour_usd"].unit == "USD per GPU-hour held"
    assert page["owned_gpu_hour_epoch_usd"] == pytest.approx((all_in / 4.5 + power) / 8760, rel=1e-9)
    assert page["gpu_hour_usd"] == 2.0 and page["depreciation_years"] == 4.5 and page["utilisation"] == 0.75
    assert page["cost_of_capital"] == 0.0445
    assert page["h800_market_rental_usd"] == 3.42
    # $2 is above $1.55 per hour held, and far below the $3.42 market rental.
    assert page["assumed_vs_owned"] == "above" and page["assumed_vs_market"] == "below"
    assert page["semianalysis_h100_tco_usd_per_gpu_hour"] == 1.525
    assert page["v3_run_cost_neocloud_usd"] == pytest.approx(V3_HOURS * (2.45 + 3.29) / 2)
    assert page["v3_run_share_of_fleet"] == pytest.approx(2048 / GPUS, rel=1e-12)
    assert page["v3_run_share_of_fleet_year"] == pytest.approx(V3_HOURS / (H800_EQUIVALENTS * 8760), rel=1e-12)
    assert page["v3_run_share_of_fleet_year_by_count"] == pytest.approx(V3_HOURS / (GPUS * 8760), rel=1e-12)


def test_fewer_h20_moves_the_fleet() -> None:
    page = page_for(fleet_h20=5_000)
    plt.close("all")
    assert page["fleet_gpus"] == GPUS - 25_000 and page["fleet_hopper_gpus"] == GPUS - 10_000 - 25_000
    assert page["fleet_gpu_spend_usd"] == pytest.approx(SPEND - 25_000 * 13_000, rel=1e-12)
    assert page["fleet_capex_usd"] == pytest.approx(CAPEX - 25_000 * (13_000 + 53_700 / 8 + 4_390) - support(GPUS) + support(GPUS - 25_000),
                                                    rel=1e-12)
    # The published readings do not move with the book's parameters.
    assert page["reported_hopper"] == 50_000 and page["critical_hopper"] == 50_000


def test_dearer_h800_and_capital_move_ownership() -> None:
    page = page_for(price_h800_usd=40_000, cost_of_capital=0.0)
    plt.close("all")
    assert page["fleet_capex_usd"] == pytest.approx(CAPEX + 10_000 * (40_000 - 26_006), rel=1e-12)
    all_in = 40_000 + 53_700 / 8 + 4_390
    yearly = all_in / 4.5 + 0.7 * 1.82 * 0.75 * PUE * 8760 * POWER_USD_PER_KWH + HOSTING + all_in * MAINTENANCE + OPS_STAFF / GPUS
    assert page["owned_gpu_hour_usd"] == pytest.approx(yearly / 8760, rel=1e-9)


def test_replacement_basis_moves_capex_and_ownership_not_the_as_paid_figure() -> None:
    page = page_for(gpu_price_basis="replacement_2025")
    plt.close("all")
    assert page["fleet_capex_usd"] == page["fleet_capex_replacement_usd"]
    assert page["fleet_capex_as_paid_usd"] == pytest.approx(CAPEX, rel=1e-12)
    assert page["gpu_price_basis_text"] == "2025 replacement"


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


def test_published_opex_read_with_financing_needs_less_maintenance(page: Page) -> None:
    """'$944M' read as TCO less capex holds the book's capital charge too: the maintenance it needs drops by that charge,
    spread over the estimate's fleet's capex per year (opex is linear in the share)."""
    without, with_financing = page["maintenance_share_for_published_opex"], page["maintenance_share_for_published_opex_with_financing"]
    none, high = page["opex_estimate_fleet_maintenance_none_usd"], page["opex_estimate_fleet_maintenance_high_usd"]
    per_share = (high - none) / page["maintenance_share_range_high"]  # opex per unit of maintenance share, 4 years
    financing = (without - with_financing) * per_share
    assert 0 < with_financing < without
    assert financing == pytest.approx(page["opex_with_financing_estimate_fleet_usd"] - page["opex_estimate_fleet_maintenance_median_usd"], rel=1e-6)
    assert page["maintenance_share_with_financing_position"] == ("within" if with_financing <= page["maintenance_share_range_high"] else "above")
