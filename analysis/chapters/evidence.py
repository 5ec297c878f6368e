"""Chapter "The evidence, dated": what is known about DeepSeek's GPUs and costs, when, from whom, and what each item
does to the book's ranges; the inputs drawn from it (the fleet counts' bounds, the research multiple and its floor, the
GPU prices net of VAT) and the spend to date they add up to."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache

import numpy as np
import pandas as pd

from analysis.chapters.inputs import cost_model, gpu_catalogue, hardware_prices
from analysis.chapters.page import Page, Value
from analysis.formatting import usd, usd_sig
from analysis.inputs import data
from analysis.model import compute, costs, reconcile, uncertainty

PARAMETERS = (*reconcile.MODEL_PARAMS, "training_tokens", "vat_rate")  # MODEL_PARAMS holds the storage node's inputs
V3_ACTIVE_PARAMS = 37e9  # V3 report §4.2: 37B activated per token
BOUND_COLUMN = {"low": "low", "centre": "mode", "high": "high"}
PRICED = ("h800", "h100", "h20", "a100")
SUPERSCRIPT = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
# A bound no item gives: mirrored about the centre so that the estimate stays the median. An assumption, and named so.
MIRROR = "an assumption: as far {side} the centre as the {other} (no item says more)"
# A low end of none that no item gives: an export filing shows no lawful purchases, not none. An assumption, and named so.
NONE_DISCLOSED = "an assumption: DeepSeek has disclosed none (no item gives a count)"
MONTHS_PER_YEAR = 12
GPUS_PER_HGX = 8  # an HGX server holds eight GPUs
NET_COLUMN = "One bare GPU (USD, net of VAT and server parts)"


def chapter(p: Mapping[str, Value]) -> Page:
    """The page's outline: the dated evidence, the counts' ranges drawn from it, research compute, prices, spend to date."""
    page = Page()
    page.include(_from_data_alone())
    research_compute(page, p)
    prices_from_evidence(page, p)
    capital_evidence(page)
    maintenance_evidence(page, p)
    network_evidence(page)
    rack_rental_evidence(page)
    storage_node_evidence(page, p)
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
        if ranges.loc[name, "low"] == ranges.loc[name, "high"]:  # held at a disclosed count: no range
            says["centre"] = says["high"] = f"held at the low: {says['low']}"
        rows.append({"GPU count": ranges.loc[name, "label"], "Low": ranges.loc[name, "low"],
                     "Low from": says["low"] if says["low"] != "—" else _unsourced_low(float(ranges.loc[name, "low"])),
                     "Centre": ranges.loc[name, "mode"], "Centre from": says["centre"], "High": ranges.loc[name, "high"],
                     "High from": says["high"] if says["high"] != "—" else MIRROR.format(side="above", other="low is below"),
                     "Beyond the range": says["beyond"]})
    page.table("count_ranges", pd.DataFrame(rows), {"Low": "{:,.0f}", "Centre": "{:,.0f}", "High": "{:,.0f}"})
    page.number("wang_h100_claim", float(table.set_index("id").loc["wang_2025", "value"]), "GPUs")
    page.number("fleet_h100_high", float(ranges.loc["fleet_h100", "high"]), "GPUs")


def _unsourced_low(low: float) -> str:
    """What a count's low end rests on when no item gives it: none, DeepSeek having disclosed none, or a mirror."""
    return NONE_DISCLOSED if low == 0 else MIRROR.format(side="below", other="high is above")


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
    _research_readings(page, p, floor, float(ranges["low"]), float(ranges["high"]))
    page.table("ablations", runs.assign(section=runs["section"])[["section", "total_params", "activated_params", "tokens", "flops"]].rename(
        columns={"section": "Where in the V3 report", "total_params": "Parameters", "activated_params": "Activated", "tokens": "Tokens",
                 "flops": "FLOP (6ND)"}),
        {"Parameters": lambda v: f"{v / 1e9:,.1f}B", "Activated": lambda v: f"{v / 1e9:,.1f}B", "Tokens": lambda v: f"{v / 1e12:,.2f}T",
         "FLOP (6ND)": _power_of_ten})


def _research_readings(page: Page, p: Mapping[str, Value], floor: float, p5: float, p95: float) -> None:
    """The median mixes two readings of different quantities: the per-model reading alone (a log-normal on Epoch's
    per-model 90% interval), what development would cost at it, and how much of the book's range lies below the floor."""
    per_model = float(np.sqrt(data.published("epoch_per_model_factor_low") * data.published("epoch_per_model_factor_high")))
    book = cost_model(p)["total_development_cost_usd"]  # type: ignore[arg-type]
    alone = cost_model({**p, "research_multiplier": per_model})["total_development_cost_usd"]  # type: ignore[arg-type, dict-item]
    page.number("research_multiplier_per_model_median", per_model, "times the final run")
    page.number("dev_cost_per_model_reading_usd", alone, "USD")
    page.text("dev_cost_per_model_reading_text", usd_sig(alone))
    page.text("dev_cost_research_median_text", usd_sig(book))
    mu, sigma = uncertainty.lognormal_from_interval(p5, p95)
    page.number("research_multiplier_share_below_floor", 0.5 * math.erfc(-(math.log(floor) - mu) / (sigma * math.sqrt(2))), "fraction")


def _power_of_ten(value: float) -> str:
    """6.25e23 as a reader writes it: 6.25×10²³."""
    exponent = int(np.floor(np.log10(value)))
    return f"{value / 10 ** exponent:.2f}×10" + str(exponent).translate(SUPERSCRIPT)


@lru_cache(maxsize=64)
def as_paid_quotes(vat_rate: float, non_gpu_per_server: float) -> pd.DataFrame:
    """Each as-paid quote (data/hardware_prices.csv, role as_paid) as one bare GPU's price in dollars: a formal-channel
    yuan price net of the VAT its buyer credits (vat "credited"; a grey-market price has no VAT invoice and stays as
    quoted), a range at its middle, a server less its other parts (the HGX median), over its GPUs. Cached: not to be
    mutated."""
    quotes = hardware_prices()
    quotes = quotes[quotes["role"] == "as_paid"].copy()
    middle = (quotes["usd_low"] + quotes["usd_high"]) / 2 * quotes["gpus"]
    net = [costs.net_of_vat(m, vat_rate) if v == "credited" else m for m, v in zip(middle, quotes["vat"], strict=True)]
    quotes["bare_usd"] = [costs.bare_gpu_price(n, g, non_gpu_per_server, "server" in item)
                          for n, g, item in zip(net, quotes["gpus"], quotes["item"], strict=True)]
    return quotes


@dataclass(frozen=True)
class QuoteSpan:
    """One GPU's as-paid quotes, summarised: the log-normal span of their bare prices, the lowest, and how many."""

    span: tuple[float, float, float]  # costs.evidence_span: (median, P5, P95)
    lowest: float
    count: int


@lru_cache(maxsize=64)
def quote_spans(vat_rate: float, non_gpu_per_server: float) -> dict[str, QuoteSpan]:
    """Each priced GPU's QuoteSpan at these inputs, from as_paid_quotes (the same two inputs): computed once per pair,
    which the dependency pass asks for once per parameter it moves. Cached: not to be mutated."""
    quotes = as_paid_quotes(vat_rate, non_gpu_per_server)
    out = {}
    for gpu in PRICED:
        mine = quotes["gpu"] == gpu
        out[gpu] = QuoteSpan(costs.evidence_span(list(quotes.loc[mine, "bare_usd"])), float(quotes.loc[mine, "bare_usd"].min()),
                             int(mine.sum()))
    return out


def prices_from_evidence(page: Page, p: Mapping[str, Value]) -> None:
    """4. Each GPU's as-paid price: the median of its quotes net of VAT and margin, its range, the registry's default."""
    quotes = as_paid_quotes(float(p["vat_rate"]), float(p["server_non_gpu_usd"]))  # type: ignore[arg-type]
    spans = quote_spans(float(p["vat_rate"]), float(p["server_non_gpu_usd"]))  # type: ignore[arg-type]
    page.number("vat_rate", float(p["vat_rate"]), "fraction")  # type: ignore[arg-type]
    rows = []
    ranges = data.load_indexed("uncertainty.csv")
    for gpu in PRICED:
        median, low, high = spans[gpu].span
        # The table shows the range the book samples: a log-normal's 5th and 95th percentiles, a triangular's ends (the
        # A100's two list prices), as data/uncertainty.csv gives them.
        book_low, book_high = float(ranges.loc[f"price_{gpu}_usd", "low"]), float(ranges.loc[f"price_{gpu}_usd", "high"])
        page.number(f"price_{gpu}_evidence_median_usd", median, "USD per GPU")
        page.number(f"price_{gpu}_p5_below_lowest_share", 1 - low / spans[gpu].lowest, "fraction below the lowest quote used")
        rows.append({"GPU": gpu.upper(), "Quotes used": spans[gpu].count, "Median": median,
                     "Low (5th pct, or end)": book_low, "High (95th pct, or end)": book_high,
                     "The book (as paid)": float(p[f"price_{gpu}_usd"])})  # type: ignore[arg-type]
    if page.shows_tables:
        page.table("price_medians", pd.DataFrame(rows), {"Median": "${:,.0f}", "Low (5th pct, or end)": "${:,.0f}",
                                                         "High (95th pct, or end)": "${:,.0f}", "The book (as paid)": "${:,.0f}"})
        page.table("price_quotes", quotes.assign(GPU=quotes["gpu"].str.upper())[["GPU", "item", "date", "quoted", "bare_usd", "source"]].rename(
            columns={"item": "What", "date": "Date", "quoted": "As quoted", "bare_usd": NET_COLUMN, "source": "Source"}),
            {NET_COLUMN: "${:,.0f}"})
    page.text("vat_capex_effect_text", usd_sig(vat_effect(p)))
    h20_dollar_quotes_net(page, p, quotes)
    h100_grey_sensitivity(page, p, quotes)
    a100_cluster_cross_check(page, p)


def a100_cluster_cross_check(page: Page, p: Mapping[str, Value]) -> None:
    """Fire-Flyer 2's whole-cluster cost (High-Flyer's RMB 1 billion for about 10,000 A100s, all in, VAT not stated)
    per GPU, beside the book's A100 all in: card, an eighth of a node's other parts, network, and its storage share."""
    row = hardware_prices().set_index("id").loc["a100_fire_flyer_2_cluster"]
    cluster = float(row["usd_low"])  # per GPU, at the row's own exchange rate
    node = costs.storage_node_usd(float(p["cpu_node_usd"]), float(p["storage_node_ssd_tb"]), float(p["ssd_usd_per_tb"]))  # type: ignore[arg-type]
    all_in = float(p["price_a100_usd"]) + float(p["a100_server_non_gpu_usd"]) / 8 + float(p["a100_network_usd_per_gpu"])  # type: ignore[arg-type]
    with_storage = all_in + float(p["storage_nodes_per_gpu"]) * node  # type: ignore[arg-type]
    page.number("a100_cluster_usd_per_gpu", cluster, "USD per GPU (whole cluster, VAT not stated)")
    page.number("a100_all_in_usd_per_gpu", all_in, "USD per GPU")
    page.number("a100_all_in_with_storage_usd_per_gpu", with_storage, "USD per GPU")
    page.number("a100_all_in_over_cluster", with_storage / cluster, "times")


def h100_grey_price(quotes: pd.DataFrame) -> float:
    """One bare H100 at China's grey-market quotes (their median): no VAT invoice, so none is taken out."""
    return float(quotes.loc[(quotes["gpu"] == "h100") & (quotes["vat"] == "grey"), "bare_usd"].median())


def h100_grey_sensitivity(page: Page, p: Mapping[str, Value], quotes: pd.DataFrame) -> None:
    """What centring the H100 on China's grey-market quote (no VAT invoice) instead of the as-paid median would add to
    capex: a sensitivity, not the book's input (the grey market is in the range, not its centre)."""
    grey = h100_grey_price(quotes)
    base = cost_model(p)["fleet_capex_usd"]  # type: ignore[arg-type]
    at_grey = cost_model({**p, "price_h100_usd": grey})["fleet_capex_usd"]  # type: ignore[arg-type, dict-item]
    page.number("price_h100_grey_usd", grey, "USD per GPU")
    page.number("capex_h100_grey_delta_usd", at_grey - base, "USD")
    page.text("capex_h100_grey_delta_text", usd_sig(at_grey - base))
    page.number("capex_h100_grey_delta_share", (at_grey - base) / base, "fraction of capex")


def h20_dollar_quotes_net(page: Page, p: Mapping[str, Value], quotes: pd.DataFrame) -> None:
    """The H20's median if its dollar quotes (VAT unstated, used as quoted) had VAT inside them and were netted too."""
    h20 = quotes[quotes["gpu"] == "h20"]
    vat = float(p["vat_rate"])  # type: ignore[arg-type]
    netted = [costs.net_of_vat(b, vat) if v == "unstated" else b for b, v in zip(h20["bare_usd"], h20["vat"], strict=True)]
    page.number("price_h20_median_dollar_quotes_netted_usd", float(np.median(netted)), "USD per GPU")
    page.number("h20_dollar_quotes", int((h20["vat"] == "unstated").sum()), "quotes")


def vat_effect(p: Mapping[str, Value]) -> float:
    """How much capex the VAT would add if it were left in the formal-channel yuan prices (the H800's and the H20's; the
    H100's only yuan quote is a grey-market one, with no VAT to take out)."""
    gross = quote_spans(0.0, float(p["server_non_gpu_usd"]))  # type: ignore[arg-type]
    net = quote_spans(float(p["vat_rate"]), float(p["server_non_gpu_usd"]))  # type: ignore[arg-type]
    delta = 0.0
    for gpu in ("h800", "h100", "h20"):
        up = gross[gpu].span[0] - net[gpu].span[0]
        delta += up * float(p[f"fleet_{gpu}"])  # type: ignore[arg-type]
    return delta


def capital_evidence(page: Page) -> None:
    """5a. The cost of capital: a safe yield, a borrowing rate and an equity opportunity cost, the range's three points."""
    ranges = data.load_indexed("uncertainty.csv").loc["cost_of_capital"]
    for end, column in (("low", "low"), ("mode", "mode"), ("high", "high")):
        page.number(f"cost_of_capital_{end}", float(ranges[column]), "fraction per year")
    for key in ("china_10y_yield_jan_2025", "china_lpr_5y_2023", "china_lpr_5y_2025", "baidu_cost_of_equity", "baidu_wacc", "alibaba_cost_of_equity",
                "alibaba_wacc", "alibaba_screen_risk_free"):
        page.number(key, data.published(key), "fraction per year")


def maintenance_evidence(page: Page, p: Mapping[str, Value]) -> None:
    """5b. Maintenance: from none (the book's reading of DeepSeek's accounting) to CTWatch's top rate averaged over the
    server life with its free first year; a full vendor contract at NVIDIA's DGX rate lies beyond."""
    ranges = data.load_indexed("uncertainty.csv").loc["maintenance_share_per_year"]
    page.number("maintenance_share_low", float(ranges["low"]), "fraction of capex per year")
    page.number("maintenance_share_high", float(ranges["high"]), "fraction of capex per year")
    life = float(p["depreciation_years"])  # type: ignore[arg-type]
    page.number("maintenance_life_years", life, "years")
    page.number("maintenance_paid_years", life - 1, "years")  # CTWatch: the first year's maintenance is free
    page.number("maintenance_ctwatch_life_average", data.published("vendor_maintenance_high") * (life - 1) / life,
                "fraction of capex per year")
    page.number("dgx_h100_support_usd_per_year", data.published("dgx_h100_support_usd_per_year"), "USD per year")
    page.number("dgx_h100_base_price_usd", data.published("dgx_h100_base_price_usd"), "USD per 8-GPU system")
    page.number("dgx_h100_support_share", data.published("dgx_h100_support_usd_per_year") / data.published("dgx_h100_base_price_usd"),
                "fraction of the price per year")
    page.number("it_service_contract_low", data.published("it_service_contract_low"), "fraction of the price per year")
    page.number("it_service_contract_high", data.published("it_service_contract_high"), "fraction of the price per year")


def network_evidence(page: Page) -> None:
    """5c. The Hopper network's range: a rail-only network's saving sets its 5th percentile, DeepSeek's fat tree its median."""
    ranges = data.load_indexed("uncertainty.csv").loc["network_usd_per_gpu"]
    page.number("rail_only_cost_cut_low", data.published("rail_only_cost_cut_low"), "fraction")
    page.number("rail_only_cost_cut_high", data.published("rail_only_cost_cut_high"), "fraction")
    page.number("network_usd_per_gpu_p5", float(ranges["low"]), "USD per GPU")
    page.number("network_usd_per_gpu_p95", float(ranges["high"]), "USD per GPU")


def rack_rental_evidence(page: Page) -> None:
    """5d. Rack rental: the range's sourced ends, and the one Chinese cabinet rent found, shown and not used (its unit is
    ambiguous), read per kW as an H800 would pay it."""
    ranges = data.load_indexed("uncertainty.csv").loc["hosting_usd_per_gpu_year"]
    page.number("hosting_usd_per_gpu_year_p5", float(ranges["low"]), "USD per H800-year")
    page.number("hosting_usd_per_gpu_year_p95", float(ranges["high"]), "USD per H800-year")
    page.number("semianalysis_hosting_usd_per_gpu_year", data.published("semianalysis_hgx_hosting_usd_per_month") * MONTHS_PER_YEAR / GPUS_PER_HGX,
                "USD per H100-year, power included")
    h800 = gpu_catalogue()["h800"]
    h800_kw = h800.tdp_w * h800.server_power_factor / 1e3
    rate = data.published("cny_per_usd_2023")
    for when in ("before", "now", "low"):
        rmb = data.published(f"cabinet_rent_rmb_per_kw_month_{when}")
        page.number(f"cabinet_rent_rmb_{when}", rmb, "RMB a month (per kW, as translated)")
        page.number(f"cabinet_rent_{when}_usd_per_h800_year", rmb * MONTHS_PER_YEAR / rate * h800_kw, "USD per H800-year, read per kW")


def storage_node_evidence(page: Page, p: Mapping[str, Value]) -> None:
    """5e. A 3FS storage node as what it is: a two-CPU server (priced as a CPU node) with its flash."""
    parts, tb, per_tb = (float(p[k]) for k in ("cpu_node_usd", "storage_node_ssd_tb", "ssd_usd_per_tb"))  # type: ignore[arg-type]
    page.number("storage_node_parts_usd", parts, "USD per node")
    page.number("storage_node_flash_usd", tb * per_tb, "USD per node")
    page.number("storage_node_usd", costs.storage_node_usd(parts, tb, per_tb), "USD per node")


def spend_to_date(page: Page, p: Mapping[str, Value]) -> None:
    """6. What the fleet and the people cost by the estimate's date, as paid."""
    book = cost_model(p)  # type: ignore[arg-type]
    page.number("cumulative_spend_usd", book["cumulative_spend_usd"], "USD")
    page.text("cumulative_spend_text", usd_sig(book["cumulative_spend_usd"]))
    page.number("fleet_capex_storage_usd", book["fleet_capex_storage_usd"], "USD")
    page.text("fleet_capex_storage_text", usd_sig(book["fleet_capex_storage_usd"]))
    page.text("fleet_capex_cpu_text", usd(book["fleet_capex_cpu_usd"], 2))
    page.number("staff_years_to_date", float(p["staff_years_to_date"]), "years")  # type: ignore[arg-type]
    page.text("fleet_capex_as_paid_evidence_text", usd_sig(book["fleet_capex_as_paid_usd"]))
