"""The claims ledger: each claim of the article against the book's reconstructions.

What each claim is compared with (and in which scope) is the book's reasoning, kept here in
one table; the verdicts are computed by analysis.model.ledger. Five kinds of check:
- "figure": a number compared with reconstructions, in order of scope;
- "assumed": the book's input *is* the claim (the fleet counts): nothing independent to compare;
- "description": a qualitative claim against a fact of the published config or paper
  (the fact's value is 1 when the description holds, 0 when it is contradicted);
- "evidence": a primary source bears the claim out for part of its scope;
- "unverifiable": nothing public to compare with.
A cross-check is a second, independent path to the same quantity, shown beside the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.model.ledger import (
    ASSUMED,
    CONSISTENT,
    INACCURATE,
    NARROWER,
    REPRODUCED,
    UNVERIFIABLE,
    Reconstruction,
    Verdict,
    judge,
    judge_samples,
    relative_gap,
)


@dataclass(frozen=True)
class Check:
    reconstructions: tuple[tuple[str, str, str], ...] = ()  # (value key, scope, breadth)
    at_least: bool = False
    kind: str = "figure"  # figure | assumed | description | evidence | unverifiable
    cross_check: tuple[str, str, str] | None = None  # (key of the claim's figure by an independent path, key compared, what)
    fact: str = ""  # description and evidence checks: the key of the deciding fact
    basis: str = ""  # what decides a claim that has no figure to compare, in words (formatted with the values)
    independent: bool = True  # False: the reconstruction rests on the claimant's own figures (a match is only reproduced)


CHECKS: dict[str, Check] = {
    "v3_cost_6m": Check(
        (("run_rental_usd", "final V3 run at the rental price (Table 1 GPU-hours × $/GPU-hour)", "same"),
         ("total_development_cost_usd", "V3's whole development", "broader")),
        cross_check=("run_rental_from_throughput_usd", "run_rental_usd",
                     "the run's cost from DeepSeek's ISCA-2025 throughput (tokens per day) instead of Table 1's GPU-hours"),
        independent=False),
    "six_m_pretraining_only": Check(kind="description", fact="table1_is_pretraining_only",
                                    basis="Table 1 prices {table1_stages:.0f} stages: pre-training, context extension and post-training"),
    "v3_gpus_2048": Check(
        (("gpus_from_throughput", "GPUs implied by Table 1's pre-training GPU-hours over the days that ISCA-2025's 272.8B tokens/day take",
          "same"),),
        cross_check=("pretrain_days_from_gpu_hours", "pretrain_days_from_throughput",
                     "days of pre-training: GPU-hours ÷ 2,048 GPUs against tokens ÷ tokens per day"),
        independent=False),
    "v3_experts_256": Check((("v3_routed_experts", "routed experts per MoE layer (config)", "same"),)),
    "v3_experts_active_8": Check((("v3_active_experts", "routed experts per token per MoE layer (config)", "same"),)),
    "mtp_description": Check(kind="description", fact="mtp_is_simultaneous",
                             basis="config: {v3_mtp_depth:.0f} MTP module, chained after the main model: one extra token per depth, in sequence"),
    "mla_description": Check(kind="description", fact="mla_keeps_full_keys",
                             basis="config: keys and values cached as one compressed {v3_kv_lora_rank:.0f}-wide latent "
                                   "(+{v3_qk_rope_head_dim:.0f} RoPE) per layer"),
    "fleet_hopper_50k": Check((("fleet_hopper_gpus", "Hopper GPUs in the book's fleet (its input is the estimate)", "same"),), kind="assumed"),
    "fleet_h800_10k": Check((("fleet_h800", "H800s in the book's fleet (its input is the estimate)", "same"),), kind="assumed"),
    "fleet_h100_10k": Check((("fleet_h100", "H100s in the book's fleet (its input is the estimate)", "same"),), kind="assumed"),
    "fleet_h20": Check(kind="assumed", basis="the book's H20 count is the estimate's remainder"),
    "capex_1_6b": Check((("fleet_capex_usd", "capex of the book's fleet at same-date 2025 list prices", "same"),
                         ("fleet_gpu_spend_usd", "GPUs alone, without servers and network", "narrower"))),
    "headline_1_6b_develop": Check((("total_development_cost_usd", "V3's development: run, research, R1 and staff", "same"),
                                    ("fleet_capex_usd", "the capex of the whole fleet (not a development cost)", "broader"))),
    "opex_944m": Check((("fleet_opex_ex_staff_usd", "the book's cost of running the clusters (power, hosting, upkeep) over 4 years", "same"),
                        ("fleet_opex_usd", "the same with the staff's pay", "broader")),
                       cross_check=("luk_opex_4y_usd", "claimed", "the 4-year reading from Luk's totals: $640M × 4 − $1.6B")),
    "gpu_spend_500m": Check((("fleet_gpu_spend_usd", "GPU purchases of the book's fleet (the estimate's counts at list prices)", "same"),),
                            at_least=True, independent=False),
    "owns_data_centres": Check((("fire_flyer_gpus", "Fire-Flyer 2, DeepSeek's own 10,000-A100 cluster (SC24 paper)", "narrower"),),
                               kind="evidence", fact="fire_flyer_gpus"),
    "self_funded": Check(kind="unverifiable", basis="no public accounts of DeepSeek or High-Flyer"),
    "researcher_pay_1_3m": Check(kind="unverifiable", basis="no public pay data"),
    "r1_cost_5m": Check((("r1_rental_usd", "R1's own training stages at the rental price", "same"),
                         ("r1_with_v3_rental_usd", "R1 plus the V3 run it starts from", "broader"))),
    "gpt4_cost_100m": Check((("gpt4_epoch_amortised_usd", "GPT-4's final run, amortised hardware and energy (Epoch AI)", "same"),
                             ("gpt4_epoch_cloud_usd", "GPT-4's final run at cloud prices, the provider's margin included (Epoch AI)", "broader")),
                            at_least=True),
    "inference_cost_87k": Check((("inference_cost_per_day_usd", "average nodes × 8 GPUs × 24 h × the GPU-hour price", "same"),),
                                cross_check=("inference_nodes_from_throughput", "inference_nodes_avg",
                                             "nodes: the day's tokens over per-node throughput, against the stated average"),
                                independent=False),
    "inference_margin_545": Check((("inference_cost_profit_margin", "(revenue at R1 prices − cost) ÷ cost, from the disclosed tokens", "same"),),
                                  cross_check=("inference_revenue_per_day_usd", "inference_revenue_published_usd",
                                               "revenue from the disclosed tokens at R1 prices, against DeepSeek's $562,027"),
                                  independent=False),
}


def _claimed(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def verdict_of(claim_id: str, claimed: float | None, values: Mapping[str, float], tolerance: float) -> Verdict:
    """One claim's verdict from the reconstructions in `values`."""
    check = CHECKS[claim_id]
    recs = [Reconstruction(float(values[key]), scope, breadth) for key, scope, breadth in check.reconstructions]
    if check.kind == "assumed":
        return Verdict(ASSUMED, None if claimed is None or not recs else relative_gap(claimed, recs[0].value), recs[0] if recs else None)  # type: ignore[arg-type]
    if check.kind == "unverifiable":
        return Verdict(UNVERIFIABLE, None, None)
    if check.kind == "description":
        holds = bool(values[check.fact])
        return Verdict(CONSISTENT if holds else INACCURATE, None, None)
    if check.kind == "evidence":
        return Verdict(NARROWER if values[check.fact] > 0 else UNVERIFIABLE, None, recs[0] if recs else None)
    verdict = judge(claimed, recs, tolerance, at_least=check.at_least)
    if not check.independent and verdict.verdict == CONSISTENT:
        return Verdict(REPRODUCED, verdict.gap, verdict.reconstruction)
    return verdict


def cross_check(claim_id: str, claimed: float | None, values: Mapping[str, float], tolerance: float) -> str:
    """The independent path, in words: 'agrees (0.1% apart)' or 'disagrees (30% apart)', or ''."""
    check = CHECKS[claim_id].cross_check
    if check is None:
        return ""
    key, against, what = check
    other = claimed if against == "claimed" else values[against]
    if other is None:
        return ""
    gap = relative_gap(float(values[key]), float(other))
    return f"{what}: {'agrees' if gap <= tolerance else 'disagrees'} ({gap:.1%} apart)"


class _Unknown:
    def __format__(self, _spec: str) -> str:
        return "?"


def _basis(text: str, values: Mapping[str, float]) -> str:
    """The basis text with the values it names filled in ('?' for one not given)."""

    class Lenient(dict):  # type: ignore[type-arg]
        def __missing__(self, _key: str) -> _Unknown:
            return _Unknown()

    return text.format_map(Lenient(values))


def assess(claims: pd.DataFrame, values: Mapping[str, float], tolerance: float) -> pd.DataFrame:
    """One row per claim: claimed value, the deciding reconstruction, verdict, gap and cross-check."""
    rows = []
    for claim in claims.itertuples(index=False):
        if claim.id not in CHECKS:
            raise KeyError(f"claim {claim.id!r} has no check in analysis.model.claims_check.CHECKS")
        claimed = _claimed(claim.value)
        verdict = verdict_of(claim.id, claimed, values, tolerance)
        rows.append({
            "id": claim.id, "claim": claim.claim, "claimed": claimed, "unit": claim.unit, "claimant": claim.claimant,
            "reconstruction": verdict.reconstruction.value if verdict.reconstruction else None,
            "scope": verdict.reconstruction.scope if verdict.reconstruction else (_basis(CHECKS[claim.id].basis, values) or "no figure to compare"),
            "verdict": verdict.verdict, "gap": verdict.gap, "kind": CHECKS[claim.id].kind,
            "cross_check": cross_check(claim.id, claimed, values, tolerance),
        })
    return pd.DataFrame(rows)


def verdict_share(claim_id: str, claimed: float | None, verdict: str, samples: Mapping[str, np.ndarray], values: Mapping[str, float],
                  tolerance: float) -> float | None:
    """Share of Monte Carlo samples in which a figure claim gets the same verdict (None for other kinds).

    Reconstructions the Monte Carlo does not vary are taken at their single value."""
    check = CHECKS[claim_id]
    if check.kind != "figure" or claimed is None or not check.reconstructions:
        return None
    arrays = [np.asarray(samples[key] if key in samples else values[key], dtype=float) for key, _, _ in check.reconstructions]
    labels = judge_samples(claimed, arrays, [b for _, _, b in check.reconstructions], tolerance, check.at_least)
    if not check.independent:
        labels = np.where(labels == CONSISTENT, REPRODUCED, labels)
    return float(np.mean(labels == verdict))


def easiest_flip(
    claim_id: str, claimed: float | None, verdict: str, swings: Mapping[str, tuple[Mapping[str, float], Mapping[str, float]]],
    values: Mapping[str, float], labels: Mapping[str, str], tolerance: float,
) -> str:
    """The uncertain input that flips a figure claim's verdict when moved alone to its P10 or P90
    (the one moving the deciding reconstruction most), in words; '' for other kinds."""
    check = CHECKS[claim_id]
    if check.kind != "figure" or claimed is None or not check.reconstructions:
        return ""
    keys = [k for k, _, _ in check.reconstructions]
    best, best_move = "", -1.0
    for name, (low, high) in swings.items():
        for end, outputs in (("P10", low), ("P90", high)):
            moved = [float(outputs[k]) if k in outputs else float(values[k]) for k in keys]
            recs = [Reconstruction(v, scope, breadth) for v, (_, scope, breadth) in zip(moved, check.reconstructions, strict=True)]
            if judge(claimed, recs, tolerance, at_least=check.at_least).verdict != verdict:
                move = abs(moved[0] - float(values[keys[0]]))
                if move > best_move:
                    best, best_move = f"{labels.get(name, name)} at its {end}", move
    return best or "no single input at its P10 or P90"
