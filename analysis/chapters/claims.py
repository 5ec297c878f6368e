"""Chapter "The claims ledger": every claim of the article beside the book's reconstruction."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.chapters.inputs import cost_model, model_config, r1_gpu_hours
from analysis.chapters.page import Page, Value
from analysis.formatting import usd
from analysis.inputs import data
from analysis.model import claims_check, compute, reconcile
from analysis.model.ledger import VERDICTS

PARAMETERS = (*reconcile.MODEL_PARAMS, "claim_tolerance")


def shown(value: float | None, unit: str) -> str:
    """A claimed or reconstructed figure for the ledger: money as $1.6B, counts as 10,000, missing as —."""
    if value is None or pd.isna(value):
        return "—"
    return usd(value, 2) if unit.startswith("USD") else f"{value:,.0f}"


def reconstructions(p: Mapping[str, Value]) -> dict[str, float]:
    """Every figure a claim can be compared with (claims_check.CHECKS names them)."""
    values = dict(cost_model(p))  # type: ignore[arg-type]
    v3 = model_config("deepseek_v3", "DeepSeek-V3")
    r1_rental = compute.cost_usd(r1_gpu_hours(), p["gpu_hour_usd"])  # type: ignore[arg-type]
    values |= {
        "training_gpus": p["training_gpus"], "v3_routed_experts": v3.experts.routed, "v3_active_experts": v3.experts.active,
        "fleet_h800": p["fleet_h800"], "fleet_h100": p["fleet_h100"],
        "r1_rental_usd": r1_rental, "r1_with_v3_rental_usd": r1_rental + values["run_rental_usd"],
        "gpt4_cost_common_usd": compute.cost_usd(float(data.load_indexed("comparators.csv").loc["gpt4", "gpu_hours"]), p["gpu_hour_usd"]),
    }  # type: ignore[dict-item]
    return values  # type: ignore[return-value]


def chapter(p: Mapping[str, Value]) -> Page:
    page = Page()
    tolerance: float = p["claim_tolerance"]  # type: ignore[assignment]
    ledger = claims_check.assess(data.load_table("claims.csv"), reconstructions(p), tolerance)
    page.number("claim_tolerance", tolerance, "fraction")
    for row in ledger.itertuples():
        page.text(f"verdict_{row.id}", row.verdict)
    counts = ledger["verdict"].value_counts()
    for verdict in VERDICTS:
        page.number(f"verdict_count_{verdict.replace(' ', '_')}", int(counts.get(verdict, 0)), "claims")
    page.number("claims_total", len(ledger), "claims")
    page.table("ledger", ledger.assign(
        claimed=[shown(v, u) for v, u in zip(ledger["claimed"], ledger["unit"], strict=True)],
        reconstruction=[shown(v, u) for v, u in zip(ledger["reconstruction"], ledger["unit"], strict=True)],
    )[["claim", "claimant", "claimed", "reconstruction", "scope", "gap", "verdict"]].rename(columns={
        "claim": "Claim", "claimant": "Who", "claimed": "Claimed", "reconstruction": "Book", "scope": "Compared with",
        "gap": "Gap", "verdict": "Verdict"}), {"Gap": "{:.0%}"})
    return page
