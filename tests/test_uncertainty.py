"""Monte Carlo and sensitivity: reproducible, vectorised, validated inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.chapters import inputs
from analysis.errors import InputError
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.model import reconcile
from analysis.model import uncertainty as unc

REG = registry()
VALUES = {k: p.default for k, p in REG.items()}
GPUS = inputs.gpu_catalogue()
R1 = data.run_gpu_hours("DeepSeek-R1")


def dists() -> list[unc.Distribution]:
    return inputs.distributions(REG)


def test_same_seed_same_results_different_seed_different() -> None:
    a = unc.monte_carlo(VALUES, dists(), GPUS, R1, 2000, seed=7)
    b = unc.monte_carlo(VALUES, dists(), GPUS, R1, 2000, seed=7)
    c = unc.monte_carlo(VALUES, dists(), GPUS, R1, 2000, seed=8)
    assert np.array_equal(a["fleet_capex_usd"], b["fleet_capex_usd"])
    assert not np.array_equal(a["fleet_capex_usd"], c["fleet_capex_usd"])


def test_monte_carlo_equals_the_scalar_model_sample_by_sample() -> None:
    draws = unc.sample(dists(), 5, seed=3)
    vector = reconcile.evaluate({**VALUES, **draws}, GPUS, R1)
    for i in range(5):
        scalar = reconcile.evaluate({**VALUES, **{k: float(v[i]) for k, v in draws.items()}}, GPUS, R1)
        for key in unc.HEADLINES:
            assert vector[key][i] == pytest.approx(scalar[key])


def test_percentiles_are_ordered_and_bracket_the_default() -> None:
    out = unc.percentiles(unc.monte_carlo(VALUES, dists(), GPUS, R1, 20000, seed=1))
    base = reconcile.evaluate(VALUES, GPUS, R1)
    for key in unc.HEADLINES:
        assert out[key]["p10"] < out[key]["p50"] < out[key]["p90"]
        assert out[key]["p10"] < base[key] < out[key]["p90"], key


def test_lognormal_interval() -> None:
    mu, sigma = unc.lognormal_from_interval(2.0, 8.0)
    draws = np.random.default_rng(0).lognormal(mu, sigma, 400_000)
    assert np.percentile(draws, 5) == pytest.approx(2.0, rel=0.02)
    assert np.percentile(draws, 95) == pytest.approx(8.0, rel=0.02)


def test_tornado_swings_match_one_at_a_time_runs() -> None:
    frame = unc.tornado(VALUES, dists(), GPUS, R1, "total_development_cost_usd")
    top = frame.iloc[0]
    at_high = reconcile.evaluate({**VALUES, top["parameter"]: top["high"]}, GPUS, R1)["total_development_cost_usd"]
    assert top["output_at_high"] == pytest.approx(at_high)
    assert list(frame["swing"]) == sorted(frame["swing"], reverse=True)


def test_distribution_follows_a_moved_parameter() -> None:
    moved = inputs.distributions(REG, {**VALUES, "fleet_h20": 15000.0})
    h20 = next(d for d in moved if d.parameter == "fleet_h20")
    assert h20.mode == 15000.0


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ({"distribution": "gamma"}, r"uncertainty.csv:2:distribution: unknown distribution 'gamma'"),
        ({"low": 5.0, "high": 1.0}, r"uncertainty.csv:2:low: low \(5\) is greater than high \(1\)"),
        ({"mode": 9.0}, r"uncertainty.csv:2:mode: a triangular distribution needs low <= mode <= high"),
        ({"parameter": "nope"}, r"uncertainty.csv:2:parameter: unknown parameter 'nope'"),
        ({"distribution": "lognormal", "low": 0.0}, r"needs a positive low"),
    ],
)
def test_bad_distributions(row: dict, message: str) -> None:
    base = {"parameter": "gpu_hour_usd", "distribution": "triangular", "low": 1.0, "mode": 2.0, "high": 3.0,
            "rationale": "r", "source_id": "v3_report"}
    with pytest.raises(InputError, match=message):
        unc.distributions(pd.DataFrame([{**base, **row}]), set(REG))


def test_negative_or_zero_samples() -> None:
    with pytest.raises(InputError, match="mc_samples"):
        unc.sample(dists(), 0, seed=1)
