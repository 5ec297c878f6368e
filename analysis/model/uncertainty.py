"""Monte Carlo and one-at-a-time sensitivity over the whole cost model.

Distributions come from data/uncertainty.csv. Sampling is vectorised with a seeded
numpy Generator and fed to reconcile.evaluate as arrays: no Python loop per sample.
When a parameter is set away from its registry default (scenario or -p), its
distribution is rescaled multiplicatively so that it centres on the chosen value.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.model.fleet import Gpu
from analysis.model.reconcile import evaluate

DISTRIBUTIONS = ("triangular", "uniform", "lognormal")
Z90 = 1.6448536269514722  # the 95th percentile of a standard normal
HEADLINES = (
    "fleet_capex_usd", "fleet_opex_usd", "fleet_power_mw", "owned_gpu_hour_usd", "owned_gpu_useful_hour_usd", "v3_run_share_of_fleet_year",
    "total_development_cost_usd", "cumulative_spend_usd",
)


@dataclass(frozen=True)
class Distribution:
    parameter: str
    kind: str
    low: float
    mode: float | None
    high: float
    label: str = ""
    bounds: tuple[float, float] = (-np.inf, np.inf)  # the parameter's own bounds: samples beyond them are clipped to them

    def scaled(self, factor: float, lo: float = -np.inf, hi: float = np.inf) -> Distribution:
        """The same shape, rescaled by `factor` and clipped to the parameter's bounds [lo, hi]."""

        def s(x: float) -> float:
            return float(np.clip(x * factor, lo, hi))

        return Distribution(self.parameter, self.kind, s(self.low), None if self.mode is None else s(self.mode), s(self.high), self.label,
                            self.bounds)

    def from_normal(self, z: np.ndarray) -> np.ndarray:
        """Samples from standard-normal scores z (inverse-CDF transform), so inputs can be correlated."""
        if self.low == self.high:  # no spread left (an input set to 0 scales its range to nothing): that one value
            return np.full(np.shape(z), self.low)
        if self.kind == "lognormal":
            mu, sigma = lognormal_from_interval(self.low, self.high)
            return np.clip(np.exp(mu + sigma * z), *self.bounds)  # a log-normal's tail may pass a bound (a multiple below 1)
        return self.ppf(normal_cdf(z))

    def ppf(self, u: np.ndarray | float) -> np.ndarray:
        """Inverse CDF at probabilities u."""
        u = np.asarray(u, dtype=float)
        if self.low == self.high:
            return np.full(u.shape, self.low)
        if self.kind == "uniform":
            return self.low + u * (self.high - self.low)
        if self.kind == "lognormal":
            mu, sigma = lognormal_from_interval(self.low, self.high)
            return np.exp(mu + sigma * normal_ppf(u))
        a, c, b = self.low, float(self.mode), self.high  # type: ignore[arg-type]
        split = (c - a) / (b - a)
        left = a + np.sqrt(u * (b - a) * (c - a))
        right = b - np.sqrt((1 - u) * (b - a) * (b - c))
        return np.where(u < split, left, right)

    def median(self) -> float:
        return float(self.ppf(0.5))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.from_normal(rng.standard_normal(n))


def normal_cdf(z: np.ndarray) -> np.ndarray:
    """Standard normal CDF, vectorised (Abramowitz & Stegun 7.1.26 for erf; |error| < 1.5e-7)."""
    x = np.abs(np.asarray(z, dtype=float)) / np.sqrt(2.0)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    erf = 1.0 - poly * np.exp(-x * x)
    return 0.5 * (1.0 + np.sign(z) * erf)


_A = (-3.969683028665376e01, 2.209460984245205e02, -2.759285104469687e02, 1.383577518672690e02, -3.066479806614716e01, 2.506628277459239e00)
_B = (-5.447609879822406e01, 1.615858368580409e02, -1.556989798598866e02, 6.680131188771972e01, -1.328068155288572e01)
_C = (-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e00, -2.549732539343734e00, 4.374664141464968e00, 2.938163982698783e00)
_D = (7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e00, 3.754408661907416e00)


def normal_ppf(u: np.ndarray | float) -> np.ndarray:
    """Standard normal quantile (Acklam's rational approximation; relative error < 1.2e-9)."""
    u = np.clip(np.asarray(u, dtype=float), 1e-300, 1 - 1e-16)
    q = np.where(u < 0.5, u, 1 - u)  # the lower tail by symmetry
    low = q < 0.02425
    r = np.sqrt(-2 * np.log(np.where(low, q, 0.5)))
    tail = (((((_C[0] * r + _C[1]) * r + _C[2]) * r + _C[3]) * r + _C[4]) * r + _C[5]) / ((((_D[0] * r + _D[1]) * r + _D[2]) * r + _D[3]) * r + 1)
    s = q - 0.5
    w = s * s
    centre = (((((_A[0] * w + _A[1]) * w + _A[2]) * w + _A[3]) * w + _A[4]) * w + _A[5]) * s / (
        ((((_B[0] * w + _B[1]) * w + _B[2]) * w + _B[3]) * w + _B[4]) * w + 1)
    z = np.where(low, tail, centre)  # quantile of q (≤ 0.5), so z ≤ 0
    return np.where(u < 0.5, z, -z)


@dataclass(frozen=True)
class Correlation:
    """A rank-style dependence between two uncertain inputs (Gaussian copula correlation rho)."""

    a: str
    b: str
    rho: float


def cholesky_factor(names: list[str], correlations: tuple[Correlation, ...] | list[Correlation]) -> np.ndarray:
    """Lower-triangular L with L·Lᵀ = the inputs' correlation matrix; InputError if it is not one."""
    return _cholesky_factor(tuple(names), tuple(correlations)).copy()


@lru_cache(maxsize=32)
def _cholesky_factor(names: tuple[str, ...], correlations: tuple[Correlation, ...]) -> np.ndarray:
    # Factored once per set of inputs: the dependency pass samples the same inputs once per parameter it moves.
    index = {n: i for i, n in enumerate(names)}
    matrix = np.eye(len(names))
    for c in correlations:
        for name in (c.a, c.b):
            if name not in index:
                raise InputError(f"data/correlations.csv: {name!r} has no distribution in data/uncertainty.csv")
        if not -1 < c.rho < 1 or c.a == c.b:
            raise InputError(f"data/correlations.csv: {c.a}-{c.b}: rho must lie strictly between -1 and 1, between two inputs")
        matrix[index[c.a], index[c.b]] = matrix[index[c.b], index[c.a]] = c.rho
    try:
        return np.linalg.cholesky(matrix)
    except np.linalg.LinAlgError:
        raise InputError("data/correlations.csv: these correlations are not jointly possible (matrix not positive definite)") from None


def lognormal_from_interval(p5: float, p95: float) -> tuple[float, float]:
    """μ and σ of a log-normal whose 5th and 95th percentiles are p5 and p95."""
    return (np.log(p5) + np.log(p95)) / 2, (np.log(p95) - np.log(p5)) / (2 * Z90)


def distributions(table: pd.DataFrame, known: Collection[str]) -> list[Distribution]:
    """Validate uncertainty.csv rows; errors name file:line:column."""
    out = []
    for line, row in enumerate(table.itertuples(index=False), start=2):
        where = f"data/uncertainty.csv:{line}"
        if row.parameter not in known:
            raise InputError(f"{where}:parameter: unknown parameter {row.parameter!r}")
        if row.distribution not in DISTRIBUTIONS:
            raise InputError(f"{where}:distribution: unknown distribution {row.distribution!r}; expected one of {', '.join(DISTRIBUTIONS)}")
        mode = None if pd.isna(row.mode) else float(row.mode)
        if row.low > row.high:
            raise InputError(f"{where}:low: low ({row.low:g}) is greater than high ({row.high:g})")
        if row.distribution == "triangular" and (mode is None or not row.low <= mode <= row.high):
            raise InputError(f"{where}:mode: a triangular distribution needs low <= mode <= high")
        if row.distribution == "lognormal" and row.low <= 0:
            raise InputError(f"{where}:low: a log-normal needs a positive low (5th percentile)")
        out.append(Distribution(row.parameter, row.distribution, float(row.low), mode, float(row.high), str(getattr(row, "label", "") or "")))
    return out


def centred(
    dists: list[Distribution], values: Mapping[str, float], defaults: Mapping[str, float],
    bounds: Mapping[str, tuple[float, float]],
) -> list[Distribution]:
    """Rescale each distribution so that it follows a parameter moved away from its default."""
    out = []
    for d in dists:
        default, value = float(defaults[d.parameter]), float(values[d.parameter])
        out.append(d if value == default or default == 0 else d.scaled(value / default, *bounds[d.parameter]))
    return out


def sample(
    dists: list[Distribution], n: int, seed: int | np.random.Generator, correlations: tuple[Correlation, ...] | list[Correlation] = (),
) -> dict[str, np.ndarray]:
    """n joint samples: correlated standard normals (Gaussian copula), each mapped through its input's inverse CDF."""
    if n < 1:
        raise InputError(f"parameter mc_samples: expected at least 1 sample, got {n}")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    names = [d.parameter for d in dists]
    z = rng.standard_normal((n, len(dists)))
    if correlations:
        z = z @ cholesky_factor(names, correlations).T
    return {d.parameter: d.from_normal(z[:, i]) for i, d in enumerate(dists)}


CHUNK = 65_536  # samples per vectorised pass: large enough to amortise Python, small enough for cache


def monte_carlo(
    values: Mapping[str, float], dists: list[Distribution], gpus: Mapping[str, Gpu], r1_gpu_hours: float, n: int, seed: int,
    keys: tuple[str, ...] | None = None, chunk: int = CHUNK, correlations: tuple[Correlation, ...] | list[Correlation] = (),
) -> dict[str, np.ndarray]:
    """Outputs of the cost model (all, or `keys`) for n joint samples of the uncertain inputs.

    Evaluated in chunks: each chunk is one vectorised call; the loop is over chunks, never samples.
    One seeded generator draws the chunks in order, so a seed always gives the same samples.
    """
    if n < 1:
        raise InputError(f"parameter mc_samples: expected at least 1 sample, got {n}")
    rng = np.random.default_rng(seed)
    parts: list[dict[str, np.ndarray]] = []
    for start in range(0, n, chunk):
        size = min(chunk, n - start)
        draws = sample(dists, size, rng, correlations)
        out = evaluate({**values, **draws}, gpus, r1_gpu_hours)
        wanted = keys or tuple(out)
        parts.append({k: np.broadcast_to(np.asarray(out[k], dtype=float), (size,)) for k in wanted})
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def percentiles(outputs: Mapping[str, np.ndarray], keys: tuple[str, ...] = HEADLINES) -> dict[str, dict[str, float]]:
    quantiles = (10, 50, 90)
    return {k: {f"p{q}": float(v) for q, v in zip(quantiles, np.percentile(outputs[k], quantiles), strict=True)} for k in keys}


def one_at_a_time(
    values: Mapping[str, float], dists: list[Distribution], gpus: Mapping[str, Gpu], r1_gpu_hours: float,
    low_q: float = 0.10, high_q: float = 0.90,
) -> dict[str, tuple[dict[str, float], dict[str, float]]]:
    """Every model output with one input at its low_q and then its high_q quantile, the others at `values`.

    One vectorised call: row 2i moves input i to its low, row 2i + 1 to its high."""
    names = [d.parameter for d in dists]
    batch = {k: np.full(2 * len(names), float(v)) for k, v in values.items() if not isinstance(v, str)}
    for i, d in enumerate(dists):
        batch[d.parameter][2 * i] = float(d.ppf(low_q))
        batch[d.parameter][2 * i + 1] = float(d.ppf(high_q))
    out = {k: np.broadcast_to(np.asarray(v, dtype=float), (2 * len(names),)) for k, v in evaluate({**values, **batch}, gpus, r1_gpu_hours).items()}
    return {
        name: ({k: float(v[2 * i]) for k, v in out.items()} | {name: float(batch[name][2 * i])},
               {k: float(v[2 * i + 1]) for k, v in out.items()} | {name: float(batch[name][2 * i + 1])})
        for i, name in enumerate(names)
    }


def tornado(
    values: Mapping[str, float], dists: list[Distribution], gpus: Mapping[str, Gpu], r1_gpu_hours: float, output: str,
    low_q: float = 0.10, high_q: float = 0.90, swings: Mapping[str, tuple[Mapping[str, float], Mapping[str, float]]] | None = None,
) -> pd.DataFrame:
    """One-at-a-time swings on one basis: each input at its own P10 and P90, the others at their
    values (the medians, when the defaults are the centres of their distributions); ranked.
    `swings`: one_at_a_time()'s result, when several outputs are ranked from the same moves."""
    base = float(evaluate(values, gpus, r1_gpu_hours)[output])
    swings = swings if swings is not None else one_at_a_time(values, dists, gpus, r1_gpu_hours, low_q, high_q)
    frame = pd.DataFrame({
        "parameter": [d.parameter for d in dists], "label": [d.label or d.parameter for d in dists],
        "low": [swings[d.parameter][0][d.parameter] for d in dists], "high": [swings[d.parameter][1][d.parameter] for d in dists],
        "output_at_low": [swings[d.parameter][0][output] for d in dists], "output_at_high": [swings[d.parameter][1][output] for d in dists],
    })
    frame["swing"] = (frame["output_at_high"] - frame["output_at_low"]).abs()
    frame["base"] = base
    return frame.sort_values("swing", ascending=False).reset_index(drop=True)


def position(value: float, interval: Mapping[str, float]) -> str:
    """Where a published figure falls against a P10–P90 interval, in words."""
    if value < interval["p10"]:
        return "below"
    if value > interval["p90"]:
        return "above"
    return "inside"
