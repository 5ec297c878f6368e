"""Serving economics: DeepSeek's one-day inference disclosure, cost per token, rooflines,
the fleet-time budget and sparse attention.

Every model figure arrives as an argument (the chapter passes the architecture calculator's
values and the registry's parameters); nothing about DeepSeek-V3 is hard-coded here.

Units: USD, tokens, seconds, bytes, FLOP. API prices are USD per million tokens, as published.

The disclosure (DeepSeek, open-infra-index, "Day 6: DeepSeek-V3/R1 Inference System Overview",
1 Mar 2025) reports one day of V3 and R1 serving: 226.75 H800 nodes on average (278 at peak),
608B input tokens of which 342B hit the on-disk KV cache, 168B output tokens, 73.7k input tokens/s
per prefill node and 14.8k output tokens/s per decode node, $87,072 of cost at $2 per GPU-hour and
$562,027 of "theoretical" revenue at R1 prices: a "cost profit margin" of 545%.

Assumptions, each stated where it is used:
- Cache hits (`token_costs`): a hit is read from the disk KV cache and skips prefill compute, so by
  default it costs no GPU time and the node time of prefill falls on the misses. The disclosure's
  73.7k tokens/s counts hits, so the cost per *miss* is the blended cost / (1 - hit share).
  `hit_cost_fraction` > 0 charges a hit that fraction of a miss's GPU time.
- Night lending (`fleet_time_budget`): the inference slice is peak nodes x (1 - lending share);
  the lent node-hours are not a slice of their own. They are fleet time that research and
  training use, so they sit inside the research slice or the unexplained remainder already;
  adding them again would count them twice. They are reported as a memo line only.
- Decode roofline (`decode_roofline`): each decode GPU reads every weight it holds once per step
  (at ~700 streams per node the batch hits every expert it holds) plus the KV cache of its streams.
- Sparse attention (`sparse_attention_comparison`): prefill cost is proportional to FLOP per
  token, decode cost to bytes read per token; the weights' bytes are amortised over the batch.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np

from analysis.errors import InputError
from analysis.model.fleet import HOURS_PER_YEAR, Gpu, Number

SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0
PER_MILLION = 1e6


def _check(name: str, value: Number, low: float = 0.0, high: float = float("inf"), *, low_open: bool = False) -> None:
    """Raise InputError unless every value lies in [low, high] (or (low, high] with low_open)."""
    if isinstance(value, float | int):  # the common case, one number (numpy floats too): the same test without numpy
        number = float(value)
        if math.isfinite(number) and number <= high and (number > low if low_open else number >= low):
            return
    arr = np.asarray(value, dtype=float)
    bad = ~np.isfinite(arr) | (arr > high) | ((arr <= low) if low_open else (arr < low))
    if np.any(bad):
        bracket = "(" if low_open else "["
        raise InputError(f"{name}: expected a value in {bracket}{low:g}, {high:g}], got {value!r}")


def _plain(value: Number) -> Number:
    """A numpy scalar back to a float (arrays pass through)."""
    return float(value) if np.ndim(value) == 0 else value


# --- the disclosure: cost, theoretical revenue, margin ---------------------------------------

@dataclass(frozen=True)
class ApiPrices:
    """One price list, USD per million tokens."""

    input_cache_hit: float
    input_cache_miss: float
    output: float


def cost_per_day_usd(nodes: Number, gpus_per_node: Number, usd_per_gpu_hour: Number, hours: float = 24.0) -> Number:
    """Rental cost of `nodes` nodes for `hours` (the disclosure: 226.75 x 8 x 24 x $2 = $87,072)."""
    _check("nodes", nodes)
    _check("gpus_per_node", gpus_per_node, low_open=True)
    _check("usd_per_gpu_hour", usd_per_gpu_hour)
    return nodes * gpus_per_node * hours * usd_per_gpu_hour


def theoretical_revenue_per_day_usd(input_tokens: Number, cache_hit_share: Number, output_tokens: Number, prices: ApiPrices) -> Number:
    """Revenue if every token were billed at `prices`: hits, misses and output at their rates.

    With the disclosure's rounded counts (342B hits, 266B misses, 168B output at R1 prices) this is
    $562,100; DeepSeek prints $562,027, computed from unrounded counts (see `revenue_rounding_bounds_usd`)."""
    _check("input_tokens", input_tokens)
    _check("output_tokens", output_tokens)
    _check("cache_hit_share", cache_hit_share, 0.0, 1.0)
    hits = input_tokens * cache_hit_share
    misses = input_tokens - hits
    return (hits * prices.input_cache_hit + misses * prices.input_cache_miss + output_tokens * prices.output) / PER_MILLION


def revenue_rounding_bounds_usd(
    input_tokens: float, cache_hit_tokens: float, output_tokens: float, prices: ApiPrices, half_step: float,
) -> tuple[float, float]:
    """Lowest and highest theoretical revenue when each published token count may be off by +-half_step
    (counts published to the nearest 1B tokens: half_step = 0.5e9)."""
    _check("half_step", half_step)
    values = []
    for d_in, d_hit, d_out in itertools.product((-half_step, half_step), repeat=3):
        total, hits = input_tokens + d_in, cache_hit_tokens + d_hit
        values.append(theoretical_revenue_per_day_usd(total, hits / total, output_tokens + d_out, prices))
    return float(min(values)), float(max(values))


def cost_profit_margin(revenue: Number, cost: Number) -> Number:
    """DeepSeek's "cost profit margin": profit over cost, (revenue - cost) / cost (545% in the disclosure)."""
    _check("cost", cost, low_open=True)
    return (revenue - cost) / cost


def implied_gross_margin(price: Number, cost: Number) -> Number:
    """Gross margin of a price: (price - cost) / price (the usual definition, profit over revenue)."""
    _check("price", price, low_open=True)
    return (price - cost) / price


def nodes_for_rate(tokens_per_day: Number, tokens_per_s_per_node: Number, seconds: float = SECONDS_PER_DAY) -> Number:
    """Average nodes busy to process `tokens_per_day` at `tokens_per_s_per_node`."""
    _check("tokens_per_day", tokens_per_day)
    _check("tokens_per_s_per_node", tokens_per_s_per_node, low_open=True)
    return tokens_per_day / seconds / tokens_per_s_per_node


def nodes_from_throughput(
    input_tokens_per_day: Number, output_tokens_per_day: Number,
    prefill_tokens_per_s_per_node: Number, decode_tokens_per_s_per_node: Number,
) -> Number:
    """Prefill nodes + decode nodes implied by the day's tokens and per-node throughputs
    (608e9 / 86,400 / 73.7e3 + 168e9 / 86,400 / 14.8e3 = 226.9, against 226.75 stated)."""
    return (nodes_for_rate(input_tokens_per_day, prefill_tokens_per_s_per_node)
            + nodes_for_rate(output_tokens_per_day, decode_tokens_per_s_per_node))


def blended_revenue_per_day_usd(
    input_tokens: Number, cache_hit_share: Number, output_tokens: Number, *,
    r1_prices: ApiPrices, v3_prices: ApiPrices, v3_token_share: Number, paid_share: Number,
    off_peak_token_share: Number = 0.0,
    r1_off_peak_prices: ApiPrices | None = None, v3_off_peak_prices: ApiPrices | None = None,
) -> Number:
    """A plausible actual revenue: only `paid_share` of tokens is billed (web and app are free),
    `v3_token_share` of them at V3 prices and the rest at R1 prices, and `off_peak_token_share`
    of each at the off-peak prices (same as peak when not given).

    Simplification: V3 and R1 tokens have the same mix of hits, misses and output, and the
    off-peak share is the same for both models and for paid and free traffic."""
    for name, share in (("v3_token_share", v3_token_share), ("paid_share", paid_share), ("off_peak_token_share", off_peak_token_share)):
        _check(name, share, 0.0, 1.0)

    def at(prices: ApiPrices) -> Number:
        return theoretical_revenue_per_day_usd(input_tokens, cache_hit_share, output_tokens, prices)

    def model(peak: ApiPrices, off_peak: ApiPrices | None) -> Number:
        return (1.0 - off_peak_token_share) * at(peak) + off_peak_token_share * at(off_peak or peak)

    mix = v3_token_share * model(v3_prices, v3_off_peak_prices) + (1.0 - v3_token_share) * model(r1_prices, r1_off_peak_prices)
    return paid_share * mix


# --- cost per million tokens from throughput -------------------------------------------------

@dataclass(frozen=True)
class TokenCosts:
    """GPU cost per million tokens, USD."""

    input_blended: float  # per input token, hits and misses together (what the 73.7k tokens/s measures)
    input_cache_hit: float
    input_cache_miss: float
    output: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def node_cost_per_s_usd(gpus_per_node: Number, usd_per_gpu_hour: Number) -> Number:
    return cost_per_day_usd(1.0, gpus_per_node, usd_per_gpu_hour, hours=1.0) / SECONDS_PER_HOUR


def cost_per_million_tokens_usd(node_usd_per_s: Number, tokens_per_s_per_node: Number) -> Number:
    """Node cost per second / tokens per second per node x 1e6."""
    _check("tokens_per_s_per_node", tokens_per_s_per_node, low_open=True)
    return node_usd_per_s / tokens_per_s_per_node * PER_MILLION


def token_costs(
    gpus_per_node: float, usd_per_gpu_hour: float, prefill_tokens_per_s_per_node: float,
    decode_tokens_per_s_per_node: float, cache_hit_share: float, hit_cost_fraction: float = 0.0,
) -> TokenCosts:
    """Cost per million input and output tokens on dedicated prefill and decode nodes.

    The prefill throughput counts cache hits. A hit costs `hit_cost_fraction` of a miss's GPU time
    (default 0: it is loaded from disk and skips prefill compute), so with hit share h the blended
    cost b = h·f·c_miss + (1 - h)·c_miss, i.e. c_miss = b / (h·f + 1 - h) and c_hit = f·c_miss."""
    _check("cache_hit_share", cache_hit_share, 0.0, 1.0)
    _check("hit_cost_fraction", hit_cost_fraction, 0.0, 1.0)
    per_s = node_cost_per_s_usd(gpus_per_node, usd_per_gpu_hour)
    blended = cost_per_million_tokens_usd(per_s, prefill_tokens_per_s_per_node)
    weight = cache_hit_share * hit_cost_fraction + 1.0 - cache_hit_share
    if weight <= 0:
        raise InputError("cache_hit_share: 1 with hit_cost_fraction 0 leaves no token to carry the prefill cost")
    miss = blended / weight
    return TokenCosts(
        input_blended=float(blended), input_cache_hit=float(hit_cost_fraction * miss), input_cache_miss=float(miss),
        output=float(cost_per_million_tokens_usd(per_s, decode_tokens_per_s_per_node)),
    )


def gross_margins(prices: ApiPrices, costs: TokenCosts) -> dict[str, float]:
    """Implied gross margin of each price against its cost."""
    return {
        "input_cache_hit": float(implied_gross_margin(prices.input_cache_hit, costs.input_cache_hit)),
        "input_cache_miss": float(implied_gross_margin(prices.input_cache_miss, costs.input_cache_miss)),
        "output": float(implied_gross_margin(prices.output, costs.output)),
    }


# --- roofline plausibility of the throughputs ------------------------------------------------

def ep_weight_bytes_per_gpu(
    replicated_params: float, params_per_routed_expert: float, routed_experts_per_gpu: float, weight_dtype_bytes: float,
) -> float:
    """Weight bytes one GPU holds (and reads each decode step) under expert parallelism with data-parallel
    attention: every GPU keeps the non-routed weights (attention, dense layers, shared experts, routers,
    output head) and its own routed experts (all layers). For V3 pass breakdown's active - routed_experts_active
    and routed_experts / n_routed."""
    for name, v in (("replicated_params", replicated_params), ("params_per_routed_expert", params_per_routed_expert),
                    ("routed_experts_per_gpu", routed_experts_per_gpu)):
        _check(name, v)
    _check("weight_dtype_bytes", weight_dtype_bytes, low_open=True)
    return (replicated_params + routed_experts_per_gpu * params_per_routed_expert) * weight_dtype_bytes


@dataclass(frozen=True)
class DecodeRoofline:
    streams_per_node: float  # concurrent requests needed for the node's output rate
    streams_per_gpu: float
    steps_per_s: float  # decode steps per second of each stream
    weight_bytes_per_gpu_per_step: float
    kv_bytes_per_gpu_per_step: float
    bytes_per_gpu_per_step: float
    hbm_bytes_per_s_per_gpu: float  # bandwidth the throughput needs
    hbm_bandwidth_utilisation: float  # of the GPU's peak HBM bandwidth
    hbm_capacity_utilisation: float  # (weights + resident KV caches) / HBM size

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def decode_roofline(
    *, output_tokens_per_s_per_node: float, tokens_per_s_per_stream: float, gpus_per_node: float,
    weight_bytes_per_gpu: float, kv_bytes_per_token: float, avg_kv_tokens: float,
    hbm_bandwidth_bytes_per_s: float, hbm_bytes: float, tokens_per_step: float = 1.0,
) -> DecodeRoofline:
    """Is the decode throughput plausible for a memory-bound step?

    Streams per node = node output rate / per-stream rate (14.8k / 21 ≈ 700). Each step, every GPU reads
    its weights once and the KV cache of its streams (avg_kv_tokens each); a step emits `tokens_per_step`
    tokens per stream (1 without speculative decoding; ~1.85 with MTP at 85% acceptance)."""
    for name, v in (("output_tokens_per_s_per_node", output_tokens_per_s_per_node), ("tokens_per_s_per_stream", tokens_per_s_per_stream),
                    ("gpus_per_node", gpus_per_node), ("hbm_bandwidth_bytes_per_s", hbm_bandwidth_bytes_per_s), ("hbm_bytes", hbm_bytes)):
        _check(name, v, low_open=True)
    _check("tokens_per_step", tokens_per_step, 1.0)
    for name, v in (("weight_bytes_per_gpu", weight_bytes_per_gpu), ("kv_bytes_per_token", kv_bytes_per_token), ("avg_kv_tokens", avg_kv_tokens)):
        _check(name, v)
    streams_node = output_tokens_per_s_per_node / tokens_per_s_per_stream
    streams_gpu = streams_node / gpus_per_node
    steps = tokens_per_s_per_stream / tokens_per_step
    kv_step = streams_gpu * avg_kv_tokens * kv_bytes_per_token
    per_step = weight_bytes_per_gpu + kv_step
    needed = per_step * steps
    return DecodeRoofline(
        streams_per_node=streams_node, streams_per_gpu=streams_gpu, steps_per_s=steps,
        weight_bytes_per_gpu_per_step=weight_bytes_per_gpu, kv_bytes_per_gpu_per_step=kv_step,
        bytes_per_gpu_per_step=per_step, hbm_bytes_per_s_per_gpu=needed,
        hbm_bandwidth_utilisation=needed / hbm_bandwidth_bytes_per_s,
        hbm_capacity_utilisation=per_step / hbm_bytes,
    )


def flop_utilisation(tokens_per_s_per_node: Number, flops_per_token: Number, gpus_per_node: Number, peak_flops_per_gpu: Number) -> Number:
    """Achieved model FLOP/s over the node's peak (like MFU in training)."""
    _check("gpus_per_node", gpus_per_node, low_open=True)
    _check("peak_flops_per_gpu", peak_flops_per_gpu, low_open=True)
    return tokens_per_s_per_node * flops_per_token / (gpus_per_node * peak_flops_per_gpu)


def compute_time_share(
    tokens_per_s_per_node: Number, matmul_flops_per_token: Number, attention_flops_per_token: Number, gpus_per_node: Number,
    matmul_peak_flops_per_gpu: Number, attention_peak_flops_per_gpu: Number,
) -> Number:
    """The share of a node's compute time a throughput needs, each kind of arithmetic at its own peak: DeepSeek runs the
    matrix multiplications in FP8 and MLA's core attention in BF16 (its inference overview), at half the FP8 rate on a
    Hopper. Against the FP8 peak alone (flop_utilisation) the attention's share is understated by half."""
    _check("gpus_per_node", gpus_per_node, low_open=True)
    _check("matmul_peak_flops_per_gpu", matmul_peak_flops_per_gpu, low_open=True)
    _check("attention_peak_flops_per_gpu", attention_peak_flops_per_gpu, low_open=True)
    seconds_per_token = matmul_flops_per_token / matmul_peak_flops_per_gpu + attention_flops_per_token / attention_peak_flops_per_gpu
    return tokens_per_s_per_node * seconds_per_token / gpus_per_node


@dataclass(frozen=True)
class PrefillRoofline:
    computed_tokens_per_s_per_node: float  # cache misses only
    achieved_flops_per_s_per_node: float  # on the computed tokens
    peak_flops_per_node: float
    utilisation_hits_skipped: float  # hits cost no compute (our assumption)
    utilisation_hits_computed: float  # upper bound: every input token prefilled

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def prefill_roofline(
    *, input_tokens_per_s_per_node: float, cache_hit_share: float, flops_per_token: float,
    gpus_per_node: float, peak_flops_per_gpu: float,
) -> PrefillRoofline:
    """FLOP utilisation the prefill throughput implies. `flops_per_token` = 2 x multiplied weights +
    attention at the prompt's context (architecture.flops_per_token), all against the FP8 dense peak (attention runs in
    BF16 at half that: compute_time_share weighs each at its own peak)."""
    _check("cache_hit_share", cache_hit_share, 0.0, 1.0)
    computed = input_tokens_per_s_per_node * (1.0 - cache_hit_share)
    return PrefillRoofline(
        computed_tokens_per_s_per_node=computed,
        achieved_flops_per_s_per_node=computed * flops_per_token,
        peak_flops_per_node=gpus_per_node * peak_flops_per_gpu,
        utilisation_hits_skipped=flop_utilisation(computed, flops_per_token, gpus_per_node, peak_flops_per_gpu),
        utilisation_hits_computed=flop_utilisation(input_tokens_per_s_per_node, flops_per_token, gpus_per_node, peak_flops_per_gpu),
    )


# --- the fleet-time budget -------------------------------------------------------------------

SLICE_LABELS = {
    "v3_final_run": "V3 final training run",
    "v3_research": "V3 research and ablations",
    "r1": "R1 training",
    "inference": "Inference (V3 and R1)",
    "other_models": "Other models (V2, Coder-V2) and their research",
    "high_flyer": "High-Flyer (trading, its research)",
    "idle": "Idle (1 − utilisation)",
    "unexplained": "Nothing public explains",
}


def h800_equivalent_gpus(counts: Mapping[str, Number], gpus: Mapping[str, Gpu], reference: str = "h800") -> Number:
    """GPUs weighted by dense BF16 throughput relative to `reference` (A100 312/989, H20 148/989, H100 1)."""
    if reference not in gpus:
        raise InputError(f"reference GPU {reference!r} is not in the catalogue")
    unknown = [k for k in counts if k not in gpus]
    if unknown:
        raise InputError(f"GPU type(s) {', '.join(unknown)} not in the catalogue")
    ref = gpus[reference].bf16_tflops
    return sum(counts[k] * gpus[k].bf16_tflops / ref for k in counts)


def average_nodes_from_profile(nodes: tuple[float, ...], hours: tuple[float, ...]) -> float:
    """Time-weighted average of a step profile of node counts (e.g. read from DeepSeek's node-count chart)."""
    if len(nodes) != len(hours) or not nodes:
        raise InputError("node profile: need as many durations as node counts, and at least one")
    for h in hours:
        _check("profile duration (hours)", h, low_open=True)
    return float(sum(n * h for n, h in zip(nodes, hours, strict=True)) / sum(hours))


def night_lending_share(peak_nodes: Number, average_nodes: Number) -> Number:
    """Share of the peak pool's node-hours not used for inference: 1 - average / peak."""
    _check("peak_nodes", peak_nodes, low_open=True)
    return 1.0 - average_nodes / peak_nodes


@dataclass(frozen=True)
class FleetTimeBudget:
    """One year of the fleet in H800-equivalent GPU-hours, split into slices that add up to it."""

    fleet_gpu_hours: float
    v3_final_run: float
    v3_research: float
    r1: float
    inference: float
    other_models: float
    high_flyer: float  # the parent company's share of the fleet (SemiAnalysis: the GPUs are shared)
    idle: float  # hours no job uses: the fleet-year × (1 - utilisation)
    unexplained: float  # the rest; negative when the named slices exceed the fleet-year
    night_lent_gpu_hours: float  # memo: inference-pool hours lent to research at night (inside the slices above, not added)

    def slices(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in SLICE_LABELS}

    def shares(self) -> dict[str, float]:
        return {name: value / self.fleet_gpu_hours for name, value in self.slices().items()}

    @property
    def overcommitted(self) -> bool:
        """True when the named slices need more GPU-hours than the fleet has."""
        return bool(np.any(np.asarray(self.unexplained) < 0))


def fleet_time_budget(
    fleet_h800_equivalent_gpus: Number, *, v3_final_run_gpu_hours: Number, research_multiplier: Number,
    r1_gpu_hours: Number, inference_nodes_peak: Number, night_lending_share: Number, gpus_per_node: Number = 8,
    other_models_gpu_hours: Number = 0.0, high_flyer_share: Number = 0.0, idle_share: Number = 0.0, hours: float = HOURS_PER_YEAR,
) -> FleetTimeBudget:
    """Where one year of the fleet's compute-weighted GPU-hours went, as far as public figures say.

    - V3 final run: the report's H800-hours; V3 research: final run x (research_multiplier - 1).
    - R1: its own training stages (on top of the V3 base model).
    - Inference: peak nodes x (1 - night_lending_share) x GPUs per node x hours: the average node count
      (278 x (1 - 0.18435) = 226.75 for the disclosure's day). The lent hours are fleet time that research
      and training use; they are already inside the research slice or the remainder, so they are reported
      as a memo (`night_lent_gpu_hours`), never added as a slice.
    - Other models (V2, Coder-V2, ...): their final runs (a parameter) and their research, counted as V3's is
      (final runs x research_multiplier in all).
    - High-Flyer: the parent company's share of the fleet-year (trading and its own research).
    - Idle: the fleet-year x idle_share (1 - utilisation): hours no job uses.
    - Unexplained: the fleet-year minus the named slices, reported as is (negative when overcommitted).

    The slices come from different dates (V3 run in late 2024, R1 and the inference day in early 2025);
    the budget is a composite year around the V3/R1 releases. All inputs may be numpy arrays."""
    _check("fleet_h800_equivalent_gpus", fleet_h800_equivalent_gpus)
    _check("research_multiplier", research_multiplier, 1.0)
    _check("night_lending_share", night_lending_share, 0.0, 1.0)
    _check("high_flyer_share", high_flyer_share, 0.0, 1.0)
    _check("idle_share", idle_share, 0.0, 1.0)
    for name, v in (("v3_final_run_gpu_hours", v3_final_run_gpu_hours), ("r1_gpu_hours", r1_gpu_hours),
                    ("inference_nodes_peak", inference_nodes_peak), ("other_models_gpu_hours", other_models_gpu_hours)):
        _check(name, v)
    _check("gpus_per_node", gpus_per_node, low_open=True)
    _check("hours", hours, low_open=True)
    fleet = fleet_h800_equivalent_gpus * hours
    pool = inference_nodes_peak * gpus_per_node * hours
    named = {
        "v3_final_run": v3_final_run_gpu_hours,
        "v3_research": v3_final_run_gpu_hours * (research_multiplier - 1.0),
        "r1": r1_gpu_hours,
        "inference": pool * (1.0 - night_lending_share),
        "other_models": other_models_gpu_hours * research_multiplier,
        "high_flyer": fleet * high_flyer_share,
        "idle": fleet * idle_share,
    }
    unexplained = fleet - sum(named.values())
    return FleetTimeBudget(fleet_gpu_hours=fleet, **named, unexplained=unexplained, night_lent_gpu_hours=pool * night_lending_share)


def fleet_share_inference(budget: FleetTimeBudget) -> Number:
    """Inference's share of the fleet-year."""
    return budget.inference / budget.fleet_gpu_hours


# --- sparse attention (DeepSeek-V3.2-Exp) ----------------------------------------------------
# The lightning indexer (V3.2-Exp inference/model.py, class Indexer; kernel fp8_index) scores every
# previous token s for query t as sum_j w_tj * ReLU(q_tj . k_s) over index_n_heads heads of index_head_dim:
# 2 x heads x head_dim FLOP per previous token per layer (the ReLU and weighting add ~heads more, ignored),
# in FP8, with a cached key of head_dim FP8 bytes plus one FP32 scale per 128-element block.
# Main attention then runs over the top-k selected tokens (k = index_topk = 2048).

def indexer_flops_per_context_token(layers: int, index_heads: int, index_head_dim: int) -> float:
    """Indexer FLOP per query token per previous token, all layers: 2 x layers x heads x head_dim
    (the same term architecture.attention_flops_per_token adds for a deepseek_v32 config)."""
    return 2.0 * layers * index_heads * index_head_dim


def indexer_key_bytes_per_token(layers: int, index_head_dim: int, key_dtype_bytes: float = 1.0,
                                scale_bytes: float = 4.0, block: int = 128) -> float:
    """Bytes of the indexer's key cache per token, all layers (FP8 key + FP32 scale per block)."""
    return layers * (index_head_dim * key_dtype_bytes + scale_bytes * -(-index_head_dim // block))


def mla_mqa_attention_flops_per_context_token(layers: int, heads: int, kv_lora_rank: int, qk_rope_head_dim: int) -> float:
    """MLA in its MQA ("absorbed") mode, used for decoding and by DSA: per head, scores over the
    latent + RoPE key (kv_lora_rank + rope) and values over the latent (kv_lora_rank)."""
    return 2.0 * layers * heads * (2 * kv_lora_rank + qk_rope_head_dim)


def dense_attention_flops(position: Number, flops_per_context_token: float) -> Number:
    """Attention FLOP of the token at `position`: it attends to all `position` previous tokens."""
    _check("position", position)
    return flops_per_context_token * position


def sparse_attention_flops(position: Number, flops_per_selected_token: float, indexer_flops_per_context_token: float, top_k: float) -> Number:
    """DSA: indexer over all previous tokens + main attention over min(position, top_k) of them."""
    _check("position", position)
    _check("top_k", top_k, low_open=True)
    return _plain(flops_per_selected_token * np.minimum(position, top_k) + indexer_flops_per_context_token * position)


@dataclass(frozen=True)
class SparseAttentionComparison:
    position: float
    prefill_flops_dense: float  # per token at this position
    prefill_flops_sparse: float
    prefill_cost_ratio: float  # sparse / dense, with cost proportional to FLOP
    decode_bytes_dense: float  # bytes read per generated token at this position
    decode_bytes_sparse: float
    decode_cost_ratio: float  # sparse / dense, with cost proportional to bytes read

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def sparse_attention_comparison(
    position: Number, *, matmul_flops_per_token: float, dense_attention_flops_per_context_token: float,
    sparse_attention_flops_per_selected_token: float, indexer_flops_per_context_token: float, top_k: float,
    weight_bytes_per_token: float, kv_bytes_per_token: float, indexer_key_bytes_per_token: float,
    sparse_extra_matmul_flops_per_token: float = 0.0, sparse_extra_weight_bytes_per_token: float = 0.0,
) -> SparseAttentionComparison:
    """Dense MLA (V3/V3.1) against DSA (V3.2-Exp) for the token at `position`.

    Prefill, cost ∝ FLOP: dense = matmuls + attention over `position` tokens; sparse = matmuls
    (+ the indexer's projections) + attention over min(position, top_k) + indexer over `position`.
    Decode, cost ∝ bytes read: weights amortised over the batch (`weight_bytes_per_token`) + KV cache
    of `position` tokens (dense) or of min(position, top_k) tokens plus the indexer keys of all of them (sparse).
    DeepSeek prefills dense MLA in MHA mode but runs DSA in MQA mode: pass the per-token attention
    FLOP of each mode (architecture.attention_flops_per_token(cfg, 1) and mla_mqa_attention_flops_per_context_token).
    `sparse_extra_matmul_flops_per_token` is the indexer's projections, 2 x layers x architecture.indexer_params;
    `kv_bytes_per_token` is MLA's cache alone (V3's figure: the indexer keys are priced by `indexer_key_bytes_per_token`);
    `sparse_extra_weight_bytes_per_token` is the indexer's weights read in decode, amortised over the batch like the others."""
    _check("top_k", top_k, low_open=True)
    pre_dense = matmul_flops_per_token + dense_attention_flops(position, dense_attention_flops_per_context_token)
    pre_sparse = (matmul_flops_per_token + sparse_extra_matmul_flops_per_token
                  + sparse_attention_flops(position, sparse_attention_flops_per_selected_token, indexer_flops_per_context_token, top_k))
    dec_dense = weight_bytes_per_token + kv_bytes_per_token * position
    dec_sparse = _plain(weight_bytes_per_token + sparse_extra_weight_bytes_per_token
                        + kv_bytes_per_token * np.minimum(position, top_k) + indexer_key_bytes_per_token * position)
    return SparseAttentionComparison(
        position=position, prefill_flops_dense=pre_dense, prefill_flops_sparse=pre_sparse, prefill_cost_ratio=pre_sparse / pre_dense,
        decode_bytes_dense=dec_dense, decode_bytes_sparse=dec_sparse, decode_cost_ratio=dec_sparse / dec_dense,
    )


def usd_per_million_tokens(work_per_token: Number, node_work_per_s: Number, node_usd_per_s: Number, utilisation: Number = 1.0) -> Number:
    """Cost per million tokens when each token needs `work_per_token` (FLOP or bytes) and a node does
    `node_work_per_s` at peak, run at `utilisation` of it."""
    _check("node_work_per_s", node_work_per_s, low_open=True)
    _check("utilisation", utilisation, 0.0, 1.0, low_open=True)
    return work_per_token * PER_MILLION / (node_work_per_s * utilisation) * node_usd_per_s
