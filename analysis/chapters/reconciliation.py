"""Chapter "The reconciliation": from one training run to the whole fleet."""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from analysis.chapters.inputs import BASIS_LABELS, cost_model, r1_gpu_hours
from analysis.chapters.page import Page, Value
from analysis.chapters.uncertainty import simulate
from analysis.charts import fleet as charts
from analysis.formatting import usd_sig
from analysis.inputs import data
from analysis.model import claims_check, compute, reconcile

PARAMETERS = (*reconcile.MODEL_PARAMS, "mc_samples", "seed")
# The Monte Carlo outputs the headline chart draws as ranges (the uncertainty chapter's distributions and seed).
RANGED = ("total_development_cost_usd", "fleet_gpu_spend_usd", "fleet_opex_usd", "fleet_capex_usd")
# Those the ledger judges with the estimate's own GPU counts held (claims resting on them): drawn on the same range.
RANGED_ON_COUNTS = tuple(key for key in RANGED if key in claims_check.ON_COUNTS)


def ranges_on_counts(p: Mapping[str, Value], keys: tuple[str, ...] = RANGED_ON_COUNTS) -> Mapping[str, Mapping[str, float]]:
    """The P10-P90 of `keys` with the estimate's GPU counts held: the range the ledger judges a claim resting on them on."""
    return simulate(p, keys, counts_given=True).ranges


def chapter(p: Mapping[str, Value]) -> Page:
    page = Page()
    r = cost_model({name: p[name] for name in reconcile.MODEL_PARAMS})  # type: ignore[misc]
    _waterfall(page, p, r)
    ranges = simulate(p, RANGED).ranges  # the uncertainty chapter's Monte Carlo: the P10-P90 beside each central figure
    _headlines(page, p, r, ranges, ranges_on_counts(p))
    _assumptions(page, p, r)
    return page


def _waterfall(page: Page, p: Mapping[str, Value], r: Mapping[str, float]) -> None:
    """The development cost step by step, at the central inputs (a waterfall adds up at one set of inputs)."""
    steps = [(label, float(r[key])) for label, key in reconcile.WATERFALL]
    page.figure("fig_waterfall", charts.waterfall(steps, {}))
    for _label, key in reconcile.WATERFALL:
        page.number(f"waterfall_{key}", r[key], "USD")
        page.text(f"waterfall_{key}_text", usd_sig(r[key]))
    page.number("total_development_cost_usd", r["total_development_cost_usd"], "USD")
    page.text("total_development_cost_text", usd_sig(r["total_development_cost_usd"]))
    page.number("total_over_run", r["total_development_cost_usd"] / r["run_rental_usd"], "times")
    page.number("research_multiplier", p["research_multiplier"], "times")  # type: ignore[arg-type]
    page.number("staff_headcount", p["staff_headcount"], "people")  # type: ignore[arg-type]
    page.number("development_years", p["development_years"], "years")  # type: ignore[arg-type]
    years = float(p["development_years"])  # type: ignore[arg-type]
    page.text("development_years_text", f"{years:g} year{'' if years == 1 else 's'}")
    page.number("owned_gpu_hour_usd", r["owned_gpu_hour_usd"], "USD per GPU-hour held")


def headline_rows(p: Mapping[str, Value], r: Mapping[str, float], ranges: Mapping[str, Mapping[str, float]],
                  on_counts: Mapping[str, Mapping[str, float]]) -> dict[str, dict[str, object]]:
    """Every claimed figure on the row of the quantity it claims, beside the book's figure for that quantity: a fixed
    figure where the book does not vary it, else its value at the central inputs with the Monte Carlo's P10-P90 (one
    value per quantity, the same on every page). A claim the ledger judges on the estimate's own GPU counts is drawn
    on the range it is judged against, those counts held (`on_counts`): the verdict beside the chart quotes that range.
    Keyed by claim id."""
    claims = data.load_indexed("claims.csv")["value"]
    r1_rental = float(compute.cost_usd(r1_gpu_hours(), p["gpu_hour_usd"]))  # type: ignore[arg-type]
    horizon = float(p["horizon_years"])  # type: ignore[arg-type]
    rows = {
        "v3_cost_6m": ("Final V3 run, rented (Table 1)", r["run_rental_usd"], "the V3 run (DeepSeek, via the article)"),
        "r1_cost_5m": ("R1's own training, rented", r1_rental, "R1 (the article)"),
        "headline_1_6b_develop": ("V3's development", "total_development_cost_usd", "V3's development (the headline)"),
        "gpu_spend_500m": ("GPU purchases, as paid", "fleet_gpu_spend_usd", "more than this (SemiAnalysis)"),
        "opex_944m": (f"Fleet opex, {horizon:g} years", "fleet_opex_usd", "cost to operate (SemiAnalysis)"),
        "capex_1_6b": ("Fleet capex, as paid", "fleet_capex_usd", "server capex (SemiAnalysis)"),
    }
    out = {}
    for claim_id, (label, book, claim_label) in rows.items():
        if isinstance(book, str):
            held = claims_check.judged_on_counts(claim_id)
            band = (on_counts if held else ranges)[book]
            label += " (GPU counts held)" if held else ""
            p10, central, p90 = band["p10"], float(r[book]), band["p90"]
        else:
            p10 = central = p90 = float(book)
        out[claim_id] = {"label": label, "p10": p10, "central": central, "p90": p90, "claim": float(claims[claim_id]),
                         "claim_label": claim_label}
    return out


CHART_TITLE = "Claims on the row of what they claim; this book's central figure and P10–P90"


def _headlines(page: Page, p: Mapping[str, Value], r: Mapping[str, float], ranges: Mapping[str, Mapping[str, float]],
               on_counts: Mapping[str, Mapping[str, float]]) -> None:
    page.figure("fig_headlines", charts.claims_on_their_axes(pd.DataFrame(headline_rows(p, r, ranges, on_counts).values()), CHART_TITLE))
    capex = float(r["fleet_capex_usd"])  # the one value of the fleet's capex, at the central inputs (as every page shows it)
    page.text("fleet_capex_central_text", usd_sig(capex))
    page.number("capex_over_run", capex / r["run_rental_usd"], "times")


def _assumptions(page: Page, p: Mapping[str, Value], r: Mapping[str, float]) -> None:
    page.table("assumptions", pd.DataFrame([
        {"Figure": "Final run, rented", "Value": r["run_rental_usd"],
         "Rests on": f"{r['v3_gpu_hours']:,.0f} GPU-hours (DeepSeek) × ${p['gpu_hour_usd']:.2f}/GPU-hour"},
        {"Figure": "Same run, owned", "Value": r["run_owned_usd"],
         "Rests on": f"${r['owned_gpu_hour_usd']:.2f} per H800-hour held: {BASIS_LABELS[str(p['gpu_price_basis'])]} prices, "
                     f"{p['depreciation_years']:g}-year life at {p['cost_of_capital']:.2%}"},
        {"Figure": "Research compute", "Value": r["research_usd"],
         "Rests on": f"{p['research_multiplier']:g}× the final run's compute in total, at the same cost per hour held"},
        {"Figure": "R1", "Value": r["r1_usd"], "Rests on": "DeepSeek's R1 GPU-hours at the ownership cost per hour held"},
        {"Figure": "Staff", "Value": r["staff_dev_usd"],
         "Rests on": f"{p['staff_headcount']:,.0f} people × ${p['staff_loaded_cost_usd']:,.0f} × {p['development_years']:g} years"},
        {"Figure": "Fleet capex", "Value": r["fleet_capex_usd"],
         "Rests on": f"{r['fleet_gpus']:,.0f} GPUs at {BASIS_LABELS[str(p['gpu_price_basis'])]} prices + ${p['server_non_gpu_usd']:,.0f} "
                     f"per HGX H800/H100 server, ${p['h20_server_non_gpu_usd']:,.0f} per H20 server and "
                     f"${p['a100_server_non_gpu_usd']:,.0f} per A100 node + ${p['network_usd_per_gpu']:,.0f} of network per Hopper GPU "
                     f"and ${p['a100_network_usd_per_gpu']:,.0f} per A100 + {usd_sig(r['fleet_capex_storage_usd'])} of storage and CPU nodes"},
        {"Figure": "Fleet opex", "Value": r["fleet_opex_usd"],
         "Rests on": f"{p['horizon_years']:g} years × {usd_sig(r['fleet_opex_per_year_usd'])} per year of power, rack rental, "
                     "maintenance and cluster staff"},
    ]).rename(columns={"Value": "Value (central inputs)"}), {"Value (central inputs)": usd_sig})
