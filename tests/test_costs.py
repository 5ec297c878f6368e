"""Cost formulas against hand-computed cases; back-solves invert the forward model."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import inputs
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.model import costs, fleet, reconcile
from analysis.model.fleet import Gpu

GPUS = {
    "a": Gpu("a", "A", 100, 0, 80, 2, 600, 400, 2.0),
    "b": Gpu("b", "B", 1000, 2000, 80, 3, 900, 700, 1.5),
}


def test_capex_hand_computed() -> None:
    # 10 A at $1,000 + 5 B at $2,000 = $20,000 of GPUs; servers: A $800 and B $1,600 of other parts per
    # 8 GPUs → 10/8 × 800 + 5/8 × 1,600 = $2,000; network $50 per A and $300 per B → $500 + $1,500 = $2,000.
    capex = costs.capex_usd({"a": 10, "b": 5}, {"a": 1000, "b": 2000}, {"a": 800, "b": 1600}, {"a": 50, "b": 300})
    assert capex == pytest.approx(24_000)
    split = costs.capex_by_gpu({"a": 10, "b": 5}, {"a": 1000, "b": 2000}, {"a": 800, "b": 1600}, {"a": 50, "b": 300})
    assert split["a"] == pytest.approx(10_000 + 1_000 + 500) and split["b"] == pytest.approx(10_000 + 1_000 + 1_500)
    assert costs.network_capex_usd({"a": 10, "b": 5}, {"a": 50, "b": 300}) == 2_000
    assert costs.server_capex_usd({"a": 10, "b": 5}, {"a": 1000, "b": 2000}, {"a": 800, "b": 1600}) == pytest.approx(22_000)


def test_book_value_writes_capex_down_straight_line() -> None:
    # $1,000 bought 1 year before the valuation on a 5-year life keeps 80%; $500 bought 6 years before keeps nothing.
    value = costs.book_value_usd({"a": 1000.0, "b": 500.0}, {"a": 1.0, "b": 6.0}, 5.0)
    assert value == pytest.approx(800.0)
    assert costs.remaining_value_share(2.5, 5.0) == pytest.approx(0.5)
    assert costs.remaining_value_share(-1.0, 5.0) == 1.0  # bought after the valuation date: not yet written down


def test_price_bases_pick_their_parameters() -> None:
    base = defaults()
    assert costs.prices_from_params(base) == costs.prices_from_params(base, "as_paid")
    assert costs.prices_from_params(base, "as_paid")["h800"] == base["price_h800_usd"]
    assert costs.prices_from_params(base, "replacement_2025")["h800"] == base["replacement_price_h800_usd"]
    assert costs.prices_from_params({**base, "gpu_price_basis": "replacement_2025"})["h20"] == base["replacement_price_h20_usd"]
    with pytest.raises(ValueError, match="price basis"):
        costs.prices_from_params(base, "list")


def test_server_and_network_by_type() -> None:
    """A Fire-Flyer node, an HGX H20 server and an HGX H800/H100 server each have their own non-GPU cost;
    the A100 cluster has Fire-Flyer's network, the Hoppers an InfiniBand fat tree."""
    base = {**defaults(), "server_non_gpu_usd": 1.0, "h20_server_non_gpu_usd": 2.0, "a100_server_non_gpu_usd": 3.0,
            "network_usd_per_gpu": 4.0, "a100_network_usd_per_gpu": 5.0}
    assert costs.non_gpu_from_params(base) == {"a100": 3.0, "h800": 1.0, "h100": 1.0, "h20": 2.0}
    assert costs.network_from_params(base) == {"a100": 5.0, "h800": 4.0, "h100": 4.0, "h20": 4.0}


def test_a_fixed_server_cost_weighs_more_on_cheap_gpus() -> None:
    # $125,000 of other parts: 8 × $33,800 H800s → 1.46× their price; 8 × $12,000 H20s → 2.30×.
    h800 = costs.server_price_per_gpu(33_800, 125_000) / 33_800
    h20 = costs.server_price_per_gpu(12_000, 125_000) / 12_000
    assert h800 == pytest.approx(1 + 125_000 / 8 / 33_800) and h20 == pytest.approx(1 + 125_000 / 8 / 12_000)
    assert h20 > h800


def test_power_hand_computed() -> None:
    # Server TDP: 10 × 400 W × 2.0 + 5 × 700 W × 1.5 = 13.25 kW; × 0.75 average draw × PUE 1.2 × 8760 h × $0.10.
    cost = costs.power_usd_per_year({"a": 10, "b": 5}, GPUS, 0.75, 1.2, 0.10)
    assert cost == pytest.approx(13.25 * 0.75 * 1.2 * 8760 * 0.10)
    assert costs.facility_power_kw({"a": 10, "b": 5}, GPUS, 0.75, 1.2) == pytest.approx(13.25 * 0.75 * 1.2)


def test_h800_power_follows_epoch() -> None:
    """Epoch AI: server power = chip TDP × (10.2 kW / 8) / 0.7 kW, × 0.75 average draw, × PUE."""
    h800 = inputs.gpu_catalogue()["h800"]
    assert h800.server_power_factor == pytest.approx((10.2 / 8) / 0.7, abs=0.005)
    kw = costs.facility_power_kw({"h800": 1.0}, {"h800": h800}, 0.75, 1.25)
    assert kw == pytest.approx(0.7 * 1.82 * 0.75 * 1.25)


def test_annuity_factor() -> None:
    # 10% over 5 years: 0.1 / (1 − 1.1⁻⁵) = 0.263797...; at 0% it is straight-line 1/5.
    assert costs.annuity_factor(0.10, 5) == pytest.approx(0.1 / (1 - 1.1 ** -5))
    assert costs.annuity_factor(0.0, 5) == pytest.approx(0.2)
    both = costs.annuity_factor(np.array([0.0, 0.1]), np.array([5.0, 5.0]))
    assert both[0] == pytest.approx(0.2) and both[1] == pytest.approx(0.263797, rel=1e-5)


def test_financing_is_the_annuity_beyond_straight_line() -> None:
    # $1,000 over a 5-year life at 10%: 263.80 a year repaid, 200 of it depreciation; 63.80 a year of capital charge.
    assert costs.financing_usd(1000.0, 0.10, 5, 4) == pytest.approx(4 * (1000 * 0.1 / (1 - 1.1 ** -5) - 200))
    assert costs.financing_usd(1000.0, 0.0, 5, 4) == pytest.approx(0.0)  # no cost of capital, no charge


def test_opex_components() -> None:
    parts = costs.opex_usd_per_year(
        {"a": 10, "b": 5}, GPUS, 40_000, load_factor=0.75, pue=1.2, usd_per_kwh=0.1, hosting_usd_per_gpu_year=100,
        maintenance_share_per_year=0.05, ops_staff_headcount=2, staff_loaded_cost_usd=1000,
    )
    # Hosting per kW: A (400 W × 2.0 = 0.8 kW) sets the $100 rate; B (700 W × 1.5 = 1.05 kW) pays 1.05/0.8 of it.
    assert parts["hosting"] == pytest.approx(10 * 100 + 5 * 100 * 1.05 / 0.8)
    assert parts["maintenance"] == 2000 and parts["staff"] == 2000
    assert set(parts) == {"power", "hosting", "maintenance", "staff"}


def test_owned_gpu_hour_hand_computed() -> None:
    # $30,000 GPU + $8,000/8 of server + $500 network = $31,500; at 0% over 3 years = $10,500/yr; 1 kW GPU × 1.5 server
    # factor × 1 × 1 × 8760 × $0.10 = $1,314; hosting $124; maintenance 0; cluster staff $62 → a year over 8,760 hours held.
    gpu = Gpu("x", "X", 1, 1, 1, 1, 1, 1000, 1.5)
    args = dict(non_gpu_per_server=8_000, network_per_gpu=500, depreciation_years=3, load_factor=1.0, pue=1.0, usd_per_kwh=0.1,
                hosting_usd_per_gpu_year=124, maintenance_share_per_year=0.0, ops_staff_usd_per_gpu_year=62)
    held = costs.owned_gpu_hour_held_usd(gpu, 30_000, cost_of_capital=0.0, **args)
    assert held == pytest.approx((31_500 / 3 + 1314 + 124 + 62) / 8760)
    # Per useful hour at 50% busy: twice as dear.
    assert costs.per_useful_hour(held, 0.5) == pytest.approx(2 * held)
    # A cost of capital raises the capital charge from 1/3 to the annuity factor.
    dearer = costs.owned_gpu_hour_held_usd(gpu, 30_000, cost_of_capital=0.08, **args)
    assert dearer == pytest.approx((31_500 * 0.08 / (1 - 1.08 ** -3) + 1314 + 124 + 62) / 8760)
    # Epoch AI's method: straight-line capex plus energy, nothing else.
    epoch = costs.epoch_gpu_hour_usd(gpu, 30_000, non_gpu_per_server=8_000, network_per_gpu=500, depreciation_years=3,
                                     load_factor=1.0, pue=1.0, usd_per_kwh=0.1)
    assert epoch == pytest.approx((31_500 / 3 + 1314) / 8760)


def test_capex_back_solve_round_trip() -> None:
    counts = {"a": 10_000, "b": 40_000}
    target = 1.6e9
    non_gpu = {"a": 100_000, "b": 100_000}
    network = {"a": 4_000, "b": 4_000}
    price = costs.implied_gpu_price(target, sum(counts.values()), 100_000 / 8 + 4_000)
    assert costs.capex_usd(counts, {"a": price, "b": price}, non_gpu, network) == pytest.approx(target)
    all_in = costs.implied_all_in_price_per_gpu(target, 50_000)
    assert all_in * 50_000 == pytest.approx(target)


def test_opex_back_solve_round_trip() -> None:
    yearly = 277e6
    horizon = costs.implied_horizon_years(944e6, yearly)
    assert horizon * yearly == pytest.approx(944e6)
    per_gpu = costs.implied_opex_per_gpu_year(944e6, 60_000, 4)
    assert per_gpu * 60_000 * 4 == pytest.approx(944e6)


def test_fleet_aggregates_and_shares() -> None:
    agg = fleet.aggregates({"a": 10, "b": 5}, GPUS)
    assert agg["gpus"] == 15 and agg["peak_pflops_bf16"] == pytest.approx((1000 + 5000) / 1e3)
    assert fleet.share_of_fleet_year(8760, 2) == pytest.approx(0.5)


def defaults() -> dict:
    return {name: p.default for name, p in registry().items()}


def test_published_readings_of_the_estimate() -> None:
    """The book's fleets for the two readings of SemiAnalysis' table (Luk: all 60,000 GPUs, or the 50,000 Hoppers)."""
    gpus, r1 = inputs.gpu_catalogue(), data.run_gpu_hours("DeepSeek-R1")
    readings = data.load_indexed("fleets.csv")
    base = defaults()
    all_gpus = reconcile.evaluate({**base, **{f"fleet_{g}": readings.loc["as_reported", g] for g in fleet.GPU_KEYS}}, gpus, r1)
    hoppers = reconcile.evaluate({**base, **{f"fleet_{g}": readings.loc["hoppers_only", g] for g in fleet.GPU_KEYS}}, gpus, r1)
    assert all_gpus["fleet_hopper_gpus"] == 50_000 and all_gpus["fleet_gpus"] == 60_000
    assert hoppers["fleet_gpus"] == 50_000 and hoppers["fleet_hopper_gpus"] == 50_000
    # By hand, as paid (the medians of each GPU's quotes net of VAT): H800 $26,006, H100 $30,000, H20 $12,500; $53,700 per
    # HGX server, H800, H100 or H20 alike; $4,390 of network per Hopper GPU.
    hoppers_by_hand = (10_000 * 26_006 + 10_000 * 30_000 + 30_000 * 13_000 + 50_000 / 8 * 53_700 + 50_000 * 4_390)
    # Storage at Fire-Flyer's ratio (0.018 nodes per GPU, each a two-CPU server priced as a CPU node, $32,010 of parts, and
    # 245.76 TB at $109.5) and 50 CPU nodes.
    def support(gpus: float) -> float:
        return gpus * 0.018 * (32_010 + 245.76 * 109.5) + 50 * 32_010

    assert hoppers["fleet_capex_usd"] == pytest.approx(hoppers_by_hand + support(50_000))
    assert hoppers["fleet_capex_storage_usd"] == pytest.approx(support(50_000))
    # Fire-Flyer: $13,750 per A100, $10,000 per node, $470 of network per GPU.
    a100_by_hand = 10_000 * 13_750 + 10_000 / 8 * 10_000 + 10_000 * 470
    assert all_gpus["fleet_capex_usd"] == pytest.approx(hoppers_by_hand + a100_by_hand + support(60_000))


def test_three_capex_bases() -> None:
    """As paid, at 2025 listings, and as paid written down to the estimate's date (31 Jan 2025) over a 4.5-year life."""
    gpus, r1 = inputs.gpu_catalogue(), data.run_gpu_hours("DeepSeek-R1")
    base = {**defaults(), "fleet_a100": 1.0, "fleet_h800": 0.0, "fleet_h100": 0.0, "fleet_h20": 0.0}
    r = reconcile.evaluate(base, gpus, r1)
    one_a100 = 13_750 + 10_000 / 8 + 470
    support = r["fleet_capex_storage_usd"]  # storage and CPU nodes: no 2025 listing, the same on every basis
    assert r["fleet_capex_as_paid_usd"] == pytest.approx(one_a100 + support) == pytest.approx(r["fleet_capex_usd"])
    assert r["fleet_capex_replacement_usd"] == pytest.approx(17_420 + 10_000 / 8 + 470 + support)
    # Bought in 2021 (middle: 2 July 2021), valued on 31 January 2025: 3.58 years of a 4.5-year life gone.
    age = (pd.Timestamp("2025-01-31") - pd.Timestamp("2021-07-02")).days / 365.25
    assert gpus["a100"].age_years == pytest.approx(age)
    assert r["fleet_book_value_2025_usd"] == pytest.approx((one_a100 + support) * (1 - age / 4.5))
    replaced = reconcile.evaluate({**base, "gpu_price_basis": "replacement_2025"}, gpus, r1)
    assert replaced["fleet_capex_usd"] == pytest.approx(r["fleet_capex_replacement_usd"])
    assert replaced["fleet_capex_as_paid_usd"] == pytest.approx(r["fleet_capex_as_paid_usd"])


def test_run_share_is_compute_weighted() -> None:
    """2.788M H800-hours over a year of the book's fleet counted as H800-equivalents by BF16 throughput."""
    r = reconcile.evaluate(defaults(), inputs.gpu_catalogue(), data.run_gpu_hours("DeepSeek-R1"))
    counts = {g: defaults()[f"fleet_{g}"] for g in fleet.GPU_KEYS}
    h800_equivalents = counts["a100"] * 312 / 989 + counts["h800"] + counts["h100"] + counts["h20"] * 148 / 989
    assert r["v3_run_share_of_fleet_year"] == pytest.approx(2_788_000 / (h800_equivalents * 8760))
    assert r["v3_run_share_of_fleet_year_by_count"] == pytest.approx(2_788_000 / (sum(counts.values()) * 8760))


def test_development_cost_prices_every_gpu_hour_per_hour_held() -> None:
    """The run, its research and R1 on one basis, the ownership cost per hour held (issue 19's expert read)."""
    r = reconcile.evaluate(defaults(), inputs.gpu_catalogue(), data.run_gpu_hours("DeepSeek-R1"))
    p = defaults()
    assert r["run_owned_usd"] == pytest.approx(2_788_000 * r["owned_gpu_hour_usd"])
    assert r["r1_usd"] == pytest.approx(147_000 * r["owned_gpu_hour_usd"])
    assert r["research_usd"] == pytest.approx(2_788_000 * (p["research_multiplier"] - 1) * r["owned_gpu_hour_usd"])
    # Utilisation reaches only the per-useful-hour figure.
    busy = reconcile.evaluate({**p, "utilisation": 0.5}, inputs.gpu_catalogue(), data.run_gpu_hours("DeepSeek-R1"))
    assert busy["total_development_cost_usd"] == r["total_development_cost_usd"]
    assert r["owned_gpu_useful_hour_usd"] == pytest.approx(r["owned_gpu_hour_usd"] / p["utilisation"])
    assert busy["owned_gpu_useful_hour_usd"] == pytest.approx(r["owned_gpu_hour_usd"] / 0.5)
    # The model builders are a development cost only; fleet opex has the cluster staff.
    assert r["staff_dev_usd"] == pytest.approx(p["staff_headcount"] * p["staff_loaded_cost_usd"] * p["development_years"])
    assert r["fleet_opex_staff_per_year_usd"] == pytest.approx(p["ops_staff_headcount"] * p["staff_loaded_cost_usd"])


def test_model_is_vectorised_and_matches_scalar_runs() -> None:
    gpus, r1 = inputs.gpu_catalogue(), data.run_gpu_hours("DeepSeek-R1")
    base = defaults()
    prices = np.array([20_000.0, 33_800.0, 50_000.0])
    vector = reconcile.evaluate({**base, "price_h800_usd": prices}, gpus, r1)
    for i, price in enumerate(prices):
        scalar = reconcile.evaluate({**base, "price_h800_usd": price}, gpus, r1)
        for key in ("fleet_capex_usd", "owned_gpu_hour_usd", "total_development_cost_usd", "fleet_opex_usd"):
            assert vector[key][i] == pytest.approx(scalar[key]), key


def test_waterfall_adds_up() -> None:
    r = reconcile.evaluate(defaults(), inputs.gpu_catalogue(), data.run_gpu_hours("DeepSeek-R1"))
    assert sum(r[key] for _, key in reconcile.WATERFALL) == pytest.approx(r["total_development_cost_usd"])
    assert r["run_rental_usd"] == 5_576_000


def test_collect_requires_every_model_parameter() -> None:
    with pytest.raises(NameError, match="declare these"):
        reconcile.collect({"gpu_hour_usd": 2.0})
