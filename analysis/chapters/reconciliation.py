"""Chapter "The reconciliation": from one training run to the whole fleet."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.chapters.inputs import cost_model
from analysis.chapters.page import Page, Value
from analysis.charts import fleet as charts
from analysis.formatting import usd
from analysis.inputs import data
from analysis.model import reconcile

PARAMETERS = reconcile.MODEL_PARAMS


def chapter(p: Mapping[str, Value]) -> Page:
    page = Page()
    r = cost_model(p)  # type: ignore[arg-type]
    steps = [(label, float(r[key])) for label, key in reconcile.WATERFALL]
    page.figure("fig_waterfall", charts.waterfall(steps, {}))
    for _label, key in reconcile.WATERFALL:
        page.number(f"waterfall_{key}", r[key], "USD")
        page.text(f"waterfall_{key}_text", usd(r[key]))
    page.number("total_development_cost_usd", r["total_development_cost_usd"], "USD")
    page.text("total_development_cost_text", usd(r["total_development_cost_usd"]))
    page.number("total_over_run", r["total_development_cost_usd"] / r["run_rental_usd"], "times")
    page.number("research_multiplier", p["research_multiplier"], "times")  # type: ignore[arg-type]
    page.number("staff_headcount", p["staff_headcount"], "people")  # type: ignore[arg-type]
    page.number("development_years", p["development_years"], "years")  # type: ignore[arg-type]
    years = float(p["development_years"])  # type: ignore[arg-type]
    page.text("development_years_text", f"{years:g} year{'' if years == 1 else 's'}")
    page.number("owned_gpu_hour_usd", r["owned_gpu_hour_usd"], "USD per GPU-hour held")
    page.number("owned_gpu_useful_hour_usd", r["owned_gpu_useful_hour_usd"], "USD per useful GPU-hour")

    claims = data.load_indexed("claims.csv")
    headlines = pd.DataFrame([
        {"label": "Claim: V3 training", "value": claims.loc["v3_cost_6m", "value"], "kind": "claim", "measures": "one final run, rented"},
        {"label": "Book: final run, rented", "value": r["run_rental_usd"], "kind": "book", "measures": "GPU-hours × rental price"},
        {"label": "Book: V3 development", "value": r["total_development_cost_usd"], "kind": "book", "measures": "run + research + R1 + staff"},
        {"label": "Claim: GPU spend", "value": claims.loc["gpu_spend_500m", "value"], "kind": "claim",
         "measures": "GPUs bought over the company's life"},
        {"label": "Book: GPU spend", "value": r["fleet_gpu_spend_usd"], "kind": "book", "measures": "GPU prices × counts"},
        {"label": "Claim: opex", "value": claims.loc["opex_944m", "value"], "kind": "claim", "measures": "running the fleet, horizon unstated"},
        {"label": "Book: opex", "value": r["fleet_opex_usd"], "kind": "book",
         "measures": f"{p['horizon_years']:g} years of power, rack rental, upkeep, cluster staff"},
        {"label": "Claim: server capex", "value": claims.loc["capex_1_6b", "value"], "kind": "claim", "measures": "buying every server"},
        {"label": "Book: fleet capex", "value": r["fleet_capex_usd"], "kind": "book", "measures": "GPUs as paid + servers + network"},
        {"label": "Claim: GPT-4 training", "value": claims.loc["gpt4_cost_100m", "value"], "kind": "claim",
         "measures": "another lab's model, for scale"},
    ])
    page.figure("fig_headlines", charts.headline_log(headlines))
    page.text("fleet_capex_text", usd(r["fleet_capex_usd"], 2))
    page.number("capex_over_run", r["fleet_capex_usd"] / r["run_rental_usd"], "times")

    page.table("assumptions", pd.DataFrame([
        {"Figure": "Final run, rented", "Value": r["run_rental_usd"],
         "Rests on": f"{r['v3_gpu_hours']:,.0f} GPU-hours (DeepSeek) × ${p['gpu_hour_usd']:.2f}/GPU-hour"},
        {"Figure": "Same run, owned", "Value": r["run_owned_usd"],
         "Rests on": f"${r['owned_gpu_hour_usd']:.2f} per H800-hour held: {p['gpu_price_basis']} prices, "
                     f"{p['depreciation_years']:g}-year life at {p['cost_of_capital']:.0%}"},
        {"Figure": "Research compute", "Value": r["research_usd"],
         "Rests on": f"{p['research_multiplier']:g}× the final run's compute in total, at ${r['owned_gpu_useful_hour_usd']:.2f} per useful "
                     f"hour ({p['utilisation']:.0%} busy)"},
        {"Figure": "R1", "Value": r["r1_usd"], "Rests on": "DeepSeek's R1 GPU-hours at the ownership cost per hour held"},
        {"Figure": "Staff", "Value": r["staff_dev_usd"],
         "Rests on": f"{p['staff_headcount']:,.0f} people × ${p['staff_loaded_cost_usd']:,.0f} × {p['development_years']:g} years"},
        {"Figure": "Fleet capex", "Value": r["fleet_capex_usd"],
         "Rests on": f"{r['fleet_gpus']:,.0f} GPUs at {p['gpu_price_basis']} prices + ${p['server_non_gpu_usd']:,.0f} per HGX server "
                     f"+ ${p['network_usd_per_gpu']:,.0f} of network per Hopper GPU"},
        {"Figure": "Fleet opex", "Value": r["fleet_opex_usd"],
         "Rests on": f"{p['horizon_years']:g} years × ${r['fleet_opex_per_year_usd'] / 1e6:,.0f}M per year of power, rack rental, "
                     "maintenance and cluster staff"},
    ]), {"Value": usd})
    return page
