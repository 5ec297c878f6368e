"""Chapter "Serving economics": DeepSeek's one-day inference disclosure, what a token costs,
whether the throughput is physically possible, the fleet-time budget and sparse attention.

The model functions are analysis.model.inference; the architecture figures (weights, KV cache,
FLOP per token) come from the calculator (analysis.model.architecture) over the configs in
data/models/, the GPU figures from data/gpus.csv, the disclosure's printed figures from
data/published_figures.csv and the price lists from data/api_prices.csv.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.chapters import replay
from analysis.chapters.inputs import correlations, cost_model, distributions, gpu_catalogue, load_config, model_config, r1_gpu_hours
from analysis.chapters.page import Page, Value
from analysis.charts import serving as charts
from analysis.formatting import usd, usd_sig
from analysis.inputs import data
from analysis.inputs.params import registry
from analysis.model import architecture as arch
from analysis.model import fleet, reconcile
from analysis.model import inference as inf
from analysis.model import uncertainty as unc
from analysis.paths import MODELS_DIR

PARAMETERS = tuple(dict.fromkeys((
    # the disclosure
    "gpu_hour_usd", "inference_nodes_avg", "inference_nodes_peak", "gpus_per_node",
    "inference_input_tokens_per_day", "inference_output_tokens_per_day", "cache_hit_share",
    "prefill_tokens_per_s_per_node", "decode_tokens_per_s_per_node",
    # cost per token and plausible revenue
    "cache_hit_cost_fraction", "paid_token_share", "v3_token_share", "off_peak_token_share",
    # rooflines
    "stream_tokens_per_s", "avg_kv_tokens", "decode_experts_per_gpu", "decode_tokens_per_step", "weight_dtype_bytes", "kv_dtype_bytes",
    # fleet-time budget, and the ownership cost the disclosed day is also priced at (the whole cost model)
    *reconcile.MODEL_PARAMS, "other_models_gpu_hours", "high_flyer_share", "mc_samples", "seed",
    # sparse attention
    "context_tokens",
)))

# Price lists of data/api_prices.csv in the order the page shows them; the first is the disclosure's.
DEEPSEEK_PRICES = ("r1_launch", "v3_standard", "v3_off_peak", "r1_off_peak", "v31", "v32_exp")
COMPETITOR_PRICES = ("openai_gpt4o", "openai_o1")
V32_CONFIG = "deepseek_v3_2_exp.json"
SPARSE_TABLE_POSITIONS = (1_024, 16_384, 65_536)  # beside the average KV length and context_tokens
CHART_POINTS = 257
CROSSOVER_STEP = 16  # tokens: resolution of the position where sparse prefill becomes cheaper
# V3's MTP module: second-token acceptance 85-90% (V3 report §5.4.3), so ~1.85 tokens per decode step.
MTP_TOKENS_PER_STEP = 1.85
# What the replayed sections read: the day's tokens (price lists); the sparse-attention section's inputs besides its
# rooflines; every data table a section may read (a reload of any computes them again).
DAY_TOKENS = ("inference_input_tokens_per_day", "cache_hit_share", "inference_output_tokens_per_day")
SPARSE_PARAMS = ("gpus_per_node", "gpu_hour_usd", "context_tokens", "avg_kv_tokens", "decode_tokens_per_step", "weight_dtype_bytes")
DATA_READ = ("api_prices.csv", "uncertainty.csv", "claims.csv", "published_figures.csv", "parameters.csv", "correlations.csv",
             "gpus.csv", "purchases.csv", "training_runs.csv", "models.csv")


def prices(row: pd.Series) -> inf.ApiPrices:
    """One row of data/api_prices.csv as a price list (USD per million tokens)."""
    return inf.ApiPrices(float(row["input_cache_hit_usd_per_m"]), float(row["input_cache_miss_usd_per_m"]), float(row["output_usd_per_m"]))


def _pct(value: float) -> str:
    return f"{value:.0%}"


def _share(value: float) -> str:
    """A share of the fleet-year: two decimals below 10% so that small slices keep two significant figures."""
    return f"{value:.2%}" if 0 < abs(value) < 0.1 else f"{value:.1%}"


# What fleet_year reads (the what-if panel evaluates it over a grid of these alone).
FLEET_YEAR_PARAMS = (
    "fleet_a100", "fleet_h800", "fleet_h100", "fleet_h20", "v3_pretrain_gpu_hours", "v3_context_ext_gpu_hours",
    "v3_post_training_gpu_hours", "research_multiplier", "inference_nodes_peak", "inference_nodes_avg", "gpus_per_node",
    "other_models_gpu_hours", "high_flyer_share", "utilisation",
)
# The budget's slices that run on H800s (DeepSeek's reports name H800s for each), priced at an H800's own cost per
# hour held; the others are shares of the whole fleet, priced at its average cost per H800-equivalent hour.
OWN_OUTPUT_LABEL = " (output at its own cost, the rest at V3's)"
ON_H800 = ("v3_final_run", "v3_research", "r1", "inference", "other_models")
# One-off runs, not yearly work: their cost is placed in the budget's year, not a cost every year.
ONE_OFF = ("v3_final_run", "v3_research", "r1", "other_models")
COST_COLUMN = "Cost in the year (mixed bases: see Priced at)"


def fleet_year(f: Mapping[str, float]) -> tuple[float, float, float, inf.FleetTimeBudget]:
    """A year of the fleet in H800-equivalent hours and what public figures account for: (H800-equivalent GPUs,
    V3's final run in GPU-hours, the night-lending share, the budget). Reads FLEET_YEAR_PARAMS only; every input
    may be a numpy array (the Monte Carlo of the remainder)."""
    equivalent = inf.h800_equivalent_gpus(fleet.counts_from_params(f), gpu_catalogue())
    final_run = f["v3_pretrain_gpu_hours"] + f["v3_context_ext_gpu_hours"] + f["v3_post_training_gpu_hours"]
    lending = inf.night_lending_share(f["inference_nodes_peak"], f["inference_nodes_avg"])
    budget = inf.fleet_time_budget(
        equivalent, v3_final_run_gpu_hours=final_run, research_multiplier=f["research_multiplier"], r1_gpu_hours=r1_gpu_hours(),
        inference_nodes_peak=f["inference_nodes_peak"], night_lending_share=lending, gpus_per_node=f["gpus_per_node"],
        other_models_gpu_hours=f["other_models_gpu_hours"], high_flyer_share=f["high_flyer_share"], idle_share=1.0 - f["utilisation"],
    )
    if np.ndim(equivalent) == 0:
        return float(equivalent), float(final_run), float(lending), budget
    return equivalent, final_run, lending, budget  # type: ignore[return-value]


def unexplained_range(p: Mapping[str, Value]) -> tuple[float, float]:
    """P10 and P90 of the share of the fleet-year nothing public explains, over the book's Monte Carlo of the inputs
    the budget reads (the fleet counts, research multiple, High-Flyer's share, utilisation), with their correlations."""
    values = {name: float(p[name]) for name in FLEET_YEAR_PARAMS}  # type: ignore[arg-type]
    dists = distributions(registry(), values)
    names = {d.parameter for d in dists}
    pairs = [c for c in correlations() if c.a in names and c.b in names]
    draws = unc.sample(dists, int(p["mc_samples"]), int(p["seed"]), pairs)
    budget = fleet_year({**values, **draws})[3]
    share = np.asarray(budget.unexplained) / np.asarray(budget.fleet_gpu_hours)
    return float(np.percentile(share, 10)), float(np.percentile(share, 90))


@dataclass(frozen=True)
class Day:
    """The disclosed day as the page computes it: its cost and revenue at R1's prices, and the book's own
    ownership cost per H800-hour held (with the cost model it comes from)."""

    r1: inf.ApiPrices
    cost: float
    revenue: float
    book: Mapping[str, float]
    owned: float


@dataclass(frozen=True)
class Rooflines:
    """What V3's decode and prefill need of an H800 at the disclosed throughput."""

    v3: arch.ModelConfig
    h800: fleet.Gpu
    replicated: float
    weight_bytes: float
    kv_bytes: float
    decode: inf.DecodeRoofline
    with_mtp: inf.DecodeRoofline
    prefill_flops: float
    prefill: inf.PrefillRoofline
    decode_flops: float
    decode_flop_util: float
    # The compute time each phase needs, FP8 matmuls and BF16 attention each at its own peak (decode; prefill with hits
    # skipped, and with every hit recomputed).
    decode_compute_share: float
    prefill_compute_share: float
    prefill_compute_share_hits_computed: float
    decode_attention_flops: float
    prefill_attention_flops: float


def chapter(p: Mapping[str, Value]) -> Page:
    """The page's outline: the disclosure reproduced, cost per token against the price lists, plausible revenue,
    the rooflines, the fleet-time budget and sparse attention."""
    page = Page()
    f = {name: float(p[name]) for name in PARAMETERS if name != "gpu_price_basis"}  # the one choice aside, numbers
    price_table = data.load_indexed("api_prices.csv")
    day = disclosure(page, p, f, prices(price_table.loc["r1_launch"]))
    disclosure_at_owned_cost(page, f, day)
    costs = token_costs(page, f)
    roof = rooflines(f)
    # V3.2-Exp's output is priced against its own (sparse-attention) cost, on the chart and in the text alike.
    # The sections that read few parameters run once per set of them in the dependency pass (replay.section).
    v32_own = replay.section(page, sparse_attention_section, f, SPARSE_PARAMS, roof, costs, tables=DATA_READ)
    replay.section(page, price_lists, f, DAY_TOKENS, day.cost, costs, v32_own, float(f["cache_hit_cost_fraction"]), tables=DATA_READ)
    replay.section(page, plausible_revenue, f, (*DAY_TOKENS, "paid_token_share", "v3_token_share", "off_peak_token_share"),
                   day.r1, day.cost, day.revenue, tables=DATA_READ)
    roofline_numbers(page, f, roof)
    roofline_table(page, f, roof)
    year = replay.section(page, fleet_time_budget, f, (*FLEET_YEAR_PARAMS, "mc_samples", "seed"), tables=DATA_READ)
    fleet_year_in_money(page, f, day, *year)
    fleet_budget_table(page, f, day, *year)
    v4_serving(page, f, day, roof, costs, v32_own)
    return page


def disclosure(page: Page, p: Mapping[str, Value], f: Mapping[str, float], r1: inf.ApiPrices) -> Day:
    """1. The disclosure, reproduced: cost, revenue and margin of the day, and the nodes its throughput needs."""
    gpus_per_node = f["gpus_per_node"]
    cost = inf.cost_per_day_usd(f["inference_nodes_avg"], gpus_per_node, f["gpu_hour_usd"])
    revenue = inf.theoretical_revenue_per_day_usd(f["inference_input_tokens_per_day"], f["cache_hit_share"],
                                                  f["inference_output_tokens_per_day"], r1)
    margin = inf.cost_profit_margin(revenue, cost)
    nodes = inf.nodes_from_throughput(f["inference_input_tokens_per_day"], f["inference_output_tokens_per_day"],
                                      f["prefill_tokens_per_s_per_node"], f["decode_tokens_per_s_per_node"])
    stated = {key: data.published(f"inference_{key}") for key in (
        "cost_per_day_usd", "revenue_per_day_usd", "cost_profit_margin", "nodes_avg", "nodes_peak",
        "input_tokens_per_day", "cache_hit_tokens_per_day", "output_tokens_per_day")}
    low, high = inf.revenue_rounding_bounds_usd(stated["input_tokens_per_day"], stated["cache_hit_tokens_per_day"],
                                                stated["output_tokens_per_day"], r1, 0.5e9)
    # What 0.5B more or fewer output tokens (half the printed rounding step) does to the revenue.
    output_half_step_usd = 0.5e9 * r1.output / inf.PER_MILLION

    disclosure_inputs(page, f, r1)
    page.number("inference_cost_per_day_usd", cost, "USD per day")
    page.number("inference_revenue_per_day_usd", revenue, "USD per day")
    page.number("inference_cost_profit_margin", margin, "fraction")
    page.number("inference_nodes_from_throughput", nodes, "nodes")
    page.number("inference_prefill_nodes", inf.nodes_for_rate(f["inference_input_tokens_per_day"], f["prefill_tokens_per_s_per_node"]), "nodes")
    page.number("inference_decode_nodes", inf.nodes_for_rate(f["inference_output_tokens_per_day"], f["decode_tokens_per_s_per_node"]), "nodes")
    page.number("inference_stated_cost_per_day_usd", stated["cost_per_day_usd"], "USD per day")
    page.number("inference_stated_revenue_per_day_usd", stated["revenue_per_day_usd"], "USD per day")
    page.number("inference_stated_cost_profit_margin", stated["cost_profit_margin"], "fraction")
    page.number("inference_stated_margin_from_stated_revenue", inf.cost_profit_margin(stated["revenue_per_day_usd"],
                                                                                      stated["cost_per_day_usd"]), "fraction")
    page.number("inference_revenue_gap_usd", revenue - stated["revenue_per_day_usd"], "USD per day")
    page.number("inference_revenue_low_usd", low, "USD per day")
    page.number("inference_revenue_high_usd", high, "USD per day")
    page.number("inference_output_half_step_usd", output_half_step_usd, "USD per day")
    page.number("inference_nodes_gap", nodes - f["inference_nodes_avg"], "nodes")
    # The same day at the book's ownership cost per H800-hour held, the basis a rental is paid on.
    book = cost_model({name: p[name] for name in reconcile.MODEL_PARAMS})  # type: ignore[misc]
    return Day(r1, cost, revenue, book, float(book["owned_gpu_hour_usd"]))


def disclosure_inputs(page: Page, f: Mapping[str, float], r1: inf.ApiPrices) -> None:
    """The disclosure's own figures, as the page uses them (the parameters' values) and R1's prices."""
    page.number("gpu_hour_usd", f["gpu_hour_usd"], "USD per GPU-hour")
    page.number("inference_nodes_avg", f["inference_nodes_avg"], "nodes")
    page.number("inference_nodes_peak", f["inference_nodes_peak"], "nodes")
    page.number("inference_gpus_per_node", f["gpus_per_node"], "GPUs")
    page.number("inference_input_tokens_per_day_b", f["inference_input_tokens_per_day"] / 1e9, "billion tokens per day")
    page.number("inference_output_tokens_per_day_b", f["inference_output_tokens_per_day"] / 1e9, "billion tokens per day")
    page.number("inference_cache_hit_tokens_per_day_b", f["inference_input_tokens_per_day"] * f["cache_hit_share"] / 1e9,
                "billion tokens per day")
    page.number("inference_cache_hit_share", f["cache_hit_share"], "fraction")
    page.number("inference_prefill_tokens_per_s_per_node", f["prefill_tokens_per_s_per_node"], "tokens per second")
    page.number("inference_decode_tokens_per_s_per_node", f["decode_tokens_per_s_per_node"], "tokens per second")
    page.number("inference_r1_price_hit", r1.input_cache_hit, "USD per million tokens")
    page.number("inference_r1_price_miss", r1.input_cache_miss, "USD per million tokens")
    page.number("inference_r1_price_output", r1.output, "USD per million tokens")


def disclosure_at_owned_cost(page: Page, f: Mapping[str, float], day: Day) -> None:
    """The day at the book's ownership cost, and the disclosure's table: DeepSeek's figures beside the page's."""
    gpus_per_node = f["gpus_per_node"]
    cost_owned = inf.cost_per_day_usd(f["inference_nodes_avg"], gpus_per_node, day.owned)
    margin_owned = inf.cost_profit_margin(day.revenue, cost_owned)
    page.number("owned_gpu_hour_usd", day.owned, "USD per GPU-hour held")
    page.number("inference_cost_per_day_owned_usd", cost_owned, "USD per day")
    page.number("inference_margin_owned_cost", margin_owned, "fraction")
    stated = {key: page[f"inference_stated_{key}"] for key in ("cost_per_day_usd", "revenue_per_day_usd", "cost_profit_margin")}
    nodes, prefill_nodes, decode_nodes = (page[f"inference_{k}"] for k in ("nodes_from_throughput", "prefill_nodes", "decode_nodes"))
    page.table("disclosure", pd.DataFrame([
        {"Figure": "Cost per day", "DeepSeek states": f"${stated['cost_per_day_usd']:,.0f}", "This page": f"${day.cost:,.0f}",
         "From": f"{f['inference_nodes_avg']:g} nodes × {gpus_per_node:g} GPUs × 24 h × ${f['gpu_hour_usd']:.2f}"},
        {"Figure": "Revenue at R1 prices", "DeepSeek states": f"${stated['revenue_per_day_usd']:,.0f}", "This page": f"${day.revenue:,.0f}",
         "From": "hits, misses and output tokens × R1's three prices"},
        {"Figure": "Cost profit margin", "DeepSeek states": f"{stated['cost_profit_margin']:.0%}",
         "This page": f"{page['inference_cost_profit_margin']:.1%}", "From": "(revenue − cost) ÷ cost"},
        {"Figure": "Cost per day, owned", "DeepSeek states": "—", "This page": f"${cost_owned:,.0f}",
         "From": f"the same nodes at ${day.owned:.2f} per H800-hour held (this book's ownership cost)"},
        {"Figure": "Margin at owned cost", "DeepSeek states": "—", "This page": f"{margin_owned:.1%}",
         "From": "(revenue − owned cost) ÷ owned cost"},
        {"Figure": "Average nodes", "DeepSeek states": f"{data.published('inference_nodes_avg'):g}", "This page": f"{nodes:.1f}",
         "From": f"{prefill_nodes:.1f} prefill + {decode_nodes:.1f} decode, from tokens ÷ throughput"},
    ]))


def token_costs(page: Page, f: Mapping[str, float]) -> inf.TokenCosts:
    """2. Cost per million tokens, from the disclosed throughput at the rental price."""
    costs = inf.token_costs(f["gpus_per_node"], f["gpu_hour_usd"], f["prefill_tokens_per_s_per_node"],
                            f["decode_tokens_per_s_per_node"], f["cache_hit_share"], f["cache_hit_cost_fraction"])
    page.number("inference_cost_per_m_output_tokens_usd", costs.output, "USD per million tokens")
    page.number("inference_cost_per_m_input_miss_usd", costs.input_cache_miss, "USD per million tokens")
    page.number("inference_cost_per_m_input_hit_usd", costs.input_cache_hit, "USD per million tokens")
    page.number("inference_cost_per_m_input_blended_usd", costs.input_blended, "USD per million tokens")
    page.number("cache_hit_cost_fraction", f["cache_hit_cost_fraction"], "fraction")
    # At 0 the misses carry the whole prefill cost; moved, the hits share it.
    page.text("cache_hit_cost_basis_text",
              "the end of that parameter's bounds that puts the whole prefill cost on the misses"
              if f["cache_hit_cost_fraction"] == 0 else
              "so the hits carry part of the prefill cost and the misses the rest (at 0 the misses would carry all of it, "
              "which lowers every miss margin)")
    return costs


def off_peak_miss_note(margin: float, hit_cost: float) -> str:
    """What the off-peak miss margin means at this build's inputs: below cost only if it is negative, and resting on free
    cache hits only where hits are free."""
    if margin >= 0:
        return "which covers its cost at these inputs"
    if hit_cost == 0:
        return ("which is below cost if, as the book's default has it, a cache hit costs no GPU time (the extreme of that "
                "input's bounds: if hits took GPU time, a miss's share of the prefill cost would fall and the verdict might "
                "not hold)")
    return f"which is below cost even with a cache hit taking {hit_cost:.0%} of a miss's GPU time"


def price_rows(f: Mapping[str, float], price_table: pd.DataFrame, day_cost: float, costs: inf.TokenCosts,
               own_output_cost: Mapping[str, float] | None = None) -> pd.DataFrame:
    """One row per price list (DeepSeek's and its competitors'): prices, the day's revenue and the margins. A list in
    `own_output_cost` (V3.2-Exp) has its output margin at its own cost per million output tokens, and its label says
    so and that its other two columns (profit ÷ cost, miss margin) stay at V3's dense cost from the disclosure: no
    day's cost or prefill cost of V3.2-Exp is modelled. The other lists are at V3's cost throughout."""
    own_output_cost = own_output_cost or {}
    rows = []
    for key in DEEPSEEK_PRICES + COMPETITOR_PRICES:
        row = price_table.loc[key]
        listed = prices(row)
        day_usd = inf.theoretical_revenue_per_day_usd(f["inference_input_tokens_per_day"], f["cache_hit_share"],
                                                      f["inference_output_tokens_per_day"], listed)
        gm = inf.gross_margins(listed, costs)
        rows.append({
            "key": key, "Price list": re.sub(r" \(.*\)$", "", str(row["model"])), "From": str(row["date"]), "deepseek": key in DEEPSEEK_PRICES,
            "Hit": listed.input_cache_hit, "Miss": listed.input_cache_miss, "Output": listed.output,
            "day_usd": day_usd, "Cost profit margin": float(inf.cost_profit_margin(day_usd, day_cost)),
            "Miss margin": gm["input_cache_miss"],
            "Output margin": inf.implied_gross_margin(listed.output, own_output_cost[key]) if key in own_output_cost else gm["output"],
            "Output margin at V3's cost": gm["output"], "own": key in own_output_cost,
        })
    frame = pd.DataFrame(rows)
    frame["Label"] = [(f"{name}, {pd.Timestamp(when):%-d %b %Y}" + (OWN_OUTPUT_LABEL if mine else "")) if own
                      else f"{name}, {pd.Timestamp(when):%b %Y} (C)"
                      for name, when, own, mine in zip(frame["Price list"], frame["From"], frame["deepseek"], frame["own"], strict=True)]
    return frame


def price_lists(page: Page, f: Mapping[str, float], day_cost: float, costs: inf.TokenCosts, v32_own: float,
                hit_cost: float) -> None:
    """Cost per million tokens against every price list (at the day's rental cost `day_cost`; V3.2-Exp's output at its
    own cost `v32_own`): margins, the table and the timeline."""
    rows = price_rows(f, data.load_indexed("api_prices.csv"), day_cost, costs, {"v32_exp": v32_own})
    ds = rows[rows["deepseek"]].set_index("key")
    for key in DEEPSEEK_PRICES:
        page.number(f"price_{key}_output_margin", ds.loc[key, "Output margin"], "fraction")
        page.number(f"price_{key}_miss_margin", ds.loc[key, "Miss margin"], "fraction")
        page.number(f"price_{key}_cost_profit_margin", ds.loc[key, "Cost profit margin"], "fraction")
        page.number(f"price_{key}_output_usd_per_m", ds.loc[key, "Output"], "USD per million tokens")
    page.text("off_peak_miss_note_text", off_peak_miss_note(float(ds.loc["v3_off_peak", "Miss margin"]), hit_cost))
    page.number("price_v32_exp_output_margin_at_v3_cost", ds.loc["v32_exp", "Output margin at V3's cost"], "fraction")
    page.number("price_v3_standard_day_usd", ds.loc["v3_standard", "day_usd"], "USD per day")
    page.number("price_v32_exp_day_usd", ds.loc["v32_exp", "day_usd"], "USD per day")
    # The prices themselves are in the chart; the table gives what they earn. Margins are against
    # DeepSeek's cost, so another lab's prices have no row here.
    shown = rows.loc[rows["deepseek"], ["Label", "day_usd", "Cost profit margin", "Miss margin", "Output margin"]]
    # Short headers (numeric headers do not wrap); the notebook's legend spells them out.
    page.table("prices", shown.rename(columns={
        "Label": "Price list", "day_usd": "Revenue", "Cost profit margin": "Profit ÷ cost"}), {
        "Revenue": usd, "Profit ÷ cost": _pct, "Miss margin": _pct, "Output margin": _pct,
    })
    page.figure("fig_price_timeline", charts.price_timeline(rows, costs.as_dict()))


def plausible_revenue(page: Page, f: Mapping[str, float], r1: inf.ApiPrices, day_cost: float, day_revenue: float) -> None:
    """What the day plausibly earned (R1's prices `r1`, the day's rental cost and revenue at them): paid tokens only, V3
    and R1 prices blended, off-peak discounts."""
    price_table = data.load_indexed("api_prices.csv")
    revenue_args = dict(r1_prices=r1, v3_prices=prices(price_table.loc["v3_standard"]), v3_token_share=f["v3_token_share"],
                        off_peak_token_share=f["off_peak_token_share"], r1_off_peak_prices=prices(price_table.loc["r1_off_peak"]),
                        v3_off_peak_prices=prices(price_table.loc["v3_off_peak"]))
    day_tokens = (f["inference_input_tokens_per_day"], f["cache_hit_share"], f["inference_output_tokens_per_day"])
    plausible = inf.blended_revenue_per_day_usd(*day_tokens, paid_share=f["paid_token_share"], **revenue_args)
    all_paid = inf.blended_revenue_per_day_usd(*day_tokens, paid_share=1.0, **revenue_args)
    page.number("paid_token_share", f["paid_token_share"], "fraction")
    page.number("v3_token_share", f["v3_token_share"], "fraction")
    page.number("off_peak_token_share", f["off_peak_token_share"], "fraction")
    page.number("inference_plausible_revenue_per_day_usd", plausible, "USD per day")
    page.number("inference_plausible_cost_profit_margin", inf.cost_profit_margin(plausible, day_cost), "fraction")
    page.number("inference_all_paid_revenue_per_day_usd", all_paid, "USD per day")
    page.number("inference_break_even_paid_share", day_cost / all_paid, "fraction")
    page.number("inference_plausible_over_theoretical", plausible / day_revenue, "fraction")
    # No split of paid and free tokens is published: show the margin over the whole range of it (data/uncertainty.csv),
    # not one guess.
    paid_range = data.load_indexed("uncertainty.csv").loc["paid_token_share"]
    for end in ("low", "high"):
        share = float(paid_range[end])
        at_end = inf.blended_revenue_per_day_usd(*day_tokens, paid_share=share, **revenue_args)
        page.number(f"paid_token_share_{end}", share, "fraction")
        page.number(f"inference_margin_at_paid_share_{end}", inf.cost_profit_margin(at_end, day_cost), "fraction")


def rooflines(f: Mapping[str, float]) -> Rooflines:
    """3. The rooflines: what V3's decode (HBM) and prefill (FP8 compute) need of an H800 at the disclosed throughput."""
    gpus_per_node = f["gpus_per_node"]
    v3 = model_config("deepseek_v3", "DeepSeek-V3")
    v3b = arch.breakdown(v3)
    assert v3.experts is not None  # V3 is an MoE model
    h800 = gpu_catalogue()["h800"]
    replicated = v3b.active - v3b.routed_experts_active  # attention, dense layers, shared experts, routers, output head
    per_expert = v3b.routed_experts / v3.experts.routed  # one routed expert across all MoE layers
    weight_bytes = inf.ep_weight_bytes_per_gpu(replicated, per_expert, f["decode_experts_per_gpu"], f["weight_dtype_bytes"])
    kv_bytes = arch.kv_cache_bytes_per_token(v3, f["kv_dtype_bytes"])
    roof_args = dict(output_tokens_per_s_per_node=f["decode_tokens_per_s_per_node"], tokens_per_s_per_stream=f["stream_tokens_per_s"],
                     gpus_per_node=gpus_per_node, weight_bytes_per_gpu=weight_bytes, kv_bytes_per_token=kv_bytes,
                     avg_kv_tokens=f["avg_kv_tokens"], hbm_bandwidth_bytes_per_s=h800.hbm_tb_s * 1e12, hbm_bytes=h800.hbm_gb * 1e9)
    decode = inf.decode_roofline(**roof_args, tokens_per_step=f["decode_tokens_per_step"])
    with_mtp = inf.decode_roofline(**roof_args, tokens_per_step=MTP_TOKENS_PER_STEP)
    prefill_flops = arch.flops_per_token(v3, f["avg_kv_tokens"])
    prefill = inf.prefill_roofline(input_tokens_per_s_per_node=f["prefill_tokens_per_s_per_node"], cache_hit_share=f["cache_hit_share"],
                                   flops_per_token=prefill_flops, gpus_per_node=gpus_per_node, peak_flops_per_gpu=h800.fp8_tflops * 1e12)
    a = v3.attention
    assert a.kv_lora_rank is not None  # MLA
    mqa_per_context = inf.mla_mqa_attention_flops_per_context_token(v3.layers, a.heads, a.kv_lora_rank, a.qk_rope_head_dim)
    matmul = 2.0 * arch.matmul_params_per_token(v3)
    decode_attention, prefill_attention = mqa_per_context * f["avg_kv_tokens"], prefill_flops - matmul
    decode_flops = matmul + decode_attention
    decode_flop_util = inf.flop_utilisation(f["decode_tokens_per_s_per_node"], decode_flops, gpus_per_node, h800.fp8_tflops * 1e12)
    peaks = dict(gpus_per_node=gpus_per_node, matmul_peak_flops_per_gpu=h800.fp8_tflops * 1e12,
                 attention_peak_flops_per_gpu=h800.bf16_tflops * 1e12)
    decode_share = inf.compute_time_share(f["decode_tokens_per_s_per_node"], matmul, decode_attention, **peaks)
    prefill_share = inf.compute_time_share(prefill.computed_tokens_per_s_per_node, matmul, prefill_attention, **peaks)
    prefill_share_all = inf.compute_time_share(f["prefill_tokens_per_s_per_node"], matmul, prefill_attention, **peaks)
    return Rooflines(v3, h800, replicated, weight_bytes, kv_bytes, decode, with_mtp, prefill_flops, prefill, decode_flops, decode_flop_util,
                     decode_share, prefill_share, prefill_share_all, decode_attention, prefill_attention)


def roofline_numbers(page: Page, f: Mapping[str, float], roof: Rooflines) -> None:
    """The rooflines' inputs and results, for the prose."""
    decode, h800, prefill = roof.decode, roof.h800, roof.prefill
    page.number("stream_tokens_per_s", f["stream_tokens_per_s"], "tokens per second")
    page.number("avg_kv_tokens", f["avg_kv_tokens"], "tokens")
    page.number("decode_experts_per_gpu", f["decode_experts_per_gpu"], "experts")
    page.number("decode_tokens_per_step", f["decode_tokens_per_step"], "tokens")
    page.number("mtp_tokens_per_step", MTP_TOKENS_PER_STEP, "tokens")
    page.number("v3_kv_bytes_per_token", roof.kv_bytes, "bytes")
    page.number("decode_weight_gb_per_gpu", roof.weight_bytes / 1e9, "GB")
    page.number("decode_replicated_params_b", roof.replicated / 1e9, "billion parameters")
    page.number("decode_streams_per_node", decode.streams_per_node, "requests")
    page.number("decode_streams_per_gpu", decode.streams_per_gpu, "requests")
    page.number("decode_kv_gb_per_gpu", decode.kv_bytes_per_gpu_per_step / 1e9, "GB")
    page.number("decode_gb_per_gpu_per_step", decode.bytes_per_gpu_per_step / 1e9, "GB")
    page.number("decode_steps_per_s", decode.steps_per_s, "steps per second")
    page.number("decode_hbm_tb_s_needed", decode.hbm_bytes_per_s_per_gpu / 1e12, "TB/s per GPU")
    page.number("decode_hbm_bandwidth_utilisation", decode.hbm_bandwidth_utilisation, "fraction")
    page.number("decode_hbm_bandwidth_utilisation_mtp", roof.with_mtp.hbm_bandwidth_utilisation, "fraction")
    page.number("decode_hbm_capacity_utilisation", decode.hbm_capacity_utilisation, "fraction")
    page.number("decode_flop_utilisation", roof.decode_flop_util, "fraction")
    page.number("h800_hbm_tb_s", h800.hbm_tb_s, "TB/s")
    page.number("h800_hbm_gb", h800.hbm_gb, "GB")
    page.number("h800_fp8_tflops", h800.fp8_tflops, "TFLOP/s")
    page.number("prefill_gflop_per_token", roof.prefill_flops / 1e9, "GFLOP per token")
    page.number("prefill_computed_tokens_per_s_per_node", prefill.computed_tokens_per_s_per_node, "tokens per second")
    page.number("prefill_flop_utilisation", prefill.utilisation_hits_skipped, "fraction")
    page.number("prefill_flop_utilisation_hits_computed", prefill.utilisation_hits_computed, "fraction")
    page.number("h800_bf16_tflops", h800.bf16_tflops, "TFLOP/s")
    page.number("decode_compute_time_share", roof.decode_compute_share, "fraction of compute time")
    page.number("prefill_compute_time_share", roof.prefill_compute_share, "fraction of compute time")
    page.number("prefill_compute_time_share_hits_computed", roof.prefill_compute_share_hits_computed, "fraction of compute time")
    page.number("decode_gflop_per_token", roof.decode_flops / 1e9, "GFLOP per output token")
    page.number("decode_attention_gflop_per_token", roof.decode_attention_flops / 1e9, "GFLOP per output token")
    page.number("prefill_attention_gflop_per_token", roof.prefill_attention_flops / 1e9, "GFLOP per computed token")


def roofline_table(page: Page, f: Mapping[str, float], roof: Rooflines) -> None:
    """The rooflines as a table of checks: what is needed, and what it rests on."""
    decode, h800 = roof.decode, roof.h800
    page.table("roofline", pd.DataFrame([
        {"Check": "Decode: concurrent requests per GPU", "Needed": f"{decode.streams_per_gpu:,.0f}",
         "Rests on": f"{f['decode_tokens_per_s_per_node']:,.0f} tokens/s per node ÷ {f['stream_tokens_per_s']:g} per request"
                     f" ÷ {f['gpus_per_node']:g}"},
        {"Check": "Decode: bytes read per step, per GPU", "Needed": f"{decode.bytes_per_gpu_per_step / 1e9:,.1f} GB",
         "Rests on": f"{roof.weight_bytes / 1e9:,.1f} GB of weights + {decode.kv_bytes_per_gpu_per_step / 1e9:,.1f} GB of MLA cache"},
        {"Check": "Decode: HBM bandwidth", "Needed": f"{decode.hbm_bandwidth_utilisation:.0%} of {h800.hbm_tb_s:g} TB/s",
         "Rests on": f"{decode.steps_per_s:,.1f} steps/s; {roof.with_mtp.hbm_bandwidth_utilisation:.0%} with MTP"},
        {"Check": "Decode: HBM capacity", "Needed": f"{decode.hbm_capacity_utilisation:.0%} of {h800.hbm_gb:g} GB",
         "Rests on": "weights + the caches of its requests"},
        {"Check": "Decode: compute time", "Needed": f"{roof.decode_compute_share:.0%}",
         "Rests on": f"{roof.decode_flops / 1e9:,.0f} GFLOP per output token, {roof.decode_attention_flops / 1e9:,.0f} of them attention "
                     f"at the BF16 peak, the rest at FP8's ({roof.decode_flop_util:.0%} of the FP8 peak alone)"},
        {"Check": "Prefill: compute time", "Needed": f"{roof.prefill_compute_share:.0%}",
         "Rests on": f"{roof.prefill_flops / 1e9:,.0f} GFLOP per computed token, {roof.prefill_attention_flops / 1e9:,.0f} of them "
                     f"attention at the BF16 peak; {roof.prefill_compute_share_hits_computed:.0%} if hits were computed too"},
    ]))


def fleet_time_budget(page: Page, f: Mapping[str, float]) -> tuple[float, float, inf.FleetTimeBudget]:
    """4. The fleet-time budget: a year of the fleet in H800-hours and the slices public figures account for.
    Returns (H800-equivalent GPUs, V3's final run in GPU-hours, the budget)."""
    counts = fleet.counts_from_params(f)
    equivalent, final_run, lending, budget = fleet_year(f)
    slices, shares = budget.slices(), budget.shares()
    for name in inf.SLICE_LABELS:
        page.number(f"fleet_hours_{name}_m", slices[name] / 1e6, "million H800-hours")
        page.number(f"fleet_share_{name}", shares[name], "fraction")
    page.number("fleet_h800_equivalent_gpus", equivalent, "H800-equivalent GPUs")
    page.number("fleet_gpus_counted", sum(counts.values()), "GPUs")
    page.number("fleet_year_h800_hours_m", budget.fleet_gpu_hours / 1e6, "million H800-hours")
    page.number("fleet_night_lent_hours_m", budget.night_lent_gpu_hours / 1e6, "million H800-hours")
    page.number("fleet_night_lent_over_final_run", budget.night_lent_gpu_hours / final_run, "times")
    page.number("fleet_night_lending_share", lending, "fraction")
    page.number("fleet_research_multiplier", f["research_multiplier"], "times")
    page.number("high_flyer_share", f["high_flyer_share"], "fraction of the fleet's GPU-hours")
    page.number("high_flyer_share_high", float(data.load_indexed("uncertainty.csv").loc["high_flyer_share", "high"]),
                "fraction of the fleet's GPU-hours")
    page.number("fleet_utilisation", f["utilisation"], "fraction of hours")
    page.number("fleet_other_models_runs_m", f["other_models_gpu_hours"] / 1e6, "million H800-hours")
    low, high = unexplained_range(f)
    page.number("fleet_share_unexplained_p10", low, "fraction")
    page.number("fleet_share_unexplained_p90", high, "fraction")
    page.number("fleet_overcommitted", float(budget.overcommitted), "flag")
    page.text("fleet_remainder_verdict", "more than the fleet has: the named slices overcommit it" if budget.overcommitted
              else "time that no public figure accounts for")
    page.number("fleet_share_training_and_inference", 1.0 - shares["unexplained"], "fraction")
    page.text("fleet_remainder_sentence", remainder_sentence(1.0 - shares["unexplained"], shares["unexplained"]))
    page.text("fleet_remainder_range_text", remainder_range(low, high))
    # "$6M" and "$1.6B" on the one axis of H800-hours.
    claims = data.load_indexed("claims.csv")
    page.text("serving_claim_run_text", usd(float(claims.loc["v3_cost_6m", "value"])))
    page.text("serving_claim_capex_text", usd(float(claims.loc["capex_1_6b", "value"])))
    return equivalent, final_run, budget


def remainder_sentence(named: float, remainder: float) -> str:
    """What the named slices leave of the fleet-year, or by how much they overcommit it (a negative remainder)."""
    if round(remainder, 2) < 0:  # said in whole percent: a remainder that rounds to 0% is neither
        return (f"Everything named takes {named:.0%}: more than the fleet has, by {-remainder:.0%} of its year, so these "
                "inputs overcommit it")
    if round(remainder, 2) == 0:
        return "Everything named takes the whole fleet-year: no time is left that no public figure accounts for"
    return f"Everything named takes {named:.0%}; the other {remainder:.0%} of the year is time that no public figure accounts for"


def remainder_range(low: float, high: float) -> str:
    """The remainder's P10–P90, an overcommitted end said as such (never a negative share of the year)."""
    low, high = round(low, 2) + 0.0, round(high, 2) + 0.0  # as shown, in whole percent (+ 0.0: no "-0%")
    if low >= 0:
        return f"{low:.0%} to {high:.0%} left over"
    if high <= 0:
        return f"{-high:.0%} to {-low:.0%} overcommitted"
    return f"from {-low:.0%} overcommitted to {high:.0%} left over"


def fleet_year_in_money(page: Page, f: Mapping[str, float], day: Day, equivalent: float, final_run: float,
                        budget: inf.FleetTimeBudget) -> None:
    """In money: the fleet's yearly cost (capex as an annuity, plus opex) split by share of H800-equivalent
    hours, beside the final run at the owned cost per H800-hour held, the price the reconciliation uses."""
    year_cost = float(day.book["fleet_cost_per_year_usd"])
    capex_per_year = year_cost - float(day.book["fleet_opex_per_year_usd"])  # the annuity part
    run_value = final_run * day.owned
    page.text("fleet_year_cost_text", usd(year_cost))
    page.text("fleet_capex_per_year_text", usd(capex_per_year))
    page.text("fleet_final_run_value_text", usd(run_value))
    page.number("fleet_final_run_share_of_cost", run_value / year_cost, "fraction")
    page.number("fleet_depreciation_years", f["depreciation_years"], "years")
    page.number("fleet_cost_of_capital", f["cost_of_capital"], "fraction per year")
    page.number("fleet_cost_per_h800_hour_usd", year_cost / budget.fleet_gpu_hours, "USD per H800-equivalent hour")
    page.number("fleet_capex_per_year_over_final_run", capex_per_year / run_value, "times")
    # The straight-line reading (capex over the horizon plus opex, as Luk's table does) lands near the annuity by
    # coincidence: a 4.5-year annuity at the cost of capital repays about a quarter of capex a year.
    capex = float(day.book["fleet_capex_usd"])
    straight = float(day.book["fleet_tco_per_year_usd"])
    page.text("fleet_tco_straight_line_text", usd(straight, 2))
    page.text("fleet_year_cost_exact_text", usd(year_cost, 2))
    page.number("fleet_annuity_share_of_capex", capex_per_year / capex, "fraction of capex a year")
    page.number("fleet_straight_line_share_of_capex", (straight - float(day.book["fleet_opex_per_year_usd"])) / capex, "fraction of capex a year")


def budget_costs(f: Mapping[str, float], day: Day, budget: inf.FleetTimeBudget) -> tuple[dict[str, float], dict[str, str]]:
    """Each slice of the fleet-year in money, on its own basis: work that runs on H800s at an H800's own cost per hour
    held; High-Flyer's share and the idle hours at the fleet's average cost per H800-equivalent hour (they are shares of
    every GPU); the remainder is the fleet's yearly cost less the rest. Returns (money, basis in words)."""
    year_cost = float(day.book["fleet_cost_per_year_usd"])
    average = year_cost / budget.fleet_gpu_hours
    slices = budget.slices()
    money = {name: slices[name] * (day.owned if name in ON_H800 else average) for name in slices if name != "unexplained"}
    money["unexplained"] = year_cost - sum(money.values())
    basis = {name: ("one-off, placed in the year: " if name in ONE_OFF else "")
             + (f"owned H800, ${day.owned:.2f} per hour held" if name in ON_H800 else f"fleet average, ${average:.2f} per H800-eq. hour")
             for name in slices}
    basis["unexplained"] = "remainder: the fleet's yearly cost less the rows above"
    return money, basis


def fleet_budget_table(page: Page, f: Mapping[str, float], day: Day, equivalent: float, final_run: float,
                       budget: inf.FleetTimeBudget) -> None:
    """The budget as a table (each slice, what sets it, its cost on its own basis) and as a chart."""
    year_cost = float(day.book["fleet_cost_per_year_usd"])
    slices, shares = budget.slices(), budget.shares()
    money, basis = budget_costs(f, day, budget)
    for name in ("r1", "unexplained", "idle"):
        page.number(f"fleet_cost_{name}_usd", money[name], "USD, one-off, placed in the year" if name in ONE_OFF else "USD per year")
    page.text("fleet_cost_r1_text", usd_sig(money["r1"]))  # a one-off: R1's training GPU-hours at the owned H800 cost
    # What the remainder's hours are priced at once the H800 slices take an H800's (lower) cost per hour held.
    left = slices["unexplained"]  # none left when the named slices overcommit the fleet: then the average stands
    page.number("fleet_remainder_usd_per_h800_hour", money["unexplained"] / left if left > 0 else year_cost / budget.fleet_gpu_hours,
                "USD per H800-equivalent hour")
    sets = {
        "v3_final_run": "V3 report, Table 1",
        "v3_research": f"final run × ({f['research_multiplier']:g} − 1): research_multiplier",
        "r1": "R1 paper (Nature), supplementary Table 7",
        "inference": f"{f['inference_nodes_avg']:g} nodes × {f['gpus_per_node']:g} all year (disclosure)",
        "other_models": f"V2 and Coder-V2 papers × {f['research_multiplier']:g}: other_models_gpu_hours, research_multiplier",
        "high_flyer": f"{f['high_flyer_share']:.0%} of the fleet-year: high_flyer_share",
        "idle": f"{1 - f['utilisation']:.0%} of the fleet-year: 1 − utilisation",
        "unexplained": "the fleet-year less the rows above",
    }
    page.table("fleet_budget", pd.DataFrame([
        {"Slice": label, "H800-hours": slices[name], "Share": shares[name], COST_COLUMN: money[name], "Priced at": basis[name],
         "Set by": sets[name]} for name, label in inf.SLICE_LABELS.items()
    ] + [{"Slice": "Whole fleet-year", "H800-hours": budget.fleet_gpu_hours, "Share": 1.0, COST_COLUMN: year_cost,
          "Priced at": "capex as an annuity, plus opex", "Set by": f"{equivalent:,.0f} H800-equivalent GPUs × {fleet.HOURS_PER_YEAR:,.0f} h"}]),
        {"H800-hours": lambda v: f"{v / 1e6:,.2f}M", "Share": _share, COST_COLUMN: usd})
    page.figure("fig_fleet_time", charts.fleet_time(
        {label: slices[name] for name, label in inf.SLICE_LABELS.items()}, budget.fleet_gpu_hours, budget.night_lent_gpu_hours))


def sparse_attention_section(page: Page, f: Mapping[str, float], roof: Rooflines, costs: inf.TokenCosts) -> float:
    """5. Sparse attention (V3.2-Exp): work and cost by position, against DeepSeek's own chart. Returns V3.2-Exp's cost
    per million output tokens at the average KV length, the cost its output price is set against."""
    gpus_per_node = f["gpus_per_node"]
    sparse = sparse_attention(f, roof.v3, costs_node_usd_per_s=inf.node_cost_per_s_usd(gpus_per_node, f["gpu_hour_usd"]),
                              prefill_utilisation=roof.prefill.utilisation_hits_skipped, decode=roof.decode,
                              weight_bytes=roof.weight_bytes, kv_bytes=roof.kv_bytes, node_flops=gpus_per_node * roof.h800.fp8_tflops * 1e12,
                              node_bytes_per_s=gpus_per_node * roof.h800.hbm_tb_s * 1e12)
    for key, value in sparse["numbers"].items():
        page.number(key, value, sparse["units"][key])
    page.table("sparse_work", sparse["work"], {
        "Position": "{:,.0f}", "V3 GFLOP": "{:,.0f}", "V3.2 GFLOP": "{:,.0f}", "V3 MB": "{:,.0f}", "V3.2 MB": "{:,.0f}",
    })
    chart = {key: data.published(f"v32_chart_{key}") for key in (
        "prefill_dense_usd_per_m_128k", "prefill_sparse_usd_per_m_128k", "decode_dense_usd_per_m_128k", "decode_sparse_usd_per_m_128k",
        "prefill_dense_usd_per_m_0k", "decode_dense_usd_per_m_0k")}
    for key, value in chart.items():
        page.number(f"v32_chart_{key}", value, "USD per million tokens")
    page.number("v32_chart_prefill_ratio", chart["prefill_sparse_usd_per_m_128k"] / chart["prefill_dense_usd_per_m_128k"], "fraction")
    page.number("v32_chart_decode_ratio", chart["decode_sparse_usd_per_m_128k"] / chart["decode_dense_usd_per_m_128k"], "fraction")
    page.figure("fig_sparse_attention", charts.sparse_attention(sparse["curve"], chart, int(f["context_tokens"]), f["avg_kv_tokens"]))
    return float(sparse["numbers"]["sparse_decode_sparse_usd_per_m_at_avg"])


def sparse_attention(f: Mapping[str, float], v3: arch.ModelConfig, *, costs_node_usd_per_s: float, prefill_utilisation: float,
                     decode: inf.DecodeRoofline, weight_bytes: float, kv_bytes: float, node_flops: float,
                     node_bytes_per_s: float) -> dict:
    """Dense MLA (V3, as V3.1-Terminus) against DSA (V3.2-Exp) by token position: work, cost, the 128K figures.

    Cost per million tokens is anchored on the disclosure: prefill at the FP8 utilisation its throughput
    implies, decode at the HBM-bandwidth utilisation, so the dense figures at the average KV length are
    the disclosure's own costs per cache miss and per output token."""
    v32 = load_config(MODELS_DIR / V32_CONFIG)
    args = _sparse_args(f, v3, v32, decode, weight_bytes, kv_bytes)

    def cost(c: inf.SparseAttentionComparison) -> dict[str, np.ndarray]:
        def pre(x: np.ndarray) -> np.ndarray:
            return np.asarray(inf.usd_per_million_tokens(x, node_flops, costs_node_usd_per_s, prefill_utilisation))

        def dec(x: np.ndarray) -> np.ndarray:
            return np.asarray(inf.usd_per_million_tokens(x, node_bytes_per_s, costs_node_usd_per_s, decode.hbm_bandwidth_utilisation))

        return {"prefill_dense": pre(c.prefill_flops_dense), "prefill_sparse": pre(c.prefill_flops_sparse),
                "decode_dense": dec(c.decode_bytes_dense), "decode_sparse": dec(c.decode_bytes_sparse)}

    context = f["context_tokens"]
    positions = np.linspace(0.0, context, CHART_POINTS)
    curve = pd.DataFrame({"position": positions, **cost(inf.sparse_attention_comparison(positions, **args))})
    at = inf.sparse_attention_comparison(context, **args)
    avg = inf.sparse_attention_comparison(f["avg_kv_tokens"], **args)
    table_positions = sorted({*SPARSE_TABLE_POSITIONS, f["avg_kv_tokens"], context})
    work = inf.sparse_attention_comparison(np.array(table_positions), **args)
    work_frame = pd.DataFrame({
        "Position": table_positions,
        "V3 GFLOP": np.asarray(work.prefill_flops_dense) / 1e9, "V3.2 GFLOP": np.asarray(work.prefill_flops_sparse) / 1e9,
        "V3 MB": np.asarray(work.decode_bytes_dense) / 1e6, "V3.2 MB": np.asarray(work.decode_bytes_sparse) / 1e6,
    })
    numbers = _sparse_numbers(v32, args, context, at, {k: float(v) for k, v in cost(at).items()}, avg,
                              {k: float(v) for k, v in cost(avg).items()}, _prefill_crossover(context, args))
    return {"numbers": numbers, "units": _sparse_units(numbers), "work": work_frame, "curve": curve}


def _sparse_args(f: Mapping[str, float], v3: arch.ModelConfig, v32: arch.ModelConfig, decode: inf.DecodeRoofline,
                 weight_bytes: float, kv_bytes: float) -> dict[str, float]:
    """The per-token work of dense MLA (V3) and DSA (V3.2-Exp), as inference.sparse_attention_comparison takes it."""
    assert v32.indexer is not None and v32.attention.kv_lora_rank is not None  # the V3.2-Exp config has its indexer
    a32, idx = v32.attention, v32.indexer
    tps = f["decode_tokens_per_step"]
    per_token_streams = decode.streams_per_gpu * tps  # tokens one GPU emits per decode step
    return dict(
        matmul_flops_per_token=2.0 * arch.matmul_params_per_token(v3),
        dense_attention_flops_per_context_token=arch.attention_flops_per_token(v3, 1),
        sparse_attention_flops_per_selected_token=inf.mla_mqa_attention_flops_per_context_token(v32.layers, a32.heads, a32.kv_lora_rank,
                                                                                                a32.qk_rope_head_dim),
        indexer_flops_per_context_token=inf.indexer_flops_per_context_token(v32.layers, idx.heads, idx.head_dim),
        top_k=idx.topk,
        weight_bytes_per_token=weight_bytes / per_token_streams,
        kv_bytes_per_token=kv_bytes / tps,
        indexer_key_bytes_per_token=inf.indexer_key_bytes_per_token(v32.layers, idx.head_dim) / tps,
        sparse_extra_matmul_flops_per_token=2.0 * arch.breakdown(v32).indexer,
        sparse_extra_weight_bytes_per_token=arch.breakdown(v32).indexer * f["weight_dtype_bytes"] / per_token_streams,
    )


def _prefill_crossover(context: float, args: Mapping[str, float]) -> float:
    """The first position (to CROSSOVER_STEP tokens) where sparse prefill is cheaper; `context` if none is."""
    fine = np.arange(0.0, context + 1.0, CROSSOVER_STEP)
    fine_work = inf.sparse_attention_comparison(fine, **args)
    cheaper = fine[np.asarray(fine_work.prefill_flops_sparse) < np.asarray(fine_work.prefill_flops_dense)]
    return float(cheaper[0]) if len(cheaper) else context  # context: sparse prefill never cheaper on this range


def _sparse_numbers(v32: arch.ModelConfig, args: Mapping[str, float], context: float, at: inf.SparseAttentionComparison,
                    at_cost: Mapping[str, float], avg: inf.SparseAttentionComparison, avg_cost: Mapping[str, float],
                    crossover: float) -> dict[str, float]:
    """The sparse-attention figures the prose quotes, at context_tokens (`at`) and at the average KV length (`avg`)."""
    assert v32.indexer is not None
    idx = v32.indexer
    return {
        "sparse_context_tokens": context, "sparse_top_k": float(idx.topk), "sparse_index_heads": float(idx.heads),
        "sparse_index_head_dim": float(idx.head_dim),
        "sparse_indexer_params_b": arch.breakdown(v32).indexer / 1e9,
        "sparse_dense_attention_mflop_per_context_token": args["dense_attention_flops_per_context_token"] / 1e6,
        "sparse_mqa_attention_mflop_per_selected_token": args["sparse_attention_flops_per_selected_token"] / 1e6,
        "sparse_indexer_mflop_per_context_token": args["indexer_flops_per_context_token"] / 1e6,
        "sparse_indexer_key_bytes_per_token": inf.indexer_key_bytes_per_token(v32.layers, idx.head_dim),
        "sparse_prefill_dense_gflop": float(at.prefill_flops_dense) / 1e9, "sparse_prefill_sparse_gflop": float(at.prefill_flops_sparse) / 1e9,
        "sparse_decode_dense_mb": float(at.decode_bytes_dense) / 1e6, "sparse_decode_sparse_mb": float(at.decode_bytes_sparse) / 1e6,
        "sparse_prefill_ratio": float(at.prefill_cost_ratio), "sparse_decode_ratio": float(at.decode_cost_ratio),
        "sparse_prefill_dense_usd_per_m": at_cost["prefill_dense"], "sparse_prefill_sparse_usd_per_m": at_cost["prefill_sparse"],
        "sparse_decode_dense_usd_per_m": at_cost["decode_dense"], "sparse_decode_sparse_usd_per_m": at_cost["decode_sparse"],
        "sparse_prefill_crossover_tokens": crossover,
        "sparse_decode_sparse_usd_per_m_at_avg": avg_cost["decode_sparse"],
        "sparse_decode_ratio_at_avg": float(avg.decode_cost_ratio),
        "sparse_prefill_ratio_at_avg": float(avg.prefill_cost_ratio),
    }


def _sparse_units(numbers: Mapping[str, float]) -> dict[str, str]:
    units = {k: ("USD per million tokens" if k.endswith("usd_per_m") or "_usd_per_m_" in k else "number") for k in numbers}
    units.update({"sparse_context_tokens": "tokens", "sparse_top_k": "tokens", "sparse_prefill_crossover_tokens": "tokens",
                  "sparse_prefill_dense_gflop": "GFLOP per token", "sparse_prefill_sparse_gflop": "GFLOP per token",
                  "sparse_decode_dense_mb": "MB per token", "sparse_decode_sparse_mb": "MB per token",
                  "sparse_prefill_ratio": "fraction", "sparse_decode_ratio": "fraction", "sparse_decode_ratio_at_avg": "fraction",
                  "sparse_prefill_ratio_at_avg": "fraction",
                  "sparse_indexer_params_b": "billion parameters", "sparse_indexer_key_bytes_per_token": "bytes",
                  "sparse_dense_attention_mflop_per_context_token": "MFLOP", "sparse_mqa_attention_mflop_per_selected_token": "MFLOP",
                  "sparse_indexer_mflop_per_context_token": "MFLOP"})
    return units


# Serving V4 (issue 28): the models, and DeepSeek's V4 price lists in data/api_prices.csv, in the order the page shows them.
V4_SERVED = (("v4_pro", "DeepSeek-V4-Pro", "deepseek_v4_pro.json"), ("v4_flash", "DeepSeek-V4-Flash", "deepseek_v4_flash.json"))
V4_PRICES = {"v4_pro": ("v4_pro_launch", "v4_pro", "v4_pro_peak", "v4_pro_off_peak"), "v4_flash": ("v4_flash",)}


def v4_work_per_token(f: Mapping[str, float], cfg: arch.ModelConfig, streams_per_gpu: float) -> tuple[float, float]:
    """(prefill FLOP per input token, decode bytes read per output token) of `cfg` served as V3 was on the disclosed day:
    a token at the average KV length; each decode GPU holding the non-routed weights and `decode_experts_per_gpu` routed
    experts at `weight_dtype_bytes`, read once per step for its streams, plus each stream's cache as kept at that length."""
    b = arch.breakdown(cfg)
    assert cfg.experts is not None  # V3 and V4 are MoE models
    weights = inf.ep_weight_bytes_per_gpu(b.active - b.routed_experts_active, b.routed_experts / cfg.experts.routed,
                                          f["decode_experts_per_gpu"], f["weight_dtype_bytes"])
    tps = f["decode_tokens_per_step"]
    kv = arch.kv_cache_elements_kept(cfg, f["avg_kv_tokens"]) * f["kv_dtype_bytes"]
    return arch.flops_per_token(cfg, f["avg_kv_tokens"]), weights / (streams_per_gpu * tps) + kv / tps


def v4_serving(page: Page, f: Mapping[str, float], day: Day, roof: Rooflines, rental: inf.TokenCosts, v32_own: float) -> None:
    """Serving V4 at the book's owned cost: V3's disclosed costs per million tokens at the owned cost per H800-hour held,
    scaled by each model's work per token (prefill by FLOP, decode by bytes read), against DeepSeek's V4 prices. V3's and
    V3.2-Exp's lists stand beside them on the same two bases, the owned cost and the rental price, each labelled."""
    owned = inf.token_costs(f["gpus_per_node"], day.owned, f["prefill_tokens_per_s_per_node"], f["decode_tokens_per_s_per_node"],
                            f["cache_hit_share"], f["cache_hit_cost_fraction"])
    v3_flops, v3_bytes = v4_work_per_token(f, roof.v3, roof.decode.streams_per_gpu)
    page.number("serving_v4_v3_miss_usd_per_m_owned", owned.input_cache_miss, "USD per million tokens (V3, owned cost)")
    page.number("serving_v4_v3_output_usd_per_m_owned", owned.output, "USD per million tokens (V3, owned cost)")
    page.number("serving_v4_v3_decode_mb_per_token", v3_bytes / 1e6, "MB read per output token")
    page.number("serving_v4_weight_dtype_bytes", f["weight_dtype_bytes"], "bytes per weight")
    page.number("serving_v4_kv_dtype_bytes", f["kv_dtype_bytes"], "bytes per cached element")
    to_owned = day.owned / f["gpu_hour_usd"]  # every cost per token scales with the price of the GPU-hour
    # V3 and V3.2-Exp (V3.2-Exp's output at its own sparse-attention cost, as the price section has it), then V4.
    served = [("v3_standard", rental.input_cache_miss, rental.output), ("v32_exp", rental.input_cache_miss, v32_own)]
    for key, _name, config in V4_SERVED:
        flops, read = v4_work_per_token(f, load_config(MODELS_DIR / config), roof.decode.streams_per_gpu)
        miss, output = owned.input_cache_miss * flops / v3_flops, owned.output * read / v3_bytes
        page.number(f"serving_{key}_prefill_over_v3", flops / v3_flops, "fraction (FLOP per input token)")
        page.number(f"serving_{key}_decode_over_v3", read / v3_bytes, "fraction (bytes read per output token)")
        page.number(f"serving_{key}_miss_usd_per_m_owned", miss, "USD per million tokens (owned cost, estimate)")
        page.number(f"serving_{key}_output_usd_per_m_owned", output, "USD per million tokens (owned cost, estimate)")
        page.number(f"serving_{key}_output_usd_per_m_rental", output / to_owned, "USD per million tokens (rental price, estimate)")
        served += [(price_key, miss / to_owned, output / to_owned) for price_key in V4_PRICES[key]]
    rows = [_served_row(page, price_key, miss, output, to_owned) for price_key, miss, output in served]
    rental_margin = f"Output margin at ${f['gpu_hour_usd']:.2f}/h rental"
    page.table("v4_prices", pd.DataFrame(rows).rename(columns={"Output margin, rental": rental_margin}), {
        "Miss price": "${:,.3f}", "Miss cost, owned": "${:,.3f}", "Output price": "${:,.2f}", "Output cost, owned": "${:,.2f}",
        "Output margin, owned": _pct, rental_margin: _pct})


def _served_row(page: Page, price_key: str, miss_rental: float, output_rental: float, to_owned: float) -> dict:
    """One price list (it names its model) against the model's cost per million tokens on both bases: the owned cost per H800-hour held and the
    rental price (V3's costs are the disclosure's at that price; a later model's are V3's rescaled by its work)."""
    price_table = data.load_indexed("api_prices.csv")
    listed = prices(price_table.loc[price_key])
    miss, output = miss_rental * to_owned, output_rental * to_owned
    margin_owned = float(inf.implied_gross_margin(listed.output, output))
    margin_rental = float(inf.implied_gross_margin(listed.output, output_rental))
    page.number(f"serving_{price_key}_output_margin_owned", margin_owned, "fraction")
    page.number(f"serving_{price_key}_miss_margin_owned", float(inf.implied_gross_margin(listed.input_cache_miss, miss)), "fraction")
    if price_key not in DEEPSEEK_PRICES:  # V3's lists have their prices and rental margins glued in the price section
        page.number(f"serving_{price_key}_price_miss", listed.input_cache_miss, "USD per million tokens")
        page.number(f"serving_{price_key}_price_output", listed.output, "USD per million tokens")
        page.number(f"serving_{price_key}_output_margin_rental", margin_rental, "fraction")
    label = re.sub(r" \(.*\)$", "", str(price_table.loc[price_key, "model"]))
    basis = OWN_OUTPUT_LABEL if price_key == "v32_exp" else ""  # as the price section has it: no V3.2-Exp prefill cost
    return {"Price list": f"{label}, {pd.Timestamp(price_table.loc[price_key, 'date']):%-d %b %Y}{basis}",
            "Miss price": listed.input_cache_miss, "Miss cost, owned": miss, "Output price": listed.output, "Output cost, owned": output,
            "Output margin, owned": margin_owned, "Output margin, rental": margin_rental}
