"""Cost formulas against hand-computed cases; back-solves invert the forward model."""

from __future__ import annotations

import numpy as np
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
    # 8 GPUs → 10/8 × 800 + 5/8 × 1,600 = $2,000; network 20% of the total → $22,000 / 0.8 = $27,500.
    capex = costs.capex_usd({"a": 10, "b": 5}, {"a": 1000, "b": 2000}, {"a": 800, "b": 1600}, 0.20)
    assert capex == pytest.approx(27_500)
    split = costs.capex_by_gpu({"a": 10, "b": 5}, {"a": 1000, "b": 2000}, {"a": 800, "b": 1600}, 0.20)
    assert split["a"] == pytest.approx((10_000 + 1_000) / 0.8) and split["b"] == pytest.approx((10_000 + 1_000) / 0.8)


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


def test_opex_components() -> None:
    parts = costs.opex_usd_per_year(
        {"a": 10, "b": 5}, GPUS, 40_000, load_factor=0.75, pue=1.2, usd_per_kwh=0.1, hosting_usd_per_gpu_year=100,
        maintenance_share_per_year=0.05, staff_headcount=2, staff_loaded_cost_usd=1000,
    )
    # Hosting per kW: A (400 W × 2.0 = 0.8 kW) sets the $100 rate; B (700 W × 1.5 = 1.05 kW) pays 1.05/0.8 of it.
    assert parts["hosting"] == pytest.approx(10 * 100 + 5 * 100 * 1.05 / 0.8)
    assert parts["maintenance"] == 2000 and parts["staff"] == 2000


def test_owned_gpu_hour_hand_computed() -> None:
    # $30,000 GPU + $8,000/8 of server = $31,000, no network; at 0% over 3 years = $10,333/yr; 1 kW GPU × 1.5 server
    # factor × 1 × 1 × 8760 × $0.10 = $1,314; hosting $124; maintenance 0 → a year over 8760 × 0.5 useful hours.
    gpu = Gpu("x", "X", 1, 1, 1, 1, 1, 1000, 1.5)
    owned = costs.owned_gpu_hour_usd(gpu, 30_000, non_gpu_per_server=8_000, interconnect_share=0.0, depreciation_years=3,
                                     cost_of_capital=0.0, utilisation=0.5, load_factor=1.0, pue=1.0, usd_per_kwh=0.1,
                                     hosting_usd_per_gpu_year=124, maintenance_share_per_year=0.0)
    assert owned == pytest.approx((31_000 / 3 + 1314 + 124) / 4380)
    # A cost of capital raises the capital charge from 1/3 to the annuity factor.
    dearer = costs.owned_gpu_hour_usd(gpu, 30_000, non_gpu_per_server=8_000, interconnect_share=0.0, depreciation_years=3,
                                      cost_of_capital=0.08, utilisation=0.5, load_factor=1.0, pue=1.0, usd_per_kwh=0.1,
                                      hosting_usd_per_gpu_year=124, maintenance_share_per_year=0.0)
    assert dearer == pytest.approx((31_000 * 0.08 / (1 - 1.08 ** -3) + 1314 + 124) / 4380)


def test_capex_back_solve_round_trip() -> None:
    counts = {"a": 10_000, "b": 40_000}
    target = 1.6e9
    non_gpu = {"a": 100_000, "b": 100_000}
    price = costs.implied_gpu_price(target, sum(counts.values()), 100_000 / 8, 0.19)
    assert costs.capex_usd(counts, {"a": price, "b": price}, non_gpu, 0.19) == pytest.approx(target)
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
    # By hand: Hopper GPUs at list price plus $87,600 per 8-GPU server, then 19% network.
    hopper_servers = 10_000 * 33_800 + 10_000 * 31_250 + 30_000 * 12_000 + 50_000 / 8 * 87_600
    assert hoppers["fleet_capex_usd"] == pytest.approx(hopper_servers / 0.81)
    a100_servers = 10_000 * 13_750 + 10_000 / 8 * 10_000
    assert all_gpus["fleet_capex_usd"] == pytest.approx((hopper_servers + a100_servers) / 0.81)


def test_run_share_is_compute_weighted() -> None:
    """2.788M H800-hours over a year of 60,000 GPUs counted as H800-equivalents by BF16 throughput."""
    r = reconcile.evaluate(defaults(), inputs.gpu_catalogue(), data.run_gpu_hours("DeepSeek-R1"))
    h800_equivalents = 10_000 * 312 / 989 + 10_000 + 10_000 + 30_000 * 148 / 989
    assert r["v3_run_share_of_fleet_year"] == pytest.approx(2_788_000 / (h800_equivalents * 8760))
    assert r["v3_run_share_of_fleet_year_by_count"] == pytest.approx(2_788_000 / (60_000 * 8760))
    assert 0.011 < r["v3_run_share_of_fleet_year"] < 0.012  # the issue's ~1.15%


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
