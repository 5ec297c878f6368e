"""The claims ledger: each claim of the article against the book's reconstructions.

What each claim is compared with (and in which scope) is the book's reasoning, kept
here in one table; the verdicts themselves are computed by analysis.model.ledger.judge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.model.ledger import Reconstruction, judge


@dataclass(frozen=True)
class Check:
    reconstructions: tuple[tuple[str, str, str], ...]  # (value key, scope, breadth)
    at_least: bool = False


CHECKS: dict[str, Check] = {
    "v3_cost_6m": Check((("run_rental_usd", "final V3 run at the rental price", "same"),
                         ("total_development_cost_usd", "V3's whole development", "broader"))),
    "v3_gpus_2048": Check((("training_gpus", "GPUs of the final run (V3 report)", "same"),)),
    "v3_experts_256": Check((("v3_routed_experts", "routed experts per MoE layer (config)", "same"),)),
    "v3_experts_active_8": Check((("v3_active_experts", "routed experts per token per MoE layer (config)", "same"),)),
    "mtp_description": Check(()),
    "mla_description": Check(()),
    "fleet_hopper_50k": Check((("fleet_hopper_gpus", "Hopper GPUs in the book's fleet", "same"),
                               ("fleet_gpus", "all GPUs including A100s", "broader"))),
    "fleet_h800_10k": Check((("fleet_h800", "H800s in the book's fleet", "same"),)),
    "fleet_h100_10k": Check((("fleet_h100", "H100s in the book's fleet", "same"),)),
    "fleet_h20": Check(()),
    "capex_1_6b": Check((("fleet_capex_usd", "capex of the book's fleet", "same"),
                         ("fleet_gpu_spend_usd", "GPUs alone, without servers and network", "narrower"))),
    "opex_944m": Check((("fleet_opex_usd", "the book's opex over its horizon", "same"),)),
    "gpu_spend_500m": Check((("fleet_gpu_spend_usd", "GPU purchases of the book's fleet", "same"),), at_least=True),
    "researcher_pay_1_3m": Check(()),
    "r1_cost_5m": Check((("r1_rental_usd", "R1's own training stages at the rental price", "same"),
                         ("r1_with_v3_rental_usd", "R1 plus the V3 run it starts from", "broader"))),
    "gpt4_cost_100m": Check((("gpt4_cost_common_usd", "GPT-4's estimated GPU-hours at the book's price", "same"),), at_least=True),
}


def assess(claims: pd.DataFrame, values: Mapping[str, float], tolerance: float) -> pd.DataFrame:
    """One row per claim: claimed value, the deciding reconstruction, verdict and gap."""
    rows = []
    for claim in claims.itertuples(index=False):
        if claim.id not in CHECKS:
            raise KeyError(f"claim {claim.id!r} has no check in analysis.model.claims_check.CHECKS")
        check = CHECKS[claim.id]
        recs = [Reconstruction(float(values[key]), scope, breadth) for key, scope, breadth in check.reconstructions]
        claimed = None if pd.isna(claim.value) else float(claim.value)
        verdict = judge(claimed, recs, tolerance, at_least=check.at_least)
        rows.append({
            "id": claim.id, "claim": claim.claim, "claimed": claimed, "unit": claim.unit, "claimant": claim.claimant,
            "reconstruction": verdict.reconstruction.value if verdict.reconstruction else None,
            "scope": verdict.reconstruction.scope if verdict.reconstruction else "no figure to compare",
            "verdict": verdict.verdict, "gap": verdict.gap,
        })
    return pd.DataFrame(rows)
