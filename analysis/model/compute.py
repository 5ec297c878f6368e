"""Training compute: FLOPs, GPU-hours, utilisation (MFU), wall-clock time and cost.

Units: FLOP (not FLOP/s) for work, FLOP/s for rates, hours for GPU time, USD for money.
Formulas: C ≈ 6·N·D (Kaplan et al. 2020), N = parameters activated per token for
an MoE; attention adds 6·L·H·(d_qk + d_v)·T per token, which is PaLM's 12·L·H·Q·T
when d_qk = d_v = Q (PaLM, arXiv 2204.02311, appendix B).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

SECONDS_PER_HOUR = 3600.0
HOURS_PER_DAY = 24.0
TRILLION = 1e12


def training_flops_6nd(active_params: float, tokens: float) -> float:
    """Training FLOP by the 6·N·D rule: 2 forward + 4 backward per parameter per token."""
    return 6.0 * active_params * tokens


def attention_training_flops_per_token(layers: int, heads: int, qk_head_dim: int, v_head_dim: int, seq_len: float) -> float:
    """Score (QKᵀ) and context (AV) matmuls, forward + backward, per token.

    Forward: 2·H·d_qk·T for scores plus 2·H·d_v·T for context, per layer (no causal
    halving, as in PaLM's MFU convention); training is 3× forward.
    """
    return 3.0 * 2.0 * layers * heads * (qk_head_dim + v_head_dim) * seq_len


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


@dataclass(frozen=True)
class Verdict:
    label: str  # plausible | implausibly high | implausibly low
    reason: str


def mfu_verdict(mfu: float, plausible_min: float, plausible_max: float) -> Verdict:
    """Is an implied MFU physically believable? Thresholds are parameters."""
    if plausible_min > plausible_max:
        raise ValueError("mfu_plausible_min must not exceed mfu_plausible_max")
    if mfu > plausible_max:
        return Verdict("implausibly high", f"{mfu:.0%} is above the {plausible_max:.0%} ceiling")
    if mfu < plausible_min:
        return Verdict("implausibly low", f"{mfu:.0%} is below the {plausible_min:.0%} floor")
    return Verdict("plausible", f"{mfu:.0%} lies within {plausible_min:.0%}–{plausible_max:.0%}")
