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
    "a": Gpu("a", "A", 100, 0, 80, 2, 600, 400),
    "b": Gpu("b", "B", 1000, 2000, 80, 3, 900, 700),
}


def test_capex_hand_computed() -> None:
    # 10 × $1,000 + 5 × $2,000 = $20,000 of GPUs; × 1.5 servers = $30,000; network 25% of total → $40,000.
    capex = costs.capex_usd({"a": 10, "b": 5}, {"a": 1000, "b": 2000}, 1.5, 0.25)
    assert capex == pytest.approx(40_000)


def test_power_hand_computed() -> None:
    # 10 × 400 W + 5 × 700 W = 7.5 kW; × 0.75 × 1.2 × 8760 h × $0.10 = $5,913.
    cost = costs.power_usd_per_year({"a": 10, "b": 5}, GPUS, 0.75, 1.2, 0.10)
    assert cost == pytest.approx(7.5 * 0.75 * 1.2 * 8760 * 0.10)


def test_opex_components() -> None:
    parts = costs.opex_usd_per_year(
        {"a": 10, "b": 5}, GPUS, 40_000, load_factor=0.75, pue=1.2, usd_per_kwh=0.1, hosting_usd_per_gpu_year=100,
        maintenance_share_per_year=0.05, staff_headcount=2, staff_loaded_cost_usd=1000,
    )
    assert parts["hosting"] == 1500 and parts["maintenance"] == 2000 and parts["staff"] == 2000


def test_owned_gpu_hour_hand_computed() -> None:
    # $30,000 GPU × 1.0 / (1 − 0) = $30,000 over 3 years = $10,000/yr; 1 kW × 1 × 1 × 8760 × $0.10 = $876;
    # hosting $124; maintenance 0 → $11,000 a year over 8760 × 0.5 useful hours.
    gpu = Gpu("x", "X", 1, 1, 1, 1, 1, 1000)
    owned = costs.owned_gpu_hour_usd(gpu, 30_000, server_overhead=1.0, interconnect_share=0.0, depreciation_years=3,
                                     utilisation=0.5, load_factor=1.0, pue=1.0, usd_per_kwh=0.1,
                                     hosting_usd_per_gpu_year=124, maintenance_share_per_year=0.0)
    assert owned == pytest.approx(11_000 / 4380)


def test_capex_back_solve_round_trip() -> None:
    counts = {"a": 10_000, "b": 40_000}
    target = 1.6e9
    price = costs.implied_gpu_price(target, sum(counts.values()), 1.08, 0.19)
    assert costs.capex_usd(counts, {"a": price, "b": price}, 1.08, 0.19) == pytest.approx(target)
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
    """The book's default inputs against the estimate (SemiAnalysis) and its critique (Luk)."""
    gpus, r1 = inputs.gpu_catalogue(), data.run_gpu_hours("DeepSeek-R1")
    readings = data.load_indexed("fleets.csv")
    base = defaults()
    as_reported = reconcile.evaluate({**base, **{f"fleet_{g}": readings.loc["as_reported", g] for g in fleet.GPU_KEYS}}, gpus, r1)
    critical = reconcile.evaluate({**base, **{f"fleet_{g}": readings.loc["critical", g] for g in fleet.GPU_KEYS}}, gpus, r1)
    assert as_reported["fleet_hopper_gpus"] == 50_000 and as_reported["fleet_gpus"] == 60_000
    assert critical["fleet_gpus"] == 50_000
    # Within 10% of $1.6B (the estimate) and $1.3B (the critique's column sum).
    assert as_reported["fleet_capex_usd"] == pytest.approx(data.published("semianalysis_capex_usd"), rel=0.1)
    assert critical["fleet_capex_usd"] == pytest.approx(data.published("luk_capex_column_sum_usd"), rel=0.1)


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
