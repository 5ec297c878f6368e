"""The claims ledger: each claim of the article against the book's reconstructions.

What each claim is compared with (and in which scope) is the book's reasoning, kept here in
one table; the verdicts are computed by analysis.model.ledger with its one rule. Five kinds of check:
- "figure": a number compared with reconstructions, in order of scope (a claimed bound, "more than
  $X", is judged as a bound: data/claims.csv says which claims state one);
- "assumed": the book's input is built from the claim (the fleet counts): nothing independent to compare;
- "description": a qualitative claim against a fact of the published config or paper
  (the fact's value is 1 when the description holds, 0 when it is contradicted);
- "evidence": a primary source bears the claim out for part of its scope;
- "unverifiable": nothing public to compare with.
A verdict names what it rests on: the claimant's own figures (a match is then only "reproduced") or
inputs the book assumes without an independent check (the fleet counts). Claims resting on the same
assumed inputs get the same words. A cross-check is a second, independent path to the same quantity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.model.ledger import (
    ASSUMED,
    CONSISTENT,
    FORMS,
    INACCURATE,
    NARROWER,
    REPRODUCED,
    UNVERIFIABLE,
    Reconstruction,
    Verdict,
    judge,
    judge_samples,
    ratio,
    within,
)

# The assumed inputs verdicts may rest on, named once so that every claim resting on them says the same.
FLEET_COUNTS = "the fleet counts (ranges around the estimate; no independent count exists)"
FLEET_COUNTS_AND_HORIZON = FLEET_COUNTS + " and the 4 years of the table's 'TCO (4y Ownership)' line"
ESTIMATE_FIGURES = "the estimate's own counts"


@dataclass(frozen=True)
class Check:
    # (value key, scope, breadth, assumed inputs it rests on or "")
    reconstructions: tuple[tuple[str, str, str, str], ...] = ()
    kind: str = "figure"  # figure | assumed | description | evidence | unverifiable
    # (key of the claim's figure by an independent path, key compared or "claimed", what, "same" or "floor"):
    # "same" is judged by the ledger's rule; "floor" agrees when the claim is at least the proven floor.
    cross_check: tuple[str, str, str, str] | None = None
    fact: str = ""  # description and evidence checks: the key of the deciding fact
    basis: str = ""  # what decides a claim that has no figure to compare, in words (formatted with the values)
    own_figures: str = ""  # whose figures the reconstruction is rebuilt from: a match is then only reproduced
    note: str = ""  # what the verdict means, in words (formatted with the values)


def _r(key: str, scope: str, breadth: str = "same", assumes: str = "") -> tuple[str, str, str, str]:
    return (key, scope, breadth, assumes)


CHECKS: dict[str, Check] = {
    "v3_cost_6m": Check(
        (_r("run_rental_usd", "final V3 run at the rental price (Table 1 GPU-hours × $/GPU-hour)"),
         _r("total_development_cost_usd", "V3's whole development", "broader")),
        cross_check=("run_rental_from_throughput_usd", "run_rental_usd",
                     "the run's cost from DeepSeek's ISCA-2025 throughput (tokens per day) instead of Table 1's GPU-hours", "same"),
        own_figures="DeepSeek's GPU-hours and rental price"),
    "six_m_pretraining_only": Check(
        (_r("table1_pretraining_share", "pre-training's share of Table 1's GPU-hours"),),
        note="substantially right, since pre-training is {table1_pretraining_share:.1%} of Table 1's GPU-hours (context extension and "
             "post-training are the other {table1_other_share:.1%}; no research or ablation is in any of it)"),
    "v3_gpus_2048": Check(
        (_r("gpus_from_throughput", "GPUs implied by Table 1's pre-training GPU-hours over the days ISCA-2025's tokens per day take"),),
        cross_check=("pretrain_days_from_gpu_hours", "pretrain_days_from_throughput",
                     "days of pre-training: GPU-hours ÷ {training_gpus:,.0f} GPUs against tokens ÷ tokens per day", "same"),
        own_figures="DeepSeek's GPU-hours and throughput"),
    "v3_experts_256": Check((_r("v3_routed_experts", "routed experts per MoE layer (config)"),)),
    "v3_experts_active_8": Check((_r("v3_active_experts", "routed experts per token per MoE layer (config)"),)),
    "mtp_description": Check(kind="description", fact="mtp_is_simultaneous",
                             basis="config: {v3_mtp_depth:.0f} MTP module, chained after the main model: one extra token per depth, in sequence"),
    "mla_description": Check(kind="description", fact="mla_keeps_full_keys",
                             basis="config: keys and values cached as one compressed {v3_kv_lora_rank:.0f}-wide latent "
                                   "(+{v3_qk_rope_head_dim:.0f} RoPE) per layer"),
    "fleet_hopper_50k": Check((_r("fleet_hopper_gpus", "Hopper GPUs in the book's fleet (medians of ranges built around the estimate)"),),
                              kind="assumed", cross_check=("fleet_floor_hopper", "claimed",
                                                           "DeepSeek's own disclosures prove {fleet_floor_hopper:,.0f} Hopper GPUs", "floor")),
    "fleet_h800_10k": Check((_r("fleet_h800", "H800s in the book's fleet (the median of a range built around the estimate)"),),
                            kind="assumed", cross_check=("fleet_floor_h800", "claimed",
                                                         "DeepSeek's own disclosures prove {fleet_floor_h800:,.0f} H800s", "floor")),
    "fleet_h100_10k": Check((_r("fleet_h100", "H100s in the book's fleet (the median of a range built around the estimate)"),), kind="assumed"),
    "fleet_h20": Check(kind="assumed", basis="the book's H20 count is the median of a range around the table's remainder"),
    "capex_1_6b": Check((_r("fleet_capex_usd", "capex of the book's fleet, each GPU type as paid", assumes=FLEET_COUNTS),
                         _r("fleet_gpu_spend_usd", "GPUs alone, without servers and network", "narrower", FLEET_COUNTS))),
    "headline_1_6b_develop": Check((_r("total_development_cost_usd", "V3's development: run, research, R1 and staff"),
                                    _r("fleet_capex_usd", "the capex of the whole fleet (not a development cost)", "broader", FLEET_COUNTS))),
    "opex_944m": Check((_r("fleet_opex_usd", "4 years of running the clusters: power, rack rental, maintenance, cluster staff",
                           assumes=FLEET_COUNTS_AND_HORIZON),),
                       cross_check=("luk_opex_4y_usd", "claimed", "not independent (Luk's totals read the same table), a check "
                                    "of how the table reads: {luk_tco_all_text} × {semianalysis_tco_years:g} − {luk_capex_all_text}",
                                    "same")),
    "gpu_spend_500m": Check((_r("fleet_gpu_spend_usd", "GPU purchases of the book's fleet, as paid", assumes=FLEET_COUNTS),)),
    "owns_data_centres": Check((_r("fire_flyer_gpus", "its own servers: Fire-Flyer 2's A100s (SC24); the same paper counts rack "
                                                      "rental in operating cost, so the buildings are not shown to be its own", "narrower"),),
                               kind="evidence", fact="fire_flyer_gpus"),
    "self_funded": Check(kind="unverifiable", basis="no public accounts of DeepSeek or High-Flyer"),
    "researcher_pay_1_3m": Check(kind="unverifiable", basis="no public pay data"),
    "r1_cost_5m": Check((_r("r1_rental_usd", "R1's own training stages at the rental price"),
                         _r("r1_with_v3_rental_usd", "R1 plus the V3 run it starts from", "broader")),
                        note="R1's own training at the rental price, {r1_rental_usd_text}; the claim matches R1 together with "
                             "the V3 run it was trained from ({r1_with_v3_rental_usd_text}): it is the V3 run's figure retold for R1"),
    # "More than $100M" for all of GPT-4's training: the only public estimates are of its final run, a narrower
    # quantity that cannot bound the claim either way.
    "gpt4_cost_100m": Check(kind="unverifiable",
                            basis="only the final run is estimated: Epoch AI puts it at {gpt4_epoch_amortised_text} amortised and "
                                  "{gpt4_epoch_cloud_text} at cloud prices; the claim covers more than the final run"),
    "inference_cost_87k": Check((_r("inference_cost_per_day_usd", "average nodes × GPUs per node × 24 h × the GPU-hour price"),),
                                cross_check=("inference_nodes_from_throughput", "inference_nodes_avg",
                                             "nodes: the day's tokens over per-node throughput, against the stated average", "same"),
                                own_figures="DeepSeek's node count and price"),
    "inference_margin_545": Check((_r("inference_cost_profit_margin", "(revenue at R1 prices − cost) ÷ cost, from the disclosed tokens"),),
                                  cross_check=("inference_revenue_per_day_usd", "inference_revenue_published_usd",
                                               "revenue from the disclosed tokens at R1 prices, against DeepSeek's "
                                               "{inference_revenue_published_text}", "same"),
                                  own_figures="DeepSeek's tokens, prices and cost"),
}


def _claimed(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)  # type: ignore[arg-type]


def _reconstructions(check: Check, values: Mapping[str, float]) -> list[Reconstruction]:
    return [Reconstruction(float(values[key]), scope, breadth) for key, scope, breadth, _ in check.reconstructions]


def verdict_of(claim_id: str, claimed: float | None, values: Mapping[str, float], tolerance: float, bound: bool = False) -> Verdict:
    """One claim's verdict from the reconstructions in `values`."""
    check = CHECKS[claim_id]
    recs = _reconstructions(check, values)
    if check.kind == "assumed":
        return Verdict(ASSUMED, None if claimed is None or not recs else float(ratio(claimed, recs[0].value)),  # type: ignore[arg-type]
                       recs[0] if recs else None)
    if check.kind == "unverifiable":
        return Verdict(UNVERIFIABLE, None, None)
    if check.kind == "description":
        return Verdict(CONSISTENT if bool(values[check.fact]) else INACCURATE, None, None)
    if check.kind == "evidence":
        return Verdict(NARROWER if values[check.fact] > 0 else UNVERIFIABLE, None, recs[0] if recs else None)
    verdict = judge(claimed, recs, tolerance, bound)
    if check.own_figures and verdict.verdict == CONSISTENT:
        return Verdict(REPRODUCED, verdict.ratio, verdict.reconstruction)
    return verdict


def rests_on(claim_id: str, verdict: Verdict) -> str:
    """What a verdict rests on without an independent check, in words ('' when nothing)."""
    check = CHECKS[claim_id]
    if verdict.verdict == REPRODUCED:
        return check.own_figures
    if verdict.verdict == ASSUMED:
        return ESTIMATE_FIGURES
    if verdict.reconstruction is None:
        return ""
    return next((assumes for _key, scope, _b, assumes in check.reconstructions if scope == verdict.reconstruction.scope), "")


def verdict_text(claim_id: str, verdict: Verdict, values: Mapping[str, float]) -> str:
    """The verdict as pages quote it: the verdict, what it rests on, and what it means."""
    text = verdict.verdict
    rests = rests_on(claim_id, verdict)
    if rests and verdict.verdict == REPRODUCED:
        text = f"{text} ({rests})"
    elif rests and verdict.verdict != ASSUMED:
        text = f"{text}, assuming {rests}"
    note = CHECKS[claim_id].note
    return f"{text}: {_basis(note, values)}" if note else text


def cross_check(claim_id: str, claimed: float | None, values: Mapping[str, float], tolerance: float) -> str:
    """The independent path, in words: 'agrees (1.00×)' or 'disagrees (1.48×)' by the ledger's one rule, or against a
    proven floor 'the claim is above it'; '' when there is none."""
    check = CHECKS[claim_id].cross_check
    if check is None:
        return ""
    key, against, what, mode = check
    other = claimed if against == "claimed" else values[against]
    if other is None:
        return ""
    what = _basis(what, values)
    if mode == "floor":
        return f"{what}: the claim is {'above' if float(other) >= float(values[key]) else 'below'} that floor"
    r = float(ratio(float(other), float(values[key])))
    return f"{what}: {'agrees' if within(r, tolerance) else 'disagrees'} ({r:.2f}×)"


class _Unknown:
    def __format__(self, _spec: str) -> str:
        return "?"


def _basis(text: str, values: Mapping[str, object]) -> str:
    """The basis text with the values it names filled in ('?' for one not given)."""

    class Lenient(dict):  # type: ignore[type-arg]
        def __missing__(self, _key: str) -> _Unknown:
            return _Unknown()

    return text.format_map(Lenient(values))


def check_forms(claims: pd.DataFrame) -> None:
    """Each claim's form (data/claims.csv `kind`) fits its check: figures and bounds have a value, statements none
    unless the book checks them as figures."""
    for line, claim in enumerate(claims.itertuples(index=False), start=2):
        where = f"data/claims.csv:{line}:kind"
        if claim.kind not in FORMS:
            raise ValueError(f"{where}: expected one of {', '.join(FORMS)}, got {claim.kind!r}")
        if claim.id not in CHECKS:
            raise KeyError(f"claim {claim.id!r} has no check in analysis.model.claims_check.CHECKS")
        if claim.kind in ("figure", "bound") and _claimed(claim.value) is None and CHECKS[claim.id].kind == "figure":
            raise ValueError(f"{where}: a {claim.kind} claim needs a value")


def assess(claims: pd.DataFrame, values: Mapping[str, float], tolerance: float) -> pd.DataFrame:
    """One row per claim: claimed value, the deciding reconstruction, verdict, ratio, what it rests on and the cross-check."""
    check_forms(claims)
    rows = []
    for claim in claims.itertuples(index=False):
        claimed = _claimed(claim.value)
        verdict = verdict_of(claim.id, claimed, values, tolerance, bound=claim.kind == "bound")
        rows.append({
            "id": claim.id, "claim": claim.claim, "form": claim.kind, "claimed": claimed, "unit": claim.unit, "claimant": claim.claimant,
            "reconstruction": verdict.reconstruction.value if verdict.reconstruction else None,
            "scope": verdict.reconstruction.scope if verdict.reconstruction else (_basis(CHECKS[claim.id].basis, values) or "no figure to compare"),
            "verdict": verdict.verdict, "ratio": verdict.ratio, "kind": CHECKS[claim.id].kind,
            "rests_on": rests_on(claim.id, verdict), "verdict_text": verdict_text(claim.id, verdict, values),
            "cross_check": cross_check(claim.id, claimed, values, tolerance),
        })
    return pd.DataFrame(rows)


def sample_labels(claim_id: str, claimed: float, samples: Mapping[str, np.ndarray], values: Mapping[str, float], tolerance: float,
                  bound: bool = False) -> np.ndarray:
    """The verdict of a figure claim in each Monte Carlo sample (reconstructions the Monte Carlo does not vary at their
    single value), by the same rule and with the same 'reproduced' reading as verdict_of."""
    check = CHECKS[claim_id]
    arrays = [np.asarray(samples[key] if key in samples else values[key], dtype=float) for key, _, _, _ in check.reconstructions]
    labels = judge_samples(claimed, arrays, [b for _, _, b, _ in check.reconstructions], tolerance, bound)
    return np.where(labels == CONSISTENT, REPRODUCED, labels) if check.own_figures else labels


def has_share(claim_id: str, claimed: float | None) -> bool:
    """A verdict the Monte Carlo can test: a figure claim with a value and reconstructions."""
    check = CHECKS[claim_id]
    return check.kind == "figure" and claimed is not None and bool(check.reconstructions)


def verdict_share(claim_id: str, claimed: float | None, verdict: str, samples: Mapping[str, np.ndarray], values: Mapping[str, float],
                  tolerance: float, bound: bool = False) -> float | None:
    """Share of Monte Carlo samples in which a figure claim gets the same verdict (None for other kinds)."""
    if not has_share(claim_id, claimed):
        return None
    return float(np.mean(sample_labels(claim_id, claimed, samples, values, tolerance, bound) == verdict))  # type: ignore[arg-type]


NO_FLIP = "none"


def flipped_by(
    claim_id: str, claimed: float | None, verdict: str, swings: Mapping[str, tuple[Mapping[str, float], Mapping[str, float]]],
    values: Mapping[str, float], labels: Mapping[str, str], tolerance: float, bound: bool = False,
) -> str | None:
    """Every uncertain input that flips a figure claim's verdict when moved alone to its P10 or P90, in words and in
    the inputs' order ("H20 count at its P90; network per Hopper GPU at its P90"); "none" when no single input does;
    None for claims without a share. One rule for every claim: all the flips are named, not a chosen one.

    Every move is judged at once: one vectorised verdict over all inputs at both ends."""
    if not has_share(claim_id, claimed):
        return None
    keys = [k for k, _, _, _ in CHECKS[claim_id].reconstructions]
    moves = [(name, end, outputs) for name, (low, high) in swings.items() for end, outputs in (("P10", low), ("P90", high))]
    if not moves:
        return NO_FLIP
    moved = {k: np.array([float(outputs[k]) if k in outputs else float(values[k]) for _, _, outputs in moves]) for k in keys}
    flips = sample_labels(claim_id, claimed, moved, values, tolerance, bound) != verdict  # type: ignore[arg-type]
    if not flips.any():
        return NO_FLIP
    ends: dict[str, list[str]] = {}
    for (name, end, _), flip in zip(moves, flips, strict=True):
        if flip:
            ends.setdefault(name, []).append(end)
    return "; ".join(f"{labels.get(name, name)} at its {' or '.join(found)}" for name, found in ends.items())
