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
    """Moved from its default (the median), an input's range is rescaled to centre on the new value."""
    moved = inputs.distributions(REG, {**VALUES, "fleet_h20": 15000.0})
    h20 = next(d for d in moved if d.parameter == "fleet_h20")
    assert h20.median() == pytest.approx(15000.0, rel=1e-3)
    assert h20.mode == pytest.approx(15_000)  # the H20 range is symmetric about the estimate: its mode is its median


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
    base = {"parameter": "gpu_hour_usd", "label": "GPU-hour price", "distribution": "triangular", "low": 1.0, "mode": 2.0, "high": 3.0,
            "rationale": "r", "source_id": "v3_report"}
    with pytest.raises(InputError, match=message):
        unc.distributions(pd.DataFrame([{**base, **row}]), set(REG))


def test_negative_or_zero_samples() -> None:
    with pytest.raises(InputError, match="mc_samples"):
        unc.sample(dists(), 0, seed=1)


def test_every_default_is_the_median_of_its_distribution() -> None:
    """Headlines at the centre of their own ranges: each uncertain default is its distribution's median."""
    for d in dists():
        assert d.median() == pytest.approx(float(REG[d.parameter].default), rel=0.01), (d.parameter, d.median())


@pytest.mark.parametrize(
    ("dist", "u", "expected"),
    [
        # Triangular(0, 1, 4): F(1) = 1/4; below it x = sqrt(u · 4 · 1), above it x = 4 − sqrt((1 − u) · 4 · 3).
        (unc.Distribution("x", "triangular", 0.0, 1.0, 4.0), 0.16, 0.8),
        (unc.Distribution("x", "triangular", 0.0, 1.0, 4.0), 0.25, 1.0),
        (unc.Distribution("x", "triangular", 0.0, 1.0, 4.0), 0.5, 4 - np.sqrt(6.0)),
        (unc.Distribution("x", "uniform", 2.0, None, 6.0), 0.25, 3.0),
        # Log-normal with P5 = 2 and P95 = 8: its median is sqrt(2 × 8) = 4.
        (unc.Distribution("x", "lognormal", 2.0, None, 8.0), 0.5, 4.0),
        (unc.Distribution("x", "lognormal", 2.0, None, 8.0), 0.95, 8.0),
    ],
)
def test_inverse_cdf_hand_computed(dist: unc.Distribution, u: float, expected: float) -> None:
    assert float(dist.ppf(u)) == pytest.approx(expected, rel=1e-5)


def test_normal_cdf_against_known_values() -> None:
    # Φ(0) = 0.5, Φ(1.6448536) = 0.95, Φ(−1.2815516) = 0.10 (standard normal tables).
    z = np.array([0.0, 1.6448536, -1.2815516])
    assert unc.normal_cdf(z) == pytest.approx([0.5, 0.95, 0.10], abs=2e-7)


def test_correlated_sampling_gives_the_asked_correlation() -> None:
    pair = [unc.Distribution("a", "uniform", 0.0, None, 1.0), unc.Distribution("b", "triangular", 0.0, 0.5, 1.0)]
    draws = unc.sample(pair, 200_000, seed=5, correlations=[unc.Correlation("a", "b", 0.7)])
    ranks = [np.argsort(np.argsort(draws[k])) for k in ("a", "b")]
    spearman = np.corrcoef(*ranks)[0, 1]
    # Gaussian copula: Spearman's rho = (6/π)·asin(ρ/2) = 0.683 for ρ = 0.7.
    assert spearman == pytest.approx(6 / np.pi * np.arcsin(0.35), abs=0.01)
    alone = unc.sample(pair, 200_000, seed=5)
    assert abs(np.corrcoef(alone["a"], alone["b"])[0, 1]) < 0.01


def test_impossible_correlations_are_bad_input() -> None:
    names = ["a", "b", "c"]
    bad = [unc.Correlation("a", "b", 0.9), unc.Correlation("b", "c", 0.9), unc.Correlation("a", "c", -0.9)]
    with pytest.raises(InputError, match="not positive definite"):
        unc.cholesky_factor(names, bad)
    with pytest.raises(InputError, match="no distribution"):
        unc.cholesky_factor(names, [unc.Correlation("a", "zzz", 0.5)])


def test_tornado_swings_between_p10_and_p90() -> None:
    frame = unc.tornado(VALUES, dists(), GPUS, R1, "fleet_capex_usd").set_index("parameter")
    h20 = next(d for d in dists() if d.parameter == "fleet_h20")  # triangular(0, 30k, 60k): symmetric
    assert frame.loc["fleet_h20", "low"] == pytest.approx(np.sqrt(0.1 * 60_000 * 30_000))
    assert frame.loc["fleet_h20", "high"] == pytest.approx(60_000 - np.sqrt(0.1 * 60_000 * 30_000))
    assert frame.loc["fleet_h20", "label"] == h20.label == "H20 count"


def test_normal_ppf_inverts_the_cdf() -> None:
    # Tables: z(0.95) = 1.6448536, z(0.10) = −1.2815516, z(0.001) = −3.0902323.
    assert unc.normal_ppf(np.array([0.5, 0.95, 0.10, 0.001])) == pytest.approx([0.0, 1.6448536, -1.2815516, -3.0902323], abs=1e-6)
    u = np.linspace(0.01, 0.99, 99)
    assert unc.normal_cdf(unc.normal_ppf(u)) == pytest.approx(u, abs=1e-6)
