"""Landing page "What did DeepSeek-V3 really cost?": the final run, the headlines, the claims."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.chapters import claims as claims_chapter
from analysis.chapters import reconciliation
from analysis.chapters.inputs import cost_model
from analysis.chapters.page import Page, Value
from analysis.chapters.uncertainty import simulate
from analysis.charts import fleet as charts
from analysis.formatting import usd, versus
from analysis.inputs import data
from analysis.model import compute, reconcile
from analysis.model import uncertainty as unc

# The cost model, and the Monte Carlo behind the headline ranges (the uncertainty chapter's).
PARAMETERS = (*reconcile.MODEL_PARAMS, "mc_samples", "seed")
# The Monte Carlo outputs the landing page shows (the cards and the chart's ranges).
RANGED = (*unc.HEADLINES, "fleet_opex_per_year_usd", "fleet_gpu_spend_usd")

STAGE_KEYS = {"Pre-training": "pretrain", "Context extension": "context_ext", "Post-training": "post_training"}


def chapter(p: Mapping[str, Value]) -> Page:
    page = Page()
    values: dict[str, float] = {name: p[name] for name in reconcile.MODEL_PARAMS}  # type: ignore[misc]
    r = cost_model(values)
    ranges = simulate(p, RANGED).ranges
    gpu_hour_usd = p["gpu_hour_usd"]

    stages = pd.DataFrame({
        "stage": list(STAGE_KEYS),
        "gpu_hours": [p["v3_pretrain_gpu_hours"], p["v3_context_ext_gpu_hours"], p["v3_post_training_gpu_hours"]],
    })
    stages["cost_usd"] = compute.cost_usd(stages["gpu_hours"], gpu_hour_usd)
    v3_gpu_hours_total = float(stages["gpu_hours"].sum())
    v3_training_cost_usd = float(compute.cost_usd(v3_gpu_hours_total, gpu_hour_usd))  # type: ignore[arg-type]

    page.number("gpu_hour_usd", gpu_hour_usd, "USD per GPU-hour")  # type: ignore[arg-type]
    page.number("v3_gpu_hours_total", v3_gpu_hours_total, "GPU-hours")
    page.number("v3_training_cost_usd", v3_training_cost_usd, "USD")
    page.text("v3_training_cost_text", usd(v3_training_cost_usd, 3))
    page.number("v3_gpu_hours_total_millions", v3_gpu_hours_total / 1e6, "million GPU-hours")
    for row in stages.itertuples():
        page.number(f"v3_{STAGE_KEYS[row.stage]}_cost_usd", row.cost_usd, "USD")
    claims = data.load_table("claims.csv")
    for claim in claims.itertuples():
        if claim.value == claim.value:  # not NaN: the claim has a number
            shown = usd(claim.value) if claim.unit.startswith("USD") else f"{claim.value:.0%}" if claim.unit == "fraction" else f"{claim.value:,.0f}"
            page.text(f"claim_{claim.id}_text", shown)

    # The headline cards: the Monte Carlo median with its P10-P90 (the defaults are the inputs' medians,
    # but a nonlinear model's output at the median inputs is not the median output).
    for key, card, digits in (("total_development_cost_usd", "dev", 2), ("fleet_capex_usd", "capex", 2),
                              ("fleet_opex_per_year_usd", "opex", 2)):
        page.text(f"headline_{card}_text", usd(ranges[key]["p50"], digits))
        page.text(f"headline_{card}_p10_text", usd(ranges[key]["p10"], digits))
        page.text(f"headline_{card}_p90_text", usd(ranges[key]["p90"], digits))
    owned = ranges["owned_gpu_hour_usd"]
    page.text("headline_owned_text", f"${owned['p50']:.2f}")
    page.text("headline_owned_p10_text", f"${owned['p10']:.2f}")
    page.text("headline_owned_p90_text", f"${owned['p90']:.2f}")
    useful = ranges["owned_gpu_useful_hour_usd"]
    page.text("headline_owned_useful_text", f"${useful['p50']:.2f}")
    page.text("headline_owned_useful_p10_text", f"${useful['p10']:.2f}")
    page.text("headline_owned_useful_p90_text", f"${useful['p90']:.2f}")
    page.text("headline_owned_vs_rental", versus(owned["p50"], float(gpu_hour_usd)))  # type: ignore[arg-type]
    page.number("headline_horizon_years", p["horizon_years"], "years")  # type: ignore[arg-type]
    page.number("headline_fleet_gpus", r["fleet_gpus"], "GPUs")
    share = ranges["v3_run_share_of_fleet_year"]
    page.text("headline_run_share_text", f"{share['p50']:.2%}")
    page.text("headline_run_share_p10_text", f"{share['p10']:.2%}")
    page.text("headline_run_share_p90_text", f"{share['p90']:.2%}")

    # The landing chart: the five claims a reader meets first, each on the row of what it claims.
    rows = reconciliation.headline_rows(p, r, ranges)
    landing = ("v3_cost_6m", "r1_cost_5m", "headline_1_6b_develop", "opex_944m", "capex_1_6b")
    page.figure("fig_landing", charts.claims_on_their_axes(pd.DataFrame([rows[c] for c in landing]), reconciliation.CHART_TITLE))

    page.table(
        "stages",
        pd.concat(
            [stages, pd.DataFrame({"stage": ["Total"], "gpu_hours": [v3_gpu_hours_total], "cost_usd": [v3_training_cost_usd]})]
        ).rename(columns={"stage": "Stage", "gpu_hours": "H800 GPU-hours", "cost_usd": "Cost (USD)"}),
        {"H800 GPU-hours": "{:,.0f}", "Cost (USD)": "${:,.0f}"},
    )
    sources = data.load_indexed("sources.csv")
    claims["source"] = [sources.loc[s, "publisher"] for s in claims["source_id"]]
    claims["value"] = [claims_chapter.shown(v, u) for v, u in zip(claims["value"], claims["unit"], strict=True)]
    page.table("claims", claims[["claim", "value", "unit", "claimant", "scope", "source"]].rename(columns=str.capitalize))
    return page


