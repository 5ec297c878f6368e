"""Chapter "The evidence, dated": what is known about DeepSeek's GPUs and costs, when, from whom, and what each item
does to the book's ranges; the inputs drawn from it (the fleet counts' bounds, the research multiple and its floor, the
GPU prices net of VAT) and the spend to date they add up to."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache, lru_cache

import numpy as np
import pandas as pd

from analysis.chapters.inputs import cost_model, hardware_prices
from analysis.chapters.page import Page, Value
from analysis.formatting import usd, usd_sig
from analysis.inputs import data
from analysis.model import compute, costs, reconcile

PARAMETERS = (*reconcile.MODEL_PARAMS, "training_tokens", "vat_rate")
V3_ACTIVE_PARAMS = 37e9  # V3 report §4.2: 37B activated per token
BOUND_COLUMN = {"low": "low", "centre": "mode", "high": "high"}
PRICED = ("h800", "h100", "h20", "a100")
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def chapter(p: Mapping[str, Value]) -> Page:
    """The page's outline: the dated evidence, the counts' ranges drawn from it, research compute, prices, spend to date."""
    page = Page()
    page.include(_from_data_alone())
    research_compute(page, p)
    prices_from_evidence(page, p)
    spend_to_date(page, p)
    return page


@cache
def _from_data_alone() -> Page:
    """Sections 1 and 2, which read data/ and no parameter: built once per process (the dependency pass reruns the
    chapter once per parameter it moves). Not to be mutated."""
    page = Page()
    dated_evidence(page)
    count_ranges(page)
    return page


def dated_evidence(page: Page) -> None:
    """1. Every item with its date, its source (publisher, confidence), what it shows and what it does to the ranges."""
    table = data.load_table("evidence.csv").sort_values("date", kind="stable")
    sources = data.load_indexed("sources.csv")
    page.number("evidence_items", len(table), "items")
    page.number("evidence_items_deepseek", int(table["claimant"].str.startswith("DeepSeek").sum()), "items")
    page.number("evidence_items_after_estimate", int((table["date"] > "2025-01-31").sum()), "items")
    page.table("evidence", pd.DataFrame({
        "Date": table["date"], "Who": table["claimant"], "What": table["what"],
        "Source": [f"{sources.loc[s, 'publisher']} ({sources.loc[s, 'confidence']})" for s in table["source_id"]],
        "What it shows": table["shows"], "What it does to the ranges": table["effect"]}))


def count_ranges(page: Page) -> None:
    """2. The fleet counts' ranges and the evidence each bound is drawn from (a test holds them equal)."""
    table = data.load_table("evidence.csv")
    ranges = data.load_indexed("uncertainty.csv")
    rows = []
    for gpu in ("a100", "h800", "h100", "h20"):
        name = f"fleet_{gpu}"
        drawn = table[table["parameter"] == name]
        says = {b: "; ".join(f"{r.claimant} ({r.date[:7]})" for r in drawn[drawn["bound"] == b].itertuples()) or "—"
                for b in ("low", "centre", "high", "beyond")}
        rows.append({"GPU count": ranges.loc[name, "label"], "Low": ranges.loc[name, "low"],
                     "Low from": says["low"] if says["low"] != "—" else "as far below the centre as the high is above",
                     "Centre": ranges.loc[name, "mode"], "Centre from": says["centre"], "High": ranges.loc[name, "high"],
                     "High from": says["high"] if says["high"] != "—" else "as far above the centre as the low is below",
                     "Beyond the range": says["beyond"]})
    page.table("count_ranges", pd.DataFrame(rows), {"Low": "{:,.0f}", "Centre": "{:,.0f}", "High": "{:,.0f}"})
    page.number("wang_h100_claim", float(table.set_index("id").loc["wang_2025", "value"]), "GPUs")
    page.number("fleet_h100_high", float(ranges.loc["fleet_h100", "high"]), "GPUs")


def ablation_flops() -> pd.DataFrame:
    """V3's published ablations (data/v3_ablations.csv) with 6 × activated parameters × tokens each."""
    runs = data.load_table("v3_ablations.csv")
    return runs.assign(flops=compute.training_flops_6nd(runs["activated_params"], runs["tokens"]))


def research_compute(page: Page, p: Mapping[str, Value]) -> None:
    """3. The research multiple: Epoch AI's two readings, the median the book uses, and the floor V3's own ablations set."""
    runs = ablation_flops()
    final_flops = float(compute.training_flops_6nd(V3_ACTIVE_PARAMS, float(p["training_tokens"])))  # type: ignore[arg-type]
    hours = float(p["v3_pretrain_gpu_hours"]) + float(p["v3_context_ext_gpu_hours"]) + float(p["v3_post_training_gpu_hours"])  # type: ignore[arg-type]
    floor = compute.research_floor_multiple(float(runs["flops"].sum()), final_flops, float(p["v3_pretrain_gpu_hours"]), hours)  # type: ignore[arg-type]
    ranges = data.load_indexed("uncertainty.csv").loc["research_multiplier"]
    page.number("ablation_runs", len(runs), "runs")
    page.number("ablation_flops", float(runs["flops"].sum()), "FLOP")
    page.text("ablation_flops_text", _power_of_ten(float(runs["flops"].sum())))
    page.number("ablation_share_of_final_run", float(runs["flops"].sum()) / final_flops, "fraction")
    page.number("ablation_gpu_hours_m", (floor - 1.0) * hours / 1e6, "million H800-hours")
    page.number("research_floor_multiplier", floor, "times the final run")
    page.number("research_multiplier", float(p["research_multiplier"]), "times the final run")  # type: ignore[arg-type]
    page.number("research_multiplier_low", float(ranges["low"]), "times the final run")
    page.number("research_multiplier_high", float(ranges["high"]), "times the final run")
    page.number("epoch_per_model_high", data.published("epoch_per_model_factor_high"), "times the final run")
    page.number("epoch_firm_wide_low", data.published("epoch_firm_wide_factor_low"), "times the final run")
    page.table("ablations", runs.assign(section=runs["section"])[["section", "total_params", "activated_params", "tokens", "flops"]].rename(
        columns={"section": "Where in the V3 report", "total_params": "Parameters", "activated_params": "Activated", "tokens": "Tokens",
                 "flops": "FLOP (6ND)"}),
        {"Parameters": lambda v: f"{v / 1e9:,.1f}B", "Activated": lambda v: f"{v / 1e9:,.1f}B", "Tokens": lambda v: f"{v / 1e12:,.2f}T",
         "FLOP (6ND)": _power_of_ten})


def _power_of_ten(value: float) -> str:
    """6.25e23 as a reader writes it: 6.25×10²³."""
    exponent = int(np.floor(np.log10(value)))
    return f"{value / 10 ** exponent:.2f}×10" + str(exponent).translate(SUPERSCRIPT)


@lru_cache(maxsize=64)
def as_paid_quotes(vat_rate: float, non_gpu_per_server: float) -> pd.DataFrame:
    """Each as-paid quote (data/hardware_prices.csv, role as_paid) as one bare GPU's price in dollars: yuan net of VAT, a
    range at its middle, a server less its other parts (the HGX median), over its GPUs. Cached: not to be mutated."""
    quotes = hardware_prices()
    quotes = quotes[quotes["role"] == "as_paid"].copy()
    middle = (quotes["usd_low"] + quotes["usd_high"]) / 2 * quotes["gpus"]
    net = [costs.net_of_vat(m, vat_rate) if c == "CNY" else m for m, c in zip(middle, quotes["currency"], strict=True)]
    quotes["bare_usd"] = [costs.bare_gpu_price(n, g, non_gpu_per_server, "server" in item)
                          for n, g, item in zip(net, quotes["gpus"], quotes["item"], strict=True)]
    return quotes


def prices_from_evidence(page: Page, p: Mapping[str, Value]) -> None:
    """4. Each GPU's as-paid price: the median of its quotes net of VAT and margin, its range, the registry's default."""
    quotes = as_paid_quotes(float(p["vat_rate"]), float(p["server_non_gpu_usd"]))  # type: ignore[arg-type]
    page.number("vat_rate", float(p["vat_rate"]), "fraction")  # type: ignore[arg-type]
    rows = []
    for gpu in PRICED:
        median, low, high = costs.evidence_span(list(quotes.loc[quotes["gpu"] == gpu, "bare_usd"]))
        page.number(f"price_{gpu}_evidence_median_usd", median, "USD per GPU")
        rows.append({"GPU": gpu.upper(), "Quotes used": int((quotes["gpu"] == gpu).sum()), "Median": median, "5th pct": low, "95th pct": high,
                     "The book (as paid)": float(p[f"price_{gpu}_usd"])})  # type: ignore[arg-type]
    page.table("price_medians", pd.DataFrame(rows), {"Median": "${:,.0f}", "5th pct": "${:,.0f}", "95th pct": "${:,.0f}",
                                                     "The book (as paid)": "${:,.0f}"})
    page.table("price_quotes", quotes.assign(GPU=quotes["gpu"].str.upper())[["GPU", "item", "date", "quoted", "bare_usd", "source"]].rename(
        columns={"item": "What", "date": "Date", "quoted": "As quoted", "bare_usd": "One bare GPU, net", "source": "Source"}),
        {"One bare GPU, net": "${:,.0f}"})
    page.text("vat_capex_effect_text", usd_sig(vat_effect(p)))


def vat_effect(p: Mapping[str, Value]) -> float:
    """How much capex the VAT would add if it were left in the yuan-quoted prices (H800 and H20, and the grey H100)."""
    gross = as_paid_quotes(0.0, float(p["server_non_gpu_usd"]))  # type: ignore[arg-type]
    net = as_paid_quotes(float(p["vat_rate"]), float(p["server_non_gpu_usd"]))  # type: ignore[arg-type]
    delta = 0.0
    for gpu in ("h800", "h100", "h20"):
        up = costs.evidence_span(list(gross.loc[gross["gpu"] == gpu, "bare_usd"]))[0] - costs.evidence_span(
            list(net.loc[net["gpu"] == gpu, "bare_usd"]))[0]
        delta += up * float(p[f"fleet_{gpu}"])  # type: ignore[arg-type]
    return delta


def spend_to_date(page: Page, p: Mapping[str, Value]) -> None:
    """5. What the fleet and the people cost by the estimate's date, as paid."""
    book = cost_model(p)  # type: ignore[arg-type]
    page.number("cumulative_spend_usd", book["cumulative_spend_usd"], "USD")
    page.text("cumulative_spend_text", usd_sig(book["cumulative_spend_usd"]))
    page.number("fleet_capex_storage_usd", book["fleet_capex_storage_usd"], "USD")
    page.text("fleet_capex_storage_text", usd_sig(book["fleet_capex_storage_usd"]))
    page.text("fleet_capex_cpu_text", usd(book["fleet_capex_cpu_usd"], 2))
    page.number("staff_years_to_date", float(p["staff_years_to_date"]), "years")  # type: ignore[arg-type]
    page.text("fleet_capex_as_paid_evidence_text", usd_sig(book["fleet_capex_as_paid_usd"]))
