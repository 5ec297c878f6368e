"""Training compute: FLOPs, GPU-hours, utilisation (MFU), wall-clock time and cost.

Units: FLOP (not FLOP/s) for work, FLOP/s for rates, hours for GPU time, USD for money.
Formulas: C ≈ 6·N·D (Kaplan et al. 2020), N = parameters activated per token for
an MoE; attention adds 6·L·H·(d_qk + d_v)·T per token, which is PaLM's 12·L·H·Q·T
when d_qk = d_v = Q (PaLM, arXiv 2204.02311, appendix B). PaLM counts every query-key
pair ("full"); a causal mask skips half of them, and kernels that exploit it do half
the work ("causal"). DeepSeek reports V3's utilisation both ways (ISCA 2025, Table 4).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.errors import InputError

SECONDS_PER_HOUR = 3600.0
HOURS_PER_DAY = 24.0
TRILLION = 1e12


def training_flops_6nd(active_params: float, tokens: float) -> float:
    """Training FLOP by the 6·N·D rule: 2 forward + 4 backward per parameter per token."""
    return 6.0 * active_params * tokens


def attention_training_flops_per_token(
    layers: int, heads: int, qk_head_dim: int, v_head_dim: int, seq_len: float, *, causal: bool = False
) -> float:
    """Score (QKᵀ) and context (AV) matmuls, forward + backward, per token.

    Forward: 2·H·d_qk·T for scores plus 2·H·d_v·T for context, per layer; training is
    3× forward. By default every query-key pair counts (PaLM's MFU convention, "full");
    with `causal` only the half a causal mask keeps (a token sees T/2 tokens on average).
    """
    full = 3.0 * 2.0 * layers * heads * (qk_head_dim + v_head_dim) * seq_len
    return full / 2.0 if causal else full


def training_flops_per_token(matmul_params: float, attention_flops_per_token: float) -> float:
    """Training FLOP per token: 6 per multiplied weight (2 forward, 4 backward) plus attention."""
    return 6.0 * matmul_params + attention_flops_per_token


def refined_training_flops(
    active_params: float, tokens: float, attention_flops_per_token: float, mtp_active_params: float = 0.0
) -> float:
    """6·N·D plus the attention term plus the MTP module's own matmuls."""
    return tokens * (6.0 * (active_params + mtp_active_params) + attention_flops_per_token)


def achieved_flops_per_gpu(flops: float, gpu_hours: float) -> float:
    """Average model FLOP/s each GPU delivered over the run."""
    return flops / (gpu_hours * SECONDS_PER_HOUR)


def implied_mfu(flops: float, gpu_hours: float, peak_flops_per_gpu: float) -> float:
    """Model FLOPs utilisation: achieved model FLOP/s ÷ peak FLOP/s (PaLM §4.1)."""
    return achieved_flops_per_gpu(flops, gpu_hours) / peak_flops_per_gpu


def tokens_per_day(tokens_per_step: float, step_seconds: float) -> float:
    """Tokens a run processes per day at a given step time (whole cluster)."""
    return tokens_per_step / step_seconds * SECONDS_PER_HOUR * HOURS_PER_DAY


def tokens_per_gpu_second(tokens_per_step: float, step_seconds: float, gpus: float) -> float:
    return tokens_per_step / step_seconds / gpus


def tokens_per_day_from_gpu_hours(tokens: float, gpu_hours: float, gpus: float) -> float:
    """Average tokens per day of a run of `gpu_hours` on `gpus` GPUs."""
    return tokens / wall_clock_days(gpu_hours, gpus)


def model_flops_per_gpu(flops_per_token: float, tokens_per_gpu_second: float) -> float:
    """Model FLOP/s each GPU delivers at a measured throughput."""
    return flops_per_token * tokens_per_gpu_second


def gpu_hours_needed(flops: float, peak_flops_per_gpu: float, mfu: float) -> float:
    """GPU-hours a run of `flops` takes at utilisation `mfu` (inverse of implied_mfu)."""
    return flops / (peak_flops_per_gpu * mfu * SECONDS_PER_HOUR)


def wall_clock_days(gpu_hours: float, gpus: float) -> float:
    return gpu_hours / gpus / HOURS_PER_DAY


def gpu_hours_per_trillion_tokens(gpu_hours: float, tokens: float) -> float:
    return gpu_hours / (tokens / TRILLION)


def cost_usd(gpu_hours: float | np.ndarray, usd_per_gpu_hour: float | np.ndarray) -> float | np.ndarray:
    return gpu_hours * usd_per_gpu_hour


def cost_per_1e24_flop(cost: float, flops: float) -> float:
    return cost / (flops / 1e24)


def mfu_band(published: pd.DataFrame, exclude: Iterable[str] = ()) -> tuple[float, float]:
    """The range of MFU that published runs reached: (lowest `mfu_low`, highest `mfu_high`).

    `published` has the columns of data/published_mfu.csv; rows whose `model` is in
    `exclude` (estimates by third parties, the run under test) do not count.
    """
    runs = published[~published["model"].isin(set(exclude))]
    if runs.empty:
        raise ValueError("no published run left to derive an MFU band from")
    return float(runs["mfu_low"].min()), float(runs["mfu_high"].max())


def rebase_mfu(mfu: float, from_peak: float, to_peak: float) -> float:
    """The same achieved FLOP/s as a fraction of another peak (a higher peak, a lower MFU)."""
    return mfu * from_peak / to_peak


@dataclass(frozen=True)
class Verdict:
    label: str  # plausible | implausibly high | lower than published runs
    reason: str


def mfu_verdict(mfu: float, plausible_min: float, plausible_max: float) -> Verdict:
    """Could the GPU-hours deliver the FLOP? An MFU above `plausible_max` (the best
    published runs) means too few GPU-hours; below `plausible_min` the hours are more
    than published runs would need (generous, not impossible)."""
    if plausible_min > plausible_max:
        raise InputError(f"mfu_plausible_min ({plausible_min:g}) is above mfu_plausible_max ({plausible_max:g}): the floor of a "
                         "band cannot exceed its ceiling")
    if mfu > plausible_max:
        return Verdict("implausibly high", f"{mfu:.1%} is above the {plausible_max:.1%} ceiling")
    if mfu < plausible_min:
        return Verdict("lower than published runs", f"{mfu:.1%} is below the {plausible_min:.1%} floor")
    return Verdict("plausible", f"{mfu:.1%} lies within {plausible_min:.1%}–{plausible_max:.1%}")


def research_floor_multiple(ablation_flops: float, final_run_flops: float, pretrain_gpu_hours: float,
                            final_run_gpu_hours: float) -> float:
    """Development compute over the final run counting only published ablations: 1 + their GPU-hours over the run's,
    the ablations run at the final run's own FLOP per GPU-hour (small models run less efficiently: a floor)."""
    return 1.0 + ablation_flops * (pretrain_gpu_hours / final_run_flops) / final_run_gpu_hours
